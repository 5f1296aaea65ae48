#!/usr/bin/env python3
"""Deployment and the compile cache (issue 17): for the MLP training step
(784-512-512-10, batch 256) and the small CNN step (8x8 digits, batch 64),
each in a fresh process:

  cold       first call with an empty compile cache (trace + compile + run)
  warm       first call in a new process with the cache filled (trace +
             load + run)
  load       tg.saved_model.load + first call (no tracing, no compilation)
  per call   median time of a call: the JIT's code and the saved object
             compiled for this CPU (native) on every core, then both on one
             thread, and the object for the default CPU (x86-64-v3)
  object     size of NAME.o

  /usr/bin/python3 benchmarks/deploy.py
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def make(workload):
    """(function, example arguments) of a workload, fixed seed."""
    import numpy as np
    import tg
    rng = np.random.default_rng(0)
    if workload == "mlp":
        sizes = [784, 512, 512, 10]
        x = rng.standard_normal((256, 784)).astype(np.float32)
        y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 256)]
        params = []
        for i in range(3):
            params += [(rng.standard_normal((sizes[i], sizes[i + 1])) /
                        np.sqrt(sizes[i])).astype(np.float32),
                       np.zeros(sizes[i + 1], np.float32)]

        def loss(x, y, w0, b0, w1, b1, w2, b2):
            h = tg.relu(tg.matmul(x, w0) + b0)
            h = tg.relu(tg.matmul(h, w1) + b1)
            logits = tg.matmul(h, w2) + b2
            return -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(logits, 1), 1))
    else:
        x = rng.standard_normal((64, 8, 8, 1)).astype(np.float32)
        y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
        params = [(rng.standard_normal((3, 3, 1, 16)) / 3).astype(np.float32),
                  np.zeros(16, np.float32),
                  (rng.standard_normal((3, 3, 16, 32)) / 12).astype(np.float32),
                  np.zeros(32, np.float32),
                  (rng.standard_normal((512, 10)) / 22).astype(np.float32),
                  np.zeros(10, np.float32)]

        def loss(x, y, w1, b1, w2, b2, w3, b3):
            h = tg.relu(tg.conv2d(x, w1, padding=(1, 1, 1, 1)) + b1)
            h = tg.relu(tg.conv2d(h, w2, strides=2, padding=(1, 1, 1, 1)) + b2)
            logits = tg.matmul(tg.reshape(h, (64, 512)), w3) + b3
            return -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(logits, 1), 1))
    vg = tg.value_and_grad(loss, argnums=(2, 3, 4, 5, 6, 7))

    @tg.function
    def step(x, y, *params):
        value, grads = vg(x, y, *params)
        return (value,) + tuple(grads)
    return step, [x, y] + params


def median_call(fn, args, seconds=0.5):
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < 5:
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]


def child(mode, workload, directory):
    t0 = time.perf_counter()
    import tg
    step, args = make(workload)
    if mode in ("cold", "warm", "jit1"):
        if mode == "jit1":
            tg.set_num_threads(1)
        start = time.perf_counter()
        step(*args)
        first = time.perf_counter() - start
        out = {"first": first, "per_call": median_call(step, args),
               "compilations": tg.cache_info().compilations}
    elif mode == "save":
        for cpu in ("native", "x86-64-v3"):
            tg.saved_model.save(step, os.path.join(directory, cpu), *args, cpu=cpu)
        tg.saved_model.save(step, os.path.join(directory, "threads"), *args, cpu="native",
                            threads=os.cpu_count())
        out = {}
    else:  # load
        start = time.perf_counter()
        model = tg.saved_model.load(os.path.join(directory, mode))
        model(*args)
        first = time.perf_counter() - start
        out = {"first": first, "per_call": median_call(model, args),
               "compilations": tg.cache_info().compilations}
    out["import"] = t0
    print(json.dumps(out))


def run_child(mode, workload, directory, cache):
    env = dict(os.environ, TG_CACHE_DIR=cache,
               PYTHONPATH=os.path.join(ROOT, "python"))
    r = subprocess.run([sys.executable, __file__, "--child", mode, workload, directory],
                       env=env, capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def main():
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:5])
        return
    cores = os.cpu_count()
    print("| workload | cold first call | warm first call (cache) | warm / cold | "
          "saved_model.load + first call | per call: JIT %d threads | object, %d threads "
          "(native) | JIT 1 thread | object 1 thread (native) | object 1 thread "
          "(x86-64-v3) | NAME.o |" % (cores, cores))
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for workload, label in (("mlp", "MLP step 784-512-512-10 b256"),
                            ("cnn", "CNN step digits b64")):
        work = tempfile.mkdtemp(prefix="tg-deploy-")
        try:
            cache = os.path.join(work, "cache")
            cold = run_child("cold", workload, work, cache)
            warm = run_child("warm", workload, work, cache)
            run_child("save", workload, work, os.path.join(work, "cache2"))
            jit1 = run_child("jit1", workload, work, cache)
            native = run_child("native", workload, work, cache)
            portable = run_child("x86-64-v3", workload, work, cache)
            threads = run_child("threads", workload, work, cache)
            size = os.path.getsize(os.path.join(work, "native", "step.o"))
            assert warm["compilations"] == 0 and native["compilations"] == 0
            ms = lambda r: r["per_call"] * 1e3  # noqa: E731
            print("| %s | %.3f s | %.3f s | %.2f | %.3f s | %.3f ms | %.3f ms (%.2fx) | "
                  "%.3f ms | %.3f ms (%.2fx) | %.3f ms (%.2fx) | %d KiB |" % (
                      label, cold["first"], warm["first"], warm["first"] / cold["first"],
                      native["first"], ms(cold), ms(threads), ms(threads) / ms(cold),
                      ms(jit1), ms(native), ms(native) / ms(jit1),
                      ms(portable), ms(portable) / ms(jit1), size // 1024))
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
