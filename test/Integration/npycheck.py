#!/usr/bin/env python3
"""Input generation and numpy reference checks for the tg integration tests.

  npycheck.py gen OUT.npy EXPR
      Saves numpy's value of EXPR (with np and a seeded `rng` in scope).
  npycheck.py check RESULT.npy EXPR [NAME=FILE.npy ...] [--rtol R] [--atol A]
      Loads each NAME, evaluates EXPR with numpy and compares it with
      RESULT: same dtype and shape, values close (NaNs equal). Prints the
      worst difference and exits 1 on a mismatch.
"""
import math
import sys

import numpy as np


def bf16(x):
    """Rounds float32 values to bfloat16 (nearest even), as float32."""
    bits = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32)


def trunc_div(a, b):
    """C-style integer division (toward zero); numpy's // floors."""
    q = np.abs(a) // np.abs(b)
    return (np.sign(a) * np.sign(b) * q).astype(np.result_type(a, b))


def conv2d(x, w, strides=(1, 1), padding=(0, 0, 0, 0), dilations=(1, 1)):
    """NHWC x HWCF cross-correlation with zero padding [top, bottom, left,
    right], computed in float64 then cast back."""
    x = np.pad(x.astype(np.float64), ((0, 0), (padding[0], padding[1]),
                                      (padding[2], padding[3]), (0, 0)))
    kh, kw, _, f = w.shape
    n, h, wd, _ = x.shape
    oh = (h - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (wd - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    out = np.zeros((n, oh, ow, f))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i * dilations[0]: i * dilations[0] + strides[0] * (oh - 1) + 1: strides[0],
                      j * dilations[1]: j * dilations[1] + strides[1] * (ow - 1) + 1: strides[1], :]
            out += np.einsum("nhwc,cf->nhwf", patch, w[i, j].astype(np.float64))
    return out.astype(w.dtype)


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def mlp_backward(x, w1, b1, w2, b2, y):
    """Hand-written backward pass of the mean softmax cross-entropy of a
    2-layer relu MLP: returns (loss, dw1, db1, dw2, db2)."""
    h = x @ w1 + b1
    a = np.maximum(h, 0)
    o = a @ w2 + b2
    p = softmax(o, 1)
    n = x.shape[0]
    loss = -(y * np.log(p)).sum() / n
    do = (p - y) / n
    dw2 = a.T @ do
    db2 = do.sum(0)
    dh = (do @ w2.T) * (h > 0)
    return loss, x.T @ dh, dh.sum(0), dw2, db2


def erf(x):
    """math.erf elementwise, in float64 (numpy has no erf)."""
    x = np.asarray(x, np.float64)
    return np.vectorize(math.erf, otypes=[np.float64])(x) if x.size else x


def philox_uniform(key, shape, dtype):
    """tg.random_uniform's values: Philox 4x32-10 (checked against the
    Random123 known-answer vectors below), element i = word i % 4 of block
    i // 4, the top p bits times 2^-p."""
    mask = 0xFFFFFFFF

    def philox(c, k):
        c, k = list(c), list(k)
        for r in range(10):
            if r:
                k = [(k[0] + 0x9E3779B9) & mask, (k[1] + 0xBB67AE85) & mask]
            p0, p1 = 0xD2511F53 * c[0], 0xCD9E8D57 * c[2]
            c = [((p1 >> 32) ^ c[1] ^ k[0]) & mask, p1 & mask,
                 ((p0 >> 32) ^ c[3] ^ k[1]) & mask, p0 & mask]
        return c

    assert philox([0] * 4, [0] * 2) == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
    assert philox([mask] * 4, [mask] * 2) == [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]
    assert philox([0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344],
                  [0xA4093822, 0x299F31D0]) == [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]
    k, high = (int(v) & (2**64 - 1) for v in np.asarray(key).ravel())
    n = int(np.prod(shape))
    words = []
    for b in range((n + 3) // 4):
        words += philox([b & mask, b >> 32, high & mask, high >> 32], [k & mask, k >> 32])
    bits = np.array(words[:n], np.uint64)
    p = {"float64": 32, "float32": 24, "float16": 11, "bfloat16": 8}[np.dtype(dtype).name
                                                                    if dtype != "bfloat16"
                                                                    else "bfloat16"]
    values = (bits >> np.uint64(32 - p)) * 2.0 ** -p
    return values.reshape(shape).astype(dtype if dtype != "bfloat16" else np.float32)


def evaluate(expr, names):
    scope = {"np": np, "rng": np.random.default_rng(0), "bf16": bf16,
             "trunc_div": trunc_div, "conv2d": conv2d, "softmax": softmax,
             "mlp_backward": mlp_backward, "erf": erf,
             "philox_uniform": philox_uniform}
    scope.update(names)
    return np.asarray(eval(expr, scope))


def main(argv):
    if len(argv) >= 3 and argv[0] == "gen":
        np.save(argv[1], evaluate(argv[2], {}), allow_pickle=False)
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        rtol, atol, names = 1e-5, 1e-6, {}
        rest = argv[3:]
        i = 0
        while i < len(rest):
            if rest[i] in ("--rtol", "--atol"):
                value = float(rest[i + 1])
                if rest[i] == "--rtol":
                    rtol = value
                else:
                    atol = value
                i += 2
                continue
            name, path = rest[i].split("=", 1)
            names[name] = np.load(path)
            i += 1
        got = np.load(argv[1])
        want = evaluate(argv[2], names)
        if got.dtype != want.dtype or got.shape != want.shape:
            print(f"{argv[1]}: got {got.dtype}{list(got.shape)}, numpy gives "
                  f"{want.dtype}{list(want.shape)}")
            return 1
        if want.dtype == np.bool_ or np.issubdtype(want.dtype, np.integer):
            ok = np.array_equal(got, want)
        else:
            ok = np.allclose(got.astype(np.float64), want.astype(np.float64),
                             rtol=rtol, atol=atol, equal_nan=True)
        if not ok:
            diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
            print(f"{argv[1]}: mismatch, max abs diff {np.nanmax(diff)}\n"
                  f"got:\n{got}\nnumpy:\n{want}")
            return 1
        print(f"{argv[1]}: ok ({got.dtype}{list(got.shape)})")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
