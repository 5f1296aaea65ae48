#!/usr/bin/env python3
"""tg next to numpy (OpenBLAS) and PyTorch on the CPU, in one run.

Runs every workload for each peer at each thread count, each peer in a
process of its own with its best settings (OpenBLAS with its own kernel
choice: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset; torch with
OMP_WAIT_POLICY=PASSIVE), next to two probes of the machine's limits (FMA
peak and triad bandwidth, benchmarks/probes.c). The peers are timed in
alternating rounds (tg, numpy, torch, then rotated), so that a busy spell
of a shared machine hits all of them alike; each peer's figure is its
fastest round's median. Prints a table and optionally writes JSON.

  /usr/bin/python3 benchmarks/suite.py [--threads 1,2] [--only sgemm,mlp] [--heap-malloc]
                                       [--peers tg,numpy,torch] [--json out.json]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# name -> (description, unit of the rate column: "GFLOP/s", "GB/s" or None)
WORKLOADS = {}


def workload(name, unit):
    def register(fn):
        WORKLOADS[name] = (fn, unit)
        return fn
    return register


def median_time(fn, min_seconds=0.3, min_calls=5, max_calls=1000):
    """Median seconds per call of fn() after one warm-up call."""
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_calls or (time.perf_counter() - start < min_seconds
                                     and len(times) < max_calls):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


# --- workloads --------------------------------------------------------------
# Each returns {"run": fn, "work": flops or bytes, "check": array} (or, for
# a one-off measurement, "seconds" instead of "run"); the parent times the
# peers' run functions in alternating rounds and compares every peer's
# check array with numpy's.


def sgemm(peer, n, rng):
    import numpy as np
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    if peer == "tg":
        import tg
        f = tg.function(lambda x, y: tg.matmul(x, y))
        run = lambda: f(a, b)  # noqa: E731
    elif peer == "numpy":
        run = lambda: a @ b  # noqa: E731
    else:
        import torch
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        run = lambda: (ta @ tb).numpy()  # noqa: E731
    return {"run": run, "work": 2.0 * n ** 3,
            "check": run()[:4, :4]}


for _n in (256, 512, 1024, 2048):
    workload("sgemm %d" % _n, "GFLOP/s")(
        lambda peer, rng, n=_n: sgemm(peer, n, rng))


@workload("mean(matmul) 1024", "GFLOP/s")
def mean_matmul(peer, rng):
    import numpy as np
    n = 1024
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    if peer == "tg":
        import tg
        f = tg.function(lambda x, y: tg.reduce_mean(tg.matmul(x, y)))
        run = lambda: f(a, b)  # noqa: E731
    elif peer == "numpy":
        run = lambda: np.mean(a @ b)  # noqa: E731
    else:
        import torch
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        run = lambda: torch.mean(ta @ tb).numpy()  # noqa: E731
    return {"run": run, "work": 2.0 * n ** 3,
            "check": np.asarray(run()).reshape(1)}


def reduction(peer, rng, shape, axis, square=False):
    """A float32 sum read once (GB/s), and each peer's relative error
    against the float64 sum (issue 18: within 2e-6 up to 1e8 elements)."""
    import numpy as np
    x = rng.uniform(1, 2, size=shape).astype(np.float32)
    if peer == "tg":
        import tg
        f = tg.function(lambda a: tg.reduce_sum(a * a if square else a, axis=axis))
        run = lambda: f(x)  # noqa: E731
    elif peer == "numpy":
        run = ((lambda: np.sum(x * x, axis=axis)) if square  # noqa: E731
               else (lambda: np.sum(x, axis=axis)))
    else:
        import torch
        t = torch.from_numpy(x)
        dim = tuple(range(x.ndim)) if axis is None else axis
        run = ((lambda: torch.sum(t * t, dim=dim).numpy()) if square  # noqa: E731
               else (lambda: torch.sum(t, dim=dim).numpy()))
    got = np.asarray(run(), np.float64)
    flat = x if axis is not None else x.reshape(-1)
    if axis is None:  # the float64 reference in chunks (no 8-byte copy)
        want = sum(((flat[i:i + (1 << 22)].astype(np.float64)) ** (2 if square else 1)).sum()
                   for i in range(0, flat.size, 1 << 22))
    else:
        want = (x.astype(np.float64) ** (2 if square else 1)).sum(axis=axis)
    error = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
    return {"run": run, "work": 4.0 * x.size, "check": got.reshape(-1)[:8],
            "error": error}


@workload("sum 10000x10000", "GB/s")
def sum_square_matrix(peer, rng):
    return reduction(peer, rng, (10000, 10000), None)


@workload("sum(x*x) 100M", "GB/s")
def sum_of_squares(peer, rng):
    return reduction(peer, rng, (10 ** 8,), None, square=True)


@workload("column sums 200000x64", "GB/s")
def column_sums(peer, rng):
    return reduction(peer, rng, (200000, 64), 0)


@workload("chain 16M", "GB/s")
def chain_16m(peer, rng):
    """relu(a*b+c)*0.5+tanh(a) on 16M f32: 3 arrays in, 1 out."""
    import numpy as np
    n = 1 << 24
    a, b, c = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    if peer == "tg":
        import tg
        f = tg.function(lambda a, b, c:
                        tg.relu(a * b + c) * 0.5 + tg.tanh(a))
        run = lambda: f(a, b, c)  # noqa: E731
    elif peer == "numpy":
        run = lambda: np.maximum(a * b + c, 0) * 0.5 + np.tanh(a)  # noqa: E731
    else:
        import torch
        ta, tb, tc = (torch.from_numpy(x) for x in (a, b, c))
        run = lambda: (torch.relu(ta * tb + tc) * 0.5  # noqa: E731
                       + torch.tanh(ta)).numpy()
    return {"run": run, "work": 4.0 * 4 * n,
            "check": run()[:8]}


@workload("20 ops 64x64", None)
def twenty_ops(peer, rng):
    """20 chained elementwise ops on 64x64: four rounds of
    x = maximum(x * b + a, x * 0.1) (a leaky relu of an affine map), then
    tanh(x) + exp(x * -0.5). Per-call time: dispatch overhead included."""
    import numpy as np
    a = rng.standard_normal((64, 64)).astype(np.float32)
    b = rng.standard_normal((64, 64)).astype(np.float32)

    def body(lib, x, a, b):
        for _ in range(4):  # 4 ops per round
            x = lib.maximum(x * b + a, x * 0.1)
        return lib.tanh(x) + lib.exp(x * -0.5)  # 4 ops
    if peer == "tg":
        import tg
        f = tg.function(lambda a, b: body(tg, a, a, b))
        run = lambda: f(a, b)  # noqa: E731
    elif peer == "numpy":
        run = lambda: body(np, a, a, b)  # noqa: E731
    else:
        import torch
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        run = lambda: body(torch, ta, ta, tb).numpy()  # noqa: E731
    return {"run": run, "work": None, "check": run()[:2, :4]}


@workload("softmax 4096x1024", "GB/s")
def softmax(peer, rng):
    """Row softmax of 4096x1024 f32 (16 MB in, 16 MB out): tg fuses the
    row maximum, the exponentials, the row sum and the division into one
    pass over row tiles."""
    import numpy as np
    x = rng.standard_normal((4096, 1024)).astype(np.float32)
    if peer == "tg":
        import tg
        f = tg.function(lambda a: tg.softmax(a, 1))
        run = lambda: f(x)  # noqa: E731
    elif peer == "numpy":
        def run():
            e = np.exp(x - x.max(1, keepdims=True))
            return e / e.sum(1, keepdims=True)
    else:
        import torch
        tx = torch.from_numpy(x)
        run = lambda: torch.softmax(tx, 1).numpy()  # noqa: E731
    return {"run": run, "work": 2.0 * 4 * x.size,
            "check": run()[:2, :4]}


MLP = (784, 512, 512, 10)
BATCH = 256


def mlp_arrays(rng):
    import numpy as np
    arrays = {"x": rng.standard_normal((BATCH, MLP[0])).astype(np.float32)}
    arrays["y"] = np.eye(MLP[-1], dtype=np.float32)[
        rng.integers(0, MLP[-1], BATCH)]
    for i in range(3):
        arrays["w%d" % i] = (rng.standard_normal((MLP[i], MLP[i + 1]))
                             / np.sqrt(MLP[i])).astype(np.float32)
        arrays["b%d" % i] = (rng.standard_normal(MLP[i + 1]) * 0.1).astype(
            np.float32)
    return arrays


# Forward matmuls, the weight gradients' matmuls, and the activation
# gradients' matmuls of layers 1 and 2 (nobody needs d loss / d x).
MLP_FLOPS = 2.0 * BATCH * (2 * sum(MLP[i] * MLP[i + 1] for i in range(3))
                           + sum(MLP[i] * MLP[i + 1] for i in range(1, 3)))
PARAMS = ["w0", "b0", "w1", "b1", "w2", "b2"]


def tg_mlp_step():
    import tg

    def loss(x, y, w0, b0, w1, b1, w2, b2):
        h = tg.relu(tg.matmul(x, w0) + b0)
        h = tg.relu(tg.matmul(h, w1) + b1)
        logits = tg.matmul(h, w2) + b2
        return -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(logits, 1), 1))
    return tg.value_and_grad(loss, argnums=(2, 3, 4, 5, 6, 7))


@workload("MLP train step", "GFLOP/s")
def mlp_step(peer, rng):
    """784-512-512-10, batch 256: loss and the gradients of all weights."""
    import numpy as np
    p = mlp_arrays(rng)
    args = [p[k] for k in ["x", "y"] + PARAMS]
    if peer == "tg":
        step = tg_mlp_step()
        run = lambda: step(*args)  # noqa: E731
        check = lambda r: np.concatenate(  # noqa: E731
            [np.ravel(r[0])] + [np.ravel(g)[:4] for g in r[1]])
    elif peer == "numpy":
        def run():
            x, y = p["x"], p["y"]
            z0 = x @ p["w0"] + p["b0"]
            h0 = np.maximum(z0, 0)
            z1 = h0 @ p["w1"] + p["b1"]
            h1 = np.maximum(z1, 0)
            z2 = h1 @ p["w2"] + p["b2"]
            m = z2.max(1, keepdims=True)
            e = np.exp(z2 - m)
            s = e.sum(1, keepdims=True)
            loss = -(y * (z2 - m - np.log(s))).sum(1).mean()
            dz2 = (e / s * y.sum(1, keepdims=True) - y) / BATCH
            dh1 = dz2 @ p["w2"].T
            dz1 = dh1 * (z1 > 0)
            dh0 = dz1 @ p["w1"].T
            dz0 = dh0 * (z0 > 0)
            return loss, (x.T @ dz0, dz0.sum(0), h0.T @ dz1, dz1.sum(0),
                          h1.T @ dz2, dz2.sum(0))
        check = lambda r: np.concatenate(  # noqa: E731
            [np.ravel(r[0])] + [g.ravel()[:4] for g in r[1]])
    else:
        import torch
        t = {k: torch.from_numpy(v) for k, v in p.items()}
        params = [t[k].requires_grad_() for k in PARAMS]

        def run():
            h = torch.relu(t["x"] @ t["w0"] + t["b0"])
            h = torch.relu(h @ t["w1"] + t["b1"])
            logits = h @ t["w2"] + t["b2"]
            loss = -(t["y"] * torch.log_softmax(logits, 1)).sum(1).mean()
            return loss, torch.autograd.grad(loss, params)
        check = lambda r: np.concatenate(  # noqa: E731
            [np.ravel(r[0].detach().numpy())]
            + [g.numpy().ravel()[:4] for g in r[1]])
    return {"run": run, "work": MLP_FLOPS, "check": check(run()),
            "plan": step.memory_plan(*args) if peer == "tg" else None}


@workload("conv2d 56x56x64", "GFLOP/s")
def conv2d(peer, rng):
    """1x56x56x64 (NHWC) * 3x3x64x64 (HWCF), stride 1, same padding."""
    import numpy as np
    x = rng.standard_normal((1, 56, 56, 64)).astype(np.float32)
    w = (rng.standard_normal((3, 3, 64, 64)) / 24).astype(np.float32)
    if peer == "tg":
        import tg
        f = tg.function(lambda x, w: tg.conv2d(x, w, padding=(1, 1, 1, 1)))
        run = lambda: f(x, w)  # noqa: E731
    elif peer == "numpy":
        from numpy.lib.stride_tricks import sliding_window_view

        def run():
            xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
            win = sliding_window_view(xp, (3, 3), axis=(1, 2))  # n,h,w,c,i,j
            return np.tensordot(win, w, axes=([4, 5, 3], [0, 1, 2]))
    else:
        import torch
        tx = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
        tw = torch.from_numpy(w).permute(3, 2, 0, 1).contiguous()
        run = lambda: torch.nn.functional.conv2d(  # noqa: E731
            tx, tw, padding=1).permute(0, 2, 3, 1).numpy()
    return {"run": run, "work": 2.0 * 56 * 56 * 64 * 64 * 9,
            "check": np.asarray(run())[0, :2, :2, :2].ravel()}


def conv_fwd_bwd(peer, rng, n, hw, c, f, k, stride):
    """Loss sum(conv(x, w)^2) and its gradients w.r.t. x and w (NHWC/HWCF
    for tg, NCHW/OIHW for PyTorch), padding (k-1)/2 on each side."""
    import numpy as np
    x = rng.standard_normal((n, hw, hw, c)).astype(np.float32)
    w = (rng.standard_normal((k, k, c, f)) / np.sqrt(k * k * c)).astype(np.float32)
    p = (k - 1) // 2
    out = (hw + 2 * p - k) // stride + 1
    if peer == "tg":
        import tg
        step = tg.function(tg.value_and_grad(
            lambda x, w: tg.reduce_sum(tg.conv2d(x, w, strides=stride, padding=(p, p, p, p)) ** 2),
            argnums=(0, 1)))
        run = lambda: step(x, w)[1][1]  # noqa: E731
    elif peer == "torch":
        import torch
        tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_()
        tw = torch.from_numpy(w.transpose(3, 2, 0, 1).copy()).requires_grad_()

        def run():
            tx.grad = tw.grad = None
            y = torch.nn.functional.conv2d(tx, tw, stride=stride, padding=p)
            (y * y).sum().backward()
            return tw.grad.numpy().transpose(2, 3, 1, 0)
    else:
        return None
    flops = 2.0 * n * out * out * f * k * k * c * 3  # forward, d input, d filter
    return {"run": run, "work": flops, "check": np.asarray(run())[0, 0, :2, :2].ravel()}


@workload("conv fwd+bwd 8x56x56 64->64 3x3", "GFLOP/s")
def conv_resnet(peer, rng):
    return conv_fwd_bwd(peer, rng, 8, 56, 64, 64, 3, 1)


@workload("conv fwd+bwd 8x28x28 128->128 1x1", "GFLOP/s")
def conv_pointwise(peer, rng):
    return conv_fwd_bwd(peer, rng, 8, 28, 128, 128, 1, 1)


@workload("conv fwd+bwd 64x8x8 16->32 3x3 s2", "GFLOP/s")
def conv_digits(peer, rng):
    return conv_fwd_bwd(peer, rng, 64, 8, 16, 32, 3, 2)


@workload("resnet block fwd+bwd 8x28x28x64", "GFLOP/s")
def resnet_block(peer, rng):
    """A ResNet basic block in training mode: conv 3x3, batch norm (batch
    statistics), relu, conv 3x3, batch norm, + the input, relu; loss
    mean(y^2) and its gradients w.r.t. the input and the six parameters."""
    import numpy as np
    n, hw, c = 8, 28, 64
    x = rng.standard_normal((n, hw, hw, c)).astype(np.float32)
    w1, w2 = ((rng.standard_normal((3, 3, c, c)) / np.sqrt(9 * c)).astype(np.float32)
              for _ in range(2))
    g1, g2 = (rng.uniform(0.5, 1.5, c).astype(np.float32) for _ in range(2))
    b1, b2 = (rng.uniform(-0.5, 0.5, c).astype(np.float32) for _ in range(2))
    eps = 1e-5
    if peer == "tg":
        import tg

        def bn(h, g, b):
            mean, var = tg.nn.moments(h, axes=[0, 1, 2])
            return tg.nn.batch_normalization(h, mean, var, b, g, eps)

        def loss(x, w1, g1, b1, w2, g2, b2):
            h = tg.relu(bn(tg.conv2d(x, w1, padding=(1, 1, 1, 1)), g1, b1))
            h = bn(tg.conv2d(h, w2, padding=(1, 1, 1, 1)), g2, b2)
            y = tg.relu(h + x)
            return tg.reduce_mean(y * y)
        step = tg.function(tg.value_and_grad(loss, argnums=tuple(range(7))))
        run = lambda: step(x, w1, g1, b1, w2, g2, b2)[1][1]  # noqa: E731
    elif peer == "torch":
        import torch
        F = torch.nn.functional
        tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_()
        params = [torch.from_numpy(a.copy()).requires_grad_() for a in (
            w1.transpose(3, 2, 0, 1), g1, b1, w2.transpose(3, 2, 0, 1), g2, b2)]

        def run():
            tx.grad = None
            for q in params:
                q.grad = None
            tw1, tg1, tb1, tw2, tg2, tb2 = params
            h = F.relu(F.batch_norm(F.conv2d(tx, tw1, padding=1), None, None,
                                    tg1, tb1, training=True, eps=eps))
            h = F.batch_norm(F.conv2d(h, tw2, padding=1), None, None, tg2, tb2,
                             training=True, eps=eps)
            y = F.relu(h + tx)
            (y * y).mean().backward()
            return tw1.grad.numpy().transpose(2, 3, 1, 0)
    else:
        return None
    flops = 2 * 3 * 2.0 * n * hw * hw * c * c * 9  # two convs: forward, d input, d filter
    return {"run": run, "work": flops, "check": np.asarray(run())[0, 0, :2, :2].ravel()}


def depthwise_fwd_bwd(peer, rng, n, hw, c, stride):
    """A 3x3 depthwise convolution (padding 1), loss sum(y^2), gradients
    w.r.t. input and filter. tg has no depthwise op: it is written as the
    ONNX importer and tg.nn users write it, nine strided slices of the
    padded input times the filter's taps."""
    import numpy as np
    x = rng.standard_normal((n, hw, hw, c)).astype(np.float32)
    w = (rng.standard_normal((3, 3, c)) / 3).astype(np.float32)
    out = (hw + 2 - 3) // stride + 1
    if peer == "tg":
        import tg

        def loss(x, w):
            xp = tg.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
            end = (out - 1) * stride + 1
            y = tg.add_n([xp[:, i:i + end:stride, j:j + end:stride, :] * w[i, j]
                          for i in range(3) for j in range(3)])
            return tg.reduce_sum(y * y)
        step = tg.function(tg.value_and_grad(loss, argnums=(0, 1)))
        run = lambda: step(x, w)[1][1]  # noqa: E731
    elif peer == "torch":
        import torch
        tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_()
        tw = torch.from_numpy(w.transpose(2, 0, 1)[:, None].copy()).requires_grad_()

        def run():
            tx.grad = tw.grad = None
            y = torch.nn.functional.conv2d(tx, tw, stride=stride, padding=1, groups=c)
            (y * y).sum().backward()
            return tw.grad.numpy()[:, 0].transpose(1, 2, 0)
    else:
        return None
    flops = 2.0 * n * out * out * c * 9 * 3
    return {"run": run, "work": flops, "check": np.asarray(run())[:, :, :2].ravel()}


