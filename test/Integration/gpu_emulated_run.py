#!/usr/bin/env python3
"""tg-run --target=gpu for machines without a GPU, for the integration tests.

  gpu_emulated_run.py TG-OPT TG-RUN FILE [tg-run options...]

Lowers FILE with -tg-gpu-pipeline{emulate=true} (the GPU pipeline's kernels,
run on the CPU with one OpenMP thread per GPU thread) and runs the result
with tg-run and the given options. Exits with the first failing status.
"""
import os
import subprocess
import sys
import tempfile


def main():
    tg_opt, tg_run, source, *options = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        lowered = os.path.join(tmp, "lowered.mlir")
        # Profiling (--profile, --profile-summary) needs the timing calls
        # compiled in, which tg-run --target=gpu asks the pipeline for.
        pipeline = "-tg-gpu-pipeline=emulate=true"
        if any(o.startswith("--profile") for o in options):
            pipeline += " profile=true"
        compile_cmd = [tg_opt, source, pipeline, "-o", lowered]
        status = subprocess.call(compile_cmd)
        if status:
            return status
        return subprocess.call([tg_run, lowered] + options)


if __name__ == "__main__":
    sys.exit(main())
