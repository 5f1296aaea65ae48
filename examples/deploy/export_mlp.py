"""Exports an MLP training step for examples/deploy/train.c.

    python3 export_mlp.py OUT

writes OUT/train_step.{h,o,mlirbc}, OUT/signature.json (tg.saved_model), the
starting weights and the data as raw float32 files the C program reads
(w1.bin, b1.bin, w2.bin, b2.bin, x.bin, y.bin), and expected.txt: the loss
of each step computed by tg in Python, which train.c checks its own against.
"""
import os
import sys

import numpy as np

import tg

STEPS, BATCH, FEATURES, HIDDEN, CLASSES, RATE = 20, 64, 16, 32, 4, 0.5

out = sys.argv[1] if len(sys.argv) > 1 else "out"
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
# Four classes, each a blob around its own centre.
centres = rng.standard_normal((CLASSES, FEATURES)).astype(np.float32) * 2
labels = rng.integers(0, CLASSES, BATCH)
x = (centres[labels] + rng.standard_normal((BATCH, FEATURES))).astype(np.float32)
y = np.eye(CLASSES, dtype=np.float32)[labels]

w1 = tg.Variable(rng.standard_normal((FEATURES, HIDDEN)).astype(np.float32) * 0.2, name="w1")
b1 = tg.Variable(np.zeros(HIDDEN, np.float32), name="b1")
w2 = tg.Variable(rng.standard_normal((HIDDEN, CLASSES)).astype(np.float32) * 0.2, name="w2")
b2 = tg.Variable(np.zeros(CLASSES, np.float32), name="b2")
params = [w1, b1, w2, b2]


@tg.function
def train_step(x, y):
    with tg.GradientTape() as tape:
        h = tg.relu(tg.matmul(x, w1) + b1)
        logits = tg.matmul(h, w2) + b2
        loss = -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(logits), axis=1))
    for v, g in zip(params, tape.gradient(loss, params)):
        v.assign_sub(RATE * g)
    return loss


for name, value in [("x", x), ("y", y)] + [(v.name, v.numpy()) for v in params]:
    value.astype(np.float32).tofile(os.path.join(out, name + ".bin"))
# The object is compiled for x86-64-v3 (the default): it runs on any x86-64
# CPU from 2013 on, not only this one.
tg.saved_model.save(train_step, out, tg.TensorSpec(x.shape), tg.TensorSpec(y.shape))
with open(os.path.join(out, "expected.txt"), "w") as f:
    for _ in range(STEPS):
        f.write("%.9g\n" % float(train_step(x, y)))
print("exported %s/train_step.o; expected losses in %s/expected.txt" % (out, out))
