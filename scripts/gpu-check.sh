#!/usr/bin/env bash
# The GPU check, one script for a machine with an NVIDIA GPU: the C API's
# device-buffer tests, the GPU integration tests against numpy
# (scripts/gpu_tests.py: every kernel test, tensor cores and device buffers
# included), the Python device tests (test_device.py on the real GPU) and
# benchmarks/gpu_bench.py (sgemm f32/TF32/f16 vs cuBLAS, an
# elementwise chain vs the copy bandwidth, the MLP step vs PyTorch CUDA).
# Results go to $OUT (or /tmp/tg-gpu-out): gpu_tests.log, unit_tests.log, test_device.log,
# gpu_bench.txt, gpu_bench.json. A few minutes on an H100/H200.
#
#   bash scripts/gpu-check.sh run [--dry-run]
#       With a build here (scripts/build.sh) it uses build/; otherwise the
#       bundle of scripts/gpu-bundle.sh, unpacked from .gpu-bundle/ (and
#       from the parts an earlier `stage` call kept). --dry-run checks the
#       script on a machine without a GPU: --target=gpu-emulated, tiny
#       benchmark sizes, PyTorch on the CPU. PYTHON names the Python with
#       numpy and PyTorch (default python3); TG_USE_BUNDLE=1 uses the bundle
#       even where build/ runs.
#   bash scripts/gpu-check.sh stage
#       Keeps the bundle parts carried by this call in /tmp for the next.
#
# On the lent device machines (no LLVM 22 there): run scripts/gpu-bundle.sh
# here, then two device calls back to back (the machine stays warm ~30 s):
#   1. carry [".gpu-bundle/part-00", ".gpu-bundle/part-01"],
#      command "bash scripts/gpu-check.sh stage"
#   2. carry [".gpu-bundle/part-02", ".gpu-bundle/SHA256SUMS"],
#      command "bash scripts/gpu-check.sh run", timeout_s 480
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
dry=${2:-}
parts=/tmp/tg-gpu-parts
mkdir -p "$parts"
[ -d .gpu-bundle ] && cp .gpu-bundle/part-* .gpu-bundle/SHA256SUMS "$parts/" 2>/dev/null
if [ "$mode" = stage ]; then
  ls -l "$parts"
  exit 0
fi
[ "$mode" = run ] || { echo "usage: gpu-check.sh run [--dry-run] | stage" >&2; exit 2; }

out=${OUT:-/tmp/tg-gpu-out}
mkdir -p "$out"
python=${PYTHON:-python3}
if [ -z "${TG_USE_BUNDLE:-}" ] && [ -x build/bin/tg-run ] && build/bin/tg-run --help >/dev/null 2>&1; then
  bin=build/bin unit=build/unittests/TgUnitTests
else
  (cd "$parts" && sha256sum -c SHA256SUMS) || { echo "gpu-check: bundle parts missing or corrupt" >&2; exit 1; }
  rm -rf /tmp/tg-bundle && mkdir -p /tmp/tg-bundle
  # Only the parts SHA256SUMS lists, in its order (a stale part from an
  # older bundle would corrupt the archive).
  (cd "$parts" && cat $(awk '{print $2}' SHA256SUMS)) | xz -d | tar -x -C /tmp/tg-bundle || exit 1
  export LD_LIBRARY_PATH=/tmp/tg-bundle/tg/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  bin=/tmp/tg-bundle/tg/bin unit=/tmp/tg-bundle/tg/bin/TgUnitTests
fi
target=gpu bench=()
if [ "$dry" = --dry-run ]; then
  target=gpu-emulated bench=(--dry-run)
else
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/device.txt"
fi
status=0
export PYTHONUNBUFFERED=1
echo "== C API unit tests (device buffers on $target)"
"$unit" --gtest_filter='CAPI*' 2>&1 | tee "$out/unit_tests.log" | tail -3 || status=1
echo "== GPU integration tests against numpy ($target)"
"$python" scripts/gpu_tests.py --tg-run "$bin/tg-run" --target "$target" 2>&1 | tee "$out/gpu_tests.log" || status=1
echo "== Python on the GPU (test/python/test_device.py)"
if [ "$dry" = --dry-run ]; then real=0; else real=1; fi
TG_TEST_REAL_GPU=$real TG_LIBRARY="$(dirname "$bin")/lib/libTgCAPI.so" TG_CACHE=0 \
  PYTHONPATH=python "$python" -m pytest -q -p no:cacheprovider test/python/test_device.py 2>&1 |
  tee "$out/test_device.log" | tail -5 || status=1
echo "== benchmarks/gpu_bench.py"
"$python" benchmarks/gpu_bench.py --tg-run "$bin/tg-run" "${bench[@]}" --json "$out/gpu_bench.json" 2>&1 |
  tee "$out/gpu_bench.txt" || status=1
exit $status
