"""One handler per ONNX op: `handler(node)` returns the node's outputs.

A value is a numpy array (known while importing) or a traced tg tensor.
When every operand a handler uses is a numpy array it computes with numpy
(importer-time constant folding: shapes, and the shape arithmetic models
do on them); otherwise it calls tg ops. Operands that fix shapes are read
with `node.const(i)`, which specializes the call on graph inputs when needed
(see _importer).

ONNX's layouts are NCHW and OIHW; tg's conv2d is NHWC/HWCF, so convolutions
transpose in and out (tg's optimizer folds adjacent transposes). Pooling
works on NCHW directly, as strided slices of the padded input, which gives
exact ceil_mode, dilations, auto_pad and count_include_pad semantics.
"""
import builtins
import itertools
import math

import numpy as np

import tg
from .. import _dtypes, _ops
from .._errors import TgTypeError
from ._importer import _contiguous, onnx_dtype

HANDLERS = {}

# Ops seen in ONNX's test data that tg.onnx does not map, and why.
MISSING = {
    "Loop": "control-flow subgraphs are not imported",
    "If": "control-flow subgraphs are imported only when the condition is known "
          "when importing",
    "Scan": "control-flow subgraphs are not imported",
    "SequenceMap": "sequences are not tensors; tg has only tensors",
    "SequenceLength": "sequences are not tensors; tg has only tensors",
    "SequenceEmpty": "sequences are not tensors; tg has only tensors",
    "SequenceInsert": "sequences are not tensors; tg has only tensors",
    "SequenceAt": "sequences are not tensors; tg has only tensors",
    "SequenceConstruct": "sequences are not tensors; tg has only tensors",
    "SequenceErase": "sequences are not tensors; tg has only tensors",
    "SplitToSequence": "sequences are not tensors; tg has only tensors",
    "ConcatFromSequence": "sequences are not tensors; tg has only tensors",
    "OptionalGetElement": "optionals are not tensors; tg has only tensors",
    "OptionalHasElement": "optionals are not tensors; tg has only tensors",
    "Optional": "optionals are not tensors; tg has only tensors",
    "StringNormalizer": "tg has no string dtype",
    "TfIdfVectorizer": "works on int/string n-grams with data-dependent counting; no tg "
                       "equivalent",
    "NonMaxSuppression": "its output shape depends on the data",
    "NonZero": "its output shape depends on the data (imported only when its input is "
               "known when importing)",
    "Unique": "its output shape depends on the data",
    "QuantizeLinear": "quantized (uint8/int8) dtypes are not tg dtypes",
    "DequantizeLinear": "quantized (uint8/int8) dtypes are not tg dtypes",
    "DynamicQuantizeLinear": "quantized (uint8/int8) dtypes are not tg dtypes",
    "QLinearMatMul": "quantized (uint8/int8) dtypes are not tg dtypes",
    "QLinearConv": "quantized (uint8/int8) dtypes are not tg dtypes",
    "ConvInteger": "quantized (uint8/int8) dtypes are not tg dtypes",
    "MatMulInteger": "quantized (uint8/int8) dtypes are not tg dtypes",
    "Bernoulli": "random ops are not deterministic, and tg's RNG is not ONNX's",
    "RandomUniformLike": "random ops are not deterministic, and tg's RNG is not ONNX's",
    "RandomNormalLike": "random ops are not deterministic, and tg's RNG is not ONNX's",
    "RandomUniform": "random ops are not deterministic, and tg's RNG is not ONNX's",
    "RandomNormal": "random ops are not deterministic, and tg's RNG is not ONNX's",
    "Multinomial": "random ops are not deterministic, and tg's RNG is not ONNX's",
    "Momentum": "training ops (ai.onnx.preview.training) are not supported",
    "Adagrad": "training ops (ai.onnx.preview.training) are not supported",
    "Adam": "training ops (ai.onnx.preview.training) are not supported",
    "Gradient": "training ops (ai.onnx.preview.training) are not supported",
    "GRU": "recurrent ops (a loop over time) are not imported yet",
    "LSTM": "recurrent ops (a loop over time) are not imported yet",
    "RNN": "recurrent ops (a loop over time) are not imported yet",
    "DFT": "tg has no complex numbers or FFT",
    "STFT": "tg has no complex numbers or FFT",
    "Det": "tg has no matrix factorization (determinant)",
    "GridSample": "needs data-dependent gathers with interpolation; not imported yet",
    "RoiAlign": "needs data-dependent gathers with interpolation; not imported yet",
    "MaxUnpool": "needs a scatter, which tg does not have",
    "ScatterElements": "needs a scatter, which tg does not have",
    "ScatterND": "needs a scatter, which tg does not have",
    "Scatter": "needs a scatter, which tg does not have",
    "BitShift": "works on unsigned integers, which are not tg dtypes",
    "MelWeightMatrix": "not imported yet",
    "LpPool": "not imported yet",
    "LpNormalization": "not imported yet",
}


def op(*names):
    def register(f):
        for n in names:
            HANDLERS[n] = f
        return f
    return register


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def isc(v):
    return isinstance(v, np.ndarray)


def T(node, v):
    """v as a tg operand (large numpy values captured, see OnnxModel._capture)."""
    if isc(v):
        if v.size > 16 and v.size and v.dtype != _dtypes.bfloat16 and (
                v.flat[0] == v).all():
            return v  # a splat: a small constant in the module
        return node.model._capture(v)
    return v


def tgfn(node, path):
    """tg's function `path` ("nn.max_pool2d"), or a clear error while it is
    not there yet."""
    obj = tg
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise node.fail("needs tg.%s, which this tg does not have yet" % path)
    return obj


def shape_of(v):
    return tuple(int(d) for d in v.shape)


def dtype_of(v):
    return np.dtype(v.dtype)


def arr(v, dtype=None):
    a = np.asarray(v)
    return _dtypes.array(a, np.dtype(dtype)) if dtype is not None and a.dtype != dtype else a


def full(shape, value, dtype):
    """A constant tensor (a splat in the module)."""
    return tg.constant(_dtypes.array(value, dtype), shape=tuple(shape))


scalar = _dtypes.array  # a number as a 0-d array of the dtype (bfloat16 rounded)


def is_float(v):
    return _dtypes.is_float(dtype_of(v))


def norm_axis(node, axis, rank):
    axis = int(axis)
    if not -rank <= axis < max(rank, 1):
        raise node.fail("axis %d is out of range for rank %d" % (axis, rank))
    return axis % max(rank, 1)


def axes_input(node, i, attr="axes"):
    """Axes given as attribute (older opsets) or as input i."""
    if node.has(i):
        return [int(a) for a in node.const(i).reshape(-1)]
    a = node.attr(attr)
    return None if a is None else [int(v) for v in a]


def trunc_div(a, b):
    """Integer division truncating toward zero (tg.div on integers); 0 for a
    zero divisor (numpy's value)."""
    a, b = _ops.same_dtype("div", a, b)
    return _ops.apply("div", _ops.b_binary, [a, b], op="div")


def np_trunc_div(a, b):
    with np.errstate(all="ignore"):
        q = np.where(b == 0, 0, np.floor_divide(a, np.where(b == 0, 1, b)))
        r = np.where(b == 0, 0, a - q * b)
        fix = (r != 0) & ((a < 0) != (b < 0))
        return (q + fix).astype(a.dtype)


def tg_slice(x, axis, start, stop, step=1):
    idx = [slice(None)] * len(shape_of(x))
    if step < 0 and stop is not None and stop < 0:
        stop = None
    idx[axis] = slice(start, stop, step)
    return x[tuple(idx)]


def moveaxis(x, src, dst):
    rank = len(shape_of(x))
    perm = [i for i in range(rank) if i != src]
    perm.insert(dst, src)
    if isc(x):
        return np.transpose(x, perm)
    return tg.transpose(x, perm)


def reshape(x, shape):
    shape = tuple(int(d) for d in shape)
    if isc(x):
        return x.reshape(shape)
    if shape_of(x) == shape:
        return x
    return tg.reshape(x, list(shape))


def where(c, a, b):
    if isc(c) and isc(a) and isc(b):
        return np.where(c, a, b).astype(np.result_type(a.dtype, b.dtype))
    return tg.where(c, a, b)


def cast(node, x, dtype):
    dtype = np.dtype(dtype)
    if dtype_of(x) == dtype:
        return x
    if isc(x):
        if dtype == _dtypes.bfloat16:
            return _dtypes.to_bfloat16(x.astype(np.float32))
        if x.dtype == _dtypes.bfloat16:
            x = _dtypes.from_bfloat16(x)
        if dtype == np.bool_:
            return x != 0
        with np.errstate(all="ignore"):
            return x.astype(dtype)
    if dtype == np.bool_:
        return tg.not_equal(x, scalar(0, dtype_of(x)))
    return tg.cast(x, dtype)


def iota(n, axis, rank, dtype=np.int64):
    shape = [1] * rank
    shape[axis] = n
    return np.arange(n, dtype=dtype).reshape(shape)


def one_hot_mask(node, idx, depth, axis):
    """bool mask: idx (negative wrapping) expanded at `axis` == arange(depth)."""
    idx_rank = len(shape_of(idx))
    dt = dtype_of(idx)
    if dt.kind != "i":
        idx = cast(node, idx, np.int64)
        dt = np.dtype(np.int64)
    idx = where(_less(idx, scalar(0, dt)), _add(idx, scalar(depth, dt)), idx)
    e = expand_dims(idx, axis)
    return _equal(e, iota(depth, axis, idx_rank + 1, dt))


def expand_dims(x, axis):
    s = list(shape_of(x))
    s.insert(axis, 1)
    return reshape(x, s)


def _less(a, b):
    return np.less(a, b) if isc(a) and isc(b) else tg.less(a, b)


def _equal(a, b):
    return np.equal(a, b) if isc(a) and isc(b) else tg.equal(a, b)


def _add(a, b):
    return arr(a + b, dtype_of(a)) if isc(a) and isc(b) else tg.add(a, b)


def reduce_sum(x, axes, keepdims):
    if isc(x):
        return np.sum(x, axis=tuple(axes), keepdims=keepdims).astype(x.dtype)
    return tg.reduce_sum(x, list(axes), keepdims=keepdims)


def picked(node, x, mask, axis):
    """sum over `axis` of where(mask, x, 0): the one element the mask picks
    (exact: a gather without tg.gather)."""
    zero = scalar(0, dtype_of(x))
    return reduce_sum(where(mask, T(node, x), zero), [axis], False)


# ---------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------

def _binary(np_fn, tg_fn):
    def h(node):
        a, b = node.inputs[0], node.inputs[1]
        if isc(a) and isc(b):
            with np.errstate(all="ignore"):
                return arr(np_fn(a, b), a.dtype)
        return tg_fn(T(node, a), T(node, b))
    return h


