"""The op set of spec section 6 (TF's names and semantics): every op against
numpy (or torch for convolutions), eagerly and inside tg.function;
gradients against float64 central finite differences; and the errors for
bad arguments."""
import numpy as np
import pytest

import tg

torch = pytest.importorskip("torch")
F = torch.nn.functional

rng = np.random.default_rng(11)
X = rng.standard_normal((3, 4)).astype(np.float32)


def close(got, want, tol=1e-5):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def both(f, *args):
    """f(*args) eagerly and compiled; the two must agree exactly (same
    kernels); returns the eager result."""
    eager = f(*args)
    traced = tg.function(f)(*args)
    flat_e = eager if isinstance(eager, (list, tuple)) else [eager]
    flat_t = traced if isinstance(traced, (list, tuple)) else [traced]
    assert len(flat_e) == len(flat_t)
    for e, t in zip(flat_e, flat_t):
        assert np.asarray(e).dtype == np.asarray(t).dtype
        np.testing.assert_allclose(np.asarray(e), np.asarray(t), rtol=1e-6, atol=1e-6)
    return eager


def check(f, ref, *args, tol=1e-5):
    got = both(f, *args)
    want = ref(*args)
    if isinstance(want, (list, tuple)):
        for g, w in zip(got, want):
            close(g, w, tol)
    else:
        close(got, want, tol)


