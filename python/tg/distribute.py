"""tg.distribute: TF's distribution API, for a job of one process.

`MirroredStrategy` runs one replica per process of the job. Multi-process
jobs over MPI (`tg.all_reduce` in the dialect, `mpirun -np N`) are the
distribution issue's work; until then a job has one process, and every
call here has the value TF gives with one replica: `all_reduce` and
`broadcast` return their input, `reduce` reduces over `axis` only, and
`shard` returns the whole batch.
"""
import contextlib
import enum

from . import _ops
from ._errors import TgTypeError, error


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
    """This process's index in the job."""
    return 0


def size():
    """The number of processes in the job."""
    return 1


def all_reduce(x, op="sum"):
    """The reduction of x over the job's processes (one process: x)."""
    _reduce_op(op)
    return _ops.identity(x)


def broadcast(x, root=0):
    """Process root's x, on every process."""
    if not 0 <= int(root) < size():
        raise error("tg.distribute.broadcast: root %d is not a process of this job "
                    "(size %d)" % (root, size()))
    return _ops.identity(x)


class MirroredStrategy:
    """One replica per process (tf.distribute.MirroredStrategy)."""

    def __init__(self, devices=None, cross_device_ops=None):
        self.num_replicas_in_sync = size()

    @contextlib.contextmanager
    def scope(self):
        yield self

    def run(self, fn, args=(), kwargs=None):
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
        total = len(batch)
        per = total // n
        if per * n != total:
            raise error("tg.distribute: a batch of %d does not split over %d processes"
                        % (total, n))
        return batch[r * per:(r + 1) * per]


__all__ = ["ReduceOp", "rank", "size", "all_reduce", "broadcast", "MirroredStrategy"]
