#!/usr/bin/env python3
"""The GPU integration tests without lit, for a device machine.

  scripts/gpu_tests.py --tg-run PATH [--target gpu|gpu-emulated] [FILE.mlir ...]

Runs the RUN lines of test/Integration/GPU/*.mlir (or the files given) that
generate inputs, run the program and compare with numpy (%npycheck and
%gpu-run lines), with %gpu-run as `tg-run --target=TARGET`. Lines that
check error messages (`not`) need lit's tools and are left to the test
suite; a run whose output FileCheck reads is run, its output unchecked. Exits 1 if any line fails; prints one line per file.
"""
import argparse
import glob
import os
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_file(path, tg_run, target):
    with tempfile.TemporaryDirectory() as tmp:
        t = os.path.join(tmp, "t")
        subs = [("%gpu-run", "%s --target=%s" % (shlex.quote(tg_run), target)),
                ("%python", shlex.quote(sys.executable)),
                ("%npycheck", "%s %s" % (shlex.quote(sys.executable),
                                          os.path.join(ROOT, "test", "Integration", "npycheck.py"))),
                ("%s", shlex.quote(path)), ("%S", shlex.quote(os.path.dirname(path))),
                ("%t", t)]
        ran = 0
        for line in open(path):
            line = line.strip()
            if not line.startswith("// RUN:"):
                continue
            cmd = line[len("// RUN:"):].strip()
            # A run whose output FileCheck reads still writes its files.
            cmd = cmd.split("| FileCheck")[0].split("2>&1")[0].strip()
            if cmd.startswith("tg-run "):  # a CPU reference run
                cmd = "%tg-run" + cmd[len("tg-run"):]
            if cmd.startswith("not ") or "FileCheck" in cmd or not any(
                    cmd.startswith(p) for p in ("%gpu-run", "%tg-run", "%npycheck", "%python", "rm ")):
                continue
            cmd = cmd.replace("%tg-run", shlex.quote(tg_run))
            for old, new in subs:
                cmd = cmd.replace(old, new)
            proc = subprocess.run(cmd, shell=True, capture_output=True, text=True)
            ran += 1
            if proc.returncode:
                print("FAIL %s\n  %s\n%s%s" % (path, cmd, proc.stdout, proc.stderr))
                return False
        print("PASS %s (%d commands)" % (os.path.relpath(path, ROOT), ran))
        return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tg-run", required=True)
    p.add_argument("--target", default="gpu", choices=["gpu", "gpu-emulated"])
    p.add_argument("files", nargs="*")
    a = p.parse_args()
    files = a.files or sorted(glob.glob(os.path.join(ROOT, "test", "Integration", "GPU", "*.mlir")))
    failed = [f for f in files if not run_file(os.path.abspath(f), a.tg_run, a.target)]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
