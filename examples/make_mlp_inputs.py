#!/usr/bin/env python3
"""Writes the demo's MLP inputs (x, w1, b1, w2, b2, and one-hot labels y)
as .npy files into the directory given, and prints numpy's forward answer
and loss for comparison."""
import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(42)
arrays = {
    "x": rng.standard_normal((4, 3)).astype(np.float32),
    "w1": (rng.standard_normal((3, 8)) * 0.5).astype(np.float32),
    "b1": (rng.standard_normal(8) * 0.1).astype(np.float32),
    "w2": (rng.standard_normal((8, 2)) * 0.5).astype(np.float32),
    "b2": np.zeros(2, np.float32),
    "y": np.eye(2, dtype=np.float32)[[0, 1, 1, 0]],
}
for name, value in arrays.items():
    np.save(os.path.join(out, name + ".npy"), value)
h = np.maximum(arrays["x"] @ arrays["w1"] + arrays["b1"], 0)
o = h @ arrays["w2"] + arrays["b2"]
e = np.exp(o - o.max(axis=1, keepdims=True))
p = e / e.sum(axis=1, keepdims=True)
print("numpy forward:", np.round(p, 6).tolist())
print("numpy loss:", round(float(-(arrays["y"] * np.log(p)).sum(axis=1).mean()), 6))
