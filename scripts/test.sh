#!/usr/bin/env bash
# Runs every test of a built tg (scripts/build.sh): ctest runs the lit suite,
# the Python package's tests (pytest), the GoogleTest unit tests, the check
# that docs/generated is up to date and the downstream example (install into
# a temporary prefix, build a C program against it, run it). Installs and
# builds nothing; the README's test command is
#   bash scripts/setup.sh && bash scripts/build.sh && bash scripts/test.sh
#
# With TG_SANITIZE=address,undefined (given to all three scripts) the tests
# run in build-asan, built with ASan and UBSan (-DTG_SANITIZE): LSan checks
# for leaks at every process exit, a UBSan report aborts. Python is not
# instrumented, so ctest's pytest runs with the ASan runtime preloaded and
# without leak checking (test/CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${TG_BUILD_DIR:-build}
if [ -n "${TG_SANITIZE:-}" ]; then
  BUILD_DIR=${TG_BUILD_DIR:-build-asan}
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
if [ ! -f "$BUILD_DIR/CTestTestfile.cmake" ]; then
  echo "test: no build in $BUILD_DIR; run bash scripts/build.sh first" >&2
  exit 1
fi
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)"
