"""Run by test_distributed.py under `mpirun -np 2`: each check asserts on
every process and prints "rank R: NAME ok"."""
import os
import sys

import numpy as np

import tg

d = tg.distribute
rank, size = d.rank(), d.size()


def ok(name):
    print("rank %d: %s ok" % (rank, name), flush=True)


def collectives():
    assert size == 2 and rank == int(os.environ["OMPI_COMM_WORLD_RANK"])
    mine = np.arange(6, dtype=np.float32).reshape(2, 3) + 10 * rank
    both = [np.arange(6, dtype=np.float32).reshape(2, 3) + 10 * r for r in range(2)]
    expected = {"sum": both[0] + both[1], "mean": (both[0] + both[1]) / 2,
                "max": np.maximum(*both), "min": np.minimum(*both)}

    @tg.function
    def compiled(x, kind):
        return d.all_reduce(x, kind)
    for kind, want in expected.items():
        np.testing.assert_array_equal(d.all_reduce(mine, kind.upper()).numpy(), want)
        np.testing.assert_array_equal(compiled(mine, kind).numpy(), want)
    ints = np.array([rank + 1, 5 * rank], np.int64)
    np.testing.assert_array_equal(d.all_reduce(ints, d.ReduceOp.SUM).numpy(), [3, 5])
    np.testing.assert_array_equal(d.broadcast(mine, root=1).numpy(), both[1])

    @tg.function
    def bcast(x):
        return d.broadcast(x, 0)
    np.testing.assert_array_equal(bcast(mine).numpy(), both[0])
    # Scalars (a loss, a metric) and empty tensors.
    np.testing.assert_array_equal(d.all_reduce(np.float32(rank + 1), "mean").numpy(), 1.5)
    np.testing.assert_array_equal(compiled(np.float64(rank), "max").numpy(), 1.0)
    np.testing.assert_array_equal(d.broadcast(np.int64(7 + rank), 1).numpy(), 8)
    assert d.all_reduce(np.zeros((0, 3), np.float32), "sum").shape == (0, 3)
    strategy = d.MirroredStrategy()
    assert strategy.num_replicas_in_sync == 2
    batch = np.arange(8, dtype=np.float32).reshape(4, 2)
    np.testing.assert_array_equal(strategy.shard(batch), batch[2 * rank:2 * rank + 2])
    try:
        strategy.shard(np.ones(3))
        raise AssertionError("a batch of 3 split over 2 processes")
    except tg.TgError as e:
        assert "does not split over 2 processes" in str(e)
    np.testing.assert_array_equal(
        strategy.reduce("sum", tg.constant(mine), axis=None).numpy(), expected["sum"])
    ok("collectives")


def mlp_args(rng):
    x = rng.standard_normal((16, 5)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 16)]
    w1 = (rng.standard_normal((5, 8)) * 0.5).astype(np.float32)
    w2 = (rng.standard_normal((8, 3)) * 0.5).astype(np.float32)
    return x, y, w1, w2


def loss(x, y, w1, w2):
    h = tg.tanh(tg.matmul(x, w1))
    return -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(tg.matmul(h, w2)), axis=1))


def gradients():
    x, y, w1, w2 = mlp_args(np.random.default_rng(3))
    strategy = d.MirroredStrategy()
    single = tg.function(tg.grad(loss, argnums=(2, 3)))(x, y, w1, w2)

    @tg.function
    def replica_grads(x, y, w1, w2):
        g1, g2 = tg.grad(loss, argnums=(2, 3))(x, y, w1, w2)
        # Averaged inside the compiled step: the all-reduce is in the graph.
        return d.all_reduce(g1, "mean"), d.all_reduce(g2, "mean")
    got = strategy.run(replica_grads, (strategy.shard(x), strategy.shard(y), w1, w2))
    for g, s in zip(got, single):
        np.testing.assert_allclose(g.numpy(), s.numpy(), rtol=1e-5, atol=1e-7)
    ok("gradients")