@workload("depthwise fwd+bwd 8x28x28x64 3x3", "GFLOP/s")
def depthwise_s1(peer, rng):
    return depthwise_fwd_bwd(peer, rng, 8, 28, 64, 1)


@workload("depthwise fwd+bwd 1x56x56x144 3x3 s2", "GFLOP/s")
def depthwise_s2(peer, rng):
    return depthwise_fwd_bwd(peer, rng, 1, 56, 144, 2)


def pool_fwd_bwd(peer, rng, kind):
    """A 3x3 stride-2 pooling of 8x56x56x64 (VALID), loss sum(y^2) and its
    gradient w.r.t. the input."""
    import numpy as np
    x = rng.standard_normal((8, 56, 56, 64)).astype(np.float32)
    if peer == "tg":
        import tg
        pool = tg.nn.max_pool2d if kind == "max" else tg.nn.avg_pool2d
        step = tg.function(tg.value_and_grad(
            lambda x: tg.reduce_sum(pool(x, 3, 2, "VALID") ** 2)))
        run = lambda: step(x)[1]  # noqa: E731
    elif peer == "torch":
        import torch
        F = torch.nn.functional
        pool = F.max_pool2d if kind == "max" else F.avg_pool2d
        tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_()

        def run():
            tx.grad = None
            (pool(tx, 3, 2) ** 2).sum().backward()
            return tx.grad.numpy().transpose(0, 2, 3, 1)
    else:
        return None
    return {"run": run, "work": None, "check": np.asarray(run())[0, :3, :3, 0].ravel()}


