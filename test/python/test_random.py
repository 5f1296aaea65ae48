"""tg.random: Philox draws computed in the compiled code, TF's seed rules,
eagerly and inside tg.function; tg.nn.dropout."""
import importlib.util
import os

import numpy as np
import pytest

import tg

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "npycheck", os.path.join(_here, "..", "Integration", "npycheck.py"))
npycheck = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(npycheck)


@pytest.fixture(autouse=True)
def _restore_seed():
    yield
    tg.random.set_seed(None)


def test_values_are_philox_bits():
    # uniform in float64 over [0, 1) is the raw 32-bit Philox word / 2^32;
    # the key is (seed word, counter): counter 0 right after set_seed.
    tg.random.set_seed(42)
    u = tg.random.uniform([3, 7], dtype=tg.float64, seed=9).numpy()
    tg.random.set_seed(42)
    word = tg.random._seed_word(9)
    want = npycheck.philox_uniform(np.array([word, 0], np.int64), (3, 7), np.float64)
    np.testing.assert_array_equal(u, want)
    # The second draw uses counter 1.
    v = tg.random.uniform([5], dtype=tg.float32, seed=9)
    want = npycheck.philox_uniform(np.array([word, 0], np.int64), (5,), np.float32)
    np.testing.assert_array_equal(v.numpy(), want)


def test_compiled_draws_follow_the_eager_sequence_and_differ_per_call():
    @tg.function
    def step(x):
        return x + tg.random.uniform([4]), tg.random.normal([3], seed=5)

    tg.random.set_seed(7)
    first, second = step(tg.zeros([4])), step(tg.zeros([4]))
    assert step.trace_count == 1
    assert not np.array_equal(first[0].numpy(), second[0].numpy())
    assert not np.array_equal(first[1].numpy(), second[1].numpy())
    # The same program order eagerly gives the same numbers.
    tg.random.set_seed(7)
    e = [tg.random.uniform([4]), tg.random.normal([3], seed=5),
         tg.random.uniform([4]), tg.random.normal([3], seed=5)]
    np.testing.assert_array_equal(first[0].numpy(), e[0].numpy())
    np.testing.assert_array_equal(first[1].numpy(), e[1].numpy())
    np.testing.assert_array_equal(second[0].numpy(), e[2].numpy())
    np.testing.assert_array_equal(second[1].numpy(), e[3].numpy())
    # set_seed restarts the sequence for the compiled function too.
    tg.random.set_seed(7)
    again = step(tg.zeros([4]))
    np.testing.assert_array_equal(again[0].numpy(), first[0].numpy())


def test_same_numbers_on_any_thread_count():
    @tg.function
    def draw():
        return tg.random.normal([300, 700])

    before = tg.get_num_threads()
    try:
        tg.random.set_seed(3)
        tg.set_num_threads(1)
        one = draw().numpy()
        tg.random.set_seed(3)
        tg.set_num_threads(2)
        two = draw().numpy()
    finally:
        tg.set_num_threads(before)
    np.testing.assert_array_equal(one, two)


def test_without_seeds_every_call_differs_and_distributions_hold():
    a, b = tg.random.uniform([1000]), tg.random.uniform([1000])
    assert not np.array_equal(a.numpy(), b.numpy())
    u = tg.random.uniform([200000], minval=-1.0, maxval=3.0).numpy()
    assert u.min() >= -1.0 and u.max() < 3.0
    assert abs(u.mean() - 1.0) < 0.02 and abs(u.var() - 16 / 12) < 0.02
    n = tg.random.normal([200000], mean=2.0, stddev=0.5, dtype=tg.float64).numpy()
    assert n.dtype == np.float64
    assert abs(n.mean() - 2.0) < 0.01 and abs(n.std() - 0.5) < 0.01
    # The tails: Box-Muller reaches beyond 4 sigma, with about the right mass.
    z = (n - 2.0) / 0.5
    assert abs((np.abs(z) > 2.5).mean() - 0.0124) < 0.002 and np.abs(z).max() > 4
    i = tg.random.uniform([70000], minval=-3, maxval=4, dtype=tg.int64).numpy()
    assert i.dtype == np.int64 and i.min() == -3 and i.max() == 3
    counts = np.bincount(i + 3)
    assert counts.min() > 9000 and counts.max() < 11000
    h = tg.random.normal([64], dtype=tg.float16)
    assert h.dtype == tg.float16 and np.isfinite(h.numpy()).all()
    b16 = tg.random.uniform([64], dtype=tg.bfloat16)
    assert b16.dtype == tg.bfloat16