def training():
    x, y, w1, w2 = mlp_args(np.random.default_rng(4))
    strategy = d.MirroredStrategy()
    with strategy.scope():
        v1, v2 = tg.Variable(w1), tg.Variable(w2)
    r1, r2 = tg.Variable(w1), tg.Variable(w2)

    @tg.function
    def step(x, y):
        with tg.GradientTape() as tape:
            l = loss(x, y, v1, v2)
        g1, g2 = tape.gradient(l, [v1, v2])
        v1.assign_sub(0.5 * d.all_reduce(g1, "mean"))
        v2.assign_sub(0.5 * d.all_reduce(g2, "mean"))
        return l

    @tg.function
    def single_step(x, y):
        with tg.GradientTape() as tape:
            l = loss(x, y, r1, r2)
        g1, g2 = tape.gradient(l, [r1, r2])
        r1.assign_sub(0.5 * g1)
        r2.assign_sub(0.5 * g2)
        return l
    xs, ys = strategy.shard(x), strategy.shard(y)
    for _ in range(20):
        strategy.run(step, (xs, ys))
        single_step(x, y)
    for v, r in ((v1, r1), (v2, r2)):
        # The same weights on both processes, bit for bit...
        hi = d.all_reduce(v.numpy(), "max").numpy()
        lo = d.all_reduce(v.numpy(), "min").numpy()
        np.testing.assert_array_equal(hi, lo)
        # ... and those of the single-process run.
        np.testing.assert_allclose(v.numpy(), r.numpy(), rtol=1e-5, atol=1e-6)
    ok("training")


def nan_and_disagreement():
    # NaN on any process propagates through max and min (numpy's rule).
    x = np.array([np.nan, 1.0, np.nan, -np.inf], np.float32) if rank == 0 else \
        np.array([1.0, np.nan, np.nan, np.inf], np.float32)
    np.testing.assert_array_equal(d.all_reduce(x, "max").numpy(),
                                  [np.nan, np.nan, np.nan, np.inf])
    np.testing.assert_array_equal(d.all_reduce(x, "min").numpy(),
                                  [np.nan, np.nan, np.nan, -np.inf])
    # Processes that disagree on a collective get an error, all of them, and
    # the job goes on.
    cases = [(np.ones(6 if rank == 0 else 12, np.float32), "sum", "element count"),
             (np.ones(4, np.float32 if rank == 0 else np.float64), "sum", "element type"),
             (np.ones(4, np.float32), "sum" if rank == 0 else "max", "reduction or root")]
    for value, kind, field in cases:
        try:
            d.all_reduce(value, kind)
            raise AssertionError("no error for a disagreement on the " + field)
        except tg.TgError as e:
            assert "the processes of the job disagree on the " + field in str(e), str(e)
    try:
        d.broadcast(np.ones(3, np.float32), root=rank)
        raise AssertionError("no error for different roots")
    except tg.TgError as e:
        assert "disagree on the reduction or root" in str(e), str(e)
    np.testing.assert_array_equal(d.all_reduce(np.ones(2, np.float32)).numpy(), [2, 2])
    ok("nan_and_disagreement")


def tie_gradients():
    # Max over processes: the processes holding the maximum share the sum
    # of the adjoints (2 processes x 1 each); with a tie, half each.
    x = np.array([1.0, 5.0, 2.0], np.float32) + np.array([rank, 0.0, -rank], np.float32)
    g = tg.function(tg.grad(lambda x: tg.reduce_sum(d.all_reduce(x, "max"))))(x).numpy()
    want = {0: [0.0, 1.0, 2.0], 1: [2.0, 1.0, 0.0]}[rank]
    np.testing.assert_allclose(g, want)
    ok("tie_gradients")


def uncaught():
    # Process 0 fails with a Python exception while process 1 waits for it
    # in a collective: the job ends (the exception aborts it).
    if rank == 0:
        raise RuntimeError("a bug in process 0")
    d.all_reduce(np.ones(4, np.float32), "sum")
    ok("uncaught (unexpected)")


def die():
    # Process 1 dies; process 0's all-reduce must end with an error.
    if rank == 1:
        os._exit(3)
    d.all_reduce(np.ones(4, np.float32), "sum")
    ok("die (unexpected)")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        globals()[name]()
