#!/usr/bin/env python3
"""Per-call overhead on tiny inputs: a cached @tg.function next to numpy and
torch doing the same op (x * y + 1 on 4 floats), median of many calls.

    PYTHONPATH=python /usr/bin/python3 benchmarks/call_overhead.py
"""
import time

import numpy as np

import tg


def median_us(fn, n=2000):
    fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e6


x = np.arange(4, dtype=np.float32)
y = np.ones(4, np.float32)
f = tg.function(lambda a, b: a * b + 1.0)
rows = [("tg.function (cached)", median_us(lambda: f(x, y))),
        ("numpy", median_us(lambda: x * y + 1.0))]
try:
    import torch
    torch.set_num_threads(1)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    rows.append(("torch (eager CPU)", median_us(lambda: tx * ty + 1.0)))
except ImportError:
    pass
print("x * y + 1 on 4 float32 values: median microseconds per call")
for name, us in rows:
    print("  %-24s %8.2f us  (%.1fx numpy)" % (name, us, us / rows[1][1]))
