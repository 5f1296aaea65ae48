#!/usr/bin/env python3
"""Peak memory of a training step, tg next to PyTorch (issue 18).

Each peer runs in a fresh process: it builds the step, runs it once (tg
compiles there), then resets the kernel's peak-RSS mark
(/proc/self/clear_refs) and runs five more steps. The figure is the peak
RSS during those steps above the RSS just before them: the memory a step
adds on top of its inputs and parameters (blocks of 64 KiB and more are
mmapped and unmapped on free, for both peers: see child()). tg's
planned arena and its lower bound (-tg-plan-memory) are printed next to
it, with what the same buffers took allocated one by one (before the
planner, every intermediate stayed allocated until the step returned).

  /usr/bin/python3 benchmarks/memory.py [--threads 1]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise SystemExit("no %s in /proc/self/status" % field)


def child(peer, workload, threads):
    # Blocks of 64 KiB and more straight from mmap, for both peers: glibc
    # would otherwise keep freed blocks in its heap (its mmap threshold
    # grows with each large free), and a step whose buffers come from
    # memory freed by the previous step would show no increase at all.
    import ctypes
    # And the heap's free top goes back to the kernel at each free: a block
    # of 64 KiB or more is otherwise carved out of a top that earlier frees
    # left resident (glibc looks there before it considers mmap), and shows
    # as no increase either.
    M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
    libc = ctypes.CDLL("libc.so.6")
    libc.mallopt(M_MMAP_THRESHOLD, 64 * 1024)
    libc.mallopt(M_TRIM_THRESHOLD, 0)
    libc.mallopt(M_TOP_PAD, 0)
    sys.path.insert(0, HERE)
    sys.path.insert(0, os.path.join(ROOT, "python"))
    import numpy as np
    import suite
    if peer == "tg":
        import tg
        tg.set_num_threads(threads)
    else:
        import torch
        torch.set_num_threads(threads)
    name = {"mlp": "MLP train step", "cnn": "CNN train step digits b64"}[workload]
    r = suite.WORKLOADS[name][0](peer, np.random.default_rng(0))
    r["run"]()
    # Free pages inside the heap go back to the kernel too (madvise): tg's
    # compiler leaves large free holes there that would serve the steps'
    # buffers from memory already resident.
    libc.malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status("VmRSS")
    for _ in range(5):
        r["run"]()
    out = {"step_bytes": status("VmHWM") - before}
    if peer == "tg":
        out["plan"] = r.get("plan")
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.child:
        child(a.child[0], a.child[1], a.threads)
        return
    mb = lambda b: b / 2 ** 20  # noqa: E731
    print("| step | tg peak RSS increase MB | torch MB | tg arena MB | lower bound MB "
          "| one by one MB |")
    print("|---|---|---|---|---|---|")
    for workload in ("mlp", "cnn"):
        res = {}
        for peer in ("tg", "torch"):
            # The peak of a process that compiles (not one that loads
            # from the compile cache).
            env = dict(os.environ, TG_CACHE="0", OMP_NUM_THREADS=str(a.threads),
                       OPENBLAS_NUM_THREADS=str(a.threads))
            out = subprocess.run([sys.executable, __file__, "--threads", str(a.threads),
                                  "--child", peer, workload], env=env, check=True,
                                 capture_output=True, text=True).stdout
            res[peer] = json.loads(out.strip().splitlines()[-1])
        plan = res["tg"].get("plan") or {}
        print("| %s | %.2f | %.2f | %.2f | %.2f | %.2f |" % (
            workload, mb(res["tg"]["step_bytes"]), mb(res["torch"]["step_bytes"]),
            mb(plan.get("arena_bytes", 0)), mb(plan.get("lower_bound_bytes", 0)),
            mb(plan.get("separate_bytes", 0))))


if __name__ == "__main__":
    main()
