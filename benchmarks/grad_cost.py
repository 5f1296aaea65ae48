#!/usr/bin/env python3
"""Cost of the gradient relative to the forward pass, tg next to PyTorch.

For an MLP with softmax cross-entropy loss, times (a) the loss alone and
(b) the loss with the gradients of every weight, for tg (compiled through
tg-run, timed by its --repeat) and for PyTorch (eager, CPU, autograd), at
1 and 2 threads, in one run. Prints a table and writes JSON.

  benchmarks/grad_cost.py [--batch 128] [--sizes 256,256,10] [--repeat 20]
                          [--tg-run build/bin/tg-run] [--json out.json]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np


def mlir_type(shape):
    return "tensor<%sxf32>" % "x".join(map(str, shape)) if shape else "tensor<f32>"


def mlp_module(batch, sizes, with_grad):
    """The loss of an MLP with len(sizes)-1 layers: relu between layers,
    log-softmax cross-entropy at the end."""
    args, lines = [("x", (batch, sizes[0]))], []
    h = "%x"
    for i in range(len(sizes) - 1):
        w, b = (sizes[i], sizes[i + 1]), (sizes[i + 1],)
        args += [("w%d" % i, w), ("b%d" % i, b)]
        out = (batch, sizes[i + 1])
        lines.append("  %%m%d = tg.matmul %s, %%w%d : (%s, %s) -> %s" % (
            i, h, i, mlir_type((batch, sizes[i])), mlir_type(w), mlir_type(out)))
        lines.append("  %%a%d = tg.add %%m%d, %%b%d : (%s, %s) -> %s" % (
            i, i, i, mlir_type(out), mlir_type(b), mlir_type(out)))
        h = "%%a%d" % i
        if i < len(sizes) - 2:
            lines.append("  %%r%d = tg.relu %s : %s" % (i, h, mlir_type(out)))
            h = "%%r%d" % i
    out = (batch, sizes[-1])
    args.append(("y", out))
    lines += [
        "  %%lp = tg.log_softmax %s [1] : %s" % (h, mlir_type(out)),
        "  %%yl = tg.mul %%y, %%lp : (%s, %s) -> %s" % ((mlir_type(out),) * 3),
        "  %%s = tg.reduce_sum %%yl [1] : %s -> %s" % (mlir_type(out), mlir_type((batch,))),
        "  %%mean = tg.reduce_mean %%s [0] : %s -> tensor<f32>" % mlir_type((batch,)),
        "  %l = tg.neg %mean : tensor<f32>",
        "  return %l : tensor<f32>",
    ]
    decl = ", ".join("%%%s: %s" % (n, mlir_type(s)) for n, s in args)
    types = ", ".join(mlir_type(s) for _, s in args)
    text = "func.func private @loss(%s) -> tensor<f32> {\n%s\n}\n" % (decl, "\n".join(lines))
    names = ", ".join("%" + n for n, _ in args)
    if not with_grad:
        text += ("func.func @main(%s) -> tensor<f32> {\n  %%l = func.call @loss(%s) : (%s) -> tensor<f32>\n"
                 "  return %%l : tensor<f32>\n}\n" % (decl, names, types))
    else:
        wrt = [i for i, (n, _) in enumerate(args) if n[0] in "wb"]
        gtypes = ", ".join(mlir_type(args[i][1]) for i in wrt)
        results = ", ".join("%%g%d" % i for i in wrt)
        text += ("func.func @main(%s) -> (tensor<f32>, %s) {\n"
                 "  %%l, %s = tg.grad @loss(%s) wrt [%s] : (%s) -> (tensor<f32>, %s)\n"
                 "  return %%l, %s : tensor<f32>, %s\n}\n" % (
                     decl, gtypes, results, names, ", ".join(map(str, wrt)), types, gtypes,
                     results, gtypes))
    return text, args


def time_tg(tg_run, module, inputs, threads, repeat):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.mlir")
        open(path, "w").write(module)
        cmd = [tg_run, path, "--threads=%d" % threads, "--repeat=%d" % repeat]
        cmd += ["--input=" + p for p in inputs]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"min ([0-9.]+) ms, median ([0-9.]+) ms", out).group(2))


def time_torch(arrays, threads, repeat, with_grad):
    import torch
    torch.set_num_threads(threads)
    t = {k: torch.from_numpy(v) for k, v in arrays.items()}
    params = [t[k] for k in sorted(t) if k[0] in "wb"]
    for p in params:
        p.requires_grad_(with_grad)
    layers = len([k for k in t if k[0] == "w"])

    def step():
        h = t["x"]
        for i in range(layers):
            h = h @ t["w%d" % i] + t["b%d" % i]
            if i < layers - 1:
                h = torch.relu(h)
        loss = -(t["y"] * torch.log_softmax(h, 1)).sum(1).mean()
        if with_grad:
            return torch.autograd.grad(loss, params)
        return loss

    step()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--sizes", default="256,256,10")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--tg-run", default=os.path.join(
        os.path.dirname(__file__), "..", "build", "bin", "tg-run"))
    parser.add_argument("--json")
    a = parser.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    fwd, args = mlp_module(a.batch, sizes, False)
    grad, _ = mlp_module(a.batch, sizes, True)
    rng = np.random.default_rng(0)
    arrays = {}
    for name, shape in args:
        if name == "y":
            arrays[name] = np.eye(shape[1], dtype=np.float32)[rng.integers(0, shape[1], shape[0])]
        else:
            arrays[name] = (rng.standard_normal(shape) * 0.1).astype(np.float32)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        inputs = []
        for name, _ in args:
            p = os.path.join(d, name + ".npy")
            np.save(p, arrays[name])
            inputs.append(p)
        for threads in [int(t) for t in a.threads.split(",")]:
            tg_f = time_tg(a.tg_run, fwd, inputs, threads, a.repeat)
            tg_g = time_tg(a.tg_run, grad, inputs, threads, a.repeat)
            th_f = time_torch(arrays, threads, a.repeat, False)
            th_g = time_torch(arrays, threads, a.repeat, True)
            rows.append({"threads": threads, "tg_forward_ms": tg_f, "tg_grad_ms": tg_g,
                         "tg_ratio": tg_g / tg_f, "torch_forward_ms": th_f,
                         "torch_grad_ms": th_g, "torch_ratio": th_g / th_f})
    print("MLP %s, batch %d: median time per call (ms); ratio = (forward+backward) / forward"
          % ("-".join(map(str, sizes)), a.batch))
    print("%-8s %12s %12s %9s %14s %14s %12s" % ("threads", "tg fwd", "tg fwd+bwd", "tg ratio",
                                                  "torch fwd", "torch fwd+bwd", "torch ratio"))
    for r in rows:
        print("%-8d %12.3f %12.3f %9.2f %14.3f %14.3f %12.2f" % (
            r["threads"], r["tg_forward_ms"], r["tg_grad_ms"], r["tg_ratio"],
            r["torch_forward_ms"], r["torch_grad_ms"], r["torch_ratio"]))
    if a.json:
        json.dump({"batch": a.batch, "sizes": sizes, "rows": rows}, open(a.json, "w"), indent=2)


if __name__ == "__main__":
    sys.exit(main())
