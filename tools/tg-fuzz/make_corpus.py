#!/usr/bin/env python3
"""Writes the seed corpus of one tg fuzz target into a directory.

  make_corpus.py parse|compile|npy|capi OUT_DIR

parse/compile: every test and example program, split at `// -----` and at
split-file's `//--- NAME` markers, without RUN/CHECK lines (compile: those of
at most 4096 bytes). npy: arrays of every dtype and a few shapes, in .npy
versions 1 and 2. capi: calls that match @main, and a few that do not.
"""
import hashlib
import os
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def programs():
    files = sorted((ROOT / "test").rglob("*.mlir")) + sorted((ROOT / "examples").rglob("*.mlir"))
    for f in files:
        text = f.read_text(errors="replace")
        for chunk in re.split(r"^// -----$|^//--- .*$", text, flags=re.M):
            lines = [l for l in chunk.splitlines()
                     if not re.match(r"\s*// *(RUN|[A-Z0-9-]*CHECK|expected-|REQUIRES|UNSUPPORTED)", l)]
            body = "\n".join(lines).strip()
            if "func.func" in body or "module" in body:
                yield body + "\n"


def npys():
    import io
    import numpy as np
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64, np.float16, np.int32, np.int64, np.bool_):
        for shape in ((), (3,), (2, 3), (0, 4), (1, 2, 1, 2)):
            a = (rng.standard_normal(shape) * 3).astype(dtype)
            for version in ((1, 0), (2, 0)):
                buf = io.BytesIO()
                np.lib.format.write_array(buf, a, version=version, allow_pickle=False)
                yield buf.getvalue()


def capi_calls():
    # name length 0 (@main), two dtype-query bytes, 2 args and 2 results,
    # each descriptor "as expected" (mode 7) or with fuzzed fields.
    yield bytes([0, 0, 0, 2, 2, 7, 7, 7, 7])
    yield bytes([0, 1, 2, 2, 2, 7, 6, 1, 7, 7])
    yield bytes([0, 3, 4, 4, 1, 0, 5, 2] + [255] * 16 + [7])
    yield bytes([4, 1, 12, 0, 1, 0, 4, 5, 6]) + b"main"


def main():
    target, out = sys.argv[1], pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    if target in ("parse", "compile"):
        seeds = [p.encode() for p in programs()]
        if target == "compile":
            seeds = [s for s in seeds if len(s) <= 4096]
    elif target == "npy":
        seeds = list(npys())
    elif target == "capi":
        seeds = list(capi_calls())
    else:
        sys.exit("unknown target " + target)
    for s in seeds:
        (out / hashlib.sha1(s).hexdigest()).write_bytes(s)
    print(f"{len(seeds)} seeds in {out}")


if __name__ == "__main__":
    main()
