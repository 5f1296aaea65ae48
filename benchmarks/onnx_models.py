#!/usr/bin/env python3
"""ONNX models through tg.onnx next to PyTorch eager.

    TG_LIBRARY=build/lib/libTgCAPI.so PYTHONPATH=python \
        python3 benchmarks/onnx_models.py [--runs N] [--threads T] [--models resnet18,...]

torchvision's resnet18 and mobilenet_v2 (random weights, eval mode, batch 1,
exported with torch.onnx.export, opset 13). Prints the import+compile time
(first call, cache off so it is a real compile), then the median inference
time of N calls after warm-up for tg and for PyTorch eager with
torch.set_num_threads equal to tg's thread count, and the ratio.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings

import numpy as np


def median_time(fn, runs, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--models", default="resnet18,mobilenet_v2")
    p.add_argument("--cache", action="store_true",
                   help="keep tg's compile cache on (import+compile then measures a hit)")
    args = p.parse_args()
    if not args.cache:
        os.environ["TG_CACHE"] = "0"
    warnings.simplefilter("ignore")
    import torch
    import torchvision
    import tg
    import tg.onnx
    torch.set_num_threads(args.threads)
    tg.set_num_threads(args.threads)
    rows = []
    tmp = tempfile.mkdtemp(prefix="tg-onnx-bench-")
    for name in args.models.split(","):
        torch.manual_seed(0)
        net = getattr(torchvision.models, name)().eval()
        x = torch.randn(1, 3, 224, 224)
        path = os.path.join(tmp, name + ".onnx")
        torch.onnx.export(net, x, path, opset_version=13)
        xn = x.numpy()
        t = time.perf_counter()
        model = tg.onnx.load(path)
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        (y,) = model(xn)
        compile_s = time.perf_counter() - t
        with torch.no_grad():
            ref = net(x).numpy()
            t_torch = median_time(lambda: net(x), args.runs)
        t_tg = median_time(lambda: model(xn), args.runs)
        err = float(np.abs(y - ref).max() / max(np.abs(ref).max(), 1e-30))
        rows.append((name, load_s, compile_s, t_tg, t_torch, err))
    print("threads: %d (tg and torch), batch 1, median of %d runs after warm-up" %
          (args.threads, args.runs))
    print("%-14s %9s %12s %10s %12s %9s %10s" % ("model", "import s", "1st call s",
                                                 "tg ms", "torch ms", "tg/torch",
                                                 "rel err"))
    for name, load_s, compile_s, t_tg, t_torch, err in rows:
        print("%-14s %9.2f %12.2f %10.2f %12.2f %9.2f %10.1e" % (
            name, load_s, compile_s, t_tg * 1e3, t_torch * 1e3, t_tg / t_torch, err))
    return 0


if __name__ == "__main__":
    sys.exit(main())
