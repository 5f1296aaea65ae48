#!/usr/bin/env python3
"""Error of tg's f32 math functions (polynomial approximations on the CPU,
-tg-approximate-math) against numpy's f64 results, in ulp of the f32 result.

  /usr/bin/python3 benchmarks/approx_error.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import tg  # noqa: E402

tg.set_num_threads(1)



def ulp_err(r, ref):
    ref32 = ref.astype(np.float32)
    sp = np.spacing(np.abs(ref32)).astype(np.float64)
    return np.max(np.abs(r.astype(np.float64) - ref) / sp)
cases = {
 "tanh": (tg.tanh, np.tanh, np.linspace(-10, 10, 1000001)),
 "exp": (tg.exp, np.exp, np.linspace(-87, 88, 1000001)),
 "log": (tg.log, np.log, np.exp(np.linspace(-80, 80, 1000001))),
 "sigmoid": (tg.sigmoid, lambda x: 1/(1+np.exp(-x)), np.linspace(-30, 30, 1000001)),
 "sin": (tg.sin, np.sin, np.linspace(-100, 100, 1000001)),
 "cos": (tg.cos, np.cos, np.linspace(-100, 100, 1000001)),
}
for name,(tf,nf,x) in cases.items():
    x32 = x.astype(np.float32)
    f = tg.function(lambda a, tf=tf: tf(a))
    r = f(x32)
    ref = nf(x32.astype(np.float64))
    absd = np.max(np.abs(r - ref))
    rel = np.max(np.abs(r-ref)/np.maximum(np.abs(ref),1e-30))
    print("%-8s max ulp %.1f  max abs %.2e  max rel %.2e" % (name, ulp_err(r, ref), absd, rel))