for _name, _np, _tg in [("Add", np.add, tg.add), ("Sub", np.subtract, tg.subtract),
                        ("Mul", np.multiply, tg.multiply)]:
    op(_name)(_binary(_np, _tg))


def _check_same(node, a, b):
    if dtype_of(a) != dtype_of(b):
        raise node.fail("operands have different dtypes %s and %s" % (dtype_of(a),
                                                                        dtype_of(b)))


@op("Div")
def h_div(node):
    a, b = node.inputs[0], node.inputs[1]
    _check_same(node, a, b)
    if dtype_of(a).kind in "iu":
        if isc(a) and isc(b):
            return np_trunc_div(*np.broadcast_arrays(a, b))
        return trunc_div(T(node, a), T(node, b))
    if isc(a) and isc(b):
        with np.errstate(all="ignore"):
            return arr(a / b, a.dtype)
    return tg.divide(T(node, a), T(node, b))


@op("Mod")
def h_mod(node):
    a, b = node.inputs[0], node.inputs[1]
    fmod = node.attr("fmod", 0)
    if is_float(a) and not fmod:
        raise node.fail("fmod=0 on floats is invalid ONNX")
    if isc(a) and isc(b):
        with np.errstate(all="ignore"):
            if fmod:
                r = np.fmod(a, b)
            else:
                r = np.where(b == 0, 0, np.mod(a, np.where(b == 0, 1, b)))
            return arr(r, a.dtype)
    a, b = T(node, a), T(node, b)
    if not fmod:
        return tg.mod(a, b)
    if not is_float(a):
        # C's remainder: a - trunc(a / b) * b
        q = trunc_div(a, b)
        return tg.subtract(a, tg.multiply(q, b))
    # fmod on floats: floor mod, moved to the dividend's sign.
    r = tg.mod(a, b)
    z = scalar(0, dtype_of(r))
    differ = tg.logical_and(tg.not_equal(r, z),
                            tg.not_equal(tg.less(a, z), tg.less(b, z)))
    return tg.where(differ, tg.subtract(r, b), r)


@op("Pow")
def h_pow(node):
    a, b = node.inputs[0], node.inputs[1]
    if dtype_of(b) != dtype_of(a):
        b = cast(node, b, dtype_of(a))
    if isc(a) and isc(b):
        with np.errstate(all="ignore"):
            if a.dtype.kind in "iu":
                return arr(np.power(a.astype(np.float64), b), a.dtype)
            return arr(np.power(a, b), a.dtype)
    if dtype_of(a).kind in "iu":
        if isc(b) and b.size == 1 and int(b.reshape(())) >= 0:
            return tg.pow(a, int(b.reshape(())))
        r = tg.pow(cast(node, T(node, a), np.float64), cast(node, T(node, b), np.float64))
        return tg.cast(r, dtype_of(a))
    return tg.pow(T(node, a), T(node, b))


def _variadic(np_fn, tg_fn):
    def h(node):
        vals = [v for v in node.inputs if v is not None]
        acc = vals[0]
        for v in vals[1:]:
            if isc(acc) and isc(v):
                acc = arr(np_fn(acc, v), acc.dtype)
            else:
                acc = tg_fn(T(node, acc), T(node, v))
        return acc
    return h


op("Sum")(_variadic(np.add, tg.add))


def _nan_max(a, b):
    # NaN propagates (ONNX/numpy); tg.maximum may not
    return tg.maximum(a, b)


op("Max")(_variadic(np.maximum, tg.maximum))
op("Min")(_variadic(np.minimum, tg.minimum))


@op("Mean")
def h_mean(node):
    s = _variadic(np.add, tg.add)(node)
    n = len([v for v in node.inputs if v is not None])
    if isc(s):
        return arr(s / n, s.dtype)
    return tg.divide(s, scalar(n, dtype_of(s)))


def _compare(np_fn, tg_fn):
    def h(node):
        a, b = node.inputs[0], node.inputs[1]
        if isc(a) and isc(b):
            return np.asarray(np_fn(a, b))
        return tg_fn(T(node, a), T(node, b))
    return h


for _name, _np, _tg in [("Equal", np.equal, tg.equal), ("Less", np.less, tg.less),
                        ("Greater", np.greater, tg.greater),
                        ("LessOrEqual", np.less_equal, tg.less_equal),
                        ("GreaterOrEqual", np.greater_equal, tg.greater_equal),
                        ("And", np.logical_and, tg.logical_and),
                        ("Or", np.logical_or, tg.logical_or),
                        ("Xor", np.logical_xor, tg.logical_xor)]:
    op(_name)(_compare(_np, _tg))


@op("Not")
def h_not(node):
    x = node.inputs[0]
    return np.logical_not(x) if isc(x) else tg.logical_not(x)


def _unary(np_fn, tg_build, float_only=True):
    def h(node):
        x = node.inputs[0]
        if float_only and not is_float(x):
            raise node.fail("expects a float tensor, got %s" % dtype_of(x), TgTypeError)
        if isc(x) and np_fn is not None and x.dtype != _dtypes.bfloat16:
            with np.errstate(all="ignore"):
                return arr(np_fn(x), x.dtype)
        return tg_build(node, T(node, x))
    return h


def _c(x, v):
    return scalar(v, dtype_of(x))


op("Neg")(_unary(np.negative, lambda n, x: tg.negative(x), False))
op("Abs")(_unary(np.abs, lambda n, x: tg.abs(x), False))
op("Exp")(_unary(np.exp, lambda n, x: tg.exp(x)))
op("Log")(_unary(np.log, lambda n, x: tg.log(x)))
op("Sqrt")(_unary(np.sqrt, lambda n, x: tg.sqrt(x)))
op("Tanh")(_unary(np.tanh, lambda n, x: tg.tanh(x)))
op("Sigmoid")(_unary(lambda x: 1 / (1 + np.exp(-x)), lambda n, x: tg.sigmoid(x)))
op("Relu")(_unary(lambda x: np.maximum(x, 0), lambda n, x: tg.relu(x), False))
op("Sin")(_unary(np.sin, lambda n, x: tg.sin(x)))
op("Cos")(_unary(np.cos, lambda n, x: tg.cos(x)))
op("Tan")(_unary(np.tan, lambda n, x: tg.divide(tg.sin(x), tg.cos(x))))
op("Reciprocal")(_unary(lambda x: 1 / x, lambda n, x: tg.divide(_c(x, 1), x)))
op("Floor")(_unary(np.floor, lambda n, x: tg.floor(x)))
op("Ceil")(_unary(np.ceil, lambda n, x: tg.math.ceil(x)))
op("Round")(_unary(np.round, lambda n, x: tg.round(x)))
op("Erf")(_unary(None, lambda n, x: tg.math.erf(x)))


def _sinh(n, x):
    e = tg.exp(x)
    return tg.multiply(tg.subtract(e, tg.divide(_c(x, 1), e)), _c(x, 0.5))


def _cosh(n, x):
    e = tg.exp(x)
    return tg.multiply(tg.add(e, tg.divide(_c(x, 1), e)), _c(x, 0.5))


def _asinh(n, x):
    a = tg.abs(x)
    r = tg.log(tg.add(a, tg.sqrt(tg.add(tg.multiply(a, a), _c(x, 1)))))
    return tg.where(tg.less(x, _c(x, 0)), tg.negative(r), r)


def _acosh(n, x):
    return tg.log(tg.add(x, tg.sqrt(tg.subtract(tg.multiply(x, x), _c(x, 1)))))


def _atanh(n, x):
    return tg.multiply(tg.log(tg.divide(tg.add(_c(x, 1), x), tg.subtract(_c(x, 1), x))),
                       _c(x, 0.5))


def _atan(n, x):
    """atan from Cephes' atanf: range reduction to |x| <= tan(pi/8) and a
    polynomial (relative error about 1e-7 in float32)."""
    a = tg.abs(x)
    big = tg.greater(a, _c(x, 2.414213562373095))      # tan(3pi/8)
    mid = tg.logical_and(tg.greater(a, _c(x, 0.4142135623730950)), tg.logical_not(big))
    one = _c(x, 1)
    safe = tg.where(tg.equal(a, _c(x, 0)), one, a)
    r = tg.where(big, tg.negative(tg.divide(one, safe)),
                 tg.where(mid, tg.divide(tg.subtract(a, one), tg.add(a, one)), a))
    base = tg.where(big, _c(x, np.pi / 2), tg.where(mid, _c(x, np.pi / 4), _c(x, 0)))
    z = tg.multiply(r, r)
    p = _c(x, 8.05374449538e-2)
    for k in (-1.38776856032e-1, 1.99777106478e-1, -3.33329491539e-1):
        p = tg.add(tg.multiply(p, z), _c(x, k))
    y = tg.add(base, tg.add(tg.multiply(tg.multiply(p, z), r), r))
    return tg.where(tg.less(x, _c(x, 0)), tg.negative(y), y)


def _asin(n, x):
    one = _c(x, 1)
    c = tg.sqrt(tg.subtract(one, tg.multiply(x, x)))
    # atan2(x, c) for c >= 0
    at = _atan(n, tg.divide(x, tg.where(tg.equal(c, _c(x, 0)), one, c)))
    edge = tg.where(tg.less(x, _c(x, 0)), _c(x, -np.pi / 2), _c(x, np.pi / 2))
    return tg.where(tg.equal(c, _c(x, 0)), edge, at)


def _acos(n, x):
    return tg.subtract(_c(x, np.pi / 2), _asin(n, x))


op("Atan")(_unary(np.arctan, _atan))
op("Asin")(_unary(np.arcsin, _asin))
op("Acos")(_unary(np.arccos, _acos))
op("Sinh")(_unary(np.sinh, _sinh))
op("Cosh")(_unary(np.cosh, _cosh))
op("Asinh")(_unary(np.arcsinh, _asinh))
op("Acosh")(_unary(np.arccosh, _acosh))
op("Atanh")(_unary(np.arctanh, _atanh))


op("Sign")(_unary(np.sign, lambda n, x: tg.sign(x), False))


@op("IsNaN")
def h_isnan(node):
    x = node.inputs[0]
    if isc(x):
        return np.isnan(x)
    return tg.not_equal(x, x)


@op("IsInf")
def h_isinf(node):
    x = node.inputs[0]
    pos, neg = node.attr("detect_positive", 1), node.attr("detect_negative", 1)
    inf = _c(x, np.inf)
    xt = T(node, x)
    r = None
    if pos:
        r = tg.equal(xt, inf)
    if neg:
        m = tg.equal(xt, tg.negative(inf) if False else _c(x, -np.inf))
        r = m if r is None else tg.logical_or(r, m)
    if r is None:
        return np.zeros(shape_of(x), np.bool_)
    return r


def _act(fn):
    def h(node):
        x = node.inputs[0]
        if not is_float(x):
            raise node.fail("expects a float tensor, got %s" % dtype_of(x), TgTypeError)
        return fn(node, T(node, x))
    return h


