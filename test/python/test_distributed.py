"""tg.distribute: one process without mpirun, and jobs of two processes
under mpirun (mpi_worker.py): collectives eagerly and compiled, gradients
of a global batch split over processes, 20 data-parallel SGD steps, and a
job whose other process dies."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import tg

HERE = os.path.dirname(os.path.abspath(__file__))
d = tg.distribute


def test_outside_a_job_there_is_one_process():
    assert (d.rank(), d.size()) == (0, 1)
    x = np.arange(4, dtype=np.float32)
    for kind in ("sum", "MEAN", d.ReduceOp.MAX, "min"):
        np.testing.assert_array_equal(d.all_reduce(x, kind).numpy(), x)
    np.testing.assert_array_equal(d.broadcast(x, 0).numpy(), x)

    @tg.function
    def f(x):
        return d.all_reduce(x, "sum") * 2.0
    np.testing.assert_array_equal(f(x).numpy(), 2 * x)
    s = d.MirroredStrategy()
    assert s.num_replicas_in_sync == 1
    np.testing.assert_array_equal(s.shard(np.ones((4, 2))), np.ones((4, 2)))
    np.testing.assert_array_equal(s.reduce("sum", tg.constant(x), axis=0).numpy(), 6.0)


def test_gradients_through_collectives_in_one_process():
    x = np.array([1.0, -2.0, 3.0], np.float32)

    def f(x):
        return tg.reduce_sum(d.all_reduce(x * x, "sum") + d.broadcast(x, 0))
    g = tg.function(tg.grad(f))(x)
    np.testing.assert_allclose(g.numpy(), 2 * x + 1)


def test_collective_errors():
    x = np.ones(3, np.float32)
    with pytest.raises(tg.TgTypeError, match="unknown reduction 'prod'"):
        d.all_reduce(x, "prod")
    with pytest.raises(tg.TgTypeError, match="float16 tensors cannot be reduced"):
        d.all_reduce(x.astype(np.float16))
    with pytest.raises(tg.TgError, match=r"test_distributed\.py:\d+: error: .*root 1 is "
                                         r"not a process of this job \(size 1\)"):
        d.broadcast(x, root=1)
    with pytest.raises(tg.TgTypeError, match="root must be a process index"):
        d.broadcast(x, root="0")
    with pytest.raises(tg.TgTypeError, match="mean of int32 tensors would truncate"):
        d.all_reduce(np.ones(3, np.int32), "mean")
    with pytest.raises(tg.TgTypeError, match="not a scalar"):
        d.MirroredStrategy().shard(np.float32(3))
    # Scalars in one process.
    assert d.all_reduce(np.float32(2.5), "mean").numpy() == 2.5


def mpirun(*checks, timeout=240):
    launcher = shutil.which("mpirun")
    if launcher is None:
        pytest.fail("mpirun is not installed (scripts/setup.sh installs openmpi-bin)")
    command = [launcher, "--oversubscribe", "-np", "2"]
    if os.geteuid() == 0:
        command.append("--allow-run-as-root")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.join(HERE, "..", "..", "python")] +
        [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    # OpenMPI sends PYTHONPATH along only when told to.
    command += ["-x", "PYTHONPATH", sys.executable, os.path.join(HERE, "mpi_worker.py")]
    return subprocess.run(command + list(checks), capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.mark.parametrize("check", ["collectives", "gradients", "training",
                                   "tie_gradients", "nan_and_disagreement"])
def test_a_job_of_two_processes(check):
    run = mpirun(check)
    assert run.returncode == 0, run.stdout + run.stderr
    for rank in (0, 1):
        assert "rank %d: %s ok" % (rank, check) in run.stdout, run.stdout


def test_a_job_whose_other_process_dies_ends_with_an_error():
    # Not a hang: mpirun ends the job when a process exits early (the
    # timeout fails the test if it does not).
    run = mpirun("die", timeout=120)
    assert run.returncode != 0
    assert "die (unexpected)" not in run.stdout


def test_an_uncaught_exception_ends_the_job():
    # The exception's process aborts the job: the process waiting for it in
    # an all-reduce does not hang (its normal exit would wait in
    # MPI_Finalize).
    run = mpirun("uncaught", timeout=120)
    assert run.returncode != 0
    assert "a bug in process 0" in run.stderr
    assert "uncaught (unexpected)" not in run.stdout


def test_collectives_are_kernels_in_profiles():
    # The time spent communicating (and waiting for the other processes)
    # is a kernel of its own in a profile, on the all_reduce's line.
    @tg.function
    def f(x):
        return d.all_reduce(tg.exp(x), "mean")  # the collective
    x = np.ones(1000, np.float32)
    f(x)
    with tg.profiler.trace() as prof:
        f(x)
    kernels = [e for e in prof.events() if e.get("cat") == "kernel"]
    reduce = [k for k in kernels if k["name"] == "all_reduce"]
    assert len(reduce) == 1, [k["name"] for k in kernels]
    assert reduce[0]["args"]["bytes"] == 8000 and reduce[0]["args"]["flops"] == 0
    with open(__file__) as source:
        line = [i + 1 for i, l in enumerate(source) if "# the collective" in l][0]
    assert reduce[0]["args"]["source_lines"] == "test_distributed.py:%d" % line
