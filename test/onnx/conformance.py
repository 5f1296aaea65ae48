#!/usr/bin/env python3
"""ONNX conformance of tg.onnx against ONNX's backend test data.

    python3 test/onnx/conformance.py [--suite node|pytorch-converted|pytorch-operator|all]
        [--jobs N] [--timeout S] [--check test/onnx/recorded.json]
        [--record test/onnx/recorded.json] [--filter SUBSTR] [-v]

Each test directory holds model.onnx and test_data_set_N/{input_i,output_i}.pb.
A test passes when tg.onnx.load(model) runs every data set and each output
has the expected dtype and shape and is close to the expected values
(np.testing.assert_allclose with ONNX's backend-test tolerances, rtol=1e-3,
atol=1e-7, or the test's data.json). Each test runs in a worker process
with a timeout; a worker that dies is a *crash* (a bug in tg: reported
first). Results go to /tmp/tg-onnx-conformance.json (one entry per test).
--check exits 1 when a suite passes fewer tests than recorded; --record
writes the counts.
"""
import argparse
import collections
import glob
import json
import multiprocessing
import os
import re
import sys
import threading
import time

DATA = os.environ.get("TG_ONNX_TESTDATA", "/usr/share/libonnx-testdata/data")
SUITES = ["node", "pytorch-converted", "pytorch-operator"]
RESULTS = "/tmp/tg-onnx-conformance.json"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _numbered(pattern):
    return sorted(glob.glob(pattern), key=lambda p: int(re.findall(r"(\d+)\.pb$", p)[0]))


def run_test(path):
    """(status, reason, seconds) of one test directory, in this process."""
    import numpy as np
    import onnx
    from onnx import numpy_helper
    import tg
    import tg.onnx
    start = time.time()
    rtol, atol = 1e-3, 1e-7
    meta = os.path.join(path, "data.json")
    if os.path.exists(meta):
        with open(meta) as f:
            d = json.load(f)
        rtol, atol = d.get("rtol", rtol), d.get("atol", atol)
    try:
        model = tg.onnx.load(os.path.join(path, "model.onnx"))
    except tg.TgError as e:
        return "fail", _reason(e), time.time() - start
    sets = sorted(glob.glob(os.path.join(path, "test_data_set_*")))
    for ds in sets:
        try:
            ins = [numpy_helper.to_array(onnx.load_tensor(p))
                   for p in _numbered(os.path.join(ds, "input_*.pb"))]
            expected = [numpy_helper.to_array(onnx.load_tensor(p))
                        for p in _numbered(os.path.join(ds, "output_*.pb"))]
        except Exception as e:  # noqa: BLE001 (data tg cannot read: not tg's fault)
            return "fail", "test data unreadable: %s" % type(e).__name__, time.time() - start
        try:
            got = model(*ins)
        except tg.TgError as e:
            return "fail", _reason(e), time.time() - start
        except Exception as e:  # noqa: BLE001 (a Python exception that is not a TgError)
            return "fail", "non-TgError exception %s: %s" % (type(e).__name__,
                                                            str(e).split("\n")[0][:150]), \
                time.time() - start
        if len(got) != len(expected):
            return "fail", "wrong number of outputs", time.time() - start
        for i, (g, e) in enumerate(zip(got, expected)):
            if g.dtype != e.dtype:
                return "fail", "wrong dtype (%s, expected %s)" % (g.dtype, e.dtype), \
                    time.time() - start
            if g.shape != e.shape:
                return "fail", "wrong shape", time.time() - start
            try:
                np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)
            except AssertionError as err:
                detail = [l.strip() for l in str(err).splitlines() if "Max abs" in l]
                return "fail", "wrong values", time.time() - start, \
                    "output %d: %s" % (i, detail[0] if detail else "")
    return "pass", "", time.time() - start


def _reason(e):
    """A short, groupable reason for a TgError."""
    msg = str(e).split("\n")[0]
    if ": error: " in msg:
        msg = msg.split(": error: ", 1)[1]
    m = re.search(r"ONNX op '(\w+)' \([^)]*\) is not supported by tg", msg)
    if m:
        return "unsupported op %s" % m.group(1)
    m = re.search(r"ONNX op '(\w+)' \([^)]*\) is in domain", msg)
    if m:
        return "unsupported op %s (other domain)" % m.group(1)
    m = re.search(r"needs tg\.([\w.]+), which this tg does not have", msg)
    if m:
        return "needs tg.%s (not yet in tg)" % m.group(1)
    m = re.search(r"ONNX element type (\w+)", msg)
    if m:
        return "unsupported dtype %s" % m.group(1)
    m = re.search(r"ONNX op '(\w+)' \([^)]*\): (.*)", msg)
    if m:
        text = re.sub(r"\d+", "N", m.group(2))[:90]
        return "%s: %s" % (m.group(1), text)
    return re.sub(r"\d+", "N", msg)[:110]


def _worker(conn):
    os.environ.setdefault("TG_CACHE_DIR", "/tmp/tgcache-onnx")
    import warnings
    warnings.simplefilter("ignore")
    while True:
        try:
            path = conn.recv()
        except EOFError:
            return
        if path is None:
            return
        try:
            r = run_test(path)
        except BaseException as e:  # noqa: BLE001 (reported, the worker lives on)
            r = ("fail", "harness error %s: %s" % (type(e).__name__, str(e)[:150]), 0.0)
        conn.send(r)