op("Softplus")(_act(lambda n, x: tg.nn.softplus(x)))
op("Softsign")(_act(lambda n, x: tg.divide(x, tg.add(_c(x, 1), tg.abs(x)))))


@op("Elu")
def h_elu(node):
    alpha = node.attr("alpha", 1.0)
    return _act(lambda n, x: tg.where(tg.greater(x, _c(x, 0)), x,
                                      tg.multiply(_c(x, alpha), tg.math.expm1(x))))(node)


@op("Selu")
def h_selu(node):
    alpha = node.attr("alpha", 1.67326319217681884765625)
    gamma = node.attr("gamma", 1.05070102214813232421875)
    return _act(lambda n, x: tg.multiply(_c(x, gamma), tg.where(
        tg.greater(x, _c(x, 0)), x, tg.multiply(_c(x, alpha), tg.math.expm1(x)))))(node)


@op("Celu")
def h_celu(node):
    alpha = node.attr("alpha", 1.0)
    return _act(lambda n, x: tg.add(tg.maximum(x, _c(x, 0)), tg.minimum(
        _c(x, 0), tg.multiply(_c(x, alpha), tg.math.expm1(tg.divide(x, _c(x, alpha)))))))(node)


@op("LeakyRelu")
def h_leaky(node):
    alpha = node.attr("alpha", 0.01)
    return _act(lambda n, x: tg.where(tg.less(x, _c(x, 0)), tg.multiply(x, _c(x, alpha)),
                                      x))(node)


@op("ThresholdedRelu")
def h_trelu(node):
    alpha = node.attr("alpha", 1.0)
    return _act(lambda n, x: tg.where(tg.greater(x, _c(x, alpha)), x, _c(x, 0)))(node)


@op("HardSigmoid")
def h_hsig(node):
    alpha, beta = node.attr("alpha", 0.2), node.attr("beta", 0.5)
    return _act(lambda n, x: tg.maximum(_c(x, 0), tg.minimum(_c(x, 1), tg.add(
        tg.multiply(x, _c(x, alpha)), _c(x, beta)))))(node)


@op("HardSwish")
def h_hswish(node):
    return _act(lambda n, x: tg.multiply(x, tg.maximum(_c(x, 0), tg.minimum(
        _c(x, 1), tg.add(tg.multiply(x, _c(x, 1 / 6)), _c(x, 0.5))))))(node)


@op("Shrink")
def h_shrink(node):
    lambd, bias = node.attr("lambd", 0.5), node.attr("bias", 0.0)

    def f(n, x):
        return tg.where(tg.less(x, _c(x, -lambd)), tg.add(x, _c(x, bias)),
                        tg.where(tg.greater(x, _c(x, lambd)), tg.subtract(x, _c(x, bias)),
                                 _c(x, 0)))
    x = node.inputs[0]
    if not is_float(x):
        raise node.fail("expects a float tensor, got %s" % dtype_of(x), TgTypeError)
    return f(node, T(node, x))


@op("PRelu")
def h_prelu(node):
    x, slope = node.inputs[0], node.inputs[1]
    xs, ss = shape_of(x), shape_of(slope)
    try:
        np.broadcast_shapes(xs, ss)
    except ValueError:
        # PyTorch's per-channel slope (C,) for NC... inputs
        if len(ss) == 1 and len(xs) >= 2 and ss[0] == xs[1]:
            slope = _channel_shape(x, slope)
        else:
            raise node.fail("slope %s does not broadcast to %s" % (ss, xs)) from None
    xt = T(node, x)
    return tg.where(tg.less(xt, _c(x, 0)), tg.multiply(xt, T(node, slope)), xt)


@op("Clip")
def h_clip(node):
    x = node.inputs[0]
    if node.opset < 11:
        lo, hi = node.attr("min"), node.attr("max")
        lo = None if lo is None else scalar(lo, dtype_of(x))
        hi = None if hi is None else scalar(hi, dtype_of(x))
    else:
        lo, hi = node.input(1), node.input(2)
    if isc(x) and (lo is None or isc(lo)) and (hi is None or isc(hi)):
        r = x
        if lo is not None:
            r = np.maximum(r, lo)
        if hi is not None:
            r = np.minimum(r, hi)
        return arr(r, x.dtype)
    r = T(node, x)
    if lo is not None:
        r = tg.maximum(r, T(node, lo))
    if hi is not None:
        r = tg.minimum(r, T(node, hi))
    return r


@op("Identity")
def h_identity(node):
    return node.inputs[0]


@op("Dropout")
def h_dropout(node):
    x = node.inputs[0]
    training = False
    if node.opset >= 12 and node.has(2):
        training = bool(node.const(2).reshape(()))
    if node.opset < 7 and not node.attr("is_test", 0):
        training = True
    ratio = node.const(1) if node.opset >= 12 and node.has(1) else \
        np.array(node.attr("ratio", 0.5))
    if training and float(ratio) != 0.0:
        raise node.fail("training-mode Dropout draws random numbers; tg.onnx imports "
                        "inference graphs")
    outs = [x]
    if node.num_outputs > 1:
        outs.append(np.ones(shape_of(x), np.bool_))
    return outs


@op("Where")
def h_where(node):
    c, a, b = node.inputs
    if isc(c) and isc(a) and isc(b):
        return np.where(c, a, b).astype(a.dtype)
    return tg.where(T(node, c), T(node, a), T(node, b))


@op("Cast")
def h_cast(node):
    to = onnx_dtype(node.attr("to"), "the target type of %s" % node.describe())
    return cast(node, node.inputs[0], to)


@op("CastLike")
def h_castlike(node):
    return cast(node, node.inputs[0], dtype_of(node.inputs[1]))


# ---------------------------------------------------------------------------
# Constants and shapes
# ---------------------------------------------------------------------------

@op("Constant")
def h_constant(node):
    for name in ("value", "value_float", "value_floats", "value_int", "value_ints"):
        if name in node.attrs:
            v = node.attr(name)
            if name == "value":
                return v
            if name in ("value_float", "value_floats"):
                return np.array(v, np.float32)
            return np.array(v, np.int64)
    if "sparse_value" in node.attrs:
        raise node.fail("sparse constants are not supported")
    raise node.fail("string constants are not supported (tg has no string dtype)",
                    TgTypeError)


@op("Shape")
def h_shape(node):
    s = np.array(shape_of(node.inputs[0]), np.int64)
    if node.opset >= 15:
        start, end = node.attr("start", 0), node.attr("end")
        r = len(s)
        start = min(max(start + r if start < 0 else start, 0), r)
        end = r if end is None else min(max(end + r if end < 0 else end, 0), r)
        s = s[start:end]
    return s


@op("Size")
def h_size(node):
    return np.array(int(np.prod(shape_of(node.inputs[0]), dtype=np.int64)), np.int64)


@op("ConstantOfShape")
def h_constant_of_shape(node):
    shape = [int(d) for d in node.const(0).reshape(-1)]
    v = node.attr("value")
    if v is None:
        v = np.zeros((1,), np.float32)
    return np.full(shape, v.reshape(-1)[0], v.dtype)


@op("EyeLike")
def h_eyelike(node):
    x = node.inputs[0]
    dt = node.attr("dtype")
    dt = dtype_of(x) if dt is None else onnx_dtype(dt, "the dtype of %s" % node.describe())
    n, m = shape_of(x)
    return _dtypes.array(np.eye(n, m, k=node.attr("k", 0)), dt)


@op("Range")
def h_range(node):
    start, limit, delta = [node.const(i).reshape(()) for i in range(3)]
    n = max(int(np.ceil((float(limit) - float(start)) / float(delta))), 0)
    return (start + np.arange(n, dtype=start.dtype) * delta).astype(start.dtype)


@op("Reshape")
def h_reshape(node):
    x = node.inputs[0]
    if node.opset < 5:
        shape = node.attr("shape")
    else:
        shape = [int(d) for d in node.const(1).reshape(-1)]
    allowzero = node.attr("allowzero", 0)
    xs = shape_of(x)
    shape = list(shape)
    if not allowzero:
        shape = [xs[i] if d == 0 else d for i, d in enumerate(shape)]
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
        total = int(np.prod(xs, dtype=np.int64))
        shape[shape.index(-1)] = total // known if known else 0
    if int(np.prod(shape, dtype=np.int64)) != int(np.prod(xs, dtype=np.int64)):
        raise node.fail("cannot reshape %s into %s" % (xs, shape))
    return reshape(x, shape)


@op("Flatten")
def h_flatten(node):
    x = node.inputs[0]
    s = shape_of(x)
    axis = node.attr("axis", 1)
    axis = axis + len(s) if axis < 0 else axis
    a = int(np.prod(s[:axis], dtype=np.int64))
    b = int(np.prod(s[axis:], dtype=np.int64))
    return reshape(x, (a, b))


@op("Squeeze")
def h_squeeze(node):
    x = node.inputs[0]
    s = shape_of(x)
    axes = axes_input(node, 1) if node.opset >= 13 else node.attr("axes")
    if axes is None:
        axes = [i for i, d in enumerate(s) if d == 1]
    axes = [norm_axis(node, a, len(s)) for a in axes]
    for a in axes:
        if s[a] != 1:
            raise node.fail("axis %d has size %d, not 1" % (a, s[a]))
    return reshape(x, [d for i, d in enumerate(s) if i not in axes])


@op("Unsqueeze")
def h_unsqueeze(node):
    x = node.inputs[0]
    s = list(shape_of(x))
    axes = axes_input(node, 1) if node.opset >= 13 else node.attr("axes")
    rank = len(s) + len(axes)
    axes = sorted(norm_axis(node, a, rank) for a in axes)
    for a in axes:
        s.insert(a, 1)
    return reshape(x, s)


@op("Transpose")
def h_transpose(node):
    x = node.inputs[0]
    perm = node.attr("perm")
    if perm is None:
        perm = list(range(len(shape_of(x))))[::-1]
    if isc(x):
        return np.transpose(x, perm)
    return tg.transpose(x, perm)


@op("Concat")
def h_concat(node):
    vals = [v for v in node.inputs if v is not None]
    axis = norm_axis(node, node.attr("axis", 0), len(shape_of(vals[0])))
    if all(isc(v) for v in vals):
        return np.concatenate(vals, axis=axis)
    vals = [v for v in vals if shape_of(v)[axis] != 0]
    if len(vals) == 1:
        return vals[0]
    return tg.concat([T(node, v) for v in vals], axis)


@op("Expand")
def h_expand(node):
    x = node.inputs[0]
    shape = [int(d) for d in node.const(1).reshape(-1)]
    out = np.broadcast_shapes(shape_of(x), tuple(shape))
    if isc(x):
        return _contiguous(np.broadcast_to(x, out))
    if len(out) > len(shape_of(x)):
        x = reshape(x, (1,) * (len(out) - len(shape_of(x))) + shape_of(x))
    return tg.broadcast_to(x, list(out))


