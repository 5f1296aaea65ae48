#!/usr/bin/env python3
"""tg on an NVIDIA GPU next to cuBLAS (through PyTorch CUDA) and PyTorch-CPU.

Workloads: sgemm N x N x N for N in --sizes, and the MLP training step
(784-512-512-10, batch 256: loss and the gradients of every weight).
tg is timed by `tg-run --target=gpu --repeat`, which includes copying the
inputs into and the results out of GPU-visible memory on every call; the
PyTorch CUDA figures are kernel time with synchronization, inputs resident.

  benchmarks/gpu_bench.py [--tg-run build/bin/tg-run] [--sizes 256,1024,2048]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from grad_cost import mlp_module  # noqa: E402


def tg_time(tg_run, text, inputs, repeat):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.mlir")
        open(path, "w").write(text)
        out = subprocess.run([tg_run, path, "--target=gpu", "--repeat=%d" % repeat] +
                             ["--input=" + p for p in inputs],
                             check=True, capture_output=True, text=True).stdout
    return float(re.search(r"median ([0-9.]+) ms", out).group(1))


def torch_time(fn, repeat, cuda):
    import torch
    fn()
    if cuda:
        torch.cuda.synchronize()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tg-run", default=os.path.join(os.path.dirname(__file__), "..", "build", "bin", "tg-run"))
    p.add_argument("--sizes", default="256,1024,2048")
    p.add_argument("--repeat", type=int, default=10)
    a = p.parse_args()
    import torch
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for n in [int(s) for s in a.sizes.split(",")]:
            A = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
            B = np.random.default_rng(1).standard_normal((n, n)).astype(np.float32)
            pa, pb = os.path.join(d, "a.npy"), os.path.join(d, "b.npy")
            np.save(pa, A)
            np.save(pb, B)
            t = "tensor<%dx%dxf32>" % (n, n)
            text = ("func.func @main(%%a: %s, %%b: %s) -> %s {\n  %%c = tg.matmul %%a, %%b : (%s, %s) -> %s\n"
                    "  return %%c : %s\n}\n" % (t, t, t, t, t, t, t))
            flops = 2.0 * n ** 3
            tg_ms = tg_time(a.tg_run, text, [pa, pb], a.repeat)
            ta, tb = torch.from_numpy(A).cuda(), torch.from_numpy(B).cuda()
            cu_ms = torch_time(lambda: ta @ tb, a.repeat, True)
            ca, cb = torch.from_numpy(A), torch.from_numpy(B)
            cpu_ms = torch_time(lambda: ca @ cb, a.repeat, False)
            rows.append(("sgemm %d" % n, tg_ms, cu_ms, cpu_ms, flops))
        batch, sizes = 256, [784, 512, 512, 10]
        text, args = mlp_module(batch, sizes, True)
        rng = np.random.default_rng(0)
        arrays, inputs = {}, []
        for name, shape in args:
            arrays[name] = (np.eye(shape[1], dtype=np.float32)[rng.integers(0, shape[1], shape[0])]
                            if name == "y" else (rng.standard_normal(shape) * 0.05).astype(np.float32))
            path = os.path.join(d, name + ".npy")
            np.save(path, arrays[name])
            inputs.append(path)
        tg_ms = tg_time(a.tg_run, text, inputs, a.repeat)

        def step(dev):
            t = {k: torch.from_numpy(v).to(dev) for k, v in arrays.items()}
            params = [t[k] for k in sorted(t) if k[0] in "wb"]
            for q in params:
                q.requires_grad_(True)

            def run():
                h = t["x"]
                for i in range(3):
                    h = h @ t["w%d" % i] + t["b%d" % i]
                    if i < 2:
                        h = torch.relu(h)
                loss = -(t["y"] * torch.log_softmax(h, 1)).sum(1).mean()
                return torch.autograd.grad(loss, params)
            return run
        cu_ms = torch_time(step("cuda"), a.repeat, True)
        cpu_ms = torch_time(step("cpu"), a.repeat, False)
        mlp_flops = 3 * 2.0 * batch * sum(sizes[i] * sizes[i + 1] for i in range(3))
        rows.append(("MLP step 784-512-512-10 b256", tg_ms, cu_ms, cpu_ms, mlp_flops))
    print("%s, torch %s; median ms per call (GFLOP/s)" % (torch.cuda.get_device_name(0), torch.__version__))
    print("%-30s %18s %18s %18s %10s" % ("workload", "tg GPU", "cuBLAS (torch)", "torch CPU", "tg/cuBLAS"))
    for name, tg_ms, cu_ms, cpu_ms, flops in rows:
        g = lambda ms: "%.3f (%.0f)" % (ms, flops / ms / 1e6)
        print("%-30s %18s %18s %18s %10.1fx" % (name, g(tg_ms), g(cu_ms), g(cpu_ms), tg_ms / cu_ms))


if __name__ == "__main__":
    main()
