#!/usr/bin/env bash
# Configures (once) and builds tg in ./build with clang-22, lld and ccache.
# Installs nothing: scripts/setup.sh installs the packages, and the Python
# package is used from the checkout (PYTHONPATH=python; it finds
# build/lib/libTgCAPI.so itself) or installed with `cmake --install build`
# and -DTG_INSTALL_PYTHON=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${TG_BUILD_DIR:-build}
# Sanitizer (and fuzzer) builds live apart, in build-asan unless
# TG_BUILD_DIR says otherwise: TG_SANITIZE=address,undefined [TG_FUZZ=ON].
options=()
if [ -n "${TG_SANITIZE:-}" ]; then
  BUILD_DIR=${TG_BUILD_DIR:-build-asan}
  options+=(-DTG_SANITIZE="$TG_SANITIZE" -DTG_FUZZ="${TG_FUZZ:-OFF}")
fi

if [ -f "$BUILD_DIR/build.ninja" ] && [ ${#options[@]} -gt 0 ]; then
  cmake "$BUILD_DIR" "${options[@]}" >/dev/null
fi
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    -DPython3_EXECUTABLE=/usr/bin/python3 \
    "${launcher[@]}" "${options[@]}"
fi
cmake --build "$BUILD_DIR" -- -j"$(nproc)"
