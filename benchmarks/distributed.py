#!/usr/bin/env python3
"""Data-parallel training over MPI (issue 19): one MLP training step
(784-256-10, SGD, a global batch of 512) at 1 and 2 processes, one
thread each, with the gradients averaged by tg.all_reduce inside the
compiled step; the all-reduce of the gradients alone; the scaling
efficiency; the bytes each process sends per step.

  /usr/bin/python3 benchmarks/distributed.py [--steps 50] [--batch 512]

It launches itself under `mpirun -np 1` and `mpirun -np 2` (OpenMPI,
localhost, shared memory between the processes). Figures and what a
multi-node run would need: benchmarks/README.md.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))


def worker(args):
    import numpy as np

    import tg
    tg.set_num_threads(1)
    d = tg.distribute
    strategy = d.MirroredStrategy()
    rng = np.random.default_rng(0)
    with strategy.scope():
        w1 = tg.Variable((rng.standard_normal((784, 256)) * 0.05).astype(np.float32))
        w2 = tg.Variable((rng.standard_normal((256, 10)) * 0.05).astype(np.float32))
    x = rng.standard_normal((args.batch, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, args.batch)]
    xs, ys = strategy.shard(x), strategy.shard(y)

    @tg.function
    def step(x, y):
        with tg.GradientTape() as tape:
            h = tg.relu(tg.matmul(x, w1))
            loss = -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(tg.matmul(h, w2)), 1))
        g1, g2 = tape.gradient(loss, [w1, w2])
        w1.assign_sub(0.1 * d.all_reduce(g1, "mean"))
        w2.assign_sub(0.1 * d.all_reduce(g2, "mean"))
        return loss

    @tg.function
    def reduce_only(g1, g2):
        return d.all_reduce(g1, "mean"), d.all_reduce(g2, "mean")

    def median_ms(fn, *a):
        fn(*a)
        times = []
        for _ in range(args.steps):
            d.all_reduce(np.zeros(1, np.float32))  # line the processes up
            t = time.perf_counter()
            fn(*a)
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1e3

    step_ms = median_ms(lambda: strategy.run(step, (xs, ys)))
    g1 = np.ones((784, 256), np.float32)
    g2 = np.ones((256, 10), np.float32)
    reduce_ms = median_ms(reduce_only, g1, g2)
    if d.rank() == 0:
        print(json.dumps({"processes": d.size(), "step_ms": step_ms,
                          "all_reduce_ms": reduce_ms,
                          "gradient_bytes": int(g1.nbytes + g2.nbytes)}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    launcher = shutil.which("mpirun")
    if not launcher:
        sys.exit("benchmarks/distributed.py: mpirun not found (apt-get install openmpi-bin)")
    rows = []
    for n in (1, 2):
        command = [launcher, "--oversubscribe", "-np", str(n), "--bind-to", "core"]
        if os.geteuid() == 0:
            command.append("--allow-run-as-root")
        command += ["-x", "OMP_NUM_THREADS=1", sys.executable, os.path.abspath(__file__),
                    "--worker", "--steps", str(args.steps), "--batch", str(args.batch)]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    base = rows[0]["step_ms"]
    print("MLP 784-256-10, global batch %d, one thread per process, median of %d steps"
          % (args.batch, args.steps))
    print("%-10s %10s %14s %9s %11s %22s" % ("processes", "step ms", "all-reduce ms",
                                           "speedup", "efficiency", "bytes/step/process"))
    for r in rows:
        n = r["processes"]
        sent = 2 * (n - 1) / n * r["gradient_bytes"]  # ring all-reduce
        print("%-10d %10.3f %14.3f %9.2f %10.0f%% %22d" % (
            n, r["step_ms"], r["all_reduce_ms"], base / r["step_ms"],
            100 * base / r["step_ms"] / n, sent))


if __name__ == "__main__":
    main()
