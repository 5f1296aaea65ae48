"""The same MLP trained four ways with tg, next to PyTorch eager.

    /usr/bin/python3 benchmarks/train_four_ways.py [--steps 200] [--threads 1]

A 64-128-10 MLP (tanh hidden layer, softmax cross-entropy, batch 32, plain
SGD) trained from the same initial weights on the same batches:

  eager tape        TF 2 eager style: Variables, GradientTape, assign_sub
  tape in function  a tg.function computes the loss and the gradients with
                    a GradientTape; the update runs eagerly
  value_and_grad    tg.value_and_grad of a loss function of arrays (JAX
                    style); the update in numpy
  compiled step     Variables, tape and assign_sub in one tg.function

It checks that the four give the same losses step for step (and PyTorch's,
within float32 rounding), and prints the median time per step of each after
a warm-up, and each one's ratio to PyTorch eager (> 1: slower than PyTorch).
Nothing here is asserted in the test suite; test_frontend.py checks the
losses agree on a short run.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import tg  # noqa: E402

BATCH, IN, HIDDEN, OUT = 32, 64, 128, 10
LR = 0.05


def data(steps, seed=0):
    rng = np.random.default_rng(seed)
    params = [(rng.standard_normal((IN, HIDDEN)) * 0.1).astype(np.float32),
              np.zeros(HIDDEN, np.float32),
              (rng.standard_normal((HIDDEN, OUT)) * 0.1).astype(np.float32),
              np.zeros(OUT, np.float32)]
    centers = rng.standard_normal((OUT, IN)).astype(np.float32)
    batches = []
    for _ in range(steps):
        labels = rng.integers(0, OUT, BATCH)
        x = (centers[labels] + 0.5 * rng.standard_normal((BATCH, IN))).astype(np.float32)
        batches.append((x, np.eye(OUT, dtype=np.float32)[labels]))
    return params, batches


def loss_fn(w1, b1, w2, b2, x, y):
    h = tg.tanh(tg.matmul(x, w1) + b1)
    logits = tg.matmul(h, w2) + b2
    return -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(logits), axis=1))


def eager_tape(params, batches):
    vs = [tg.Variable(p) for p in params]
    losses, times = [], []
    for x, y in batches:
        t0 = time.perf_counter()
        with tg.GradientTape() as tape:
            loss = loss_fn(*vs, x, y)
        grads = tape.gradient(loss, vs)
        for v, g in zip(vs, grads):
            v.assign_sub(LR * g)
        times.append(time.perf_counter() - t0)
        losses.append(float(loss))
    return losses, times


def tape_in_function(params, batches):
    @tg.function
    def grads_of(w1, b1, w2, b2, x, y):
        ps = [w1, b1, w2, b2]
        with tg.GradientTape() as tape:
            tape.watch(ps)
            loss = loss_fn(*ps, x, y)
        return loss, tape.gradient(loss, ps)
    ps = [tg.constant(p) for p in params]
    losses, times = [], []
    for x, y in batches:
        t0 = time.perf_counter()
        loss, grads = grads_of(*ps, x, y)
        ps = [p - LR * g for p, g in zip(ps, grads)]
        times.append(time.perf_counter() - t0)
        losses.append(float(loss))
    return losses, times


def value_and_grad(params, batches):
    vg = tg.value_and_grad(loss_fn, argnums=(0, 1, 2, 3))
    ps = [p.copy() for p in params]
    losses, times = [], []
    for x, y in batches:
        t0 = time.perf_counter()
        loss, grads = vg(*ps, x, y)
        ps = [p - np.float32(LR) * g.numpy() for p, g in zip(ps, grads)]
        times.append(time.perf_counter() - t0)
        losses.append(float(loss))
    return losses, times


def compiled_step(params, batches):
    vs = [tg.Variable(p) for p in params]

    @tg.function
    def step(x, y):
        with tg.GradientTape() as tape:
            loss = loss_fn(*vs, x, y)
        for v, g in zip(vs, tape.gradient(loss, vs)):
            v.assign_sub(LR * g)
        return loss
    losses, times = [], []
    for x, y in batches:
        t0 = time.perf_counter()
        loss = step(x, y)
        times.append(time.perf_counter() - t0)
        losses.append(float(loss))
    return losses, times


def torch_eager(params, batches, threads):
    try:
        import torch
    except ImportError:
        return None, None
    torch.set_num_threads(threads)
    ps = [torch.tensor(p, requires_grad=True) for p in params]
    losses, times = [], []
    for x, y in batches:
        t0 = time.perf_counter()
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        h = torch.tanh(xt @ ps[0] + ps[1])
        logits = h @ ps[2] + ps[3]
        loss = -(yt * torch.log_softmax(logits, 1)).sum(1).mean()
        grads = torch.autograd.grad(loss, ps)
        with torch.no_grad():
            ps = [(p - LR * g).requires_grad_() for p, g in zip(ps, grads)]
        times.append(time.perf_counter() - t0)
        losses.append(float(loss))
    return losses, times


WAYS = [("eager tape", eager_tape), ("tape in function", tape_in_function),
        ("value_and_grad", value_and_grad), ("compiled step", compiled_step)]


def run(steps, threads=1):
    """{way: (losses, times)} for the four tg ways and PyTorch."""
    tg.set_num_threads(threads)
    params, batches = data(steps)
    out = {name: way(params, batches) for name, way in WAYS}
    out["PyTorch eager"] = torch_eager(params, batches, threads)
    return out


def main():
    # "first step" times a compilation, not a load from the compile cache
    # (read at each compilation, so set here, not when tests import this).
    os.environ.setdefault("TG_CACHE", "0")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    results = run(args.steps, args.threads)
    reference = results["compiled step"][0]
    torch_times = results["PyTorch eager"][1]
    warm = min(20, args.steps // 2)
    torch_ms = np.median(torch_times[warm:]) * 1e3 if torch_times else None
    print("MLP %d-%d-%d, batch %d, %d steps, %d thread(s); median step after %d "
          "warm-up steps" % (IN, HIDDEN, OUT, BATCH, args.steps, args.threads, warm))
    print("| way | ms/step | first step ms | vs PyTorch eager | max |loss - compiled step| |")
    print("|---|---|---|---|---|")
    for name, (losses, times) in results.items():
        if losses is None:
            print("| %s | (not installed) | | | |" % name)
            continue
        ms = np.median(times[warm:]) * 1e3
        diff = np.max(np.abs(np.array(losses) - np.array(reference)))
        ratio = "%.2fx" % (ms / torch_ms) if torch_ms else "–"
        print("| %s | %.3f | %.1f | %s | %.1e |" % (name, ms, times[0] * 1e3, ratio, diff))
    print("losses: first %.4f, last %.4f" % (reference[0], reference[-1]))


if __name__ == "__main__":
    main()