@workload("max_pool 3x3 s2 fwd+bwd 8x56x56x64", None)
def max_pool_step(peer, rng):
    return pool_fwd_bwd(peer, rng, "max")


@workload("avg_pool 3x3 s2 fwd+bwd 8x56x56x64", None)
def avg_pool_step(peer, rng):
    return pool_fwd_bwd(peer, rng, "avg")


@workload("CNN train step digits b64", None)
def cnn_step(peer, rng):
    """8x8x1 digits, batch 64: conv 1->16 3x3 relu, conv 16->32 3x3 stride 2
    relu, dense 512->10, softmax cross-entropy; loss and every gradient."""
    import numpy as np
    x = rng.standard_normal((64, 8, 8, 1)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
    w1 = (rng.standard_normal((3, 3, 1, 16)) / 3).astype(np.float32)
    w2 = (rng.standard_normal((3, 3, 16, 32)) / 12).astype(np.float32)
    w3 = (rng.standard_normal((512, 10)) / 22).astype(np.float32)
    b1, b2, b3 = (np.zeros(n, np.float32) for n in (16, 32, 10))
    if peer == "tg":
        import tg

        def loss(x, y, w1, b1, w2, b2, w3, b3):
            h = tg.relu(tg.conv2d(x, w1, padding=(1, 1, 1, 1)) + b1)
            h = tg.relu(tg.conv2d(h, w2, strides=2, padding=(1, 1, 1, 1)) + b2)
            logits = tg.matmul(tg.reshape(h, (64, 512)), w3) + b3
            return -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(logits, 1), 1))
        step = tg.function(tg.value_and_grad(loss, argnums=(2, 3, 4, 5, 6, 7)))
        run = lambda: step(x, y, w1, b1, w2, b2, w3, b3)[1][0]  # noqa: E731
    elif peer == "torch":
        import torch
        F = torch.nn.functional
        tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
        ty = torch.from_numpy(y)
        params = [torch.from_numpy(a.copy()).requires_grad_() for a in (
            w1.transpose(3, 2, 0, 1), b1, w2.transpose(3, 2, 0, 1), b2, w3, b3)]

        def run():
            for q in params:
                q.grad = None
            tw1, tb1, tw2, tb2, tw3, tb3 = params
            h = F.relu(F.conv2d(tx, tw1, tb1, padding=1))
            h = F.relu(F.conv2d(h, tw2, tb2, stride=2, padding=1))
            # NHWC flattening order, as tg's reshape.
            logits = h.permute(0, 2, 3, 1).reshape(64, 512) @ tw3 + tb3
            loss = -(ty * F.log_softmax(logits, 1)).sum(1).mean()
            loss.backward()
            return tw1.grad.numpy().transpose(2, 3, 1, 0)
    else:
        return None
    return {"run": run, "work": None, "check": np.asarray(run())[:, :, 0, :2].ravel(),
            "plan": step.memory_plan(x, y, w1, b1, w2, b2, w3, b3) if peer == "tg" else None}


