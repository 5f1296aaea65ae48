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


def _variables():
    """The counter Variable and the seed Variable (created on first use,
    outside any trace). The seed Variable holds [base word, 1 if a global
    seed is set else 0]; the base word is the mixed global seed, or the
    per-process random word. Compiled draws read both at call time, so a
    function traced before `set_seed` follows the new seed too."""
    with _lock:
        if _state["counter"] is None:
            from ._variables import Variable
            # Eager state even when the first draw is traced (a trace cannot
            # create Variables): tracing(None) steps out of the trace.
            with _graph.tracing(None):
                _state["counter"] = Variable(np.int64(0), trainable=False,
                                             name="tg.random/counter")
                _state["seed"] = Variable(np.array([_signed(_state["process_seed"]), 0],
                                                   np.int64),
                                          trainable=False, name="tg.random/seed")
        return _state["counter"], _state["seed"]


def _signed(word):
    return word - (1 << 64) if word >> 63 else word


def set_seed(seed):
    """Sets the global seed and restarts the sequence of draws
    (tf.random.set_seed)."""
    if _graph.current() is not None:
        raise error("tg.random.set_seed inside a tg.function: set the seed "
                    "before calling it (as in TF)")
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise error("tg.random.set_seed needs an int or None, got %r" % (seed,),
                    TgTypeError)
    counter, seed_state = _variables()
    with _lock:
        _state["global_seed"] = None if seed is None else int(seed)
    if seed is None:
        seed_state.assign(np.array([_signed(_state["process_seed"]), 0], np.int64))
    else:
        seed_state.assign(np.array([_signed(_mix(int(seed) & _MASK)), 1], np.int64))
    counter.assign(np.int64(0))


