"""tg.random: random tensors, eagerly (TF's names and seed rules).

Numbers come from numpy's Philox 4x64 counter-based generator, keyed by the
global seed (`set_seed`) and the op seed (`seed=`), as TF's rules say: with
a global seed, a program's sequence of draws is the same on every run, and
`set_seed` restarts it; with neither seed, every call draws new numbers.

Only eager draws exist so far: inside a `tg.function` a draw must happen at
every call, which needs a generator in the compiled code (the op-set issue);
tg raises a clear error there rather than freezing numbers at trace time.
"""
import threading

import numpy as np

from . import _dtypes, _graph, _ops
from ._errors import error

_lock = threading.Lock()
_state = {"global_seed": None, "counter": 0, "fresh": np.random.SeedSequence()}


def set_seed(seed):
    """Sets the global seed and restarts the sequence of draws."""
    with _lock:
        _state["global_seed"] = None if seed is None else int(seed)
        _state["counter"] = 0


def _generator(seed):
    with _lock:
        global_seed, n = _state["global_seed"], _state["counter"]
        _state["counter"] += 1
        if global_seed is None and seed is None:
            entropy = _state["fresh"].spawn(1)[0]
            return np.random.Generator(np.random.Philox(entropy))
    key = [global_seed if global_seed is not None else 87654321,
           seed if seed is not None else n, n]
    return np.random.Generator(np.random.Philox(np.random.SeedSequence(key)))


def _check_eager(name):
    if _graph.current() is not None:
        raise error("tg.random.%s inside a tg.function: a draw must happen at every "
                    "call, which needs the compiled random generator tg does not have "
                    "yet; draw outside the function and pass the tensor in" % name)


def _shape(shape):
    return tuple(int(d) for d in (shape.numpy() if hasattr(shape, "numpy") else shape))


def normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None, name=None):
    """Normally distributed values (tf.random.normal)."""
    _check_eager("normal")
    dtype = _dtypes.as_dtype(dtype)
    if dtype.kind != "f":
        raise error("tg.random.normal needs a float dtype, got %s" % dtype)
    values = _generator(seed).normal(mean, stddev, _shape(shape))
    return _ops.constant(values.astype(dtype))


def uniform(shape, minval=0, maxval=None, dtype=_dtypes.float32, seed=None, name=None):
    """Uniform values in [minval, maxval) (tf.random.uniform); integer dtypes
    need maxval."""
    _check_eager("uniform")
    dtype = _dtypes.as_dtype(dtype)
    g = _generator(seed)
    if dtype.kind in "iu":
        if maxval is None:
            raise error("tg.random.uniform: an integer dtype needs maxval")
        values = g.integers(minval, maxval, _shape(shape))
    else:
        values = g.uniform(minval, 1.0 if maxval is None else maxval, _shape(shape))
    return _ops.constant(values.astype(dtype))


__all__ = ["set_seed", "normal", "uniform"]
