#!/usr/bin/env python3
"""Profiles the training step of a small MLP classifier (784-256-10, batch
128, SGD) with tg.profiler.trace, and draws its graph: the commands of
docs/profiling.md. Writes into the directory given (default: the current
one): step.json (open it in https://ui.perfetto.dev), summary.txt,
step-fused.svg (or .dot when Graphviz is not installed)."""
import os
import sys

import numpy as np

import tg

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
w1 = tg.Variable((rng.standard_normal((784, 256)) * 0.05).astype(np.float32))
b1 = tg.Variable(np.zeros(256, np.float32))
w2 = tg.Variable((rng.standard_normal((256, 10)) * 0.05).astype(np.float32))
b2 = tg.Variable(np.zeros(10, np.float32))
params = [w1, b1, w2, b2]


@tg.function
def train_step(x, y):
    with tg.GradientTape() as tape:
        h = tg.relu(tg.matmul(x, w1) + b1)
        logits = tg.matmul(h, w2) + b2
        loss = -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(logits), axis=1))
    grads = tape.gradient(loss, params)
    for p, g in zip(params, grads):
        p.assign_sub(0.1 * g)
    return loss


x = rng.standard_normal((128, 784)).astype(np.float32)
y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 128)]
train_step(x, y)  # compiled outside the trace
with tg.profiler.trace(os.path.join(out, "step.json")) as prof:
    for _ in range(20):
        loss = train_step(x, y)
print("loss after 21 steps: %.4f" % float(loss))
print(prof.summary())
with open(os.path.join(out, "summary.txt"), "w") as f:
    f.write(prof.summary())
try:
    svg = train_step.graph(x, y, stage="fused", format="svg")
    with open(os.path.join(out, "step-fused.svg"), "w") as f:
        f.write(svg)
except tg.TgError as e:  # no Graphviz: the DOT text instead
    print(e, file=sys.stderr)
    with open(os.path.join(out, "step-fused.dot"), "w") as f:
        f.write(train_step.graph(x, y, stage="fused"))
