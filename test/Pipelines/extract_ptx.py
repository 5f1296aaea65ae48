#!/usr/bin/env python3
"""Prints the PTX embedded in the gpu.binary ops of MLIR text on stdin
(produced with -tg-gpu-pipeline{format=isa}), one module after another.
With --ptxas PATH --arch SM, instead assembles each module with ptxas and
exits 1 if any fails."""
import argparse
import re
import subprocess
import sys
import tempfile

parser = argparse.ArgumentParser()
parser.add_argument("--ptxas")
parser.add_argument("--arch", default="sm_90")
args = parser.parse_args()

modules = []
for m in re.finditer(r'assembly = "((?:[^"\\]|\\.)*)"', sys.stdin.read()):
    s = m.group(1)
    # MLIR escapes bytes as \XX (hex) and quotes/backslashes with a backslash.
    s = re.sub(r'\\([0-9A-Fa-f]{2})', lambda h: chr(int(h.group(1), 16)), s)
    modules.append(s.replace('\\"', '"').replace("\\\\", "\\").rstrip("\x00"))
if not modules:
    sys.exit("no PTX found")
if not args.ptxas:
    sys.stdout.write("\n".join(modules) + "\n")
    sys.exit(0)
failed = 0
for i, ptx in enumerate(modules):
    with tempfile.NamedTemporaryFile("w", suffix=".ptx") as f:
        f.write(ptx)
        f.flush()
        r = subprocess.run([args.ptxas, "-arch=" + args.arch, f.name, "-o", "/dev/null"],
                           capture_output=True, text=True)
        if r.returncode:
            failed += 1
            sys.stderr.write("module %d: %s" % (i, r.stderr))
print("%d PTX modules, %d rejected by ptxas" % (len(modules), failed))
sys.exit(1 if failed else 0)
