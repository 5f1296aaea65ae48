"""The static memory planner (-tg-plan-memory) seen from Python: the plan
of a training step (one arena, bytes reused, at the lower bound's level)
and planned programs computing what numpy computes, loops included."""

import numpy as np
import pytest

import tg

rng = np.random.default_rng(20)


def mlp_step():
    def loss(x, y, w0, b0, w1, b1):
        h = tg.relu(tg.matmul(x, w0) + b0)
        logits = tg.matmul(h, w1) + b1
        return -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(logits, 1), 1))
    return tg.function(tg.value_and_grad(loss, argnums=(2, 3, 4, 5)))


def mlp_args():
    x = rng.standard_normal((128, 64)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 128)]
    w0 = (rng.standard_normal((64, 256)) / 8).astype(np.float32)
    w1 = (rng.standard_normal((256, 10)) / 16).astype(np.float32)
    return x, y, w0, np.zeros(256, np.float32), w1, np.zeros(10, np.float32)


@pytest.mark.parametrize("threads", [1, 0])
def test_a_training_step_reuses_its_buffers(threads):
    tg.set_num_threads(threads)
    try:
        step, args = mlp_step(), mlp_args()
        plan = step.memory_plan(*args)
    finally:
        tg.set_num_threads(0)
    assert set(plan) == {"arena_bytes", "lower_bound_bytes", "separate_bytes",
                         "buffers", "unplanned_bytes"}
    assert plan["buffers"] >= 5
    # Reuse happens, and the greedy plan is close to what is unavoidable.
    assert plan["lower_bound_bytes"] <= plan["arena_bytes"] < plan["separate_bytes"]
    assert plan["arena_bytes"] <= 1.25 * plan["lower_bound_bytes"] + 4096
    # The first activation alone (128 x 256 floats) is live across the step.
    assert plan["lower_bound_bytes"] >= 128 * 256 * 4


def test_planned_training_step_matches_numpy():
    step, args = mlp_step(), mlp_args()
    x, y, w0, b0, w1, b1 = (a.astype(np.float64) for a in args)
    loss, (g0, gb0, g1, gb1) = step(*args)
    a = x @ w0 + b0
    h = np.maximum(a, 0)
    z = h @ w1 + b1
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    dz = (p - y) / x.shape[0]
    dh = dz @ w1.T * (a > 0)
    np.testing.assert_allclose(loss, -(y * np.log(p)).sum(1).mean(), rtol=1e-5)
    np.testing.assert_allclose(g1, h.T @ dz, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(gb1, dz.sum(0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(g0, x.T @ dh, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(gb0, dh.sum(0), rtol=1e-4, atol=1e-6)


def test_planned_loop_bodies_match_numpy():
    # Buffers allocated in a loop body share the arena with the rest; a
    # buffer read in the loop stays live across it.
    @tg.function
    def f(x, w):
        s = x
        for i in tg.range(5):
            s = tg.tanh(s @ w) + x * 0.5
        return s, tg.reduce_sum(s * s)
    x = rng.standard_normal((32, 16)).astype(np.float32)
    w = (rng.standard_normal((16, 16)) / 4).astype(np.float32)
    s = x.astype(np.float64)
    for _ in range(5):
        s = np.tanh(s @ w) + x * 0.5
    got, total = f(x, w)
    np.testing.assert_allclose(got, s, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(total, (s * s).sum(), rtol=1e-5)
    assert f.memory_plan(x, w)["arena_bytes"] >= 0


def test_memory_plan_of_a_function_without_intermediates():
    plan = tg.function(lambda a: a + 1.0).memory_plan(np.zeros(4, np.float32))
    assert plan["buffers"] == 0 and plan["arena_bytes"] == 0


@pytest.mark.parametrize("threads", [2, 3])
def test_parallel_tiles_get_a_slice_per_worker(threads):
    """A convolution's tile loop is parallel at 2 or 3 threads: its patches
    and padded rows are planned too (a slice of the arena per worker), so
    nothing of that size is left unplanned, and the gradients are those of
    the sequential build. The batch (13 images, tiles of one image) does
    not split evenly over the workers."""
    def loss(x, w1, w2):
        h = tg.relu(tg.conv2d(x, w1, padding=(1, 1, 1, 1)))
        return tg.reduce_sum(tg.conv2d(h, w2, strides=2, padding=(1, 1, 1, 1)) ** 2)
    x = rng.standard_normal((13, 16, 16, 8)).astype(np.float32)
    w1 = (rng.standard_normal((3, 3, 8, 16)) / 8).astype(np.float32)
    w2 = (rng.standard_normal((3, 3, 16, 16)) / 12).astype(np.float32)
    results, plans = {}, {}
    for t in (1, threads):
        tg.set_num_threads(t)
        try:
            step = tg.function(tg.value_and_grad(loss, argnums=(0, 1, 2)))
            results[t] = step(x, w1, w2)
            plans[t] = step.memory_plan(x, w1, w2)
        finally:
            tg.set_num_threads(0)
    # One image's patches (16 x 16 x 72 floats) would be 73 KB.
    assert plans[threads]["unplanned_bytes"] < 16 * 16 * 72 * 4
    assert plans[threads]["lower_bound_bytes"] <= plans[threads]["arena_bytes"]
    (l1, g1), (lt, gt) = results[1], results[threads]
    np.testing.assert_allclose(lt, l1, rtol=1e-5)
    for a, b in zip(gt, g1):
        a, b = np.asarray(a), np.asarray(b)
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * np.abs(b).max())


def test_large_arenas_on_huge_pages_compute_what_numpy_does():
    """An arena of 4 MiB or more is advised to the kernel as transparent
    huge pages (-tg-advise-huge-pages calls libc's madvise after the
    allocation): the program still computes what numpy computes, through
    the JIT, and the plan says the arena is that large."""
    a = rng.standard_normal((1024, 1024)).astype(np.float32)
    b = rng.standard_normal((1024, 1024)).astype(np.float32)
    f = tg.function(lambda a, b: tg.matmul(tg.tanh(tg.matmul(a, b)), b))
    plan = f.memory_plan(a, b)
    assert plan["arena_bytes"] >= 4 << 20, plan
    want = np.tanh(a.astype(np.float64) @ b) @ b
    got = np.asarray(f(a, b), np.float64)
    assert np.abs(got - want).max() / np.abs(want).max() < 1e-5