@op("Tile")
def h_tile(node):
    x = node.inputs[0]
    reps = [int(r) for r in node.const(1).reshape(-1)]
    if isc(x):
        return np.tile(x, reps)
    s = shape_of(x)
    inter = []
    big = []
    for d, r in zip(s, reps):
        inter += [1, d]
        big += [r, d]
    y = tg.broadcast_to(reshape(x, inter), big)
    return reshape(y, [d * r for d, r in zip(s, reps)])


def _slice_spec(node, dims, starts, ends, axes, steps):
    """A tuple of Python slices for ONNX Slice's arguments."""
    rank = len(dims)
    idx = [slice(None)] * rank
    if axes is None:
        axes = list(range(len(starts)))
    if steps is None:
        steps = [1] * len(starts)
    for s, e, a, k in zip(starts, ends, axes, steps):
        a = norm_axis(node, a, rank)
        d = dims[a]
        s, e, k = int(s), int(e), int(k)
        if k == 0:
            raise node.fail("slice step cannot be 0")
        if s < 0:
            s += d
        if e < 0:
            e += d
        if k > 0:
            s = min(max(s, 0), d)
            e = min(max(e, 0), d)
        else:
            s = min(max(s, 0), d - 1)
            e = min(max(e, -1), d - 1)
        idx[a] = slice(s, e if e >= 0 else None, k)
    return tuple(idx)


@op("Slice")
def h_slice(node):
    x = node.inputs[0]
    if node.opset < 10:
        starts, ends, axes = node.attr("starts"), node.attr("ends"), node.attr("axes")
        steps = None
    else:
        starts = node.const(1).reshape(-1).tolist()
        ends = node.const(2).reshape(-1).tolist()
        axes = node.const(3)
        axes = None if axes is None else axes.reshape(-1).tolist()
        steps = node.const(4)
        steps = None if steps is None else steps.reshape(-1).tolist()
    idx = _slice_spec(node, shape_of(x), starts, ends, axes, steps)
    if isc(x):
        return _contiguous(x[idx])
    out_shape = [len(range(*sl.indices(d))) for sl, d in zip(idx, shape_of(x))]
    if 0 in out_shape:
        return np.zeros(out_shape, dtype_of(x))
    return x[idx]


