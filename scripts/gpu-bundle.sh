#!/usr/bin/env bash
# Packs a built tg for the GPU check on a machine that has a GPU but not
# Debian's LLVM 22 (the lent device machines run another image): tg-run,
# tg-opt, the unit tests, libTgCAPI.so and every shared library they load
# except glibc's, as .gpu-bundle/part-NN (an xz tarball split into 30 MiB
# pieces, so that each device call carries at most two; see
# scripts/gpu-check.sh for the calls). Run after scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${TG_BUILD_DIR:-build}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/tg/bin" "$stage/tg/lib"
cp "$BUILD_DIR/bin/tg-run" "$BUILD_DIR/bin/tg-opt" "$BUILD_DIR/unittests/TgUnitTests" "$stage/tg/bin/"
cp -L "$BUILD_DIR/lib/libTgCAPI.so" "$stage/tg/lib/"
# glibc and the dynamic loader are the target's own; everything else comes.
for f in "$stage"/tg/bin/* "$stage/tg/lib/libTgCAPI.so"; do
  ldd "$f" | awk '/=> \// {print $3}'
done | sort -u | grep -v -E '/(libc|libm|libpthread|libdl|librt|libresolv|ld-linux-x86-64)\.so' |
  while read -r lib; do cp -L "$lib" "$stage/tg/lib/"; done
# The JIT loads libomp.so from libMLIR.so's directory (ObjectCode.cpp).
cp -L /usr/lib/llvm-22/lib/libomp.so "$stage/tg/lib/libomp.so"
rm -rf .gpu-bundle && mkdir -p .gpu-bundle
tar -C "$stage" -cf - tg | xz -9 -T"$(nproc)" | split -b 30M -d - .gpu-bundle/part-
(cd .gpu-bundle && sha256sum part-* > SHA256SUMS)
du -sh "$stage/tg" .gpu-bundle
ls -l .gpu-bundle
