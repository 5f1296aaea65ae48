"""tg.random: random tensors with TF's names and seed rules, eagerly and
inside tg.function.

Numbers come from `tg.random_uniform`, Philox 4x32-10 computed in the
compiled code: a draw's values depend only on its key, so a seed gives the
same numbers on every target and thread count, eagerly and compiled.

A key is two 64-bit words. The first mixes the global seed (`set_seed`) and
the op seed (`seed=`); the second is the value of a counter Variable that
every draw advances by one. As a Variable, the counter is state inside a
tg.function: it is read when the function is *called* and written back when
the call returns, so every call (eager or compiled) draws new numbers, and
the sequence of draws of a program is the same on every run after
`set_seed`, which restarts the counter. Without any seed, the first word is
chosen at random once per process (TF's rule: every run differs).
"""
import math
import os
import threading

import numpy as np

from . import _dtypes, _graph, _ops
from ._errors import TgTypeError, error

_lock = threading.Lock()
_state = {"global_seed": None, "counter": None,
          "process_seed": int.from_bytes(os.urandom(8), "little") >> 1}
_MASK = (1 << 64) - 1
_DEFAULT_GLOBAL_SEED = 87654321  # TF's seed when only the op seed is set


def _counter():
    """The counter Variable (created on first use, outside any trace)."""
    with _lock:
        if _state["counter"] is None:
            from ._variables import Variable
            # Eager state even when the first draw is traced (a trace cannot
            # create Variables): tracing(None) steps out of the trace.
            with _graph.tracing(None):
                _state["counter"] = Variable(np.int64(0), trainable=False,
                                             name="tg.random/counter")
        return _state["counter"]


def set_seed(seed):
    """Sets the global seed and restarts the sequence of draws
    (tf.random.set_seed)."""
    if _graph.current() is not None:
        raise error("tg.random.set_seed inside a tg.function: set the seed "
                    "before calling it (as in TF)")
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise error("tg.random.set_seed needs an int or None, got %r" % (seed,),
                    TgTypeError)
    counter = _counter()
    with _lock:
        _state["global_seed"] = None if seed is None else int(seed)
    counter.assign(np.int64(0))