@op("Split")
def h_split(node):
    x = node.inputs[0]
    s = shape_of(x)
    axis = norm_axis(node, node.attr("axis", 0), len(s))
    if node.opset >= 13:
        split = node.const(1)
        split = None if split is None else split.reshape(-1).tolist()
    else:
        split = node.attr("split")
    n = node.num_outputs
    if split is None:
        d = s[axis]
        num = node.attr("num_outputs", n)
        size = -(-d // num)
        split = [min(size, d - i * size) for i in range(num)]
    outs, start = [], 0
    for k in split:
        outs.append(_take_range(x, axis, start, start + k))
        start += k
    return outs


def _take_range(x, axis, a, b):
    if isc(x):
        return _contiguous(tg_slice(x, axis, a, b))
    if a == b:
        s = list(shape_of(x))
        s[axis] = 0
        return np.zeros(s, dtype_of(x))
    return tg_slice(x, axis, a, b)


def _gather_static(node, x, idx, axis):
    """x gathered along axis at constant indices (already wrapped)."""
    s = shape_of(x)
    flat = [int(i) for i in idx.reshape(-1)]
    if isc(x):
        return np.take(x, idx, axis=axis)
    out_shape = s[:axis] + idx.shape + s[axis + 1:]
    if idx.ndim == 0:
        sel = [slice(None)] * len(s)
        sel[axis] = flat[0]
        return x[tuple(sel)]
    if not flat:
        return np.zeros(out_shape, dtype_of(x))
    if len(flat) > 1024:
        return tg.gather(x, np.asarray(flat, np.int64).reshape(idx.shape), axis=axis)
    sel = [slice(None)] * len(s)
    if flat == list(range(flat[0], flat[-1] + 1)):
        sel[axis] = slice(flat[0], flat[-1] + 1)
    else:
        sel[axis] = flat
    return reshape(x[tuple(sel)], out_shape)


@op("Gather")
def h_gather(node):
    x, idx = node.inputs[0], node.inputs[1]
    s = shape_of(x)
    axis = norm_axis(node, node.attr("axis", 0), len(s))
    if isc(idx):
        idx = np.where(idx < 0, idx + s[axis], idx).astype(np.int64)
        if ((idx < 0) | (idx >= s[axis])).any():
            raise node.fail("index out of range for axis %d of size %d" % (axis, s[axis]))
        return _gather_static(node, x, idx, axis)
    return tg.gather(T(node, x), idx, axis=axis)


@op("GatherElements")
def h_gather_elements(node):
    x, idx = node.inputs[0], node.inputs[1]
    s = shape_of(x)
    r = len(s)
    axis = norm_axis(node, node.attr("axis", 0), r)
    ish = shape_of(idx)
    if isc(idx):
        idx = np.where(idx < 0, idx + s[axis], idx).astype(np.int64)
        if isc(x):
            return np.take_along_axis(x, idx, axis)
        grids = list(np.indices(ish, sparse=False))
        grids[axis] = idx
        flat = np.ravel_multi_index(grids, s).reshape(-1)
        xf = reshape(x, (int(np.prod(s)),))
        return reshape(_gather_static(node, xf, flat, 0), ish)
    # x restricted to idx's extent off the axis, the axis moved last
    sel = tuple(slice(0, ish[i]) if i != axis else slice(None) for i in range(r))
    xs = T(node, x)[sel] if not isc(x) else x[sel]
    xm = moveaxis(xs, axis, r - 1)
    im = moveaxis(idx, axis, r - 1)
    mask = one_hot_mask(node, im, s[axis], r)  # (..., J, K)
    out = picked(node, expand_dims(T(node, xm), r - 1), mask, r)
    return moveaxis(out, r - 1, axis)


@op("GatherND")
def h_gather_nd(node):
    x, idx = node.inputs[0], node.inputs[1]
    b = node.attr("batch_dims", 0)
    s = shape_of(x)
    idx = node.const(1)
    m = idx.shape[-1]
    batch = s[:b]
    nb = int(np.prod(batch, dtype=np.int64))
    rest = s[b + m:]
    idx = np.where(idx < 0, idx + np.array(s[b:b + m]), idx)
    ib = idx.reshape((nb, -1, m))
    flat = []
    inner = int(np.prod(s[b:b + m], dtype=np.int64))
    for k in range(nb):
        for row in ib[k]:
            flat.append(k * inner + int(np.ravel_multi_index(tuple(row), s[b:b + m])))
    xf = reshape(x, (nb * inner,) + rest)
    out = _gather_static(node, xf, np.asarray(flat, np.int64), 0)
    return reshape(out, idx.shape[:-1] + rest)


@op("Compress")
def h_compress(node):
    x = node.inputs[0]
    cond = node.const(1).astype(bool).reshape(-1)
    axis = node.attr("axis")
    if axis is None:
        x = reshape(x, (int(np.prod(shape_of(x))),))
        axis = 0
    axis = norm_axis(node, axis, len(shape_of(x)))
    picks = np.nonzero(cond[:shape_of(x)[axis]])[0].astype(np.int64)
    return _gather_static(node, x, picks, axis)


@op("ReverseSequence")
def h_reverse_sequence(node):
    x = node.inputs[0]
    lens = node.const(1).reshape(-1)
    ba, ta = node.attr("batch_axis", 1), node.attr("time_axis", 0)
    s = shape_of(x)
    t = np.arange(s[ta])
    idx = np.empty(s, np.int64)
    for b in range(s[ba]):
        order = np.where(t < lens[b], lens[b] - 1 - t, t)
        shp = [1] * len(s)
        shp[ta] = s[ta]
        sel = [slice(None)] * len(s)
        sel[ba] = slice(b, b + 1)
        idx[tuple(sel)] = np.broadcast_to(order.reshape(shp),
                                          idx[tuple(sel)].shape)
    return _take_along_static(node, x, idx, ta)


def _take_along_static(node, x, idx, axis):
    """np.take_along_axis with constant indices (already wrapped)."""
    if isc(x):
        return np.take_along_axis(x, idx, axis)
    s = shape_of(x)
    ish = idx.shape
    grids = list(np.indices(ish, sparse=False))
    grids[axis] = idx
    flat = np.ravel_multi_index(grids, s).reshape(-1)
    xf = reshape(x, (int(np.prod(s)),))
    return reshape(_gather_static(node, xf, flat, 0), ish)


@op("If")
def h_if(node):
    cond = bool(node.const(0).reshape(-1)[0])
    g = node.attr("then_branch" if cond else "else_branch")
    env = dict(node._env)
    deps = dict(node._deps)
    node.model._run_graph(g.node, env, deps, g.initializer)
    return [env[o.name] for o in g.output]


@op("NonZero")
def h_nonzero(node):
    x = node.const(0)
    return np.array(np.nonzero(x), np.int64)


@op("OneHot")
def h_onehot(node):
    idx = node.inputs[0]
    depth = int(node.const(1).reshape(-1)[0])
    values = node.inputs[2]
    r = len(shape_of(idx))
    axis = norm_axis(node, node.attr("axis", -1), r + 1)
    if isc(values):
        off, on = np.asarray(values.reshape(-1)[0]), np.asarray(values.reshape(-1)[1])
    else:
        off, on = values[0], values[1]
    if dtype_of(idx).kind == "f":
        idx = cast(node, idx, np.int64)
    mask = one_hot_mask(node, idx, depth, axis)
    return where(mask, on, off)


@op("Trilu")
def h_trilu(node):
    x = node.inputs[0]
    k = node.const(1)
    k = 0 if k is None else int(k.reshape(()))
    if 0 in shape_of(x):
        return np.zeros(shape_of(x), dtype_of(x))
    n, m = shape_of(x)[-2:]
    mask = np.triu(np.ones((n, m), bool), k) if node.attr("upper", 1) else \
        np.tril(np.ones((n, m), bool), k)
    return where(mask, T(node, x), scalar(0, dtype_of(x)))


@op("DepthToSpace")
def h_depth_to_space(node):
    x = node.inputs[0]
    b = node.attr("blocksize")
    n, c, h, w = shape_of(x)
    if node.attr("mode", "DCR") == "DCR":
        y = reshape(x, (n, b, b, c // (b * b), h, w))
        y = _transpose(y, [0, 3, 4, 1, 5, 2])
    else:
        y = reshape(x, (n, c // (b * b), b, b, h, w))
        y = _transpose(y, [0, 1, 4, 2, 5, 3])
    return reshape(y, (n, c // (b * b), h * b, w * b))


@op("SpaceToDepth")
def h_space_to_depth(node):
    x = node.inputs[0]
    b = node.attr("blocksize")
    n, c, h, w = shape_of(x)
    y = reshape(x, (n, c, h // b, b, w // b, b))
    y = _transpose(y, [0, 3, 5, 1, 2, 4])
    return reshape(y, (n, c * b * b, h // b, w // b))


def _transpose(x, perm):
    return np.transpose(x, perm) if isc(x) else tg.transpose(x, perm)


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

def _reduce_axes(node, x):
    r = len(shape_of(x))
    if node.op_type == "ReduceSum" and node.opset >= 13 or node.opset >= 18:
        axes = node.const(1)
        axes = None if axes is None else axes.reshape(-1).tolist()
        if not axes:
            if node.attr("noop_with_empty_axes", 0):
                return None
            axes = None
    else:
        axes = node.attr("axes")
    if axes is None:
        return list(range(r))
    return sorted({norm_axis(node, a, r) for a in axes})


def _reduction(kind):
    def h(node):
        x = node.inputs[0]
        axes = _reduce_axes(node, x)
        keep = bool(node.attr("keepdims", 1))
        if axes is None:
            return x
        return _reduce(node, kind, x, axes, keep)
    return h


def _reduce(node, kind, x, axes, keep):
    dt = dtype_of(x)
    if isc(x) and dt != _dtypes.bfloat16:
        ax = tuple(axes)
        with np.errstate(all="ignore"):
            f = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min,
                 "prod": np.prod}.get(kind)
            if f is not None:
                if kind in ("max", "min") and x.size == 0:
                    pass
                else:
                    return arr(f(x, axis=ax, keepdims=keep), dt)
    xt = T(node, x)
    if 0 in shape_of(x):
        raise node.fail("reducing an empty tensor is not supported")
    if kind == "sum":
        return tg.reduce_sum(xt, axes, keepdims=keep)
    if kind == "mean":
        return tg.reduce_mean(xt, axes, keepdims=keep)
    if kind == "max":
        return tg.reduce_max(xt, axes, keepdims=keep)
    if kind == "min":
        return tg.reduce_min(xt, axes, keepdims=keep)
    if kind == "prod":
        return tg.reduce_prod(xt, axes, keepdims=keep)
    if kind == "l1":
        return tg.reduce_sum(tg.abs(xt), axes, keepdims=keep)
    if kind == "sumsquare":
        return tg.reduce_sum(tg.multiply(xt, xt), axes, keepdims=keep)
    if kind == "l2":
        if not is_float(x):
            s = tg.reduce_sum(tg.multiply(xt, xt), axes, keepdims=keep)
            return tg.cast(tg.sqrt(tg.cast(s, np.float64)), dt)
        return tg.sqrt(tg.reduce_sum(tg.multiply(xt, xt), axes, keepdims=keep))
    if kind == "logsum":
        return tg.log(tg.reduce_sum(xt, axes, keepdims=keep))
    if kind == "logsumexp":
        return tg.reduce_logsumexp(xt, axes, keepdims=keep)
    raise node.fail("unknown reduction")


for _name, _kind in [("ReduceSum", "sum"), ("ReduceMean", "mean"), ("ReduceMax", "max"),
                     ("ReduceMin", "min"), ("ReduceProd", "prod"), ("ReduceL1", "l1"),
                     ("ReduceL2", "l2"), ("ReduceSumSquare", "sumsquare"),
                     ("ReduceLogSum", "logsum"), ("ReduceLogSumExp", "logsumexp")]:
    op(_name)(_reduction(_kind))


def _arg(node, largest):
    x = node.inputs[0]
    s = shape_of(x)
    r = len(s)
    axis = norm_axis(node, node.attr("axis", 0), r)
    keep = bool(node.attr("keepdims", 1))
    last = bool(node.attr("select_last_index", 0))
    if isc(x):
        y = np.flip(x, axis) if last else x
        i = np.argmax(y, axis) if largest else np.argmin(y, axis)
        if last:
            i = s[axis] - 1 - i
        i = i.astype(np.int64)
        return np.expand_dims(i, axis) if keep else i
    xt = T(node, x)
    m = tg.reduce_max(xt, [axis], keepdims=True) if largest else \
        tg.reduce_min(xt, [axis], keepdims=True)
    hit = tg.equal(xt, m)
    if is_float(x):  # a NaN wins (numpy's argmax)
        hit = tg.logical_or(hit, tg.logical_and(tg.not_equal(m, m), tg.not_equal(xt, xt)))
    io = iota(s[axis], axis, r)
    if last:
        i = tg.reduce_max(tg.where(hit, io, np.int64(-1)), [axis], keepdims=keep)
    else:
        i = tg.reduce_min(tg.where(hit, io, np.int64(s[axis])), [axis], keepdims=keep)
    return i


op("ArgMax")(lambda node: _arg(node, True))
op("ArgMin")(lambda node: _arg(node, False))


# ---------------------------------------------------------------------------
# Softmax family
# ---------------------------------------------------------------------------

def _softmax_like(kind):
    def h(node):
        x = node.inputs[0]
        s = shape_of(x)
        r = len(s)
        if node.opset < 13:
            axis = norm_axis(node, node.attr("axis", 1), r)
            flat = (int(np.prod(s[:axis], dtype=np.int64)),
                    int(np.prod(s[axis:], dtype=np.int64)))
            y = _softmax_axis(node, kind, reshape(T(node, x), flat), 1)
            return reshape(y, s)
        axis = norm_axis(node, node.attr("axis", -1), r)
        return _softmax_axis(node, kind, T(node, x), axis)
    return h


def _softmax_axis(node, kind, x, axis):
    if kind == "softmax":
        return tg.softmax(x, axis)
    if kind == "logsoftmax":
        return tg.log_softmax(x, axis)
    r = len(shape_of(x))
    m = tg.reduce_max(x, [axis], keepdims=True)
    hit = tg.equal(x, m)
    io = iota(shape_of(x)[axis], axis, r)
    first = tg.reduce_min(tg.where(hit, io, np.int64(shape_of(x)[axis])), [axis],
                          keepdims=True)
    return tg.where(tg.equal(io, first), _c(x, 1), _c(x, 0))


op("Softmax")(_softmax_like("softmax"))
op("LogSoftmax")(_softmax_like("logsoftmax"))
op("Hardmax")(_softmax_like("hardmax"))


# ---------------------------------------------------------------------------
# Linear algebra
# ---------------------------------------------------------------------------

@op("MatMul")
def h_matmul(node):
    a, b = node.inputs[0], node.inputs[1]
    if isc(a) and isc(b):
        return np.matmul(a, b)
    ra, rb = len(shape_of(a)), len(shape_of(b))
    a2 = expand_dims(a, 0) if ra == 1 else a
    b2 = expand_dims(b, 1) if rb == 1 else b
    y = tg.matmul(T(node, a2), T(node, b2))
    s = list(shape_of(y))
    if rb == 1:
        s.pop(-1)
    if ra == 1:
        s.pop(-1 if rb == 1 else -2)
    return reshape(y, s)


@op("Gemm")
def h_gemm(node):
    a, b, c = node.inputs[0], node.inputs[1], node.input(2)
    alpha, beta = node.attr("alpha", 1.0), node.attr("beta", 1.0)
    if node.attr("transA", 0):
        a = _transpose(a, [1, 0])
    if node.attr("transB", 0):
        b = _transpose(b, [1, 0])
    if isc(a) and isc(b):
        y = np.matmul(a, b)
    else:
        y = tg.matmul(T(node, a), T(node, b))
    dt = dtype_of(y)
    if alpha != 1.0:
        y = y * scalar(alpha, dt) if isc(y) else tg.multiply(y, scalar(alpha, dt))
    if c is not None:
        if beta != 1.0:
            c = arr(c * scalar(beta, dt), dt) if isc(c) else tg.multiply(c, scalar(beta, dt))
        y = arr(y + c, dt) if isc(y) and isc(c) else tg.add(T(node, y), T(node, c))
    return y


@op("Einsum")
def h_einsum(node):
    eq = node.attr("equation")
    vals = [v for v in node.inputs if v is not None]
    if all(isc(v) for v in vals):
        return np.einsum(eq, *vals)
    return tg.einsum(eq, *[T(node, v) for v in vals])


# ---------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------

def _channel_shape(x, v):
    s = [1] * len(shape_of(x))
    s[1] = shape_of(x)[1]
    return reshape(v, s)


@op("BatchNormalization")
def h_batchnorm(node):
    x, scale, bias, mean, var = node.inputs[:5]
    eps = node.attr("epsilon", 1e-5)
    training = node.attr("training_mode", 0) if node.opset >= 14 else 0
    if node.opset < 7 and node.attr("is_test", 0) == 0 and node.num_outputs > 1:
        training = 1
    dt = dtype_of(x)
    if training or node.num_outputs > 1:
        return _batchnorm_training(node, x, scale, bias, mean, var, eps)
    if all(isc(v) for v in (scale, bias, mean, var)):
        scale, bias, mean, var = (_dtypes.to_numbers(v).astype(np.float64)
                                  for v in (scale, bias, mean, var))
        f = scale / np.sqrt(var + eps)
        a = _dtypes.array(f, dt)
        b = _dtypes.array(bias - mean * f, dt)
        return tg.add(tg.multiply(T(node, x), T(node, _channel_shape(x, a))),
                      T(node, _channel_shape(x, b)))
    xt = T(node, x)
    inv = tg.rsqrt(tg.add(T(node, _channel_shape(x, var)), scalar(eps, dt)))
    y = tg.multiply(tg.subtract(xt, T(node, _channel_shape(x, mean))), inv)
    return tg.add(tg.multiply(y, T(node, _channel_shape(x, scale))),
                  T(node, _channel_shape(x, bias)))


def _batchnorm_training(node, x, scale, bias, mean, var, eps):
    momentum = node.attr("momentum", 0.9)
    dt = dtype_of(x)
    xt = T(node, x)
    axes = [0] + list(range(2, len(shape_of(x))))
    m = tg.reduce_mean(xt, axes, keepdims=True)
    d = tg.subtract(xt, m)
    v = tg.reduce_mean(tg.multiply(d, d), axes, keepdims=True)
    y = tg.multiply(d, tg.rsqrt(tg.add(v, scalar(eps, dt))))
    y = tg.add(tg.multiply(y, T(node, _channel_shape(x, scale))),
               T(node, _channel_shape(x, bias)))
    c = shape_of(x)[1]
    mv, vv = reshape(m, (c,)), reshape(v, (c,))
    mom = scalar(momentum, dt)
    rest = scalar(1 - momentum, dt)
    rm = tg.add(tg.multiply(T(node, mean), mom), tg.multiply(mv, rest))
    rv = tg.add(tg.multiply(T(node, var), mom), tg.multiply(vv, rest))
    return [y, rm, rv]


@op("InstanceNormalization")
def h_instancenorm(node):
    x, scale, bias = node.inputs[:3]
    eps = node.attr("epsilon", 1e-5)
    dt = dtype_of(x)
    xt = T(node, x)
    axes = list(range(2, len(shape_of(x))))
    m = tg.reduce_mean(xt, axes, keepdims=True)
    d = tg.subtract(xt, m)
    v = tg.reduce_mean(tg.multiply(d, d), axes, keepdims=True)
    y = tg.multiply(d, tg.rsqrt(tg.add(v, scalar(eps, dt))))
    return tg.add(tg.multiply(y, T(node, _channel_shape(x, scale))),
                  T(node, _channel_shape(x, bias)))


@op("LayerNormalization")
def h_layernorm(node):
    x, scale, bias = node.inputs[0], node.inputs[1], node.input(2)
    r = len(shape_of(x))
    axis = norm_axis(node, node.attr("axis", -1), r)
    eps = node.attr("epsilon", 1e-5)
    dt = dtype_of(x)
    stash = onnx_dtype(node.attr("stash_type", 1), "stash_type")
    xt = cast(node, T(node, x), stash)
    axes = list(range(axis, r))
    m = tg.reduce_mean(xt, axes, keepdims=True)
    d = tg.subtract(xt, m)
    v = tg.reduce_mean(tg.multiply(d, d), axes, keepdims=True)
    inv = tg.rsqrt(tg.add(v, scalar(eps, stash)))
    y = cast(node, tg.multiply(d, inv), dt)
    y = tg.multiply(y, T(node, scale))
    if bias is not None:
        y = tg.add(y, T(node, bias))
    return [y, m, inv]


@op("MeanVarianceNormalization")
def h_mvn(node):
    x = node.inputs[0]
    axes = node.attr("axes", [0, 2, 3])
    xt = T(node, x)
    m = tg.reduce_mean(xt, axes, keepdims=True)
    m2 = tg.reduce_mean(tg.multiply(xt, xt), axes, keepdims=True)
    v = tg.subtract(m2, tg.multiply(m, m))
    return tg.divide(tg.subtract(xt, m), tg.add(tg.sqrt(v), _c(x, 1e-9)))


@op("LRN")
def h_lrn(node):
    x = node.inputs[0]
    size = node.attr("size")
    alpha, beta, bias = node.attr("alpha", 1e-4), node.attr("beta", 0.75), \
        node.attr("bias", 1.0)
    xt = T(node, x)
    c = shape_of(x)[1]
    sq = tg.multiply(xt, xt)
    lo, hi = (size - 1) // 2, -(-(size - 1) // 2)
    p = pad_constant(sq, [(0, 0), (lo, hi)] + [(0, 0)] * (len(shape_of(x)) - 2), 0)
    acc = None
    for k in range(size):
        part = tg_slice(p, 1, k, k + c)
        acc = part if acc is None else tg.add(acc, part)
    den = tg.pow(tg.add(tg.multiply(acc, _c(x, alpha / size)), _c(x, bias)), _c(x, beta))
    return tg.divide(xt, den)


# ---------------------------------------------------------------------------
# Padding (concatenated blocks: exact for every mode)
# ---------------------------------------------------------------------------

def pad_constant(x, pads, value):
    """pads: [(before, after)] per axis (negative crops)."""
    return _pad(x, pads, "constant", value)


def _pad(x, pads, mode, value=0):
    dt = dtype_of(x)
    for axis, (b, e) in enumerate(pads):
        d = shape_of(x)[axis]
        if b < 0 or e < 0:
            x = tg_slice(x, axis, max(-b, 0), d - max(-e, 0))
            b, e = max(b, 0), max(e, 0)
            d = shape_of(x)[axis]
        if b == 0 and e == 0:
            continue
        parts = []
        if mode == "constant":
            s = list(shape_of(x))
            if b:
                s[axis] = b
                parts.append(full(s, value, dt))
            parts.append(x)
            if e:
                s[axis] = e
                parts.append(full(s, value, dt))
        elif mode == "edge":
            if b:
                s = list(shape_of(x))
                s[axis] = b
                parts.append(tg.broadcast_to(tg_slice(x, axis, 0, 1), s))
            parts.append(x)
            if e:
                s = list(shape_of(x))
                s[axis] = e
                parts.append(tg.broadcast_to(tg_slice(x, axis, d - 1, d), s))
        elif mode == "reflect":
            if b >= d or e >= d:
                raise TgTypeError("reflect padding larger than the input")
            if b:
                parts.append(tg_slice(x, axis, b, 0, -1))
            parts.append(x)
            if e:
                parts.append(tg_slice(x, axis, d - 2, d - 2 - e, -1))
        elif mode == "wrap":
            if b:
                parts.append(tg_slice(x, axis, d - b, d))
            parts.append(x)
            if e:
                parts.append(tg_slice(x, axis, 0, e))
        x = tg.concat(parts, axis)
    return x


@op("Pad")
def h_pad(node):
    x = node.inputs[0]
    mode = node.attr("mode", "constant")
    r = len(shape_of(x))
    if node.opset < 11:
        pads = node.attr("pads") or node.attr("paddings")
        value = node.attr("value", 0.0)
        axes = list(range(r))
    else:
        pads = node.const(1).reshape(-1).tolist()
        v = node.const(2)
        value = 0 if v is None or v.size == 0 else v.reshape(-1)[0]
        axes = node.const(3)
        axes = list(range(r)) if axes is None else [norm_axis(node, a, r) for a in
                                                    axes.reshape(-1)]
    n = len(axes)
    per = [(0, 0)] * r
    for k, a in enumerate(axes):
        per[a] = (int(pads[k]), int(pads[k + n]))
    if mode not in ("constant", "reflect", "edge", "wrap"):
        raise node.fail("unknown mode %r" % mode)
    if isc(x):
        np_mode = {"edge": "edge", "reflect": "reflect", "wrap": "wrap"}.get(mode)
        if all(b >= 0 and e >= 0 for b, e in per):
            if np_mode:
                return np.pad(x, per, mode=np_mode)
            return np.pad(x, per, mode="constant", constant_values=value)
    if mode == "reflect" and any(b >= shape_of(x)[a] or e >= shape_of(x)[a]
                                 for a, (b, e) in enumerate(per)):
        raise node.fail("reflect padding wider than the input")
    return _pad(T(node, x), per, mode, value)


# ---------------------------------------------------------------------------
# Convolution and pooling
# ---------------------------------------------------------------------------

def _spatial_pads(node, in_sizes, kernel, strides, dilations, ceil_mode=False):
    """(pads_begin, pads_end, out_sizes) from pads/auto_pad."""
    n = len(in_sizes)
    auto = node.attr("auto_pad", "NOTSET")
    pads = node.attr("pads") or [0] * (2 * n)
    begin, end = list(pads[:n]), list(pads[n:])
    out = []
    for i in range(n):
        window = dilations[i] * (kernel[i] - 1) + 1
        if auto in ("SAME_UPPER", "SAME_LOWER"):
            o = -(-in_sizes[i] // strides[i])
            total = max((o - 1) * strides[i] + window - in_sizes[i], 0)
            small, big = total // 2, total - total // 2
            begin[i], end[i] = (small, big) if auto == "SAME_UPPER" else (big, small)
        elif auto == "VALID":
            begin[i] = end[i] = 0
        elif auto != "NOTSET":
            raise node.fail("unknown auto_pad %r" % auto)
        span = in_sizes[i] + begin[i] + end[i] - window
        if span < 0:
            raise node.fail("the window (%d) is larger than the padded input (%d)" % (
                window, in_sizes[i] + begin[i] + end[i]))
        if ceil_mode:
            o = -(-span // strides[i]) + 1
            if (o - 1) * strides[i] >= in_sizes[i] + begin[i]:
                o -= 1
        else:
            o = span // strides[i] + 1
        out.append(o)
    return begin, end, out


def _window_parts(x, start_axis, kernel, strides, dilations, out):
    """For each kernel offset, the strided slice of x (already padded)."""
    parts = []
    for offs in itertools.product(*[range(k) for k in kernel]):
        sel = [slice(None)] * start_axis + [slice(None)] * (
            len(shape_of(x)) - start_axis - len(kernel))
        sel = sel[:start_axis]
        for i, o in enumerate(offs):
            a = o * dilations[i]
            sel.append(slice(a, a + (out[i] - 1) * strides[i] + 1, strides[i]))
        parts.append((offs, x[tuple(sel)]))
    return parts


_MAX_WINDOW = 256


def _pool(node, kind):
    x = node.inputs[0]
    if node.num_outputs > 1 and node.proto.output[1]:
        raise node.fail("the Indices output of MaxPool is not supported")
    s = shape_of(x)
    nsp = len(s) - 2
    kernel = node.attr("kernel_shape")
    strides = node.attr("strides") or [1] * nsp
    dilations = node.attr("dilations") or [1] * nsp
    ceil_mode = bool(node.attr("ceil_mode", 0))
    if node.attr("storage_order", 0):
        raise node.fail("storage_order=1 is not supported")
    begin, end, out = _spatial_pads(node, s[2:], kernel, strides, dilations, ceil_mode)
    if max(kernel) > _MAX_WINDOW:
        raise node.fail("kernel %s is larger than %d; tg.onnx pools by slices"
                        % (kernel, _MAX_WINDOW))
    # pad to cover every window (the ceil_mode tail included)
    extra = [max((out[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 -
                 (s[2 + i] + begin[i]), end[i]) for i in range(nsp)]
    dt = dtype_of(x)
    if kind == "max":
        fill = -np.inf if is_float(x) else np.iinfo(dt).min
    else:
        fill = 0
    xt = T(node, x)
    pads = [(0, 0), (0, 0)] + list(zip(begin, extra))
    xp = pad_constant(xt, pads, fill) if any(p != (0, 0) for p in pads) else xt
    # max and sum over a box are separable: one spatial axis at a time
    acc = xp
    for i in range(nsp):
        parts = _window_parts(acc, 2 + i, [kernel[i]], [strides[i]], [dilations[i]],
                              [out[i]])
        r = None
        for _, p in parts:
            if r is None:
                r = p
            else:
                r = tg.maximum(r, p) if kind == "max" else tg.add(r, p)
        acc = r
    if kind == "max":
        return acc
    # the divisor of each output: real elements (and explicit pads when
    # count_include_pad), computed here with numpy
    include = bool(node.attr("count_include_pad", 0))
    mask = np.zeros(tuple(s[2 + i] + begin[i] + extra[i] for i in range(nsp)), np.float64)
    core = tuple(slice(begin[i], begin[i] + s[2 + i]) for i in range(nsp))
    if include:
        mask[tuple(slice(0, begin[i] + s[2 + i] + end[i]) for i in range(nsp))] = 1
    else:
        mask[core] = 1
    cnt = sum(p for _, p in _window_parts(mask, 0, kernel, strides, dilations, out))
    cnt = np.maximum(cnt, 1)
    if np.all(cnt == cnt.flat[0]):
        return tg.divide(acc, scalar(cnt.flat[0], dt))
    return tg.divide(acc, T(node, _dtypes.array(cnt, dt)))


op("MaxPool")(lambda node: _pool(node, "max"))
op("AveragePool")(lambda node: _pool(node, "avg"))


@op("GlobalAveragePool", "GlobalMaxPool")
def h_global_pool(node):
    x = node.inputs[0]
    axes = list(range(2, len(shape_of(x))))
    kind = "mean" if node.op_type == "GlobalAveragePool" else "max"
    return _reduce(node, kind, x, axes, True)


def _conv_weights_hwcf(node, w):
    """OI(H)W -> (H)WIO."""
    r = len(shape_of(w))
    perm = list(range(2, r)) + [1, 0]
    return _transpose(w, perm)


def _conv2d_nhwc(node, x, w, strides, pads, dilations):
    """x NHWC (traced), w HWCF: tg.conv2d, padding [top, bottom, left, right]."""
    return tg.conv2d(x, T(node, w), strides=tuple(strides), padding=tuple(pads),
                     dilations=tuple(dilations))


def _depthwise_nhwc(node, x, w, strides, pads, dilations, out, mult):
    """x NHWC, w (C*mult, 1, kh, kw): sum over the window of slices times
    the per-channel weights."""
    c = shape_of(x)[3]
    xp = pad_constant(x, [(0, 0), (pads[0], pads[1]), (pads[2], pads[3]), (0, 0)], 0)
    if mult > 1:
        n, h, wd, _ = shape_of(xp)
        xp = reshape(tg.broadcast_to(reshape(xp, (n, h, wd, c, 1)), [n, h, wd, c, mult]),
                     (n, h, wd, c * mult))
    acc = None
    kh, kw = shape_of(w)[2:]
    for (i, j), part in _window_parts(xp, 1, [kh, kw], strides, dilations, out):
        wij = w[:, 0, i, j] if isc(w) else reshape(tg_slice(tg_slice(T(node, w), 2, i, i + 1),
                                                            3, j, j + 1),
                                                   (shape_of(w)[0],))
        term = tg.multiply(part, T(node, _contiguous(wij)) if isc(wij) else wij)
        acc = term if acc is None else tg.add(acc, term)
    return acc


def _conv_nd(node, x, w, strides, begin, end, dilations, group, out):
    """x NCHW..., w OIHW...: the convolution, NCHW out (no bias)."""
    nsp = len(shape_of(x)) - 2
    if nsp == 1:
        x2 = expand_dims(x, 2)
        w2 = expand_dims(w, 2)
        y = _conv_nd(node, x2, w2, [1] + list(strides), [0] + list(begin),
                     [0] + list(end), [1] + list(dilations), group, [1] + list(out))
        return reshape(y, shape_of(y)[:2] + shape_of(y)[3:])
    if nsp == 3:
        return _conv3d(node, x, w, strides, begin, end, dilations, group, out)
    if nsp != 2:
        raise node.fail("%d-D convolutions are not supported" % nsp)
    xt = tg.transpose(T(node, x), [0, 2, 3, 1])
    pads = [begin[0], end[0], begin[1], end[1]]
    cin = shape_of(x)[1]
    cout, cpg = shape_of(w)[:2]
    if group == 1:
        y = _conv2d_nhwc(node, xt, _conv_weights_hwcf(node, w), strides, pads, dilations)
    elif cpg == 1 and group == cin:
        y = _depthwise_nhwc(node, xt, w, strides, pads, dilations, out, cout // group)
    else:
        opg = cout // group
        ys = []
        for gi in range(group):
            xg = tg_slice(xt, 3, gi * cpg, (gi + 1) * cpg)
            wg = w[gi * opg:(gi + 1) * opg] if isc(w) else tg_slice(w, 0, gi * opg,
                                                                    (gi + 1) * opg)
            ys.append(_conv2d_nhwc(node, xg, _conv_weights_hwcf(node, wg), strides, pads,
                                   dilations))
        y = tg.concat(ys, 3)
    return tg.transpose(y, [0, 3, 1, 2])


def _conv3d(node, x, w, strides, begin, end, dilations, group, out):
    """A 3-D convolution as a sum over the kernel's depth of 2-D ones."""
    n, c, d, h, wd = shape_of(x)
    kd = shape_of(w)[2]
    xt = T(node, x)
    if begin[0] or end[0]:
        xt = pad_constant(xt, [(0, 0), (0, 0), (begin[0], end[0]), (0, 0), (0, 0)], 0)
    acc = None
    od = out[0]
    for k in range(kd):
        a = k * dilations[0]
        xs = tg_slice(xt, 2, a, a + (od - 1) * strides[0] + 1, strides[0])  # N C od H W
        xs = reshape(tg.transpose(xs, [0, 2, 1, 3, 4]), (n * od, c, h, wd))
        wk = w[:, :, k] if isc(w) else reshape(tg_slice(w, 2, k, k + 1),
                                                shape_of(w)[:2] + shape_of(w)[3:])
        y = _conv_nd(node, xs, _contiguous(wk) if isc(wk) else wk, strides[1:],
                     begin[1:], end[1:], dilations[1:], group, out[1:])
        acc = y if acc is None else tg.add(acc, y)
    co = shape_of(acc)[1]
    y = reshape(acc, (n, od, co) + shape_of(acc)[2:])
    return tg.transpose(y, [0, 2, 1, 3, 4])


def _bias(node, y, b):
    if b is None:
        return y
    return tg.add(y, T(node, _channel_shape(y, b)))


@op("Conv")
def h_conv(node):
    x, w, b = node.inputs[0], node.inputs[1], node.input(2)
    if not is_float(x):
        raise node.fail("expects float tensors, got %s" % dtype_of(x), TgTypeError)
    s, ws = shape_of(x), shape_of(w)
    nsp = len(s) - 2
    kernel = node.attr("kernel_shape") or list(ws[2:])
    strides = node.attr("strides") or [1] * nsp
    dilations = node.attr("dilations") or [1] * nsp
    group = node.attr("group", 1)
    begin, end, out = _spatial_pads(node, s[2:], kernel, strides, dilations)
    y = _conv_nd(node, x, w, strides, begin, end, dilations, group, out)
    return _bias(node, y, b)


@op("ConvTranspose")
def h_conv_transpose(node):
    """As a convolution of the input dilated by the strides (zeros between
    elements) with the flipped, transposed kernel."""
    x, w, b = node.inputs[0], node.inputs[1], node.input(2)
    s, ws = shape_of(x), shape_of(w)
    nsp = len(s) - 2
    group = node.attr("group", 1)
    kernel = node.attr("kernel_shape") or list(ws[2:])
    strides = node.attr("strides") or [1] * nsp
    dilations = node.attr("dilations") or [1] * nsp
    out_pad = node.attr("output_padding") or [0] * nsp
    pads = node.attr("pads")
    out_shape = node.attr("output_shape")
    auto = node.attr("auto_pad", "NOTSET")
    total = []
    for i in range(nsp):
        full_i = strides[i] * (s[2 + i] - 1) + out_pad[i] + (kernel[i] - 1) * dilations[i] + 1
        total.append(full_i)
    if out_shape is not None:
        out_shape = list(out_shape)[-nsp:]
        tp = [total[i] - out_shape[i] for i in range(nsp)]
        if auto == "SAME_UPPER":
            begin = [p // 2 for p in tp]
        else:  # ONNX's rule (a negative total extends the end)
            begin = [p - p // 2 for p in tp]
        end = [tp[i] - begin[i] for i in range(nsp)]
    elif auto in ("SAME_UPPER", "SAME_LOWER"):
        target = [s[2 + i] * strides[i] for i in range(nsp)]
        tp = [total[i] - target[i] for i in range(nsp)]
        if auto == "SAME_UPPER":
            begin = [p // 2 for p in tp]
        else:
            begin = [p - p // 2 for p in tp]
        end = [tp[i] - begin[i] for i in range(nsp)]
    else:
        pads = pads or [0] * (2 * nsp)
        begin, end = list(pads[:nsp]), list(pads[nsp:])
    # dilate x by the strides
    xt = T(node, x)
    for i in range(nsp):
        st = strides[i]
        if st > 1:
            ax = 2 + i
            sh = list(shape_of(xt))
            e = reshape(xt, sh[:ax + 1] + [1] + sh[ax + 1:])
            zs = list(shape_of(e))
            zs[ax + 1] = st - 1
            e = tg.concat([e, full(zs, 0, dtype_of(x))], ax + 1)
            sh2 = list(sh)
            sh2[ax] = sh[ax] * st
            xt = tg_slice(reshape(e, sh2), ax, 0, sh2[ax] - (st - 1))
    # the flipped kernel, in/out swapped per group: (Cin, Cout/g, k) -> (Cout, Cin/g, k)
    cin, opg = ws[0], ws[1]
    ipg = cin // group
    wf = w[(slice(None), slice(None)) + (slice(None, None, -1),) * nsp]
    wf = reshape(wf, (group, ipg, opg) + tuple(kernel))
    wf = _transpose(wf, [0, 2, 1] + list(range(3, 3 + nsp)))
    wf = reshape(wf, (group * opg, ipg) + tuple(kernel))
    if isc(wf):
        wf = _contiguous(wf)
    cb, ce = [], []
    for i in range(nsp):
        k = dilations[i] * (kernel[i] - 1)
        cb.append(k - begin[i])
        ce.append(k - end[i] + out_pad[i])
    # negative conv pads crop
    crop = [(max(-cb[i], 0), max(-ce[i], 0)) for i in range(nsp)]
    cb = [max(v, 0) for v in cb]
    ce = [max(v, 0) for v in ce]
    sz = shape_of(xt)[2:]
    out = [sz[i] + cb[i] + ce[i] - dilations[i] * (kernel[i] - 1) for i in range(nsp)]
    y = _conv_nd(node, xt, wf, [1] * nsp, cb, ce, dilations, group, out)
    for i, (a, z) in enumerate(crop):
        if a or z:
            y = tg_slice(y, 2 + i, a, shape_of(y)[2 + i] - z)
    return _bias(node, y, b)


# ---------------------------------------------------------------------------
# Index ops
# ---------------------------------------------------------------------------

@op("CumSum")
def h_cumsum(node):
    x = node.inputs[0]
    r = len(shape_of(x))
    axis = norm_axis(node, int(node.const(1).reshape(())), r)
    excl, rev = bool(node.attr("exclusive", 0)), bool(node.attr("reverse", 0))
    if isc(x):
        y = np.flip(x, axis) if rev else x
        c = np.cumsum(y, axis=axis).astype(x.dtype)
        if excl:
            c = np.concatenate([np.zeros_like(tg_slice(c, axis, 0, 1)),
                                tg_slice(c, axis, 0, -1)], axis)
        return np.flip(c, axis) if rev else c
    return tg.cumsum(x, axis, exclusive=excl, reverse=rev)


@op("TopK")
def h_topk(node):
    x = node.inputs[0]
    k = int(node.const(1).reshape(-1)[0]) if node.opset >= 10 else node.attr("k")
    r = len(shape_of(x))
    axis = norm_axis(node, node.attr("axis", -1), r)
    largest = node.attr("largest", 1)
    if isc(x):
        y = -x if not largest else x
        order = np.argsort(-y, axis=axis, kind="stable")
        idx = tg_slice(order, axis, 0, k)
        return [np.take_along_axis(x, idx, axis), idx.astype(np.int64)]
    top_k = tgfn(node, "math.top_k")
    xm = moveaxis(x, axis, r - 1)
    if not largest:
        xm = tg.negative(xm)
    v, i = top_k(xm, k)
    if not largest:
        v = tg.negative(v)
    return [moveaxis(v, r - 1, axis), moveaxis(tg.cast(i, np.int64), r - 1, axis)]


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------

def _nll(node, logp, target, weight, reduction, ignore):
    """ONNX NegativeLogLikelihoodLoss: logp (N, C, d...), target (N, d...)."""
    c = shape_of(logp)[1]
    dt = dtype_of(logp)
    mask = one_hot_mask(node, target, c, 1)  # (N, C, d...)
    pick = picked(node, logp, mask, 1)          # (N, d...)
    tdt = dtype_of(target)
    keep = None
    if ignore is not None:
        keep = tg.not_equal(target, scalar(ignore, tdt)) if not isc(target) else \
            target != ignore
    if weight is not None:
        wr = reshape(weight, (1, c) + (1,) * (len(shape_of(logp)) - 2))
        w = picked(node, tg.broadcast_to(T(node, wr), list(shape_of(mask))), mask, 1)
        if keep is not None:
            w = tg.where(keep, w, scalar(0, dt))
    elif keep is not None:
        w = cast(node, keep, dt)
    else:
        w = None
    loss = tg.negative(pick)
    if w is not None:
        loss = tg.multiply(loss, w)
    if reduction == "none":
        return loss
    total = tg.reduce_sum(loss)
    if reduction == "sum":
        return total
    if w is None:
        return tg.divide(total, scalar(int(np.prod(shape_of(target))), dt))
    return tg.divide(total, tg.reduce_sum(w))


@op("NegativeLogLikelihoodLoss")
def h_nll(node):
    return _nll(node, T(node, node.inputs[0]), node.inputs[1], node.input(2),
                node.attr("reduction", "mean"), node.attr("ignore_index"))


@op("SoftmaxCrossEntropyLoss")
def h_sce(node):
    x = T(node, node.inputs[0])
    logp = tg.log_softmax(x, 1)
    loss = _nll(node, logp, node.inputs[1], node.input(2), node.attr("reduction", "mean"),
                node.attr("ignore_index"))
    return [loss, logp]


# ---------------------------------------------------------------------------
# Resize / Upsample (separable: static indices and weights per axis)
# ---------------------------------------------------------------------------

def _resize_axis(node, x, axis, out_size, scale, mode, coord, nearest_mode, cubic_a,
                 exclude_outside, roi=None, extrapolation=0.0):
    n = shape_of(x)[axis]
    if out_size == n and scale == 1.0 and coord != "tf_crop_and_resize":
        return x
    o = np.arange(out_size, dtype=np.float64)
    if coord == "half_pixel":
        src = (o + 0.5) / scale - 0.5
    elif coord == "pytorch_half_pixel":
        src = (o + 0.5) / scale - 0.5 if out_size > 1 else np.zeros_like(o)
    elif coord == "align_corners":
        length = n * scale  # ONNX: the resized length as a real number
        src = o * (n - 1) / (length - 1) if length > 1 else np.zeros_like(o)
    elif coord == "asymmetric":
        src = o / scale
    elif coord == "tf_half_pixel_for_nn":
        src = (o + 0.5) / scale
    elif coord == "tf_crop_and_resize":
        start, end = roi
        if out_size > 1:
            src = start * (n - 1) + o * (end - start) * (n - 1) / (out_size - 1)
        else:
            src = np.full_like(o, 0.5 * (start + end) * (n - 1))
    else:
        raise node.fail("coordinate_transformation_mode %r is not supported" % coord)
    outside = (src < 0) | (src > n - 1) if coord == "tf_crop_and_resize" else None
    taps = []  # (indices, weights) per tap
    if mode == "nearest":
        if nearest_mode == "round_prefer_floor":
            i = np.where(src - np.floor(src) == 0.5, np.floor(src), np.round(src))
        elif nearest_mode == "round_prefer_ceil":
            i = np.where(src - np.floor(src) == 0.5, np.ceil(src), np.round(src))
        elif nearest_mode == "floor":
            i = np.floor(src)
        elif nearest_mode == "ceil":
            i = np.ceil(src)
        else:
            raise node.fail("nearest_mode %r is not supported" % nearest_mode)
        taps = [(np.clip(i, 0, n - 1).astype(np.int64), np.ones_like(src))]
    elif mode == "linear":
        s = np.clip(src, 0, n - 1) if coord != "tf_crop_and_resize" else src
        f = np.floor(s)
        t = s - f
        i0 = np.clip(f, 0, n - 1).astype(np.int64)
        i1 = np.clip(f + 1, 0, n - 1).astype(np.int64)
        taps = [(i0, 1 - t), (i1, t)]
    elif mode == "cubic":
        a = cubic_a
        f = np.floor(src)
        t = src - f

        def cw(d):
            d = np.abs(d)
            return np.where(d <= 1, ((a + 2) * d - (a + 3)) * d * d + 1,
                            np.where(d < 2, ((a * d - 5 * a) * d + 8 * a) * d - 4 * a, 0))
        ws, idxs = [], []
        for k in (-1, 0, 1, 2):
            ws.append(cw(t - k))
            idxs.append(f + k)
        ws = np.stack(ws)
        idxs = np.stack(idxs)
        if exclude_outside:
            inside = (idxs >= 0) & (idxs <= n - 1)
            ws = np.where(inside, ws, 0)
            ws = ws / ws.sum(0, keepdims=True)
        taps = [(np.clip(idxs[k], 0, n - 1).astype(np.int64), ws[k]) for k in range(4)]
    else:
        raise node.fail("mode %r is not supported" % mode)
    dt = dtype_of(x)
    r = len(shape_of(x))
    wshape = [1] * r
    wshape[axis] = out_size
    acc = None
    for idx, wt in taps:
        g = _gather_static(node, x, idx, axis)
        if mode == "nearest":
            term = g
        else:
            term = tg.multiply(T(node, g) if isc(g) else g,
                               T(node, _dtypes.array(wt.reshape(wshape), dt)))
        acc = term if acc is None else tg.add(acc, term)
    if outside is not None and outside.any():
        acc = tg.where(outside.reshape(wshape), scalar(extrapolation, dt), T(node, acc))
    return acc


def _resize(node, x, scales, sizes, roi):
    s = shape_of(x)
    r = len(s)
    mode = node.attr("mode", "nearest")
    coord = node.attr("coordinate_transformation_mode", "half_pixel" if node.opset >= 11
                      else "asymmetric")
    nearest_mode = node.attr("nearest_mode", "round_prefer_floor")
    cubic_a = node.attr("cubic_coeff_a", -0.75)
    exclude = node.attr("exclude_outside", 0)
    extrap = node.attr("extrapolation_value", 0.0)
    axes = node.attr("axes")
    axes = list(range(r)) if axes is None else [norm_axis(node, a, r) for a in axes]
    keep = node.attr("keep_aspect_ratio_policy", "stretch")
    if sizes is not None:
        sizes = [int(v) for v in sizes]
        if keep != "stretch":
            sc = [sizes[k] / s[a] for k, a in enumerate(axes)]
            f = min(sc) if keep == "not_larger" else max(sc)
            sizes = [int(np.floor(s[a] * f + 0.5)) for a in axes]
            scales = [f] * len(axes)
        else:
            scales = [sizes[k] / s[a] for k, a in enumerate(axes)]
    else:
        scales = [float(v) for v in scales]
        sizes = [int(np.floor(s[a] * scales[k])) for k, a in enumerate(axes)]
    if mode == "linear" and r - sum(1 for k, a in enumerate(axes) if sizes[k] != s[a]) < 0:
        pass
    if roi is not None and roi.size:
        roi = roi.reshape(-1).astype(np.float64)
        roi_pairs = [(roi[k], roi[k + len(axes)]) for k in range(len(axes))]
    else:
        roi_pairs = [(0.0, 1.0)] * len(axes)
    y = T(node, x) if not isc(x) else x
    for k, a in enumerate(axes):
        y = _resize_axis(node, y, a, sizes[k], scales[k], mode, coord, nearest_mode,
                         cubic_a, exclude, roi_pairs[k], extrap)
    if isc(y):
        return y
    return y


@op("Resize")
def h_resize(node):
    x = node.inputs[0]
    if not is_float(x):
        raise node.fail("expects a float tensor", TgTypeError)
    if node.opset < 11:
        scales = node.const(1).reshape(-1)
        return _resize(node, x, scales, None, None)
    roi = node.const(1)
    scales = node.const(2)
    sizes = node.const(3)
    if scales is not None and scales.size == 0:
        scales = None
    if sizes is not None and sizes.size == 0:
        sizes = None
    if sizes is not None:
        return _resize(node, x, None, sizes.reshape(-1), roi)
    return _resize(node, x, scales.reshape(-1), None, roi)


@op("Upsample")
def h_upsample(node):
    x = node.inputs[0]
    scales = node.attr("scales") if node.opset < 9 else node.const(1).reshape(-1).tolist()
    mode = node.attr("mode", "nearest")
    if mode not in ("nearest", "linear", "bilinear"):
        raise node.fail("mode %r is not supported" % mode)
    s = shape_of(x)
    y = T(node, x)
    for a, sc in enumerate(scales):
        out = int(np.floor(s[a] * sc))
        y = _resize_axis(node, y, a, out, float(sc), "nearest" if mode == "nearest" else
                         "linear", "asymmetric", "floor", -0.75, 0)
    return y


# ---------------------------------------------------------------------------
# Window functions (computed when importing: their size is a constant)
# ---------------------------------------------------------------------------

def _window(kind):
    def h(node):
        size = int(node.const(0).reshape(()))
        periodic = node.attr("periodic", 1)
        dt = onnx_dtype(node.attr("output_datatype", 1), "output_datatype")
        n = np.arange(size, dtype=np.float64)
        denom = size if periodic else size - 1
        if kind == "hann":
            w = 0.5 - 0.5 * np.cos(2 * np.pi * n / denom)
        elif kind == "hamming":
            w = 25 / 46 - (1 - 25 / 46) * np.cos(2 * np.pi * n / denom)
        else:
            w = 0.42 - 0.5 * np.cos(2 * np.pi * n / denom) + 0.08 * np.cos(4 * np.pi * n /
                                                                          denom)
        return _dtypes.array(w, dt)
    return h


op("HannWindow")(_window("hann"))
op("HammingWindow")(_window("hamming"))
op("BlackmanWindow")(_window("blackman"))

del _name, _np, _tg, _kind
_unused = (builtins, math)
