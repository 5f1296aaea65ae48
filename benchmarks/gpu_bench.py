#!/usr/bin/env python3
"""tg on an NVIDIA GPU next to cuBLAS and PyTorch CUDA, inputs resident.

Workloads, each compiled by tg-run and timed by its --repeat (median ms per
call; the inputs are copied into device buffers once, every call runs on
them, nothing goes through the host):
  - sgemm N x N x N, f32 exact (tg's FMA kernel vs cuBLAS with TF32 off),
    TF32 (tg-run --tf32 vs cuBLAS with allow_tf32) and f16 (tensor cores on
    both sides, f32 accumulation);
  - an elementwise chain over 64M floats (3 reads, 1 write), as a fraction
    of the device's bandwidth measured by a device-to-device copy;
  - the MLP training step (784-512-512-10, batch 256: loss and the gradients
    of every weight) vs PyTorch CUDA eager autograd, and tg's own step on
    host buffers (--host-buffers: copied through managed memory per call).
Every tg result is compared with PyTorch's (largest difference relative to
the largest magnitude), so a fast wrong kernel shows.

  benchmarks/gpu_bench.py [--tg-run build/bin/tg-run] [--sizes 1024,4096]
                          [--repeat 20] [--json out.json]
  benchmarks/gpu_bench.py --dry-run   # tiny sizes on --target=gpu-emulated
                                      # and PyTorch CPU: checks the script
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

sys.path.insert(0, os.path.dirname(__file__))
from grad_cost import mlp_module  # noqa: E402


def mlir(shape, dtype):
    return "tensor<%sx%s>" % ("x".join(map(str, shape)), dtype)


def matmul_module(n, dtype):
    t = mlir((n, n), dtype)
    return ("func.func @main(%%a: %s, %%b: %s) -> %s {\n"
            "  %%c = tg.matmul %%a, %%b : (%s, %s) -> %s\n"
            "  return %%c : %s\n}\n" % ((t,) * 7))


def chain_module(n):
    t = mlir((n,), "f32")
    return ("func.func @main(%%a: %s, %%b: %s, %%c: %s) -> %s {\n"
            "  %%m = tg.mul %%a, %%b : (%s, %s) -> %s\n"
            "  %%s = tg.add %%m, %%c : (%s, %s) -> %s\n"
            "  %%e = tg.exp %%s : %s\n"
            "  %%r = tg.mul %%e, %%a : (%s, %s) -> %s\n"
            "  return %%r : %s\n}\n" % ((t,) * 15))


class TgRunner:
    def __init__(self, tg_run, target, workdir):
        self.tg_run, self.target, self.workdir = tg_run, target, workdir
        self.count = 0

    def save(self, array):
        self.count += 1
        path = os.path.join(self.workdir, "in%d.npy" % self.count)
        np.save(path, array)
        return path

    def run(self, text, arrays, repeat, flags=()):
        """(median ms, results) of `text` on `arrays`."""
        self.count += 1
        module = os.path.join(self.workdir, "m%d.mlir" % self.count)
        out = os.path.join(self.workdir, "out%d" % self.count)
        with open(module, "w") as f:
            f.write(text)
        cmd = [self.tg_run, module, "--target=" + self.target, "--repeat=%d" % repeat,
               "--output-dir=" + out] + list(flags) + ["--input=" + self.save(a) for a in arrays]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit("tg-run failed (%s):\n%s" % (" ".join(cmd), proc.stderr))
        ms = float(re.search(r"median ([0-9.]+) ms", proc.stdout).group(1))
        results = []
        while os.path.exists(os.path.join(out, "result%d.npy" % len(results))):
            results.append(np.load(os.path.join(out, "result%d.npy" % len(results))))
        return ms, results


def torch_time(fn, repeat, sync):
    for _ in range(3):
        fn()
    sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def rel_diff(x, ref):
    x, ref = np.asarray(x, np.float64), np.asarray(ref, np.float64)
    return float(np.max(np.abs(x - ref)) / max(np.max(np.abs(ref)), 1e-30))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tg-run", default=os.path.join(os.path.dirname(__file__), "..", "build", "bin", "tg-run"))
    p.add_argument("--sizes", default="1024,4096")
    p.add_argument("--chain", type=int, default=1 << 26, help="elements of the elementwise chain")
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--json")
    p.add_argument("--dry-run", action="store_true",
                   help="tiny sizes, tg on --target=gpu-emulated, PyTorch on the CPU")
    a = p.parse_args()
    import torch
    if a.dry_run:
        a.sizes, a.chain, a.repeat, target, dev = "64", 1 << 12, 2, "gpu-emulated", "cpu"
    else:
        if not torch.cuda.is_available():
            raise SystemExit("gpu_bench.py: PyTorch sees no CUDA device (use --dry-run to check the script)")
        target, dev = "gpu", "cuda"
    sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
    rng = np.random.default_rng(0)
    rows = []

    def row(name, tg_ms, peer_ms, work, unit, diff, note=""):
        rows.append({"workload": name, "tg_ms": tg_ms, "peer_ms": peer_ms, "work": work,
                     "unit": unit, "max_rel_diff": diff, "note": note})

    with tempfile.TemporaryDirectory() as d:
        tg = TgRunner(a.tg_run, target, d)
        # Matrix products: f32 exact, TF32, f16.
        for n in [int(s) for s in a.sizes.split(",")]:
            A = rng.standard_normal((n, n)).astype(np.float32)
            B = rng.standard_normal((n, n)).astype(np.float32)
            ta, tb = torch.from_numpy(A).to(dev), torch.from_numpy(B).to(dev)
            flops = 2.0 * n ** 3
            for label, dtype, flags, tf32 in (("f32", "f32", (), False),
                                              ("TF32", "f32", ("--tf32",), True),
                                              ("f16", "f16", (), False)):
                if dev == "cuda":
                    torch.backends.cuda.matmul.allow_tf32 = tf32
                np_dtype = np.float16 if dtype == "f16" else np.float32
                if dtype == "f16" and dev == "cpu":
                    continue  # PyTorch-CPU f16 matmuls are not a peer
                x, y = A.astype(np_dtype), B.astype(np_dtype)
                ms, (c,) = tg.run(matmul_module(n, dtype), [x, y], a.repeat, flags)
                tx, ty = (ta.half(), tb.half()) if dtype == "f16" else (ta, tb)
                peer = torch_time(lambda: tx @ ty, a.repeat, sync)
                row("sgemm %d %s" % (n, label), ms, peer, flops / 1e9, "GFLOP/s",
                    rel_diff(c, (tx @ ty).float().cpu().numpy()))
            if dev == "cuda":
                torch.backends.cuda.matmul.allow_tf32 = False
        # The elementwise chain against the copy bandwidth.
        n = a.chain
        xs = [rng.standard_normal(n).astype(np.float32) * 0.1 for _ in range(3)]
        ms, (r,) = tg.run(chain_module(n), xs, a.repeat)
        t3 = [torch.from_numpy(x).to(dev) for x in xs]
        peer = torch_time(lambda: torch.exp(t3[0] * t3[1] + t3[2]) * t3[0], a.repeat, sync)
        big = torch.empty(n * 4, dtype=torch.float32, device=dev)
        big2 = torch.empty_like(big)
        copy_ms = torch_time(lambda: big2.copy_(big), a.repeat, sync)
        bandwidth = 2 * big.numel() * 4 / copy_ms / 1e6  # GB/s, read + write
        ref = np.exp(xs[0].astype(np.float64) * xs[1] + xs[2]) * xs[0]
        row("chain exp(a*b+c)*a %gM" % (n / 2.0 ** 20), ms, peer, 4 * n * 4 / 1e9,
            "GB/s", rel_diff(r, ref),
            "tg at %.0f%% of the copy bandwidth (%.0f GB/s)" % (100 * 4 * n * 4 / ms / 1e6 / bandwidth, bandwidth))
        # The MLP training step.
        batch, sizes = 256, [784, 512, 512, 10]
        if a.dry_run:
            batch, sizes = 8, [16, 8, 8, 4]
        text, args = mlp_module(batch, sizes, True)
        arrays = {}
        for name, shape in args:
            arrays[name] = (np.eye(shape[1], dtype=np.float32)[rng.integers(0, shape[1], shape[0])]
                            if name == "y" else (rng.standard_normal(shape) * 0.05).astype(np.float32))
        ordered = [arrays[name] for name, _ in args]
        ms, results = tg.run(text, ordered, a.repeat)
        host_ms, _ = tg.run(text, ordered, a.repeat, ("--host-buffers",))
        t = {k: torch.from_numpy(v).to(dev) for k, v in arrays.items()}
        names = [n for n, _ in args if n[0] in "wb"]
        params = [t[k].requires_grad_(True) for k in names]

        def step():
            h = t["x"]
            for i in range(len(sizes) - 1):
                h = h @ t["w%d" % i] + t["b%d" % i]
                if i < len(sizes) - 2:
                    h = torch.relu(h)
            loss = -(t["y"] * torch.log_softmax(h, 1)).sum(1).mean()
            return (loss,) + torch.autograd.grad(loss, params)
        peer = torch_time(step, a.repeat, sync)
        expected = [v.detach().cpu().numpy() for v in step()]
        diff = max(rel_diff(x, e) for x, e in zip(results, expected))
        mlp_flops = 3 * 2.0 * batch * sum(sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1))
        row("MLP step %s b%d" % ("-".join(map(str, sizes)), batch), ms, peer, mlp_flops / 1e9,
            "GFLOP/s", diff, "tg on host buffers: %.3f ms" % host_ms)

    device = torch.cuda.get_device_name(0) if dev == "cuda" else "CPU (dry run: tg emulated)"
    print("%s, torch %s; median ms per call; peer = cuBLAS / PyTorch CUDA" % (device, torch.__version__))
    print("%-28s %10s %10s %12s %12s %9s %10s  %s" % ("workload", "tg ms", "peer ms", "tg rate",
                                                   "peer rate", "tg/peer", "rel diff", "note"))
    for r in rows:
        rate = lambda ms: "%.0f %s" % (r["work"] / ms * 1e3, r["unit"])
        print("%-28s %10.3f %10.3f %12s %12s %8.0f%% %10.1e  %s" % (
            r["workload"], r["tg_ms"], r["peer_ms"], rate(r["tg_ms"]), rate(r["peer_ms"]),
            100 * r["peer_ms"] / r["tg_ms"], r["max_rel_diff"], r["note"]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"device": device, "torch": torch.__version__, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