class Worker:
    def __init__(self, ctx):
        self.ctx = ctx
        self.start()

    def start(self):
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child,), daemon=True)
        self.proc.start()
        child.close()

    def run(self, path, timeout):
        t = time.time()
        try:
            self.conn.send(path)
            if self.conn.poll(timeout):
                return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            pass
        if self.proc.is_alive() and time.time() - t >= timeout - 0.5:
            self.kill()
            self.start()
            return ("timeout", "timeout after %gs" % timeout, time.time() - t)
        self.proc.join(5)
        code = self.proc.exitcode
        self.start()
        sig = ""
        if code is not None and code < 0:
            import signal
            try:
                sig = signal.Signals(-code).name
            except ValueError:
                sig = "signal %d" % -code
        return ("crash", "worker died (%s)" % (sig or "exit status %s" % code),
                time.time() - t)

    def kill(self):
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)

    def stop(self):
        try:
            self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self.proc.join(5)
        self.kill()


def collect(suites, filt):
    tests = []
    for s in suites:
        for d in sorted(glob.glob(os.path.join(DATA, s, "*"))):
            if os.path.exists(os.path.join(d, "model.onnx")) and (not filt or filt in d):
                tests.append((s, os.path.basename(d), d))
    return tests


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--suite", default="all", choices=SUITES + ["all"])
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--check", metavar="JSON")
    p.add_argument("--record", metavar="JSON")
    p.add_argument("--filter", metavar="SUBSTR")
    p.add_argument("--results", default=RESULTS, help="per-test results (JSON)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    suites = SUITES if args.suite == "all" else [args.suite]
    os.environ.setdefault("TG_CACHE_DIR", "/tmp/tgcache-onnx")
    os.environ.setdefault("TG_LIBRARY", os.path.join(ROOT, "build/lib/libTgCAPI.so"))
    sys.path.insert(0, os.path.join(ROOT, "python"))
    os.environ["PYTHONPATH"] = os.path.join(ROOT, "python") + (
        os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    tests = collect(suites, args.filter)
    if not tests:
        print("no tests found under %s" % DATA)
        return 1
    ctx = multiprocessing.get_context("spawn")
    queue = list(enumerate(tests))
    results = [None] * len(tests)
    lock = threading.Lock()
    t0 = time.time()

    def loop():
        w = Worker(ctx)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    k, (suite, name, path) = queue.pop(0)
                r = w.run(path, args.timeout)
                entry = {"suite": suite, "test": name, "status": r[0], "reason": r[1],
                         "seconds": round(r[2], 3)}
                if len(r) > 3:
                    entry["detail"] = r[3]
                results[k] = entry
                if args.verbose or r[0] in ("crash", "timeout"):
                    with lock:
                        print("%-8s %s/%s %s%s" % (r[0].upper(), suite, name, r[1],
                                                   " " + r[3] if len(r) > 3 else ""),
                              flush=True)
        finally:
            w.stop()

    threads = [threading.Thread(target=loop) for _ in range(max(1, args.jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - t0
    with open(args.results, "w") as f:
        json.dump({"elapsed_seconds": round(elapsed, 1), "results": results}, f, indent=1)

    counts = collections.OrderedDict()
    for s in suites:
        rs = [r for r in results if r["suite"] == s]
        counts[s] = {"passed": sum(r["status"] == "pass" for r in rs), "total": len(rs)}
    crashes = [r for r in results if r["status"] == "crash"]
    timeouts = [r for r in results if r["status"] == "timeout"]
    if crashes:
        print("\n*** %d CRASHES (worker process died: bugs in tg) ***" % len(crashes))
        for r in crashes:
            print("  CRASH %s/%s: %s\n    reproduce: TG_LIBRARY=build/lib/libTgCAPI.so "
                  "PYTHONPATH=python python3 test/onnx/conformance.py --suite %s --filter "
                  "%s -v" % (r["suite"], r["test"], r["reason"], r["suite"], r["test"]))
    if timeouts:
        print("\n%d timeouts:" % len(timeouts))
        for r in timeouts:
            print("  %s/%s" % (r["suite"], r["test"]))
    hist = collections.Counter(r["reason"] for r in results if r["status"] != "pass")
    if hist:
        print("\nfailure reasons (tests):")
        for reason, n in hist.most_common():
            print("  %4d  %s" % (n, reason))
    print("\nconformance (%.0f s, %d jobs):" % (elapsed, args.jobs))
    for s, c in counts.items():
        print("  %-18s %4d / %4d passed (%.1f%%)" % (s, c["passed"], c["total"],
                                                      100.0 * c["passed"] / max(c["total"], 1)))
    print("per-test results: %s" % args.results)
    status = 0
    if args.check and not args.filter:
        with open(args.check) as f:
            recorded = json.load(f)
        for s, c in counts.items():
            want = recorded.get(s, {}).get("passed")
            if want is not None and c["passed"] < want:
                print("CHECK FAILED: %s passes %d, recorded %d" % (s, c["passed"], want))
                status = 1
        if status == 0:
            print("check: no suite below its recorded count")
    if args.record and not args.filter:
        recorded = {}
        if os.path.exists(args.record):
            with open(args.record) as f:
                recorded = json.load(f)
        recorded.update(counts)
        with open(args.record, "w") as f:
            json.dump(recorded, f, indent=1, sort_keys=True)
            f.write("\n")
        print("recorded in %s" % args.record)
    return status


if __name__ == "__main__":
    sys.exit(main())