@workload("compile MLP step", None)
def compile_mlp(peer, rng):
    """Seconds from the traced training graph to callable machine code."""
    import numpy as np
    if peer != "tg":
        return None
    p = mlp_arrays(rng)
    args = [p[k] for k in ["x", "y"] + PARAMS]
    best = None
    for _ in range(3):
        step = tg_mlp_step()
        t0 = time.perf_counter()
        step(*args)  # trace + compile + one call
        first = time.perf_counter() - t0
        call = median_time(lambda: step(*args), min_seconds=0.05)
        best = min(best or first, first - call)
    return {"seconds": best, "work": None, "check": np.zeros(1)}


# --- driver -----------------------------------------------------------------


def child(peer, threads):
    """Serves one peer at one thread count, one JSON line per request:
    {"setup": name} builds a workload (and warms it up), {"time": seconds}
    returns the median seconds per call over about that long."""
    import numpy as np
    if peer == "tg":
        sys.path.insert(0, os.path.join(ROOT, "python"))
        import tg
        tg.set_num_threads(threads)
    elif peer == "torch":
        import torch
        torch.set_num_threads(threads)
    current = None
    for line in sys.stdin:
        request = json.loads(line)
        if "setup" in request:
            current = None  # free the previous workload's arrays first
            r = WORKLOADS[request["setup"]][0](peer, np.random.default_rng(0))
            if r is not None:
                current = r
                r = {"work": r["work"], "seconds": r.get("seconds"),
                     "error": r.get("error"),
                     "check": np.asarray(r["check"], dtype=np.float64)
                     .ravel().tolist()}
            print(json.dumps(r), flush=True)
        else:
            seconds = median_time(current["run"], min_seconds=request["time"])
            print(json.dumps({"seconds": seconds}), flush=True)