def fd(f, x, eps=1e-6):
    """Central finite differences of a scalar function, in float64."""
    x = np.asarray(x, np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


def grad_check(f, *args, tol=1e-6, tape=False):
    """tg.grad of sum(f(*args) * r) (r random) against finite differences of
    the compiled function, w.r.t. every argument, in float64."""
    args = [np.asarray(a, np.float64) for a in args]
    out = np.asarray(f(*args))
    r = np.random.default_rng(5).standard_normal(out.shape)

    def loss(*a):
        return tg.reduce_sum(f(*a) * r)
    gs = tg.grad(loss, argnums=tuple(range(len(args))))(*args)
    if tape:  # the eager tape too
        ts = [tg.constant(a) for a in args]
        with tg.GradientTape() as t:
            for v in ts:
                t.watch(v)
            y = loss(*ts)
        for g, e in zip(gs, t.gradient(y, ts)):
            np.testing.assert_allclose(np.asarray(e), np.asarray(g), rtol=1e-9, atol=1e-9)
    lf = tg.function(loss)
    for k, a in enumerate(args):
        want = fd(lambda v: float(lf(*args[:k], v, *args[k + 1:])), a)
        np.testing.assert_allclose(np.asarray(gs[k]), want, rtol=tol, atol=tol)


# ---------------------------------------------------------------------------
# Elementwise math
# ---------------------------------------------------------------------------

SPECIAL = np.array([-2.5, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.5, 3.7, -3.2, np.inf, -np.inf,
                    np.nan], np.float32)


def test_new_unary_dialect_ops():
    import math
    ref_erf = np.vectorize(lambda v: math.erf(v) if np.isfinite(v) else (
        np.sign(v) if not np.isnan(v) else np.nan))
    with np.errstate(invalid="ignore", divide="ignore"):
        for f, ref in [(tg.floor, np.floor), (tg.ceil, np.ceil), (tg.round, np.round),
                       (tg.sign, np.sign), (tg.math.erf, lambda v: ref_erf(v).astype(v.dtype)),
                       (tg.math.log1p, np.log1p), (tg.math.expm1, np.expm1)]:
            check(f, ref, SPECIAL, tol=2e-6)
            check(f, ref, SPECIAL.astype(np.float64), tol=1e-12)
    # accuracy near 0 (the reason for log1p / expm1)
    tiny = np.array([1e-10, -3e-9], np.float64)
    close(tg.math.log1p(tiny), np.log1p(tiny), 1e-20)
    close(tg.math.expm1(tiny), np.expm1(tiny), 1e-20)
    # integers: round is the identity and sign works (TF); floor needs floats
    i = np.array([-3, 0, 5], np.int32)
    close(tg.round(i), i)
    close(both(tg.sign, i), np.sign(i))
    with pytest.raises(tg.TgTypeError, match="float"):
        tg.floor(i)
    with pytest.raises(tg.TgTypeError, match="float"):
        tg.math.erf(i)


def test_new_unary_gradients():
    x = np.array([-1.3, -0.4, 0.3, 1.7])
    grad_check(tg.math.erf, x, tape=True)
    grad_check(tg.math.log1p, np.abs(x))
    grad_check(tg.math.expm1, x)
    for f in (tg.floor, tg.ceil, tg.round, tg.sign):  # piecewise constant: 0
        close(tg.grad(lambda v: tg.reduce_sum(f(v) * v))(x), f(x).numpy())


def test_activations():
    x = np.concatenate([SPECIAL[:-3], [30.0, -30.0, 100.0, -100.0]]).astype(np.float32)
    import math
    erf = np.vectorize(math.erf)
    x64 = x.astype(np.float64)
    check(tg.math.softplus, lambda v: np.logaddexp(0, v.astype(np.float64)).astype(v.dtype), x)
    check(tg.nn.elu, lambda v: np.where(v > 0, v, np.expm1(np.minimum(v, 0))), x)
    check(lambda v: tg.nn.leaky_relu(v), lambda v: np.where(v > 0, v, 0.2 * v), x)
    check(lambda v: tg.nn.leaky_relu(v, alpha=0.01), lambda v: np.where(v > 0, v, 0.01 * v), x)
    check(tg.nn.gelu, lambda v: (0.5 * x64 * (1 + erf(x64 / np.sqrt(2)))).astype(np.float32), x)
    check(lambda v: tg.nn.gelu(v, approximate=True), lambda v: (0.5 * x64 * (1 + np.tanh(
        np.sqrt(2 / np.pi) * (x64 + 0.044715 * x64 ** 3)))).astype(np.float32), x, tol=1e-4)
    check(tg.nn.relu6, lambda v: np.minimum(np.maximum(v, 0), 6), x)
    check(tg.nn.silu, lambda v: (x64 / (1 + np.exp(-x64))).astype(np.float32), x)
    check(tg.nn.selu, lambda v: (1.0507009873554805 * np.where(
        x64 > 0, x64, 1.6732632423543772 * np.expm1(np.minimum(x64, 0)))).astype(np.float32), x)
    # integer features are cast to float32 (TF)
    close(tg.nn.leaky_relu(np.array([-5, 5], np.int32)), np.array([-1.0, 5.0], np.float32))
    # gradients, including at 0 (TF's one-sided values) and far out (no NaN)
    g = tg.grad(lambda v: tg.reduce_sum(tg.math.softplus(v)))(
        np.array([0.0, -200.0, 200.0]))
    close(g, np.array([0.5, 0.0, 1.0]), 1e-12)
    g = tg.grad(lambda v: tg.reduce_sum(tg.nn.elu(v)))(np.array([0.0, -800.0, 2.0]))
    close(g, np.array([1.0, 0.0, 1.0]), 1e-12)
    y = np.array([-1.2, -0.3, 0.4, 2.2])
    for f in (tg.math.softplus, tg.nn.elu, tg.nn.leaky_relu, tg.nn.gelu, tg.nn.selu,
              lambda v: tg.nn.gelu(v, approximate=True)):
        grad_check(f, y)


def test_clip_by_value():
    check(lambda v: tg.clip_by_value(v, -0.5, 0.5), lambda v: np.clip(v, -0.5, 0.5), X)
    lo = np.full((4,), -0.2, np.float32)
    check(lambda v, lo: tg.clip_by_value(v, lo, 1.0), lambda v, lo: np.clip(v, lo, 1.0), X, lo)
    close(tg.clip_by_value(np.array([np.nan, 5.0], np.float32), 0.0, 1.0),
          np.array([np.nan, 1.0], np.float32))
    close(tg.clip_by_value(np.array([-7, 3, 9], np.int32), 0, 5), np.array([0, 3, 5], np.int32))
    grad_check(lambda v: tg.clip_by_value(v, -0.5, 0.5), np.array([-1.0, -0.2, 0.3, 0.9]))
    with pytest.raises(tg.TgError, match="does not broadcast"):
        tg.clip_by_value(X, np.zeros((2, 3, 4), np.float32), 1.0)
    with pytest.raises(tg.TgTypeError):
        tg.clip_by_value(np.array([1, 2], np.int32), 0.5, 1.0)


def test_is_nan_and_friends():
    x = np.array([1.0, np.nan, np.inf, -np.inf], np.float32)
    check(tg.math.is_nan, np.isnan, x)
    check(tg.math.is_inf, np.isinf, x)
    check(tg.math.is_finite, np.isfinite, x)
    check(tg.math.reciprocal, lambda v: 1 / v, np.array([2.0, -4.0], np.float32))
    check(tg.math.squared_difference, lambda a, b: (a - b) ** 2, X, X[0])


# ---------------------------------------------------------------------------
# Reductions and scans
# ---------------------------------------------------------------------------

def test_reduce_prod():
    a = rng.uniform(0.5, 1.5, (3, 5, 2)).astype(np.float32)
    for axis, keep in [(None, False), (1, False), ((0, 2), True), (-1, False), ([], False)]:
        check(lambda v: tg.reduce_prod(v, axis, keep),
              lambda v: np.prod(v, axis=tuple(axis) if isinstance(axis, list) else axis,
                                keepdims=keep), a, tol=1e-5)
    special = np.array([[2.0, 0.0, np.inf, 3.0], [np.nan, 1.0, 2.0, 2.0],
                        [-np.inf, -2.0, 1.0, 0.5]], np.float32)
    with np.errstate(invalid="ignore"):
        check(lambda v: tg.reduce_prod(v, 1), lambda v: np.prod(v, 1), special)
    i = np.array([[3, -2, 7], [100000, 100000, 1]], np.int32)
    with np.errstate(over="ignore"):
        close(both(lambda v: tg.reduce_prod(v, 1), i), np.prod(i, 1).astype(np.int32))
    close(tg.reduce_prod(np.zeros((2, 0), np.float32), 1), np.ones(2, np.float32))
    # gradient, including with a zero (exact, not prod / x)
    grad_check(lambda v: tg.reduce_prod(v, 1), np.array([[1.5, -0.5, 2.0], [0.0, 3.0, 1.2]]),
               tape=True)
    with pytest.raises(tg.TgTypeError):
        tg.reduce_prod(np.array([True]))
    with pytest.raises(tg.TgError, match="out of range"):
        tg.reduce_prod(X, 2)


def test_reduce_logsumexp():
    def ref(v, axis=None, keepdims=False):
        m = np.max(v, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):
            r = np.log(np.sum(np.exp(v - m), axis=axis, keepdims=True)) + m
        return r if keepdims else np.squeeze(r, axis=axis) if axis is not None else r.reshape(())
    check(lambda v: tg.reduce_logsumexp(v, 1), lambda v: ref(v, 1).astype(np.float32), X)
    check(lambda v: tg.reduce_logsumexp(v, keepdims=True),
          lambda v: ref(v, None, True).astype(np.float32), X)
    big = np.array([[1000.0, 1000.0], [-np.inf, -np.inf], [np.inf, 1.0], [-1000.0, -1001.0]],
                   np.float32)
    close(both(lambda v: tg.reduce_logsumexp(v, 1), big),
          np.array([1000 + np.log(2), -np.inf, np.inf, -1000 + np.log1p(np.exp(-1))],
                   np.float32))
    grad_check(lambda v: tg.reduce_logsumexp(v, 0), rng.standard_normal((3, 2)), tape=True)
    with pytest.raises(tg.TgTypeError, match="float"):
        tg.reduce_logsumexp(np.array([1, 2], np.int32))


def test_reduce_any_all():
    b = rng.standard_normal((3, 4, 2)) > 0.5
    for axis in (None, 0, (1, 2), -1):
        check(lambda v: tg.reduce_any(v, axis), lambda v: np.any(v, axis), b)
        check(lambda v: tg.reduce_all(v, axis, keepdims=True),
              lambda v: np.all(v, axis, keepdims=True), b)
    e = np.zeros((2, 0), np.bool_)
    close(tg.reduce_any(e, 1), np.zeros(2, np.bool_))
    close(tg.reduce_all(e, 1), np.ones(2, np.bool_))
    with pytest.raises(tg.TgTypeError):
        tg.reduce_any(X)


def test_reduce_variance_std_add_n():
    check(lambda v: tg.math.reduce_variance(v, 1), lambda v: np.var(v, 1), X)
    check(lambda v: tg.math.reduce_std(v, 0), lambda v: np.std(v, 0), X)
    check(lambda a, b: tg.add_n([a, b, a]), lambda a, b: a + b + a, X, X * 2)
    with pytest.raises(tg.TgError, match="shapes"):
        tg.add_n([X, X[0]])


def _np_scan(v, axis, exclusive, reverse, op):
    v = np.flip(v, axis) if reverse else v
    r = (np.cumsum if op == "sum" else np.cumprod)(v, axis)
    if exclusive:
        shape = list(v.shape)
        shape[axis] = 1
        r = np.concatenate([np.full(shape, 0 if op == "sum" else 1, v.dtype),
                            np.take(r, range(v.shape[axis] - 1), axis)], axis)
    return np.flip(r, axis) if reverse else r


def test_cumsum_cumprod():
    a = rng.uniform(0.5, 1.5, (3, 7)).astype(np.float32)
    for axis in (0, 1, -1):
        for exclusive in (False, True):
            for reverse in (False, True):
                check(lambda v: tg.cumsum(v, axis, exclusive, reverse),
                      lambda v: _np_scan(v, axis, exclusive, reverse, "sum"), a)
                check(lambda v: tg.math.cumprod(v, axis, exclusive=exclusive, reverse=reverse),
                      lambda v: _np_scan(v, axis, exclusive, reverse, "prod"), a)
    i = np.arange(1, 11, dtype=np.int64)
    close(tg.cumsum(i), np.cumsum(i))
    close(tg.math.cumprod(i), np.cumprod(i))
    s = np.array([1.0, np.inf, 2.0, -np.inf, np.nan, 3.0], np.float32)
    with np.errstate(invalid="ignore"):
        close(tg.cumsum(s), np.cumsum(s))
        z = np.array([2.0, 0.0, np.inf, 3.0], np.float32)
        close(tg.math.cumprod(z), np.cumprod(z))
    close(tg.cumsum(np.zeros((0, 3), np.float32)), np.zeros((0, 3), np.float32))
    grad_check(lambda v: tg.cumsum(v, 1, exclusive=True), rng.standard_normal((2, 5)), tape=True)
    grad_check(lambda v: tg.math.cumprod(v, 0, reverse=True), rng.standard_normal((5, 2)))
    with pytest.raises(tg.TgError, match="rank"):
        tg.cumsum(np.float32(1.0))
    with pytest.raises(tg.TgError, match="out of range"):
        tg.cumsum(X, 2)


# ---------------------------------------------------------------------------
# einsum, matmul
# ---------------------------------------------------------------------------

EINSUM_CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,kj->ik", [(3, 4), (5, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("bij,jk", [(2, 3, 4), (4, 5)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("ij->ji", [(3, 4)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("iji->j", [(3, 2, 3)]),
    ("ij->", [(3, 4)]),
    ("ijk->kj", [(2, 3, 4)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("b...,b->...", [(2, 3, 4), (2,)]),
    ("abc,cd,a->bd", None),
    ("ijk,ikl->jl", [(2, 3, 4), (2, 4, 5)]),
    ("ij,jk->ki", [(3, 0), (0, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
]


def test_einsum():
    for eq, shapes in EINSUM_CASES:
        if shapes is None:
            continue
        args = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        check(lambda *a: tg.einsum(eq, *a), lambda *a: np.einsum(eq, *a), *args, tol=1e-4)
    i = rng.integers(-5, 5, (3, 4)).astype(np.int32)
    close(tg.einsum("ij,kj->ik", i, i), np.einsum("ij,kj->ik", i, i))
    # infinities are not multiplied by zeros that are not in the sum
    a = np.array([[np.inf, 1.0], [2.0, 3.0]], np.float32)
    close(tg.einsum("ij,j->ij", a, np.array([1.0, 2.0], np.float32)), a * np.float32([1.0, 2.0]))
    grad_check(lambda a, b: tg.einsum("bij,jk->bki", a, b), rng.standard_normal((2, 2, 3)),
               rng.standard_normal((3, 2)), tape=True)
    grad_check(lambda a: tg.einsum("iij->j", a), rng.standard_normal((3, 3, 2)))
    grad_check(lambda a, b: tg.einsum("i,j->ij", a, b), rng.standard_normal(3),
               rng.standard_normal(2))
    with pytest.raises(tg.TgError, match="operands"):
        tg.einsum("ij,jk->ik", X)
    with pytest.raises(tg.TgError, match="sizes"):
        tg.einsum("ij,jk->ik", X, X)
    with pytest.raises(tg.TgError, match="in no input"):
        tg.einsum("ij->iz", X)
    with pytest.raises(tg.TgError, match="two operands"):
        tg.einsum("i,i,i->", X[0], X[0], X[0])
    with pytest.raises(tg.TgError, match="labels"):
        tg.einsum("ijk->i", X)


def test_matmul_transposes():
    a, b = X, rng.standard_normal((5, 4)).astype(np.float32)
    check(lambda a, b: tg.matmul(a, b, transpose_b=True), lambda a, b: a @ b.T, a, b, tol=1e-5)
    check(lambda a, b: tg.matmul(a, b, transpose_a=True), lambda a, b: a.T @ b, b, b, tol=1e-5)


# ---------------------------------------------------------------------------
# Creation
# ---------------------------------------------------------------------------

def test_range_is_a_tensor_and_a_loop():
    close(tg.range(5), np.arange(5, dtype=np.int32))
    close(tg.range(2, 9, 3), np.arange(2, 9, 3, dtype=np.int32))
    close(tg.range(1.0, 2.0, 0.25), np.arange(1.0, 2.0, 0.25, dtype=np.float32))
    close(tg.range(5, dtype=tg.int64), np.arange(5, dtype=np.int64))
    close(tg.range(10, 0, -3), np.arange(10, 0, -3, dtype=np.int32))

    @tg.function
    def f(x):
        r = tg.range(4)  # a tensor: used in ops, indexed, shaped
        y = x * tg.cast(r, tg.float32) + tg.cast(r[1:3], tg.float32)[0]
        s = tg.reduce_sum(x) * 0.0
        for i in tg.range(3):  # and a loop
            s = s + tg.cast(i, tg.float32)
        return y, s, r.shape[0], tg.range(3, 0, -1) + 1
    y, s, n, z = f(np.ones(4, np.float32))
    close(y, np.arange(4, dtype=np.float32) + 1)
    close(s, np.float32(3.0))
    assert n == 4
    close(z, np.array([4, 3, 2], np.int32))
    assert isinstance(tg.function(lambda: tg.range(3))(), tg.Tensor)

    @tg.function
    def g(n):
        return tg.range(n) * 2  # a traced bound: only a loop
    with pytest.raises(tg.TgTypeError, match="only drive a `for` loop"):
        g(np.int32(3))
    with pytest.raises(tg.TgError, match="delta"):
        tg.function(lambda: tg.range(0, 3, 0))()


def test_eye_and_shape_functions():
    check(lambda: tg.eye(3), lambda: np.eye(3, dtype=np.float32))
    check(lambda: tg.eye(2, 4, batch_shape=[3], dtype=tg.int32),
          lambda: np.broadcast_to(np.eye(2, 4, dtype=np.int32), (3, 2, 4)))
    close(tg.shape(X), np.array([3, 4], np.int32))
    close(tg.size(X), np.int32(12))
    close(tg.rank(X), np.int32(2))
    # shapes computed inside a function are constants that shape ops accept
    close(both(lambda a, b: tg.reshape(a, tg.shape(b)), X, X.reshape(2, 6)), X.reshape(2, 6))
    with pytest.raises(tg.TgError, match=">= 0"):
        tg.eye(-1)
    with pytest.raises(tg.TgTypeError):
        tg.eye(2.5)


# ---------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------

def test_gather():
    p = rng.standard_normal((5, 3, 2)).astype(np.float32)
    for idx, axis in [([4, 0, 0, 2], 0), (np.array([[1, 2], [0, 1]]), 1), (1, 2),
                      ([-1, -5], 0), (np.zeros((0,), np.int64), 1)]:
        check(lambda v: tg.gather(v, idx, axis=axis),
              lambda v: np.take(v, idx, axis=axis), p)
    i32 = np.array([[2, 0, 4]], np.int32)
    check(lambda v, i: tg.gather(v, i), lambda v, i: np.take(v, i, 0), p, i32)
    check(lambda v, i: tg.gather(v, i, axis=-1), lambda v, i: np.take(v, i % 2, -1), p,
          np.array([1, 0, 1], np.int64))
    # batch_dims: one gather per batch row
    q = rng.standard_normal((2, 3, 4)).astype(np.float32)
    bi = np.array([[0, 3, 3], [1, 2, 0]], np.int32)
    want = np.stack([np.take(q[b], bi[b], axis=1) for b in range(2)])
    close(both(lambda v, i: tg.gather(v, i, axis=2, batch_dims=1), q, bi), want)
    want = np.stack([np.take(q[b], bi[b, :2] % 3, axis=0) for b in range(2)])
    close(both(lambda v, i: tg.gather(v, i, batch_dims=-1), q, bi[:, :2] % 3), want)
    # traced out-of-range indices give zeros (TF on GPU; documented)
    got = tg.function(lambda v, i: tg.gather(v, i))(p[:, 0, 0], np.array([1, 7, -6], np.int32))
    close(got, np.array([p[1, 0, 0], 0, 0], np.float32))
    close(tg.function(lambda v, i: tg.gather(v, i))(np.zeros((0, 2), np.float32), np.int32([0])),
          np.zeros((1, 2), np.float32))  # an empty axis: every index out of range
    # known out-of-range indices raise (TF on CPU)
    with pytest.raises(IndexError, match="out of bounds"):
        tg.gather(p, [5])
    with pytest.raises(IndexError):
        tg.function(lambda v: tg.gather(v, np.array([0, -6])))(p)
    with pytest.raises(tg.TgTypeError, match="integers"):
        tg.gather(p, np.array([0.0]))
    with pytest.raises(tg.TgTypeError, match="int32 or int64"):
        tg.gather(p, tg.constant([0.0]))
    with pytest.raises(tg.TgError, match="out of range"):
        tg.gather(p, [0], axis=3)
    with pytest.raises(tg.TgError, match="batch"):
        tg.gather(q, np.zeros((3, 1), np.int32), batch_dims=1)
    # gradients scatter-add (repeated indices add up)
    grad_check(lambda v: tg.gather(v, [2, 0, 2, 2], axis=1), rng.standard_normal((2, 3)),
               tape=True)
    grad_check(lambda v: tg.gather(v, bi, axis=2, batch_dims=1), rng.standard_normal((2, 3, 4)))


def test_gather_nd():
    p = rng.standard_normal((4, 3, 2)).astype(np.float32)
    for idx in [np.array([[0, 1], [3, 2], [-1, 0]]), np.array([[[1], [2]]]),
                np.array([[0, 0, 1], [3, 2, 1]]), np.zeros((2, 0), np.int32)]:
        want = np.stack([p[tuple(r)] for r in idx.reshape(-1, idx.shape[-1])]).reshape(
            idx.shape[:-1] + p.shape[idx.shape[-1]:]) if idx.size else np.broadcast_to(
            p, (2,) + p.shape)
        close(both(lambda v: tg.gather_nd(v, idx), p), want)
    bi = np.array([[[1], [0]], [[2], [2]], [[0], [1]], [[1], [1]]], np.int32)
    want = np.stack([np.stack([p[b][tuple(r)] for r in bi[b]]) for b in range(4)])
    close(both(lambda v, i: tg.gather_nd(v, i, batch_dims=1), p, bi), want)
    got = tg.function(lambda v, i: tg.gather_nd(v, i))(p, np.array([[0, 3], [1, 1]], np.int32))
    close(got, np.stack([np.zeros(2, np.float32), p[1, 1]]))
    grad_check(lambda v: tg.gather_nd(v, [[0, 1], [0, 1], [2, 0]]), rng.standard_normal((3, 2, 2)))
    with pytest.raises(IndexError):
        tg.gather_nd(p, [[4, 0]])
    with pytest.raises(tg.TgError, match="do not index"):
        tg.gather_nd(p, np.zeros((2, 4), np.int32))


def test_tensor_indexing_gathers():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    i = np.array([[1, 0], [1, 1]], np.int32)
    for index in [(i,), (slice(None), i), (0, i), (Ellipsis, np.array([3, -1])),
                  (slice(None), 1, np.array([[0], [3]]))]:
        close(both(lambda t: t[index], a), a[index])
    f = tg.function(lambda t, k: (t[k], t[:, k], t[1, k, ::-1]))
    got = f(a, np.array([1, 0], np.int64))
    close(got[0], a[[1, 0]])
    close(got[1], a[:, [1, 0]])
    close(got[2], a[1, [1, 0], ::-1])
    s = tg.function(lambda t, k: t[k])(a, np.int32(1))  # a traced scalar index
    close(s, a[1])
    long_index = rng.integers(0, 4, 2000)
    close(tg.constant(a)[..., long_index], a[..., long_index])  # a constant gather
    close(tg.constant(np.arange(3000.0))[::-1], np.arange(3000.0)[::-1])
    with pytest.raises(IndexError):
        tg.constant(a)[np.array([[2]])]
    with pytest.raises(tg.TgTypeError, match="boolean"):
        tg.function(lambda t: t[t > 2])(a)
    with pytest.raises(tg.TgError, match="only one"):
        tg.constant(a)[i, i]


def test_one_hot():
    i = np.array([[0, 2], [-1, 3]], np.int32)
    eye = np.eye(3, dtype=np.float32)

    def ref(idx, depth, on=1.0, off=0.0, axis=-1, dtype=np.float32):
        r = np.where((idx[..., None] == np.arange(depth)), on, off).astype(dtype)
        return np.moveaxis(r, -1, axis)
    check(lambda v: tg.one_hot(v, 3), lambda v: ref(v, 3), i)
    check(lambda v: tg.one_hot(v, 3, axis=0), lambda v: ref(v, 3, axis=0), i)
    check(lambda v: tg.one_hot(v, 4, on_value=5, off_value=-1, axis=1),
          lambda v: ref(v, 4, 5, -1, axis=1, dtype=np.int32), i)
    check(lambda v: tg.one_hot(v, 2, dtype=tg.float64), lambda v: ref(v, 2, dtype=np.float64), i)
    close(tg.one_hot([0, 2, 1], 3), eye[[0, 2, 1]])
    with pytest.raises(tg.TgTypeError):
        tg.one_hot(np.array([0.0]), 3)
    with pytest.raises(tg.TgError, match="out of range"):
        tg.one_hot(i, 3, axis=3)
    with pytest.raises(tg.TgError, match="depth"):
        tg.one_hot(i, -1)


def test_argmax_argmin():
    a = rng.integers(0, 3, (4, 5)).astype(np.float32)  # many ties: the first wins
    for axis in (None, 0, 1, -1):
        check(lambda v: tg.argmax(v, axis), lambda v: np.argmax(v, 0 if axis is None else axis), a)
        check(lambda v: tg.argmin(v, axis, output_type=tg.int32),
              lambda v: np.argmin(v, 0 if axis is None else axis).astype(np.int32), a)
    n = np.array([[1.0, np.nan, 3.0, np.nan], [-np.inf, -np.inf, 0.0, 2.0]], np.float32)
    check(lambda v: tg.argmax(v, 1), lambda v: np.argmax(v, 1), n)
    check(lambda v: tg.math.argmin(v, 1), lambda v: np.argmin(v, 1), n)
    i = np.array([[3, 9, 9], [-4, -8, -8]], np.int64)
    check(lambda v: tg.argmax(v, 1), lambda v: np.argmax(v, 1), i)
    check(lambda v: tg.argmin(v, 1), lambda v: np.argmin(v, 1), i)
    with pytest.raises(tg.TgError, match="empty"):
        tg.argmax(np.zeros((2, 0), np.float32), 1)
    with pytest.raises(tg.TgError, match="out of range"):
        tg.argmax(a, 2)
    with pytest.raises(tg.TgTypeError):
        tg.argmax(a, output_type=tg.float32)


def test_where_and_boolean_mask():
    m = X > 0
    close(tg.where(m), np.argwhere(m))
    with pytest.raises(tg.TgError, match="eager condition"):
        tg.function(lambda v: tg.where(v > 0))(X)
    check(lambda v: tg.boolean_mask(v, np.array([True, False, True])), lambda v: v[[0, 2]], X)
    check(lambda v: tg.boolean_mask(v, m), lambda v: v[m], X)
    check(lambda v: tg.boolean_mask(v, np.array([False, True, True, False]), axis=1),
          lambda v: v[:, [1, 2]], X)
    grad_check(lambda v: tg.boolean_mask(v, np.array([[True, False], [True, True]])),
               rng.standard_normal((2, 2)))
    with pytest.raises(tg.TgError, match="known when tracing"):
        tg.function(lambda v: tg.boolean_mask(v, v > 0))(X)
    with pytest.raises(tg.TgError, match="does not match"):
        tg.boolean_mask(X, np.array([True, False]))


def _np_stable_sort(v, axis, descending):
    # numpy's stable sort with NaN as the largest; descending keeps ties in order
    if descending:
        key = np.where(np.isnan(v), -np.inf, -v) if v.dtype.kind == "f" else -v
        nan_first = np.isnan(v) if v.dtype.kind == "f" else np.zeros(v.shape, bool)
        order = np.lexsort((key, ~nan_first), axis=axis) if v.ndim == 1 else None
        if order is None:
            moved = np.moveaxis(v, axis, -1)
            flat = moved.reshape(-1, moved.shape[-1])
            idx = np.stack([_np_stable_sort(r, 0, True) for r in flat]).reshape(moved.shape)
            return np.moveaxis(idx, -1, axis)
        return order
    return np.argsort(v, axis=axis, kind="stable")


def test_sort_argsort_top_k():
    a = rng.integers(0, 4, (3, 6)).astype(np.float32)
    a[0, 1] = np.nan
    a[1, 4] = -np.inf
    for axis in (-1, 0):
        for desc in (False, True):
            order = _np_stable_sort(a, axis, desc)
            d = "DESCENDING" if desc else "ASCENDING"
            close(both(lambda v: tg.argsort(v, axis, d), a), order.astype(np.int32))
            close(both(lambda v: tg.sort(v, axis, d), a), np.take_along_axis(a, order, axis))
    v, i = tg.math.top_k(a, 3)
    order = _np_stable_sort(a, 1, True)[:, :3]
    close(i, order.astype(np.int32))
    close(v, np.take_along_axis(a, order, 1))
    vt, it = tg.function(lambda x: tuple(tg.math.top_k(x, k=2)))(a)
    close(it, order[:, :2].astype(np.int32))
    ints = np.array([5, -2, 5, 0], np.int32)
    close(tg.sort(ints), np.sort(ints))
    close(tg.math.top_k(ints, 2).indices, np.array([0, 2], np.int32))
    grad_check(lambda x: tg.sort(x, direction="DESCENDING"), rng.standard_normal((2, 4)))
    grad_check(lambda x: tg.math.top_k(x, 2).values, rng.standard_normal((2, 4)))
    close(both(tg.sort, np.zeros((2, 0), np.float32)), np.zeros((2, 0), np.float32))
    close(tg.argsort(np.zeros((0, 0), np.float32), axis=0), np.zeros((0, 0), np.int32))
    with pytest.raises(tg.TgError, match="k = 7"):
        tg.math.top_k(a, 7)
    with pytest.raises(tg.TgError, match="direction"):
        tg.sort(a, direction="UP")
    with pytest.raises(tg.TgError, match="comparisons"):
        tg.sort(np.zeros((100000,), np.float32))


# ---------------------------------------------------------------------------
# Shape
# ---------------------------------------------------------------------------

def test_stack_unstack_squeeze_expand_dims():
    parts = both(lambda v: tg.unstack(v, axis=1), X)
    assert len(parts) == 4
    for k, p in enumerate(parts):
        close(p, X[:, k])
    close(tg.unstack(X, num=3)[2], X[2])
    check(lambda v: tg.stack(tg.unstack(v), axis=1), lambda v: v.T, X)
    check(lambda v: tg.squeeze(tg.expand_dims(v, -1)), lambda v: v, X)
    with pytest.raises(tg.TgError, match="num"):
        tg.unstack(X, num=5)
    grad_check(lambda v: tg.unstack(v, axis=1)[1] * 2.0, rng.standard_normal((2, 3)))


def test_tile():
    check(lambda v: tg.tile(v, [2, 3]), lambda v: np.tile(v, (2, 3)), X)
    check(lambda v: tg.tile(v, [1, 0]), lambda v: np.tile(v, (1, 0)), X)
    check(lambda v: tg.tile(v, tg.constant([3])), lambda v: np.tile(v, 3), X[0])
    grad_check(lambda v: tg.tile(v, [2, 1, 3]), rng.standard_normal((2, 2, 1)), tape=True)
    with pytest.raises(tg.TgError, match="one per axis"):
        tg.tile(X, [2])
    with pytest.raises(tg.TgError, match=">= 0"):
        tg.tile(X, [2, -1])


def test_pad():
    p = [[1, 2], [3, 0]]
    check(lambda v: tg.pad(v, p), lambda v: np.pad(v, p), X)
    check(lambda v: tg.pad(v, p, constant_values=-1.5),
          lambda v: np.pad(v, p, constant_values=-1.5), X)
    check(lambda v: tg.pad(v, p, mode="REFLECT"), lambda v: np.pad(v, p, mode="reflect"), X)
    check(lambda v: tg.pad(v, [[2, 2], [4, 1]], mode="symmetric"),
          lambda v: np.pad(v, [[2, 2], [4, 1]], mode="symmetric"), X)
    i = np.arange(6, dtype=np.int32).reshape(2, 3)
    close(tg.pad(i, [[0, 1], [1, 1]], constant_values=7), np.pad(i, [[0, 1], [1, 1]],
                                                                  constant_values=7))
    grad_check(lambda v: tg.pad(v, [[1, 1], [2, 1]], "REFLECT"), rng.standard_normal((3, 3)),
               tape=True)
    grad_check(lambda v: tg.pad(v, [[1, 0], [0, 2]], "SYMMETRIC"), rng.standard_normal((2, 3)))
    grad_check(lambda v: tg.pad(v, [[1, 0], [0, 2]]), rng.standard_normal((2, 3)))
    with pytest.raises(tg.TgError, match="at most 2"):
        tg.pad(X, [[3, 0], [0, 0]], "REFLECT")
    with pytest.raises(tg.TgError, match="shape"):
        tg.pad(X, [[1, 1]])
    with pytest.raises(tg.TgError, match="mode"):
        tg.pad(X, p, "EDGE")
    with pytest.raises(tg.TgTypeError):
        tg.pad(i, p, constant_values=0.5)


def test_split_and_reverse():
    parts = both(lambda v: tg.split(v, 2, axis=1), X)
    close(parts[0], X[:, :2])
    close(parts[1], X[:, 2:])
    parts = both(lambda v: tg.split(v, [1, -1, 1], 1), X)
    for p, w in zip(parts, np.split(X, [1, 3], 1)):
        close(p, w)
    check(lambda v: tg.reverse(v, [1]), lambda v: v[:, ::-1], X)
    check(lambda v: tg.reverse(v, [0, -1]), lambda v: v[::-1, ::-1], X)
    grad_check(lambda v: tg.split(v, [2, 1], 0)[0] * tg.reverse(v, [0])[1:], rng.standard_normal((3, 2)))
    with pytest.raises(tg.TgError, match="equal"):
        tg.split(X, 3, axis=1)
    with pytest.raises(tg.TgError, match="add up"):
        tg.split(X, [1, 1], axis=1)
    with pytest.raises(tg.TgError, match="repeated"):
        tg.reverse(X, [0, 0])


# ---------------------------------------------------------------------------
# nn: convolutions
# ---------------------------------------------------------------------------

def _tf_same(n, k, s, d=1):
    w = d * (k - 1) + 1
    out = -(-n // s)
    total = max((out - 1) * s + w - n, 0)
    return total // 2, total - total // 2


def torch_conv2d(x, w, strides, pads, dilations):
    """NHWC x, HWIO w, pads ((top, bottom), (left, right))."""
    t = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).double()
    t = F.pad(t, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
    k = torch.from_numpy(np.ascontiguousarray(w.transpose(3, 2, 0, 1))).double()
    return F.conv2d(t, k, stride=strides, dilation=dilations).numpy().transpose(0, 2, 3, 1)


def test_conv2d():
    x = rng.standard_normal((2, 9, 8, 3)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 4)).astype(np.float32)
    for strides, padding, dil in [(1, "VALID", 1), (2, "SAME", 1), ([1, 2, 1, 1], "SAME", 1),
                                  ((1, 1), "SAME", (2, 1)),
                                  (1, [[0, 0], [1, 2], [0, 1], [0, 0]], 1)]:
        s = (strides,) * 2 if isinstance(strides, int) else tuple(strides)[-3:-1] if len(
            strides) == 4 else tuple(strides)
        d = (dil,) * 2 if isinstance(dil, int) else dil
        if padding == "SAME":
            pads = (_tf_same(9, 3, s[0], d[0]), _tf_same(8, 2, s[1], d[1]))
        elif padding == "VALID":
            pads = ((0, 0), (0, 0))
        else:
            pads = ((1, 2), (0, 1))
        want = torch_conv2d(x, w, s, pads, d).astype(np.float32)
        got = both(lambda a, b: tg.nn.conv2d(a, b, strides, padding, dilations=dil), x, w)
        close(got, want, 1e-4)
    # NCHW
    xc = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    got = both(lambda a, b: tg.nn.conv2d(a, b, [1, 1, 2, 2], "SAME", data_format="NCHW"), xc, w)
    want = torch_conv2d(x, w, (2, 2), (_tf_same(9, 3, 2), _tf_same(8, 2, 2)), (1, 1))
    close(got, want.transpose(0, 3, 1, 2).astype(np.float32), 1e-4)
    # gradients w.r.t. input and filter
    grad_check(lambda a, b: tg.nn.conv2d(a, b, 2, "SAME"), rng.standard_normal((1, 5, 4, 2)),
               rng.standard_normal((3, 2, 2, 2)), tape=True)
    grad_check(lambda a, b: tg.nn.conv2d(a, b, 1, "VALID", data_format="NCHW", dilations=2),
               rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((2, 2, 2, 1)))
    with pytest.raises(tg.TgError, match="channels"):
        tg.nn.conv2d(x, w[:, :, :2], 1, "SAME")
    with pytest.raises(tg.TgError, match="padding"):
        tg.nn.conv2d(x, w, 1, "FULL")
    with pytest.raises(tg.TgError, match="data_format"):
        tg.nn.conv2d(x, w, 1, "SAME", data_format="HWC")
    with pytest.raises(tg.TgError, match="batch and channel"):
        tg.nn.conv2d(x, w, [2, 1, 1, 1], "SAME")
    with pytest.raises(tg.TgError, match="larger than"):
        tg.nn.conv2d(x[:, :2], w, 1, "VALID")
    with pytest.raises(tg.TgTypeError):
        tg.nn.conv2d(x.astype(np.int32), w.astype(np.int32), 1, "VALID")


@pytest.mark.parametrize("n,h,w,c,f,k,strides,padding,dilations", [
    (8, 56, 56, 64, 64, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),  # resnet block
    (64, 8, 8, 16, 32, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1)),   # digits CNN
    (64, 8, 8, 1, 16, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),    # one channel
    (3, 17, 13, 5, 6, (3, 2), (2, 3), (2, 0, 1, 1), (1, 1)),    # asymmetric
    (2, 15, 15, 4, 3, (3, 3), (1, 2), (0, 1, 2, 0), (2, 2)),    # dilated
    (2, 9, 9, 3, 4, (3, 3), (1, 1), (4, 3, 4, 5), (1, 1)),      # tiles of padding
    (1, 8, 8, 2048, 4, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),   # K by filter rows
    # The input's gradient as the stride phases of its unpadded rows and
    # columns (sides multiples of the strides): padding past the filter
    # crops the adjoint a phase reads (5 rows, 2x2 filter), phases with no
    # taps (stride 4 > kernel 3) are zeros.
    (2, 8, 12, 3, 4, (2, 3), (2, 4), (5, 1, 3, 5), (1, 1)),
    (3, 6, 6, 2, 5, (5, 1), (3, 2), (0, 4, 1, 0), (1, 1)),
    # Found by an adversarial tester: the only output row lies in the top
    # padding (the tile's pad had an empty interior, and its bufferized copy
    # a subview offset past the tile).
    (3, 1, 11, 2, 1, (1, 7), (4, 4), (1, 0, 0, 3), (2, 1)),
    # The micro-kernels read the receptive fields from the input (no im2col
    # copy): one image padded through unit-dimension folding; filter rows
    # (3 x 128 channels) several to a k slice; 49 taps one at a time
    # (dilated columns); 9 taps of 300 channels, 6 to a 2048-deep k slice
    # (so two slices; the 2048-channel case above splits each filter row).
    (1, 20, 20, 32, 32, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),
    (1, 10, 10, 128, 40, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),
    (2, 20, 20, 8, 8, (7, 7), (1, 1), (3, 3, 3, 3), (1, 2)),
    (1, 8, 8, 300, 16, (3, 3), (1, 1), (1, 1, 2, 2), (1, 2)),
])
@pytest.mark.parametrize("relu", [False, True])
def test_conv2d_gradients_in_float32_against_float64(n, h, w, c, f, k, strides, padding,
                                                      dilations, relu):
    """The loss sum(act(conv)^2) and its gradients w.r.t. the input and the filter,
    computed in f32 (on the CPU: the input tiles padded one by one and read
    in place by the micro-kernels, the
    filter gradient as patches^T * dR summed over parallel groups, the
    strided input gradient phase by phase) against PyTorch in f64."""
    act = tg.relu if relu else (lambda v: v)
    x = rng.standard_normal((n, h, w, c)).astype(np.float32)
    wt = (rng.standard_normal(k + (c, f)) / np.sqrt(k[0] * k[1] * c)).astype(np.float32)
    step = tg.function(tg.value_and_grad(
        lambda x, w: tg.reduce_sum(act(tg.conv2d(x, w, strides=strides, padding=padding,
                                                 dilations=dilations)) ** 2), argnums=(0, 1)))
    loss, (dx, dw) = step(x, wt)
    tx = torch.from_numpy(x.transpose(0, 3, 1, 2).astype(np.float64)).requires_grad_()
    tw = torch.from_numpy(wt.transpose(3, 2, 0, 1).astype(np.float64)).requires_grad_()
    y = F.conv2d(F.pad(tx, (padding[2], padding[3], padding[0], padding[1])), tw,
                 stride=strides, dilation=dilations)
    if relu:
        y = F.relu(y)
    want = (y * y).sum()
    want.backward()
    assert abs(float(loss) - want.item()) <= 1e-5 * max(abs(want.item()), 1.0)
    for got, ref in ((dx, tx.grad.numpy().transpose(0, 2, 3, 1)),
                     (dw, tw.grad.numpy().transpose(2, 3, 1, 0))):
        err = np.abs(np.asarray(got, np.float64) - ref).max() / (np.abs(ref).max() or 1.0)
        assert err < 1e-5, err


def test_conv2d_of_a_batch_padded_single_row_image():
    """A pad of the batch and columns of one 1-row image: unit-dimension
    folding leaves a collapse, a 3-D pad and an expand to three images,
    which is not a single image's padding (found in review: it read three
    images from the one)."""
    x = rng.standard_normal((1, 1, 5, 3)).astype(np.float32)
    w = rng.standard_normal((1, 3, 3, 4)).astype(np.float32)
    pads = [[1, 1], [0, 0], [1, 1], [0, 0]]
    got = tg.function(lambda x, w: tg.conv2d(tg.pad(x, pads), w))(x, w)
    want = torch_conv2d(np.pad(x, pads), w, (1, 1), ((0, 0), (0, 0)), (1, 1))
    close(np.asarray(got), want.astype(np.float32), 1e-5)


def test_conv1d_and_conv3d():
    x = rng.standard_normal((2, 11, 3)).astype(np.float32)
    w = rng.standard_normal((4, 3, 5)).astype(np.float32)
    for stride, padding, dil in [(1, "VALID", 1), (2, "SAME", 1), (1, "SAME", 2)]:
        t = torch.from_numpy(x.transpose(0, 2, 1)).double()
        pad = _tf_same(11, 4, stride, dil) if padding == "SAME" else (0, 0)
        want = F.conv1d(F.pad(t, pad), torch.from_numpy(w.transpose(2, 1, 0)).double(),
                        stride=stride, dilation=dil).numpy().transpose(0, 2, 1)
        close(both(lambda a, b: tg.nn.conv1d(a, b, stride, padding, dilations=dil), x, w),
              want.astype(np.float32), 1e-4)
    close(both(lambda a, b: tg.nn.conv1d(a, b, 1, "VALID", data_format="NCW"),
               np.ascontiguousarray(x.transpose(0, 2, 1)), w),
          F.conv1d(torch.from_numpy(x.transpose(0, 2, 1)).double(),
                   torch.from_numpy(w.transpose(2, 1, 0)).double()).numpy().astype(np.float32),
          1e-4)
    grad_check(lambda a, b: tg.nn.conv1d(a, b, 2, "SAME"), rng.standard_normal((1, 6, 2)),
               rng.standard_normal((3, 2, 2)))

    x3 = rng.standard_normal((2, 6, 5, 4, 2)).astype(np.float32)
    w3 = rng.standard_normal((3, 2, 2, 2, 3)).astype(np.float32)
    for strides, padding, dil in [([1, 1, 1, 1, 1], "VALID", 1), ([1, 2, 2, 1, 1], "SAME", 1),
                                  (1, "SAME", [1, 2, 1, 1, 1])]:
        s = (1, 1, 1) if strides == 1 else tuple(strides[1:4])
        d = (1, 1, 1) if dil == 1 else tuple(dil[1:4])
        pads = [_tf_same(n, k, si, di) if padding == "SAME" else (0, 0)
                for n, k, si, di in zip((6, 5, 4), (3, 2, 2), s, d)]
        t = F.pad(torch.from_numpy(x3.transpose(0, 4, 1, 2, 3)).double(),
                  pads[2] + pads[1] + pads[0])
        want = F.conv3d(t, torch.from_numpy(w3.transpose(4, 3, 0, 1, 2)).double(), stride=s,
                        dilation=d).numpy().transpose(0, 2, 3, 4, 1)
        close(both(lambda a, b: tg.nn.conv3d(a, b, strides, padding, dilations=dil), x3, w3),
              want.astype(np.float32), 1e-4)
    grad_check(lambda a, b: tg.nn.conv3d(a, b, [1, 2, 1, 1, 1], "SAME"),
               rng.standard_normal((1, 4, 3, 3, 1)), rng.standard_normal((2, 2, 2, 1, 2)))
    # f16: the depth taps are summed with the rest of the reduction, in f32
    # (a chain of f16 adds gave 19.9 for this sum of 200 taps, not 20.0).
    xh = np.ones((1, 200, 1, 1, 1), np.float16)
    wh = np.full((200, 1, 1, 1, 1), 0.1, np.float16)
    exact = (xh.ravel().astype(np.float64) * wh.ravel().astype(np.float64)).sum()
    for f in (lambda a, b: tg.nn.conv3d(a, b, 1, "VALID"),
              tg.function(lambda a, b: tg.nn.conv3d(a, b, 1, "VALID"))):
        np.testing.assert_array_equal(f(xh, wh).numpy().ravel(), [np.float16(exact)])
    with pytest.raises(tg.TgError, match="rank-5"):
        tg.nn.conv3d(x, w, 1, "SAME")
    with pytest.raises(tg.TgError, match="channels"):
        tg.nn.conv1d(x, w[:, :2], 1, "SAME")


def test_conv2d_transpose():
    x = rng.standard_normal((2, 4, 3, 5)).astype(np.float32)   # NHWC, 5 channels in
    w = rng.standard_normal((3, 3, 2, 5)).astype(np.float32)   # [h, w, out, in]
    # against torch (symmetric explicit padding, output padding where the
    # stride leaves a remainder)
    for s, p, out_hw, d in [(2, 1, (7, 5), 1), (2, 1, (8, 6), 1), (1, 0, (6, 5), 1),
                            (3, 2, (8, 5), 1), (1, 2, (4, 3), 2)]:
        ext = d * 2
        op = [o - ((i - 1) * s - 2 * p + ext + 1) for o, i in zip(out_hw, (4, 3))]
        want = F.conv_transpose2d(torch.from_numpy(x.transpose(0, 3, 1, 2)).double(),
                                  torch.from_numpy(w.transpose(3, 2, 0, 1)).double(),
                                  stride=s, padding=p, output_padding=tuple(op),
                                  dilation=d).numpy().transpose(0, 2, 3, 1)
        got = both(lambda a, b: tg.nn.conv2d_transpose(
            a, b, [2, out_hw[0], out_hw[1], 2], s, [[0, 0], [p, p], [p, p], [0, 0]],
            dilations=d), x, w)
        close(got, want.astype(np.float32), 1e-4)
    # SAME/VALID: the adjoint of conv2d, <conv2d(z), x> = <z, conv2d_transpose(x)>
    for padding, out_hw, s in [("SAME", (8, 6), 2), ("SAME", (7, 5), 2), ("VALID", (9, 7), 2),
                               ("SAME", (4, 3), 1)]:
        z = rng.standard_normal((2,) + out_hw + (2,))
        x64 = rng.standard_normal((2,) + tuple(-(-o // s) if padding == "SAME" else
                                              (o - 3) // s + 1 for o in out_hw) + (5,))
        lhs = np.sum(tg.nn.conv2d(z, w.astype(np.float64), s, padding).numpy() * x64)
        rhs = np.sum(z * tg.nn.conv2d_transpose(x64, w.astype(np.float64), (2,) + out_hw + (2,),
                                                s, padding).numpy())
        np.testing.assert_allclose(lhs, rhs, rtol=1e-10)
    # NCHW
    xc = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    got = both(lambda a, b: tg.nn.conv2d_transpose(a, b, [2, 2, 8, 6], [1, 1, 2, 2], "SAME",
                                                   data_format="NCHW"), xc, w)
    close(got, tg.nn.conv2d_transpose(x, w, [2, 8, 6, 2], 2, "SAME").numpy().transpose(
        0, 3, 1, 2), 1e-5)
    grad_check(lambda a, b: tg.nn.conv2d_transpose(a, b, [1, 5, 4, 2], 2, "SAME"),
               rng.standard_normal((1, 3, 2, 3)), rng.standard_normal((2, 3, 2, 3)), tape=True)
    with pytest.raises(tg.TgError, match="not a size"):
        tg.nn.conv2d_transpose(x, w, [2, 11, 6, 2], 2, "SAME")
    with pytest.raises(tg.TgError, match="do not match"):
        tg.nn.conv2d_transpose(x, w, [2, 8, 6, 3], 2, "SAME")


# ---------------------------------------------------------------------------
# nn: pooling
# ---------------------------------------------------------------------------

def np_pool(x, kind, k, s, pads):
    """Channels-last pooling by the definition (padding left out)."""
    nd = len(k)
    sizes = x.shape[1:-1]
    outs = [(n + lo + hi - kk) // ss + 1 for n, (lo, hi), kk, ss in zip(sizes, pads, k, s)]
    out = np.zeros((x.shape[0],) + tuple(outs) + (x.shape[-1],), x.dtype)
    for o in np.ndindex(*outs):
        sl = []
        for i in range(nd):
            a = o[i] * s[i] - pads[i][0]
            sl.append(slice(max(a, 0), min(a + k[i], sizes[i])))
        win = x[(slice(None),) + tuple(sl) + (slice(None),)]
        axes = tuple(range(1, nd + 1))
        out[(slice(None),) + o + (slice(None),)] = win.max(axes) if kind == "max" else \
            win.mean(axes)
    return out


def test_pools():
    for nd, shape in [(1, (2, 9, 3)), (2, (2, 7, 6, 3)), (3, (1, 5, 6, 4, 2))]:
        x = rng.standard_normal(shape).astype(np.float32)
        for k, s, padding in [(2, 2, "VALID"), (3, 2, "SAME"), (3, 1, "SAME"), (2, 3, "SAME")]:
            pads = [_tf_same(n, k, s) if padding == "SAME" else (0, 0) for n in shape[1:-1]]
            for kind in ("max", "avg"):
                f = getattr(tg.nn, "%s_pool%dd" % (kind, nd))
                got = both(lambda v: f(v, k, s, padding), x)
                close(got, np_pool(x, kind, (k,) * nd, (s,) * nd, pads), 1e-5)
        # the rank-generic names and channels first
        xc = np.ascontiguousarray(np.moveaxis(x, -1, 1))
        got = both(lambda v: tg.nn.max_pool(v, 2, 2, "SAME", data_format=[
            "NCW", "NCHW", "NCDHW"][nd - 1]), xc)
        pads = [_tf_same(n, 2, 2) for n in shape[1:-1]]
        close(got, np.moveaxis(np_pool(x, "max", (2,) * nd, (2,) * nd, pads), -1, 1))
        close(tg.nn.avg_pool(x, 2, 1, "VALID"), np_pool(x, "avg", (2,) * nd, (1,) * nd,
                                                        [(0, 0)] * nd), 1e-5)
    # explicit padding; max pool pads with -inf (an all-negative input)
    x = -np.abs(rng.standard_normal((1, 4, 4, 1))).astype(np.float32) - 1
    pads = [[0, 0], [1, 1], [2, 0], [0, 0]]
    close(both(lambda v: tg.nn.max_pool2d(v, [1, 2, 3, 1], [1, 1, 2, 1], pads), x),
          np_pool(x, "max", (2, 3), (1, 2), [(1, 1), (2, 0)]))
    pads = [[0, 0], [1, 1], [1, 0], [0, 0]]
    close(both(lambda v: tg.nn.avg_pool2d(v, 2, 1, pads), x),
          np_pool(x, "avg", (2, 2), (1, 1), [(1, 1), (1, 0)]), 1e-6)
    # integers (max) and NaN (propagates)
    i = rng.integers(-9, 9, (1, 4, 4, 1)).astype(np.int32)
    close(tg.nn.max_pool2d(i, 2, 2, "SAME"), np_pool(i, "max", (2, 2), (2, 2), [(0, 0)] * 2))
    n = np.zeros((1, 2, 2, 1), np.float32)
    n[0, 0, 1, 0] = np.nan
    assert np.isnan(tg.nn.max_pool2d(n, 2, 2, "VALID").numpy()).all()
    # gradients: max routes to the first maximum of a window, as TF
    g = tg.grad(lambda v: tg.reduce_sum(tg.nn.max_pool2d(v, 2, 2, "VALID")))(
        np.ones((1, 2, 2, 1)))
    close(g, np.array([1.0, 0, 0, 0]).reshape(1, 2, 2, 1))
    xs = rng.permutation(np.arange(36.0)).reshape(1, 6, 6, 1) / 7.0  # no ties
    grad_check(lambda v: tg.nn.max_pool2d(v, 3, 2, "SAME"), xs, tape=True)
    grad_check(lambda v: tg.nn.avg_pool2d(v, 3, 2, "SAME"), rng.standard_normal((1, 5, 4, 2)))
    grad_check(lambda v: tg.nn.max_pool1d(v, 2, 1, "VALID"), xs[0, :, :1] + xs[0, :1, :])
    grad_check(lambda v: tg.nn.avg_pool3d(v, 2, 2, "SAME"), rng.standard_normal((1, 3, 3, 3, 1)))
    with pytest.raises(tg.TgError, match="ksize"):
        tg.nn.max_pool2d(x, [2, 2, 2], 1, "SAME")
    with pytest.raises(tg.TgError, match="rank-4"):
        tg.nn.avg_pool2d(x[0], 2, 1, "SAME")
    with pytest.raises(tg.TgTypeError):
        tg.nn.avg_pool2d(i, 2, 1, "SAME")
    with pytest.raises(tg.TgError, match="only padding"):
        tg.nn.avg_pool2d(x, 2, 1, [[0, 0], [2, 0], [0, 0], [0, 0]])


# ---------------------------------------------------------------------------
# nn: normalization, losses, dropout
# ---------------------------------------------------------------------------

def test_batch_normalization_and_moments():
    x = rng.standard_normal((4, 3)).astype(np.float32)
    mean, var = x.mean(0), x.var(0)
    off, sc = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3).astype(np.float32)
    check(lambda v, m, s2, o, g: tg.nn.batch_normalization(v, m, s2, o, g, 1e-3),
          lambda v, m, s2, o, g: (v - m) / np.sqrt(s2 + 1e-3) * g + o, x, mean, var, off, sc,
          tol=1e-5)
    close(tg.nn.batch_normalization(x, mean, var, None, None, 1e-3),
          (x - mean) / np.sqrt(var + 1e-3), 1e-5)
    m, v = both(lambda t: tg.nn.moments(t, [0]), x)
    close(m, mean)
    close(v, var, 1e-5)
    m, v = tg.nn.moments(x, [1], keepdims=True)
    close(v, x.var(1, keepdims=True), 1e-5)
    grad_check(lambda v, m, s2, o, g: tg.nn.batch_normalization(v, m, s2, o, g, 1e-3),
               x[:2], mean, var + 0.5, off, sc)
    close(tg.nn.bias_add(x, off), x + off)
    close(tg.nn.bias_add(x[:, :, None, None], off, data_format="NCHW"),
          x[:, :, None, None] + off[:, None, None])
    with pytest.raises(tg.TgError, match="channel"):
        tg.nn.bias_add(x, off[:2])
    close(tg.nn.l2_loss(x), np.float32((x ** 2).sum() / 2), 1e-5)
    close(tg.nn.l2_normalize(x, 1), x / np.linalg.norm(x, axis=1, keepdims=True), 1e-5)


def test_cross_entropies():
    logits = rng.standard_normal((4, 5)).astype(np.float32)
    labels = rng.dirichlet(np.ones(5), 4).astype(np.float32)
    lsm = logits - logits.max(1, keepdims=True)
    lsm = lsm - np.log(np.exp(lsm).sum(1, keepdims=True))
    check(lambda y, z: tg.nn.softmax_cross_entropy_with_logits(y, z),
          lambda y, z: -(y * lsm).sum(1), labels, logits)
    check(lambda y, z: tg.nn.softmax_cross_entropy_with_logits(y.T, z.T, axis=0),
          lambda y, z: -(y * lsm).sum(1), labels, logits)
    cls = np.array([0, 4, 2, 2], np.int32)
    check(lambda y, z: tg.nn.sparse_softmax_cross_entropy_with_logits(y, z),
          lambda y, z: -lsm[np.arange(4), y], cls, logits)
    check(lambda y, z: tg.nn.sparse_softmax_cross_entropy_with_logits(y, z),
          lambda y, z: -lsm[np.arange(4), y], cls.astype(np.int64), logits)
    # a -inf logit of another class does not make a NaN
    masked = logits.copy()
    masked[0, 3] = -np.inf
    assert np.isfinite(tg.nn.sparse_softmax_cross_entropy_with_logits(cls, masked).numpy()).all()
    # labels only known at run time and out of range give NaN (TF on GPU)
    got = tg.function(tg.nn.sparse_softmax_cross_entropy_with_logits)(
        np.array([0, 5, -1, 1], np.int32), logits)
    assert np.isfinite(got.numpy()[[0, 3]]).all() and np.isnan(got.numpy()[[1, 2]]).all()
    with pytest.raises(IndexError):
        tg.nn.sparse_softmax_cross_entropy_with_logits(np.array([0, 5, 1, 1]), logits)
    with pytest.raises(tg.TgError, match="without its last axis"):
        tg.nn.sparse_softmax_cross_entropy_with_logits(cls[:3], logits)
    with pytest.raises(tg.TgError, match="differ"):
        tg.nn.softmax_cross_entropy_with_logits(labels[:3], logits)
    z = rng.standard_normal((3, 2))
    y = rng.uniform(0, 1, (3, 2))
    check(lambda a, b: tg.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b),
          lambda a, b: np.maximum(b, 0) - b * a + np.log1p(np.exp(-np.abs(b))), y, z, tol=1e-12)
    grad_check(lambda y, z: tg.nn.softmax_cross_entropy_with_logits(y, z),
               labels[:2].astype(np.float64), logits[:2].astype(np.float64), tape=True)
    grad_check(lambda z: tg.nn.sparse_softmax_cross_entropy_with_logits(cls[:2], z),
               logits[:2].astype(np.float64))
    grad_check(lambda a, b: tg.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b), y, z)


def test_dropout():
    tg.random.set_seed(3)
    x = np.ones((200, 50), np.float32)
    y = tg.nn.dropout(x, 0.25).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.02
    close(y[kept], np.full(kept.sum(), 1 / 0.75, np.float32))
    close(tg.nn.dropout(x, 0.0), x)
    y = tg.nn.dropout(x, 0.5, noise_shape=[200, 1]).numpy()
    assert ((y == 0).all(1) | (y != 0).all(1)).all()
    with pytest.raises(tg.TgError, match="rate"):
        tg.nn.dropout(x, 1.0)
    # Inside tg.function: a new mask at every call (test_random.py has more).
    f = tg.function(lambda v: tg.nn.dropout(v, 0.5))
    assert not np.array_equal(f(x).numpy(), f(x).numpy())


def test_namespaces():
    assert tg.math.floor is tg.floor and tg.math.reduce_prod is tg.reduce_prod
    assert tg.math.round is tg.round and tg.nn.relu is tg.relu
    for name in tg.math.__all__:
        assert hasattr(tg.math, name), name
    for name in tg.nn.__all__:
        assert hasattr(tg.nn, name), name
    for name in tg.__all__:
        assert hasattr(tg, name), name


@pytest.mark.parametrize("stride", [1, 2, 3])
def test_gradients_of_overlapping_strided_slices(stride):
    """Nine strided windows of one padded tensor, as a depthwise filter or a
    pooling window reads them: their adjoints are scattered into zeros and
    added into one tensor window by window (tg.insert_slice). First and
    second derivatives (through the insert_slice adjoints) in f64 against
    finite differences."""
    x = rng.standard_normal((1, 6, 5, 2))
    w = rng.standard_normal((3, 3, 2))
    out_h, out_w = (6 + 2 - 3) // stride + 1, (5 + 2 - 3) // stride + 1

    def taps(x, w):
        xp = tg.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
        y = tg.add_n([xp[:, i:i + (out_h - 1) * stride + 1:stride,
                         j:j + (out_w - 1) * stride + 1:stride, :] * w[i, j]
                      for i in range(3) for j in range(3)])
        return tg.reduce_sum(tg.tanh(y) ** 2)

    step = tg.function(tg.value_and_grad(taps, argnums=(0, 1)))
    loss, (dx, dw) = step(x, w)
    close(dx, fd(lambda v: taps(v, w), x), 1e-6)
    close(dw, fd(lambda v: taps(x, v), w), 1e-6)

    # d/dx of <grad_x(taps), v>: the reverse pass differentiates the first
    # one's insert_slice ops.
    v = rng.standard_normal(x.shape)

    def directional(x):
        return tg.reduce_sum(tg.grad(taps, argnums=0)(x, w) * v)

    hv = tg.function(tg.grad(directional))(x)
    close(hv, fd(lambda u: directional(u), x), 1e-5)


def test_gradient_accumulation_never_writes_the_callers_arrays():
    """d/dx (sum(x * y) + sum(x[::2])): the strided slice's adjoint is added
    into the other adjoint, y itself. It must go to a new buffer: y is the
    caller's array (an adversarial tester saw y grow by one at each call)."""
    x, y = np.zeros(4), np.ones(4)
    f = tg.function(tg.grad(lambda x, y: tg.reduce_sum(x * y) + tg.reduce_sum(x[::2]),
                            argnums=0))
    for _ in range(3):
        close(f(x, y), [2.0, 1.0, 2.0, 1.0], 0)
        close(y, np.ones(4), 0)
    yt = tg.constant(np.ones(4))
    with tg.GradientTape() as tape:
        xt = tg.Variable(np.zeros(4))
        loss = tg.reduce_sum(xt * yt) + tg.reduce_sum(xt[::2])
    close(tape.gradient(loss, xt), [2.0, 1.0, 2.0, 1.0], 0)
    close(yt, np.ones(4), 0)
