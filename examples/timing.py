#!/usr/bin/env python3
"""The same matmul+mean function with and without @tg.function, timed.

    PYTHONPATH=python /usr/bin/python3 examples/timing.py
"""
import time

import numpy as np

import tg


def mean_matmul(x, y):
    return tg.reduce_mean(tg.matmul(x, y))


graph = tg.function(mean_matmul)
x = np.random.default_rng(0).standard_normal((256, 256)).astype(np.float32)
y = np.random.default_rng(1).standard_normal((256, 256)).astype(np.float32)


def best_ms(fn, repeat=20):
    fn(x, y)  # warm-up: traces and compiles (graph) or compiles kernels (eager)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(x, y)
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


eager = best_ms(mean_matmul)
compiled = best_ms(graph)
print("eager (one compiled kernel per op):  %.3f ms" % eager)
print("@tg.function (one compiled graph):   %.3f ms" % compiled)
print("results agree:", np.allclose(float(mean_matmul(x, y)), graph(x, y), rtol=1e-4))
