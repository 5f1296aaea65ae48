"""tg.distribute: data parallelism over MPI, with TF's names.

A job is the processes `mpirun -np N python3 train.py` starts (OpenMPI);
outside one, a job has one process and everything still runs. Each process
is one replica (`MirroredStrategy`): it computes on its shard of the global
batch, and `all_reduce` (the `tg.all_reduce` op, inside a `tg.function`
part of the compiled graph) averages the gradients, so every replica
applies the same update. `rank()`, `size()`, `all_reduce()` and
`broadcast()` work eagerly and inside `tg.function`. See
docs/distributed.md.
"""
import contextlib
import enum
import os
import sys

import numpy as np

from . import _capi, _dtypes, _ops
from ._errors import TgTypeError, error


def _in_mpi_job():
    return any(name in os.environ for name in
               ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"))


def _abort_job_on_uncaught_exception():
    """In an MPI job, an uncaught exception ends the whole job: the other
    processes may be waiting for this one in a collective, and a normal
    exit (whose MPI_Finalize waits for them) would hang the job."""
    previous = sys.excepthook

    def hook(kind, value, tb):
        previous(kind, value, tb)
        sys.stderr.flush()
        _capi.lib.tgDistributedAbort(1)
    sys.excepthook = hook


if _in_mpi_job():
    _abort_job_on_uncaught_exception()


class ReduceOp(enum.Enum):
    SUM = "sum"
    MEAN = "mean"
    MAX = "max"
    MIN = "min"


def _reduce_op(op):
    if isinstance(op, ReduceOp):
        return op
    if isinstance(op, str) and op.lower() in ("sum", "mean", "max", "min"):
        return ReduceOp(op.lower())
    raise error("unknown reduction %r (use 'sum', 'mean', 'max', 'min' or "
                "tg.distribute.ReduceOp)" % (op,), TgTypeError)


def rank():
    """This process's index in the job (0 outside an MPI job)."""
    return int(_capi.lib.tgDistributedRank())


def size():
    """The number of processes in the job (1 outside an MPI job)."""
    return int(_capi.lib.tgDistributedSize())


_COLLECTIVE_DTYPES = ("float32", "float64", "int32", "int64")


def _collective_operand(x, what):
    x = _ops.operand(x)
    if isinstance(x, np.ndarray) or not hasattr(x, "shape"):
        x = _ops.constant(x)
    if str(x.dtype) not in _COLLECTIVE_DTYPES:
        raise error("tg.distribute.%s: %s tensors cannot be reduced over processes "
                    "(tg's collectives take %s; cast first)"
                    % (what, _dtypes.name(x.dtype), ", ".join(_COLLECTIVE_DTYPES)), TgTypeError)
    return x


def all_reduce(x, op="sum"):
    """The elementwise reduction of x over the job's processes ("sum",
    "mean", "max", "min", case-insensitive, or a ReduceOp): every process
    gets it (MPI_Allreduce). One process: x. Differentiable."""
    kind = _reduce_op(op).value
    x = _collective_operand(x, "all_reduce")
    if kind == "mean" and not _dtypes.is_float(x.dtype):
        raise error("tg.distribute.all_reduce: the mean of %s tensors would truncate; "
                    "cast to a float type, or sum and divide" % x.dtype, TgTypeError)
    return _ops.apply("all_reduce", _ops.b_all_reduce, [x], kind=kind)


def broadcast(x, root=0):
    """Process root's x, on every process (MPI_Bcast)."""
    if isinstance(root, bool) or not isinstance(root, (int, np.integer)):
        raise error("tg.distribute.broadcast: root must be a process index (int), "
                    "not %r" % (root,), TgTypeError)
    if not 0 <= int(root) < size():
        raise error("tg.distribute.broadcast: root %d is not a process of this job "
                    "(size %d)" % (root, size()))
    x = _collective_operand(x, "broadcast")
    return _ops.apply("broadcast_from", _ops.b_broadcast_from, [x], root=int(root))


class MirroredStrategy:
    """One replica per process of the job (tf.distribute.MirroredStrategy
    with one device per process, or MultiWorkerMirroredStrategy): `run`
    calls the step on this process's replica, `reduce` combines a value
    over the replicas, `shard` takes this process's slice of a global
    batch. Gradients are averaged with `all_reduce(g, "mean")` inside the
    compiled step (TF's optimizers do it inside apply_gradients)."""

    def __init__(self, devices=None, cross_device_ops=None):
        self.num_replicas_in_sync = size()

    @contextlib.contextmanager
    def scope(self):
        yield self

    def run(self, fn, args=(), kwargs=None):
        if not callable(fn):
            raise error("MirroredStrategy.run: %r is not a function" % (fn,), TgTypeError)
        if not isinstance(args, (list, tuple)):
            raise error("MirroredStrategy.run: args is a tuple of arguments, got %r (write "
                        "args=(x,) for one)" % (args,), TgTypeError)
        return fn(*args, **(kwargs or {}))

    def reduce(self, reduce_op, value, axis=None):
        op = _reduce_op(reduce_op)
        value = all_reduce(value, op.value)
        if axis is None:
            return value
        return {ReduceOp.SUM: _ops.reduce_sum, ReduceOp.MEAN: _ops.reduce_mean,
                ReduceOp.MAX: _ops.reduce_max, ReduceOp.MIN: _ops.reduce_min}[op](
                    value, axis=axis)

    def shard(self, batch):
        """This process's slice of a global batch (its first axis)."""
        n, r = size(), rank()
        if np.ndim(batch) == 0:
            raise error("tg.distribute: shard takes a batch (an array with a first "
                        "axis), not a scalar", TgTypeError)
        total = len(batch)
        per = total // n
        if per * n != total:
            raise error("tg.distribute: a batch of %d does not split over %d processes"
                        % (total, n))
        return batch[r * per:(r + 1) * per]


__all__ = ["ReduceOp", "rank", "size", "all_reduce", "broadcast", "MirroredStrategy"]
