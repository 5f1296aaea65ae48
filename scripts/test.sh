#!/usr/bin/env bash
# Sets up, builds and runs every test of tg: the lit suite (check-tg), the
# Python package's tests (pytest) and the GoogleTest unit tests (ctest).
# Works from a fresh clone on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${TG_BUILD_DIR:-build}
echo "== lit: check-tg"
/usr/lib/llvm-22/bin/lit -sv "$BUILD_DIR/test"
echo "== pytest: the Python package"
TG_LIBRARY="$PWD/$BUILD_DIR/lib/libTgCAPI.so" PYTHONPATH="$PWD/python" \
  /usr/bin/python3 -m pytest test/python -q
echo "== ctest"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)"