class Peer:
    """A child process serving one peer with its best settings."""

    def __init__(self, peer, threads, heap_malloc=False):
        env = dict(os.environ)
        for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY"):
            env.pop(var, None)
        env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                   MKL_NUM_THREADS=str(threads))
        # Compile times are compilations, not loads from the compile cache.
        env["TG_CACHE"] = "0"
        if peer == "torch":
            env["OMP_WAIT_POLICY"] = "PASSIVE"
        if heap_malloc:
            # Every peer's large allocations from the heap, not a fresh
            # mmap (zeroed and page-faulted in) per call.
            tunables = ("glibc.malloc.mmap_threshold=1073741824:"
                        "glibc.malloc.trim_threshold=1073741824")
            env["GLIBC_TUNABLES"] = ":".join(
                t for t in (env.get("GLIBC_TUNABLES"), tunables) if t)
        self.name = peer
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--child", peer, "--threads", str(threads)],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, request):
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("%s failed on %s" % (self.name, request))
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


# Rounds per workload: each round times every peer once, in a rotating
# order, for ROUND_SECONDS each, with a pause between peers so that one
# library's spinning worker threads (libomp waits 200 ms by default) never
# run next to another's timing.
ROUNDS, ROUND_SECONDS, PAUSE = 5, 0.08, 0.25


