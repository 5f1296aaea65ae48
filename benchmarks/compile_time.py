#!/usr/bin/env python3
"""Compile time against program size (issue 18): tg-compile on straight
chains of N elementwise ops and on d nested scf.for loops, wall time and peak
RSS of the whole process (parse, -tg-optimize, -tg-cpu-pipeline, LLVM code
generation into an object file), with the growth exponent between
consecutive sizes (1.0 is linear). Nothing runs: d nested loops of 2 trips
would run their body 2^d times.

  /usr/bin/python3 benchmarks/compile_time.py [--chains 1000,2000,5000]
                                              [--depths 10,20,40,80]
"""
import argparse
import math
import os
import resource
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
T = "tensor<64x64xf32>"


def chain(n):
    """N elementwise ops, each on the previous result (and an argument), as
    an unrolled Python loop writes them."""
    lines = ["func.func @main(%%a: %s, %%b: %s) -> %s {" % (T, T, T)]
    prev = "%a"
    unary = ["tanh", "exp", "sigmoid", "sin", "neg", "abs", "cos"]
    binary = [("add", "%a"), ("mul", "%b"), ("sub", "%b"), ("maximum", "%a"),
              ("mul", "%a"), ("div", "%b")]
    for i in range(n):
        if i % 3 == 1:
            lines.append("  %%v%d = tg.%s %s : %s" % (i, unary[(i // 3) % 7], prev, T))
        else:
            op, arg = binary[(i - i // 3) % 6]
            lines.append("  %%v%d = tg.%s %s, %s : (%s, %s) -> %s"
                         % (i, op, prev, arg, T, T, T))
        prev = "%%v%d" % i
    lines.append("  return %s : %s\n}" % (prev, T))
    return "\n".join(lines) + "\n"


def nested(depth):
    """depth nested scf.for loops (2 trips each) carrying a tensor."""
    lines = ["func.func @main(%%a: %s, %%b: %s) -> %s {" % (T, T, T),
             "  %c0 = arith.constant 0 : index", "  %c1 = arith.constant 1 : index",
             "  %c2 = arith.constant 2 : index"]
    ind = "  "
    for k in range(depth):
        src = "%a" if k == 0 else "%%x%d" % (k - 1)
        lines.append("%s%%r%d = scf.for %%i%d = %%c0 to %%c2 step %%c1 iter_args(%%x%d = %s) -> (%s) {"
                     % (ind, k, k, k, src, T))
        ind += "  "
    lines.append("%s%%p = tg.mul %%x%d, %%b : (%s, %s) -> %s" % (ind, depth - 1, T, T, T))
    lines.append("%sscf.yield %%p : %s" % (ind, T))
    for k in reversed(range(depth)):
        ind = ind[:-2]
        if k > 0:
            lines.append("%s}" % ind)
            lines.append("%sscf.yield %%r%d : %s" % (ind, k, T))
        else:
            lines.append("%s}" % ind)
    lines.append("  return %%r0 : %s\n}" % T)
    return "\n".join(lines) + "\n"


def measure(source, workdir, name, tg_compile):
    path = os.path.join(workdir, name + ".mlir")
    with open(path, "w") as f:
        f.write(source)
    out = os.path.join(workdir, name)
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", tg_compile, path, "-o", out + ".o",
         "--header", out + ".h", "--name=step", "--cpu=native"],
        capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s" % (name, proc.stderr[-2000:]))
    rss_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024
    return seconds, rss_mb


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chains", default="1000,2000,5000")
    parser.add_argument("--depths", default="10,20,40,80")
    parser.add_argument("--tg-compile",
                        default=os.path.join(ROOT, "build", "bin", "tg-compile"))
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        print("| program | size | seconds | peak RSS MB | growth exponent |")
        print("|---|---|---|---|---|")
        for kind, sizes, make in (("elementwise chain", a.chains, chain),
                                  ("nested scf.for", a.depths, nested)):
            previous = None
            for n in [int(s) for s in sizes.split(",") if s]:
                seconds, rss = measure(make(n), d, "%s%d" % (kind[0], n), a.tg_compile)
                exponent = ""
                if previous:  # seconds ~ size^exponent between the two sizes
                    exponent = "%.2f" % (math.log(seconds / previous[1]) /
                                         math.log(n / previous[0]))
                print("| %s | %d | %.2f | %.0f | %s |" % (kind, n, seconds, rss, exponent),
                      flush=True)
                previous = (n, seconds)


if __name__ == "__main__":
    main()
