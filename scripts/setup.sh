#!/usr/bin/env bash
# Installs every Debian package tg needs to build and test. Idempotent: when
# everything is present it does not touch apt at all.
set -euo pipefail

PACKAGES=(
  # compiler and linker (faster and leaner than g++ 12 on LLVM headers)
  clang-22 lld-22
  # LLVM/MLIR 22: headers, libMLIR.so, mlir-tblgen, lit and FileCheck
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  # LLVM's OpenMP runtime, which runs the compiled parallel loops
  libomp-22-dev
  # build tools; make builds examples/deploy (a C program linking an
  # exported training step)
  cmake ninja-build ccache make
  # unit tests, and the leak check of compiled code
  libgtest-dev valgrind
  # Python front end and the numpy-computed expectations of the tests
  python3 python3-numpy python3-dev python3-pytest libopenblas0-pthread
  # data parallelism: MPI for tg.all_reduce, mpirun for jobs (and the tests)
  openmpi-bin libopenmpi-dev
  # ONNX models in (tg.onnx reads them with python3-onnx) and ONNX's own
  # conformance tests; torchvision's resnet18/mobilenet_v2 exported by
  # PyTorch are the real-network tests of the importer
  python3-onnx libonnx-testdata python3-torchvision
  # graph drawings as SVG (tg-opt -tg-draw-graph format=svg, f.graph(...,
  # format="svg")); DOT output needs nothing
  graphviz
)
# Sanitizer and fuzzer builds (TG_SANITIZE, TG_FUZZ): clang's runtimes.
[ -z "${TG_SANITIZE:-}${TG_FUZZ:-}" ] || PACKAGES+=(libclang-rt-22-dev)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