def _mix(x):
    """splitmix64's finalizer: spreads the seeds over all 64 bits."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _seed_word(seed):
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise error("seed= must be an int or None, got %r" % (seed,), TgTypeError)
    global_seed = _state["global_seed"]
    if global_seed is None and seed is None:
        base = _state["process_seed"]
    else:
        base = _DEFAULT_GLOBAL_SEED if global_seed is None else global_seed
    word = _mix(_mix(base & _MASK) ^ ((int(seed) & _MASK) if seed is not None else 0))
    return np.int64(word - (1 << 64) if word >> 63 else word)


def _key(seed):
    """The key of one draw: a tensor<2xi64> (traced or eager), advancing the
    counter."""
    word = _seed_word(seed)
    counter = _counter()
    if _graph.current() is None:
        with counter._lock:
            c = counter.numpy().copy()
            counter.assign_add(np.int64(1))
        return _ops.constant(np.array([word, c], np.int64))
    c = counter.read_value()
    counter.assign_add(np.int64(1))
    return _ops.concat([_ops.constant(np.array([word], np.int64)),
                        _ops.reshape(c, [1])], axis=0)


def _shape(shape):
    if hasattr(shape, "numpy"):
        shape = shape.numpy()
    try:
        dims = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    except (TypeError, ValueError):
        raise error("a random shape must be a list of ints, got %r" % (shape,),
                    TgTypeError) from None
    if any(d < 0 for d in dims):
        raise error("a random shape cannot have negative dimensions: %r" % (dims,))
    return dims


def _float_dtype(op, dtype):
    dtype = _dtypes.as_dtype(dtype)
    if dtype.kind != "f" and dtype != _dtypes.bfloat16:
        raise error("tg.random.%s needs a float dtype, got %s" % (op, dtype), TgTypeError)
    return dtype


def _b_uniform(key, shape, dtype):
    g = _ops.current_graph()
    (r,) = g.emit("tg.random_uniform", [key], [(shape, dtype)],
                  types="%s -> %s" % (key.type, _ops.mlir_type(shape, dtype)))
    return r


def _b_scaled(key, shape, dtype, low, high):
    """low + (high - low) * u, never reaching `high` through rounding (it is
    clamped to the float below). bfloat16 computes in float32 and rounds
    once, which can round onto `high` for ranges other than [0, 1)."""
    g = _ops.current_graph()
    work = np.dtype(np.float32) if dtype == _dtypes.bfloat16 else dtype
    u = _b_uniform(key, shape, work)
    if (low, high) != (0.0, 1.0):
        span = _ops.constant_node(g, np.array(high - low, work))
        base = _ops.constant_node(g, np.array(low, work))
        u = _ops.b_binary(_ops.b_binary(u, span, "mul"), base, "add")
        below = np.nextafter(np.array(high, work), np.array(-np.inf, work))
        u = _ops.b_binary(u, _ops.constant_node(g, below), "minimum")
    return u if work == dtype else _ops.b_cast(u, dtype)


def _b_integers(key, shape, dtype, low, high):
    """floor(u * (high - low)) + low with a 32-bit u in f64: each value in
    [low, high), off uniform by at most (high - low) / 2^32 (TF's integer
    uniform is biased by the same order)."""
    g = _ops.current_graph()
    u = _b_uniform(key, shape, np.dtype(np.float64))
    span = _ops.constant_node(g, np.array(float(high - low)))
    scaled = _ops.b_unary(_ops.b_binary(u, span, "mul"), "floor")
    ints = _ops.b_cast(scaled, dtype)
    return _ops.b_binary(ints, _ops.constant_node(g, np.array(low, dtype)), "add")


def _b_normal(key, shape, dtype, mean, stddev):
    """Box-Muller on two uniforms (computed in f32 for f16/bf16, rounded
    once)."""
    g = _ops.current_graph()
    work = np.dtype(np.float64) if dtype == np.float64 else np.dtype(np.float32)
    n = int(np.prod(shape))
    u = _b_uniform(key, (2, n), work)
    c = lambda v: _ops.constant_node(g, np.array(v, work))  # noqa: E731
    u1 = _ops.b_slice(u, [(0, 1, 1), (0, n, 1)])
    u2 = _ops.b_slice(u, [(1, 2, 1), (0, n, 1)])
    # 1 - u1 is in (0, 1]: its log is finite.
    radius = _ops.b_unary(_ops.b_binary(
        _ops.b_unary(_ops.b_binary(c(1.0), u1, "sub"), "log"), c(-2.0), "mul"), "sqrt")
    angle = _ops.b_binary(u2, c(2.0 * math.pi), "mul")
    z = _ops.b_binary(radius, _ops.b_unary(angle, "cos"), "mul")
    z = _ops.b_binary(_ops.b_binary(z, c(stddev), "mul"), c(mean), "add")
    if work != dtype:
        z = _ops.b_cast(z, dtype)
    return _ops.b_reshape(z, tuple(shape))


def _scalar(v, what):
    if hasattr(v, "numpy"):
        v = v.numpy()
    a = np.asarray(v)
    if a.size != 1:
        raise error("tg.random: %s must be a scalar here, got shape %s" % (what, a.shape),
                    TgTypeError)
    return a.reshape(()).item()


def uniform(shape, minval=0, maxval=None, dtype=_dtypes.float32, seed=None, name=None):
    """Uniform values in [minval, maxval) (tf.random.uniform); integer dtypes
    need maxval."""
    dtype = _dtypes.as_dtype(dtype)
    shape = _shape(shape)
    low = _scalar(minval, "minval")
    if dtype.kind in "iu":
        if maxval is None:
            raise error("tg.random.uniform: an integer dtype needs maxval")
        high = _scalar(maxval, "maxval")
        if not high > low:
            raise error("tg.random.uniform: needs minval < maxval, got %r and %r" %
                        (low, high))
        return _ops.apply("random_integers", _b_integers, [_key(seed)], shape=shape,
                          dtype=dtype, low=int(low), high=int(high))
    high = 1.0 if maxval is None else _scalar(maxval, "maxval")
    dtype = _float_dtype("uniform", dtype)
    return _ops.apply("random_uniform", _b_scaled, [_key(seed)], shape=shape,
                      dtype=dtype, low=float(low), high=float(high))


def normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None, name=None):
    """Normally distributed values (tf.random.normal)."""
    dtype = _float_dtype("normal", dtype)
    return _ops.apply("random_normal", _b_normal, [_key(seed)], shape=_shape(shape),
                      dtype=dtype, mean=float(_scalar(mean, "mean")),
                      stddev=float(_scalar(stddev, "stddev")))


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """tf.nn.dropout (tg.nn.dropout): zeroes each element with probability
    `rate` and scales the others by 1 / (1 - rate)."""
    x = _ops.operand(x)
    if x.dtype.kind != "f":
        raise error("tg.nn.dropout needs a float tensor, got %s" % x.dtype, TgTypeError)
    rate = float(_scalar(rate, "rate"))
    if not 0.0 <= rate < 1.0:
        raise error("tg.nn.dropout: rate must be in [0, 1), got %r" % rate)
    shape = tuple(x.shape) if noise_shape is None else _shape(noise_shape)
    try:
        np.broadcast_shapes(shape, tuple(x.shape))
    except ValueError:
        raise error("tg.nn.dropout: noise_shape %s does not broadcast to %s" %
                    (shape, tuple(x.shape))) from None
    if rate == 0.0:
        return _ops.identity(x)
    u = uniform(shape, dtype=x.dtype, seed=seed)
    keep = _ops.greater_equal(u, _ops.constant(np.array(rate, x.dtype)))
    scale = _ops.constant(np.array(1.0 / (1.0 - rate), x.dtype))
    return _ops.where(keep, x * scale, _ops.zeros_like(x))


__all__ = ["set_seed", "normal", "uniform"]
