"""tg: a tensor compiler with TensorFlow's graph mode, from Python.

    import tg

    @tg.function                   # traced once per input signature, compiled
    def f(x, y):
        return tg.reduce_mean(tg.matmul(x, y))

    x = tg.constant([[1.0, 2.0], [3.0, 4.0]])
    f(x, x).numpy()

A TensorFlow user renames `tf` to `tg`: eager tensors, Variables,
GradientTape (eagerly and inside functions, through control flow),
AutoGraph, and every gradient computed by the compiler. The modules, one per
concern:

    _tensor     tg.Tensor (eager and traced), TensorSpec, operators
    _dtypes     dtypes and the Python-value dtype rule
    _ops        the op definitions (one builder per op, eager or traced)
    _graph      traced graphs and their MLIR text
    _function   tg.function: arguments, cache, tracing, compiled calls
    _variables  tg.Variable
    _autodiff   GradientTape, grad, value_and_grad
    _control    cond, while_loop
    autograph   Python control flow on tensors -> cond / while_loop
    _eager      eager execution through cached kernels
    _device     tg.device scopes (CPU:0, GPU:0) and the target each compiles for
    _capi       the binding of the C API (compile, run, device buffers)
    config      tg.config.run_functions_eagerly, list_physical_devices
    random      tg.random (eager draws)
    math, nn    tf.math and tf.nn's names (the op set of spec section 6)
    distribute  tg.distribute (one process until MPI jobs exist)
    saved_model tg.saved_model: export to an object file and a C header, load
"""
import builtins
import collections
import ctypes

import numpy as np

from . import (_capi, _errors, _graph, config, distribute, profiler, random,  # noqa: A004
               saved_model)
from ._autodiff import GradientTape, grad, value_and_grad
from ._control import cond, while_loop
from ._device import device
from ._dtypes import (bfloat16, bool, float16, float32, float64, int32,  # noqa: A004
                      int64, as_dtype)
from ._errors import TgError, TgTypeError
from ._function import Function, function
from ._ops import (abs, add, add_n, argmax, argmin, argsort, boolean_mask,  # noqa: A004
                   broadcast_to, cast, ceil, clip_by_value, concat, constant,
                   convert_to_tensor, conv2d, cos, cumprod, cumsum, div, divide, einsum,
                   equal, exp, expand_dims, eye, fill, floor, floor_div, floordiv,
                   floormod, gather, gather_nd, greater, greater_equal, identity, less,
                   less_equal, log, log_softmax, logical_and, logical_not, logical_or,
                   logical_xor, matmul, maximum, minimum, mod, mul, multiply, neg,
                   negative, not_equal, one_hot, ones, ones_like, pad, pow, reduce_all,
                   reduce_any, reduce_logsumexp, reduce_max, reduce_mean, reduce_min,
                   reduce_prod, reduce_std, reduce_sum, reduce_variance, relu, reshape,
                   reverse, rsqrt, select, sigmoid, sign, sin, softmax, sort, split,
                   sqrt, square, squeeze, stack, stop_gradient, sub, subtract, tanh,
                   tile, transpose, truediv, unstack, where, zeros, zeros_like)
from ._ops import print_ as print  # noqa: A004 (tf.print)
from ._ops import range_ as range  # noqa: A004 (tf.range: a tensor, and AutoGraph's loop)
from ._ops import round_ as round  # noqa: A004 (tf.round)
from ._ops import rank_ as rank, shape_ as shape, size_ as size
from . import math, nn  # noqa: A004 (tf.math, tf.nn)
from ._tensor import EagerTensor, Tensor, TensorSpec
from ._variables import Variable


def set_num_threads(n):
    """Worker threads for graphs compiled from now on (like
    torch.set_num_threads); 0 means every core, the default. Graphs already
    compiled keep theirs."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, builtins.bool) or n < 0:
        raise _errors.error("tg.set_num_threads: expected 0 or more threads, got %r" % (n,))
    _capi.num_threads = int(n)


def get_num_threads():
    """The worker threads set by set_num_threads (0: every core)."""
    return _capi.num_threads


class CacheInfo(collections.namedtuple(
        "CacheInfo", "hits misses compilations store_failures entries bytes "
        "max_bytes directory enabled")):
    """tg.cache_info(): the persistent compile cache as this process sees it.

    hits, misses: compilations found (and not found) in the cache;
    compilations: modules this process compiled (misses, and code the cache
    does not hold: GPU, profiled, TG_CACHE=0); store_failures: entries that
    could not be written (the code ran all the same); entries, bytes: on
    disk now; max_bytes: the cap (TG_CACHE_MAX_BYTES); directory
    (TG_CACHE_DIR, default ~/.cache/tg); enabled (TG_CACHE=0 turns it off).
    """


def cache_info():
    """The compile cache's statistics (a CacheInfo named tuple)."""
    info = _capi.TgCacheInfo()
    _capi.lib.tgCacheInfo(ctypes.byref(info))
    return CacheInfo(info.hits, info.misses, info.compilations, info.store_failures,
                     info.entries, info.bytes, info.max_bytes,
                     info.directory.decode(errors="replace"), builtins.bool(info.enabled))


def is_tensor(x):
    return isinstance(x, Tensor)


def executing_eagerly():
    """False while a tg.function is being traced (tf.executing_eagerly)."""
    return _graph.current() is None


__all__ = [
    # tensors, dtypes, errors
    "Tensor", "EagerTensor", "TensorSpec", "Variable", "TgError", "TgTypeError",
    "float32", "float64", "float16", "bfloat16", "int32", "int64", "bool", "as_dtype",
    "is_tensor", "executing_eagerly",
    # functions, control flow, autodiff
    "function", "Function", "cond", "while_loop", "range", "GradientTape", "grad",
    "value_and_grad", "device", "config", "distribute", "profiler", "random", "print",
    "set_num_threads", "get_num_threads", "cache_info", "CacheInfo", "saved_model", "math",
    "nn",
    # ops
    "abs", "add", "broadcast_to", "cast", "concat", "constant", "convert_to_tensor",
    "conv2d", "cos", "div", "divide", "equal", "exp", "expand_dims", "fill",
    "floor_div", "floordiv", "floormod", "greater", "greater_equal", "identity", "less",
    "less_equal", "log", "log_softmax", "logical_and", "logical_not", "logical_or",
    "logical_xor", "matmul", "maximum", "minimum", "mod", "mul", "multiply", "neg",
    "negative", "not_equal", "ones", "ones_like", "pow", "reduce_max", "reduce_mean",
    "reduce_min", "reduce_sum", "relu", "reshape", "rsqrt", "select", "sigmoid", "sin",
    "softmax", "sqrt", "square", "squeeze", "stack", "stop_gradient", "sub",
    "subtract", "tanh", "transpose", "truediv", "where", "zeros", "zeros_like",
    # the op set of spec section 6 (more in tg.math and tg.nn)
    "add_n", "argmax", "argmin", "argsort", "boolean_mask", "ceil", "clip_by_value",
    "cumprod", "cumsum", "einsum", "eye", "floor", "gather", "gather_nd", "one_hot", "pad",
    "rank", "reduce_all", "reduce_any", "reduce_logsumexp", "reduce_prod", "reduce_std",
    "reduce_variance", "reverse", "round", "shape", "sign", "size", "sort", "split",
    "tile", "unstack",
]
