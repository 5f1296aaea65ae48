#!/usr/bin/env bash
# Sets up, builds and runs every test of tg: the lit suite (check-tg), the
# Python package's tests (pytest) and the GoogleTest unit tests (ctest).
# Works from a fresh clone on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
#
# TG_SANITIZE=address,undefined bash scripts/test.sh builds in build-asan
# with ASan and UBSan (-DTG_SANITIZE) and runs the same tests there: LSan
# checks for leaks at every process exit, a UBSan report aborts. Python is
# not instrumented, so pytest runs with the ASan runtime (which includes
# UBSan's) LD_PRELOADed into it, and without leak checking (CPython's own
# allocations at exit are not leaks of ours).
bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${TG_BUILD_DIR:-build}
preload=()
if [ -n "${TG_SANITIZE:-}" ]; then
  BUILD_DIR=${TG_BUILD_DIR:-build-asan}
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  preload=(env LD_PRELOAD="$(clang-22 -print-file-name=libclang_rt.asan-x86_64.so)"
           ASAN_OPTIONS=detect_leaks=0)
fi
echo "== lit: check-tg"
/usr/lib/llvm-22/bin/lit -sv "$BUILD_DIR/test"
echo "== pytest: the Python package"
TG_LIBRARY="$PWD/$BUILD_DIR/lib/libTgCAPI.so" PYTHONPATH="$PWD/python" \
  "${preload[@]}" /usr/bin/python3 -m pytest test/python -q
echo "== ctest"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)"