def test_bad_arguments():
    with pytest.raises(tg.TgError, match="needs maxval"):
        tg.random.uniform([3], dtype=tg.int32)
    with pytest.raises(tg.TgError, match="minval < maxval"):
        tg.random.uniform([3], 5, 5, dtype=tg.int32)
    with pytest.raises(TypeError, match="float dtype"):
        tg.random.normal([3], dtype=tg.int32)
    with pytest.raises(tg.TgError, match="negative"):
        tg.random.normal([3, -1])
    with pytest.raises(TypeError, match="seed"):
        tg.random.normal([3], seed="one")
    with pytest.raises(TypeError, match="int or None"):
        tg.random.set_seed(1.5)

    @tg.function
    def reseed():
        tg.random.set_seed(1)
        return tg.zeros([1])
    with pytest.raises(tg.TgError, match="inside a tg.function"):
        reseed()


def test_draws_under_a_tape_have_no_gradient_and_do_not_break_it():
    x = tg.Variable([1.0, 2.0, 3.0])
    with tg.GradientTape() as tape:
        y = tg.reduce_sum(x * tg.random.uniform([3], minval=1.0, maxval=1.0000001))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [1.0, 1.0, 1.0])


def test_dropout():
    dropout = tg.nn.dropout
    tg.random.set_seed(11)
    x = tg.ones([100000])
    y = dropout(x, 0.25).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    np.testing.assert_array_equal(dropout(x, 0.0).numpy(), x.numpy())

    @tg.function
    def grad(v):
        with tg.GradientTape() as tape:
            tape.watch(v)
            out = tg.reduce_sum(dropout(v, 0.5, seed=3) * 3.0)
        return out, tape.gradient(out, v)
    out, g = grad(tg.ones([1000]))
    g = g.numpy()
    assert set(np.unique(g)) <= {0.0, 6.0}
    np.testing.assert_allclose(out.numpy(), g.sum(), rtol=1e-5)
    with pytest.raises(tg.TgError, match=r"rate must be in \[0, 1\)"):
        dropout(x, 1.0)
    with pytest.raises(TypeError, match="float tensor"):
        dropout(tg.constant([1, 2]), 0.5)
    with pytest.raises(tg.TgError, match="does not broadcast"):
        dropout(tg.ones([4, 3]), 0.5, noise_shape=[2, 3])
    # A noise_shape broadcast: whole rows are kept or dropped.
    rows = dropout(tg.ones([50, 8]), 0.5, noise_shape=[50, 1]).numpy()
    assert all(len(set(r)) == 1 for r in rows)


def test_set_seed_reaches_functions_traced_before_it():
    @tg.function
    def f():
        return tg.random.uniform([3]), tg.random.uniform([2], seed=4)
    f()
    tg.random.set_seed(1)
    a = [t.numpy() for t in f()]
    tg.random.set_seed(1)
    e = [tg.random.uniform([3]).numpy(), tg.random.uniform([2], seed=4).numpy()]
    tg.random.set_seed(2)
    b = f()[0].numpy()
    np.testing.assert_array_equal(a[0], e[0])
    np.testing.assert_array_equal(a[1], e[1])
    assert not np.array_equal(a[0], b)
    assert f.trace_count == 1


def test_integer_ranges_use_every_bit():
    tg.random.set_seed(0)
    q = tg.random.uniform([100000], minval=-2**31, maxval=2**31 - 1, dtype=tg.int32).numpy()
    assert q.min() < -2**30 and q.max() > 2**30 and 0.48 < (q > 0).mean() < 0.52
    q = tg.random.uniform([100000], minval=0, maxval=2**40, dtype=tg.int64).numpy()
    assert 0.48 < (q & 1).mean() < 0.52 and q.max() > 0.99 * 2**40
    with pytest.raises(tg.TgError, match="does not fit"):
        tg.random.uniform([3], minval=0, maxval=2**40, dtype=tg.int32)
    with pytest.raises(tg.TgError, match="wider than 2"):
        tg.random.uniform([3], minval=-2**62, maxval=2**62, dtype=tg.int64)


def test_half_precision_stays_below_maxval():
    u = tg.cast(tg.random.uniform([200000], dtype=tg.bfloat16), tg.float32).numpy()
    assert u.max() < 1.0
    u = tg.cast(tg.random.uniform([200000], 1.0, 2.0, dtype=tg.bfloat16), tg.float32).numpy()
    assert u.min() >= 1.0 and u.max() < 2.0
    h = tg.random.uniform([200000], -1.0, 3.0, dtype=tg.float16).numpy()
    assert h.min() >= -1.0 and h.max() < 3.0
    with pytest.raises(tg.TgError, match="minval < maxval"):
        tg.random.uniform([5], minval=2.0, maxval=1.0)
