#!/usr/bin/env bash
# Sets up, builds and runs the demo: tg-opt optimizes an example graph.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${TG_BUILD_DIR:-build}
echo "== input: examples/mlp.mlir"
cat examples/mlp.mlir
echo "== tg-opt -tg-optimize examples/mlp.mlir"
"$BUILD_DIR/bin/tg-opt" -tg-optimize examples/mlp.mlir
