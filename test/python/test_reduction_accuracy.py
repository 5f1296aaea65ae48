"""Reductions against float64 (issue 18): float32 sums within 2e-6 relative
of the float64 sum up to 1e8 elements, numpy's pairwise summation level or
better. The CPU pipeline splits large reductions into trees of partial
results (-tg-split-reductions); before it, a full sum of 10^8 values in
[1, 2) was 1.2e-2 off. Accuracy only: timings are in benchmarks/suite.py."""

import numpy as np
import pytest

import tg

rng = np.random.default_rng(18)


def sum64(x, axis=None):
    # The float64 reference, in chunks (a float64 copy of 10^8 values would
    # be 800 MB).
    if axis is not None:
        return x.astype(np.float64).sum(axis=axis)
    flat = x.reshape(-1)
    return sum(flat[i:i + (1 << 22)].astype(np.float64).sum()
               for i in range(0, flat.size, 1 << 22))


def rel(got, want):
    got = np.asarray(got, np.float64)
    return float(np.max(np.abs(got - want)) / np.max(np.abs(want)))


@pytest.fixture(params=[1, 0], ids=["1-thread", "all-threads"])
def threads(request):
    tg.set_num_threads(request.param)
    yield request.param
    tg.set_num_threads(0)


def test_the_issues_full_sum_of_10000x10000(threads):
    x = rng.uniform(1, 2, size=(10000, 10000)).astype(np.float32)
    want = sum64(x)
    assert rel(tg.function(lambda a: tg.reduce_sum(a))(x), want) < 2e-6
    # A fused body (x * x) splits the same way.
    sq = sum(float((x[i:i + 1000].astype(np.float64) ** 2).sum())
             for i in range(0, 10000, 1000))
    assert rel(tg.function(lambda a: tg.reduce_sum(a * a))(x), sq) < 2e-6


def test_a_flat_sum_of_1e8():
    x = rng.uniform(1, 2, size=10 ** 8).astype(np.float32)
    assert rel(tg.function(lambda a: tg.reduce_sum(a))(x), sum64(x)) < 2e-6
    assert rel(tg.function(lambda a: tg.reduce_mean(a))(x), sum64(x) / x.size) < 2e-6


def test_mean_of_matmul_the_tutorials_exercise():
    a = rng.uniform(0, 1, (2000, 2000)).astype(np.float32)
    b = rng.uniform(0, 1, (2000, 2000)).astype(np.float32)
    want = (a.astype(np.float64) @ b.astype(np.float64)).mean()
    assert rel(tg.function(lambda x, y: tg.reduce_mean(x @ y))(a, b), want) < 2e-6


@pytest.mark.parametrize("shape,axis", [
    ((200000, 64), 0),     # column sums: one sequential chain per output
    ((64, 200000), 1),     # row sums: vectorized along the row
    ((300, 3001, 7), 1),   # the middle axis, a prime length
    ((40, 500, 30), (0, 2)),  # two separated axes
    ((1000003,), None),    # a prime length: blocks and a remainder
    # A short innermost axis summed with an outer one: each group of 8 (or
    # 4, 2) is added to one running total per outer row, a sequential chain
    # (4096 per output was 2-3.5e-6 off before; found by an adversarial
    # tester).
    ((512, 50, 8), (0, 2)),
    ((1024, 200, 4), (0, 2)),
    ((2048, 100, 2), (0, 2)),
    ((7, 11, 13, 17, 19), (0, 2, 4)),
])
def test_sums_along_axes(shape, axis, threads):
    x = rng.uniform(1, 2, size=shape).astype(np.float32)
    got = tg.function(lambda a: tg.reduce_sum(a, axis=axis))(x)
    assert rel(got, sum64(x, axis)) < 2e-6


def test_dot_and_matrix_vector_products_split_too():
    # sum(x * y) looks like a contraction (a dot product) but has no
    # micro-kernel: it is split like any sum (found by a reviewer).
    x = rng.uniform(1, 2, 10 ** 7).astype(np.float32)
    y = rng.uniform(1, 2, 10 ** 7).astype(np.float32)
    assert rel(tg.function(lambda a, b: tg.reduce_sum(a * b))(x, y),
               sum64(x * y.astype(np.float64))) < 2e-6
    a = rng.uniform(1, 2, (64, 200000)).astype(np.float32)
    v = rng.uniform(1, 2, 200000).astype(np.float32)
    got = tg.function(lambda m, w: tg.reduce_sum(m * w, axis=1))(a, v)
    assert rel(got, (a.astype(np.float64) * v).sum(1)) < 2e-6


def test_max_min_and_nan_through_the_tree():
    x = rng.standard_normal(3 * 10 ** 6 + 1).astype(np.float32)
    f = tg.function(lambda a: (tg.reduce_max(a), tg.reduce_min(a)))
    mx, mn = f(x)
    assert float(mx) == x.max() and float(mn) == x.min()
    x[2 * 10 ** 6 + 17] = np.nan  # in a block, not the first
    mx, mn = f(x)
    assert np.isnan(mx) and np.isnan(mn)


def test_gradients_of_a_large_mean_are_exact():
    # d mean / dx = 1/n everywhere: the reverse sweep of a split reduction.
    x = rng.standard_normal((1000, 3000)).astype(np.float32)
    g = tg.grad(lambda a: tg.reduce_mean(a * a))(x)
    np.testing.assert_allclose(g, 2 * x / x.size, rtol=1e-6)
