#!/usr/bin/env bash
# Runs the demo on a built tg (scripts/build.sh): tg-opt optimizes a graph;
# tg-run compiles a 2-layer MLP for this CPU and runs it on .npy inputs next to
# numpy's answer; then it compiles the MLP's loss *and its gradient* in one
# graph, runs it, and checks the gradients against finite differences;
# profiles that training step; and last exports a training step from Python
# and trains with it from a C program that links nothing but libc.
# The README's demo command is
#   bash scripts/setup.sh && bash scripts/build.sh && bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${TG_BUILD_DIR:-build}
if [ ! -x "$BUILD_DIR/bin/tg-run" ]; then
  echo "demo: no build in $BUILD_DIR; run bash scripts/build.sh first" >&2
  exit 1
fi

echo "== 1. graph optimization: tg-opt -tg-optimize examples/mlp.mlir"
"$BUILD_DIR/bin/tg-opt" -tg-optimize examples/mlp.mlir

echo
echo "== 2. compile and run: tg-run examples/mlp_forward.mlir"
/usr/bin/python3 examples/make_mlp_inputs.py "$BUILD_DIR/demo"
d="$BUILD_DIR/demo"
"$BUILD_DIR/bin/tg-run" examples/mlp_forward.mlir \
  --input="$d/x.npy" --input="$d/w1.npy" --input="$d/b1.npy" \
  --input="$d/w2.npy" --input="$d/b2.npy" --print --repeat=1000

echo
echo "== 3. a graph and its gradient: tg-run examples/mlp_train_step.mlir --check-grad"
"$BUILD_DIR/bin/tg-run" examples/mlp_train_step.mlir \
  --input="$d/x.npy" --input="$d/w1.npy" --input="$d/b1.npy" \
  --input="$d/w2.npy" --input="$d/b2.npy" --input="$d/y.npy" --print --check-grad

echo
echo "== 4. where the time goes: the same step, every fused kernel timed, with its source lines"
"$BUILD_DIR/bin/tg-run" examples/mlp_train_step.mlir \
  --input="$d/x.npy" --input="$d/w1.npy" --input="$d/b1.npy" \
  --input="$d/w2.npy" --input="$d/b2.npy" --input="$d/y.npy" \
  --repeat=1000 --profile="$d/train_step.json" --profile-summary
echo "(a Chrome trace: $d/train_step.json; docs/profiling.md)"

echo
echo "== 5. deployed without Python: a training step exported (Python, tg.saved_model),"
echo "      linked into a C program with libc and libm only, trained for 20 steps"
CC_DEMO=$(command -v cc || command -v clang-22)
case "$BUILD_DIR" in /*) build_abs="$BUILD_DIR" ;; *) build_abs="$PWD/$BUILD_DIR" ;; esac
TG_LIBRARY="$build_abs/lib/libTgCAPI.so" PYTHONPATH="$PWD/python" \
  make -s -C examples/deploy OUT="$build_abs/demo/deploy" PYTHON=/usr/bin/python3 \
  CC="$CC_DEMO" clean run
echo "(ldd of the program:)"
ldd "$d/deploy/train" | sed 's/^/  /'
