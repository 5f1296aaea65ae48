#!/usr/bin/env python3
"""Checks a tg profile: a Chrome trace / Perfetto JSON file (tg-run
--profile, tg.profiler.trace) and, optionally, its --profile-summary table.

    check_trace.py TRACE.json [--calls N] [--kernel OPS=LINES ...]
                   [--summary FILE]

Checks the Chrome trace format (traceEvents of complete "X" events with
name, ts, dur, pid, tid; metadata "M" events), that every kernel event lies
inside a call on its thread, that each call holds the same kernels, and
that the kernels named with --kernel (ops joined by '+', source lines
joined by ',') are there with exactly those lines. With --summary, that the
percentages of the table's rows add up to 100. Exits 1 with a message on
the first failure.
"""
import argparse
import json
import sys


def fail(message):
    print("check_trace: " + message, file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trace")
    parser.add_argument("--calls", type=int)
    parser.add_argument("--kernel", action="append", default=[])
    parser.add_argument("--summary")
    args = parser.parse_args()

    with open(args.trace) as f:
        trace = json.load(f)
    if not isinstance(trace, dict) or not isinstance(trace.get("traceEvents"), list):
        fail("no traceEvents list")
    calls, kernels = [], []
    for e in trace["traceEvents"]:
        if e.get("ph") == "M":
            if not isinstance(e.get("name"), str) or "args" not in e:
                fail("bad metadata event %r" % e)
            continue
        if e.get("ph") != "X":
            fail("unexpected event phase in %r" % e)
        for key, kind in (("name", str), ("ts", (int, float)), ("dur", (int, float)),
                          ("pid", int), ("tid", int), ("cat", str)):
            if not isinstance(e.get(key), kind):
                fail("event without a valid %r: %r" % (key, e))
        if e["ts"] < 0 or e["dur"] < 0:
            fail("negative time in %r" % e)
        (calls if e["cat"] == "call" else kernels).append(e)
    if args.calls is not None and len(calls) != args.calls:
        fail("%d calls recorded, expected %d" % (len(calls), args.calls))
    if not calls:
        fail("no call recorded")
    per_call = {id(c): [] for c in calls}
    for k in kernels:
        a = k.get("args", {})
        for key in ("kernel", "function", "ops", "source_lines", "flops", "bytes"):
            if key not in a:
                fail("kernel event without %r: %r" % (key, k))
        for op in a["ops"]:
            if not op.startswith("tg.") or ":" not in op:
                fail("kernel op %r is not 'tg.<op> <file>:<line>'" % op)
        for key in ("percent_of_peak_flops", "percent_of_peak_bandwidth"):
            if key in a and not 0 <= a[key]:
                fail("bad %s in %r" % (key, k))
        inside = [c for c in calls if c["tid"] == k["tid"] and
                  c["ts"] <= k["ts"] + 1e-3 and
                  k["ts"] + k["dur"] <= c["ts"] + c["dur"] + 1e-3]
        if len(inside) != 1:
            fail("kernel %r is not inside exactly one call" % k)
        per_call[id(inside[0])].append(a["kernel"])
    lists = {tuple(v) for v in per_call.values()}
    if len(lists) != 1:
        fail("calls ran different kernels: %r" % lists)
    names = {(k["name"], k["args"]["source_lines"]) for k in kernels}
    for spec in args.kernel:
        ops, lines = spec.split("=")
        file = None
        for name, where in names:
            if name == ops:
                parts = where.split(" ")
                got = set()
                for p in parts:
                    file, numbers = p.rsplit(":", 1)
                    got |= {int(n) for n in numbers.split(",")}
                if got == {int(n) for n in lines.split(",")}:
                    break
        else:
            fail("no kernel %r on lines %s; kernels: %r" % (ops, lines, sorted(names)))
    if args.summary:
        # The table: a header line starting "kernel", then one row per
        # kernel, the time outside kernels, and the total; the name column
        # is 40 characters wide, then calls, time (ms), %, ...
        with open(args.summary) as f:
            lines = f.read().splitlines()
        start = [i for i, l in enumerate(lines) if l.startswith("kernel ")]
        if not start:
            fail("no summary table in %s" % args.summary)
        total, seen_total = 0.0, False
        for row in lines[start[0] + 1:]:
            if not row.strip():
                break
            name, cells = row[:40].strip(), row[40:].split()
            percent = float(cells[2])
            if name == "total":
                seen_total = True
                if abs(percent - 100) > 1e-6:
                    fail("total row is not 100%%: %r" % row)
            else:
                total += percent
        if not seen_total:
            fail("no total row")
        if abs(total - 100) > 0.5:
            fail("the rows add up to %.2f%%, not 100%%" % total)
    print("check_trace: %d calls, %d kernel events, %d distinct kernels: ok"
          % (len(calls), len(kernels), len(names)))


if __name__ == "__main__":
    main()