def run_workload(peers, name):
    """{peer: {"seconds", "work", "check"}}: the fastest round's median
    per peer (interference only ever adds time, and alternating rounds
    expose every peer to the same conditions)."""
    results = {}
    for p in peers:
        r = p.ask({"setup": name})
        if r is not None:
            results[p.name] = r
    timed = [p for p in peers if p.name in results and
             results[p.name]["seconds"] is None]
    rounds = {p.name: [] for p in timed}
    for i in range(ROUNDS if timed else 0):
        start = i % len(timed)
        for p in timed[start:] + timed[:start]:
            time.sleep(PAUSE)
            rounds[p.name].append(p.ask({"time": ROUND_SECONDS})["seconds"])
    for p in timed:
        results[p.name]["seconds"] = min(rounds[p.name])
    return results


def probes(threads):
    with tempfile.TemporaryDirectory() as d:
        exe = os.path.join(d, "probes")
        subprocess.run(["clang-22", "-O3", "-march=native", "-fopenmp",
                        os.path.join(HERE, "probes.c"), "-o", exe], check=True)
        out = subprocess.run([exe, str(threads)], check=True,
                             capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--only", default="",
                        help="comma-separated substrings of workload names")
    parser.add_argument("--peers", default="tg,numpy,torch")
    parser.add_argument("--json")
    parser.add_argument("--heap-malloc", action="store_true",
                        help="run every peer with glibc's mmap and trim thresholds at "
                        "1 GiB: buffers are reused from the heap instead of being "
                        "mapped and page-faulted in each call (PyTorch's step times "
                        "depend on it; see benchmarks/README.md)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    a = parser.parse_args()
    only = [o for o in a.only.split(",") if o]
    if a.child:
        child(a.child, int(a.threads))
        return
    import numpy as np
    peers = a.peers.split(",")
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "?")
    report = {"machine": {"cpu": cpu, "cores": os.cpu_count()},
              "heap_malloc": a.heap_malloc, "runs": []}
    header = ("| workload | thr | tg ms | numpy ms | torch ms | tg rate | "
              "best peer / tg | tg % of limit | max rel. diff |")
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for threads in [int(t) for t in a.threads.split(",")]:
        limits = probes(threads)
        report["runs"].append({"threads": threads, "limits": limits,
                               "results": {}})
        print("| *limits* | %d | | | | FMA %.0f GFLOP/s, triad %.1f GB/s | | | |"
              % (threads, limits["fma_gflops"], limits["triad_gbs"]))
        servers = [Peer(p, threads, a.heap_malloc) for p in peers]
        for name, (_, unit) in WORKLOADS.items():
            if only and not any(o in name for o in only):
                continue
            results = {p: {name: r} for p, r in run_workload(servers, name).items()}
            if name not in results.get("tg", {}):
                continue
            t = results["tg"][name]
            row = {"tg_s": t["seconds"]}
            peer_times = {}
            for p in peers:
                if p != "tg" and name in results.get(p, {}):
                    peer_times[p] = results[p][name]["seconds"]
                    row[p + "_s"] = peer_times[p]
            rate = lim = ""
            if unit and t["work"]:
                value = t["work"] / t["seconds"] / 1e9
                limit = limits["fma_gflops" if unit == "GFLOP/s" else "triad_gbs"]
                rate = "%.1f %s" % (value, unit)
                lim = "%.0f%%" % (100 * value / limit)
                row["rate"], row["fraction_of_limit"] = value, value / limit
            ratio = ""
            if peer_times:
                best = min(peer_times.values())
                ratio = "%.2fx" % (best / t["seconds"])
                row["speedup_vs_best_peer"] = best / t["seconds"]
            diff = ""
            if t.get("error") is not None:
                # Accuracy workloads: each peer's error against float64.
                errors = {p: results[p][name]["error"] for p in peers
                          if name in results.get(p, {})}
                row["error_vs_f64"] = errors
                diff = "vs f64: " + ", ".join("%s %.1e" % (p, e)
                                              for p, e in errors.items())
            elif any(name in results.get(p, {}) for p in ("numpy", "torch")):
                # Against numpy's result, or PyTorch's where numpy has none.
                ref_peer = "numpy" if name in results.get("numpy", {}) else "torch"
                ref = np.array(results[ref_peer][name]["check"])
                got = np.array(t["check"])
                if ref.shape == got.shape:
                    d = float(np.max(np.abs(ref - got)) /
                              max(1e-30, float(np.max(np.abs(ref)))))
                    diff, row["max_rel_diff"] = "%.1e" % d, d
            ms = lambda p: ("%.3f" % (row[p + "_s"] * 1e3)  # noqa: E731
                            if p + "_s" in row else "–")
            print("| %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
                name, threads, ms("tg"), ms("numpy"), ms("torch"), rate,
                ratio, lim, diff), flush=True)
            report["runs"][-1]["results"][name] = row
        for server in servers:
            server.close()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