def _mix(x):
    """splitmix64's finalizer: spreads the seeds over all 64 bits."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _check_seed(seed):
    if seed is not None and (not isinstance(seed, (int, np.integer)) or
                             isinstance(seed, bool)):
        raise error("seed= must be an int or None, got %r" % (seed,), TgTypeError)


def _op_word(seed):
    return 0 if seed is None else _mix((int(seed) & _MASK) ^ 0x5DEECE66D)


def _seed_word(seed):
    """The first key word of a draw, from the current seeds (eagerly)."""
    _check_seed(seed)
    global_seed = _state["global_seed"]
    if global_seed is None and seed is None:
        base = _state["process_seed"]
    else:
        base = _mix((_DEFAULT_GLOBAL_SEED if global_seed is None else global_seed) & _MASK)
    return np.int64(_signed((base + _op_word(seed)) & _MASK))


def _key(seed):
    """The key of one draw: a tensor<2xi64> (traced or eager), advancing the
    counter."""
    _check_seed(seed)
    counter, seed_state = _variables()
    if _graph.current() is None:
        word = _seed_word(seed)
        with counter._lock:
            c = counter.numpy().copy()
            counter.assign_add(np.int64(1))
        return _ops.constant(np.array([word, c], np.int64))
    # Traced: the seed word is computed at call time from the seed Variable
    # (a wrapping int64 add, as _seed_word's), so set_seed after tracing
    # takes effect.
    state = seed_state.read_value()
    base = state[0:1]
    if seed is not None:
        default = np.array([_signed(_mix(_DEFAULT_GLOBAL_SEED))], np.int64)
        base = _ops.where(_ops.equal(state[1:2], np.array([1], np.int64)), base, default)
    word = base + np.array([_signed(_op_word(seed))], np.int64)
    c = counter.read_value()
    counter.assign_add(np.int64(1))
    return _ops.concat([word, _ops.reshape(c, [1])], axis=0)


def _shape(shape):
    if hasattr(shape, "numpy"):
        shape = shape.numpy()
    a = np.asarray(shape)
    if a.dtype.kind not in "iu" and not (a.size == 0 and a.dtype.kind == "f"):
        raise error("a random shape must be a list of ints, got %r" % (shape,),
                    TgTypeError)
    dims = tuple(int(d) for d in a.reshape(-1))
    if any(d < 0 for d in dims):
        raise error("a random shape cannot have negative dimensions: %r" % (dims,))
    return dims


def _float_dtype(op, dtype):
    dtype = _dtypes.required_dtype(dtype, "random." + op)
    if not _dtypes.is_float(dtype):
        raise error("tg.random.%s needs a float dtype, got %s" % (op, dtype), TgTypeError)
    return dtype


def _b_uniform(key, shape, dtype):
    g = _ops.current_graph()
    (r,) = g.emit("tg.random_uniform", [key], [(shape, dtype)],
                  types="%s -> %s" % (key.type, _ops.mlir_type(shape, dtype)))
    return r


def _below(high, dtype):
    """The largest value of `dtype` below `high`."""
    if dtype != _dtypes.bfloat16:
        return np.nextafter(np.array(high, dtype), np.array(-np.inf, dtype))
    bits = _dtypes.to_bfloat16(np.float32(high)).view(np.uint16).astype(np.int64)
    while _dtypes.from_bfloat16(np.array(bits, np.uint16).view(_dtypes.bfloat16)) >= high:
        bits = bits - 1 if bits < 0x8000 and bits != 0 else (
            0x8001 if bits == 0 else bits + 1)
    return np.array(bits, np.uint16).view(_dtypes.bfloat16)


def _b_scaled(key, shape, dtype, low, high):
    """low + (high - low) * u, never reaching `high` through rounding (it is
    clamped to the value below it). bfloat16 scales in float32, rounds once,
    and is clamped in bfloat16."""
    g = _ops.current_graph()
    if (low, high) == (0.0, 1.0):
        return _b_uniform(key, shape, dtype)  # exact in every dtype
    work = np.dtype(np.float32) if dtype == _dtypes.bfloat16 else dtype
    u = _b_uniform(key, shape, work)
    span = _ops.constant_node(g, np.array(high - low, work))
    base = _ops.constant_node(g, np.array(low, work))
    u = _ops.b_binary(_ops.b_binary(u, span, "mul"), base, "add")
    if work != dtype:
        u = _ops.b_cast(u, dtype)
    return _ops.b_binary(u, _ops.constant_node(g, _below(high, dtype)), "minimum")


def _b_integers(key, shape, dtype, low, high):
    """low + r mod (high - low), r 63 random bits from two Philox words,
    computed in int64: off uniform by at most (high - low) / 2^63."""
    g = _ops.current_graph()
    i64 = np.dtype(np.int64)
    u = _b_uniform(key, (2,) + tuple(shape), np.dtype(np.float64))
    two32 = _ops.constant_node(g, np.array(2.0 ** 32))
    words = _ops.b_cast(_ops.b_binary(u, two32, "mul"), i64)  # exact: u * 2^32 < 2^32
    full = [(0, d, 1) for d in shape]
    hi = _ops.b_reshape(_ops.b_slice(words, [(0, 1, 1)] + full), tuple(shape))
    lo = _ops.b_reshape(_ops.b_slice(words, [(1, 2, 1)] + full), tuple(shape))
    c = lambda v: _ops.constant_node(g, np.array(v, i64))  # noqa: E731
    r = _ops.b_binary(_ops.b_binary(_ops.b_binary(hi, c(2), "floordiv"), c(2 ** 32), "mul"),
                      lo, "add")
    r = _ops.b_binary(_ops.b_binary(r, c(high - low), "mod"), c(low), "add")
    return r if dtype == i64 else _ops.b_cast(r, dtype)


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
    a = _dtypes.to_numbers(np.asarray(v))
    if a.dtype.kind not in "biuf":
        raise error("tg.random: %s must be a number, got %r" % (what, v), TgTypeError)
    if a.size != 1:
        raise error("tg.random: %s must be a scalar here, got shape %s" % (what, a.shape),
                    TgTypeError)
    return a.reshape(()).item()


def uniform(shape, minval=0, maxval=None, dtype=_dtypes.float32, seed=None, name=None):
    """Uniform values in [minval, maxval) (tf.random.uniform); integer dtypes
    need maxval."""
    dtype = _dtypes.required_dtype(dtype, "random.uniform")
    shape = _shape(shape)
    low = _scalar(minval, "minval")
    if dtype.kind in "iu":
        if maxval is None:
            raise error("tg.random.uniform: an integer dtype needs maxval")
        high = _scalar(maxval, "maxval")
        if not high > low:
            raise error("tg.random.uniform: needs minval < maxval, got %r and %r" %
                        (low, high))
        if high - low > 2 ** 62:
            raise error("tg.random.uniform: integer ranges wider than 2^62 are not "
                        "supported (got %d)" % (high - low))
        info = np.iinfo(dtype)
        if low < info.min or high - 1 > info.max:
            raise error("tg.random.uniform: [%d, %d) does not fit %s" % (low, high, dtype))
        return _ops.apply("random_integers", _b_integers, [_key(seed)], shape=shape,
                          dtype=dtype, low=int(low), high=int(high))
    high = 1.0 if maxval is None else _scalar(maxval, "maxval")
    dtype = _float_dtype("uniform", dtype)
    if not high > low:
        raise error("tg.random.uniform: needs minval < maxval, got %r and %r" %
                    (low, high))
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
    if not _dtypes.is_float(x.dtype):
        raise error("tg.nn.dropout needs a float tensor, got %s" % _dtypes.name(x.dtype),
                    TgTypeError)

    def const(v):
        return _ops.constant(_dtypes.array(v, x.dtype))
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
    keep = _ops.greater_equal(u, const(rate))
    scale = const(1.0 / (1.0 - rate))
    return _ops.where(keep, x * scale, _ops.zeros_like(x))


__all__ = ["set_seed", "normal", "uniform"]
