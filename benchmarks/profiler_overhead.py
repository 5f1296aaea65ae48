#!/usr/bin/env python3
"""What profiling costs (issue 20): the call time of a training step
outside any trace, inside `tg.profiler.trace` (its profiled compile, every
kernel timed), and outside again, in one process; and the cost per timed
kernel. Two MLP steps (GradientTape, SGD on two Variables): a small one,
where the per-kernel cost shows, and a 784-256-10 one with batch 128.

  /usr/bin/python3 benchmarks/profiler_overhead.py [--calls 300] [--threads 0]

Medians of --calls calls each. The machine's limits and figures for this
machine are in benchmarks/README.md.
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))

import numpy as np  # noqa: E402

import tg  # noqa: E402


def make_step(rng, n_in, n_hidden, batch):
    w1 = tg.Variable((rng.standard_normal((n_in, n_hidden)) * 0.05).astype(np.float32))
    w2 = tg.Variable((rng.standard_normal((n_hidden, 10)) * 0.05).astype(np.float32))

    @tg.function
    def step(x, y):
        with tg.GradientTape() as tape:
            h = tg.relu(tg.matmul(x, w1))
            logits = tg.matmul(h, w2)
            loss = -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(logits), axis=1))
        g1, g2 = tape.gradient(loss, [w1, w2])
        w1.assign_sub(0.1 * g1)
        w2.assign_sub(0.1 * g2)
        return loss
    x = rng.standard_normal((batch, n_in)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch)]
    return step, x, y


def median_us(step, x, y, calls):
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        step(x, y)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--threads", type=int, default=0,
                        help="worker threads of the compiled steps (0: every core)")
    args = parser.parse_args()
    tg.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print("%-22s %10s %12s %12s %8s %14s" % ("step", "plain us", "profiled us",
                                             "plain us", "kernels", "ns per kernel"))
    for shape in [(16, 32, 8), (784, 256, 128)]:
        step, x, y = make_step(rng, *shape)
        step(x, y)
        plain = median_us(step, x, y, args.calls)
        with tg.profiler.trace() as prof:
            step(x, y)  # the profiled compile
            profiled = median_us(step, x, y, args.calls)
        again = median_us(step, x, y, args.calls)
        events = prof.events()
        calls = sum(1 for e in events if e.get("cat") == "call")
        kernels = sum(1 for e in events if e.get("cat") == "kernel") / max(calls, 1)
        cost = (profiled - min(plain, again)) * 1e3 / max(kernels, 1)
        print("%-22s %10.1f %12.1f %12.1f %8d %14.0f" % (
            "%d-%d-10, batch %d" % shape, plain, profiled, again, kernels, cost))


if __name__ == "__main__":
    main()
