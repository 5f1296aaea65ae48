"""The op definitions: every `tg.xxx` that computes a tensor.

Each op is a public function that normalizes its arguments (the dtype rule
of _dtypes, axes, shapes: one path for every op) and then `apply`s a
*builder*: a function of traced tensors that checks shapes and emits the tg
op into the current graph. Inside `tg.function` (or when an argument is a
traced tensor) the builder runs at once, into the graph being traced;
outside, `_eager.run` traces the builder once per op, attributes and
argument signature into a small compiled kernel, runs it, and records the op
on the active GradientTapes. So an op has one definition, and eager and
traced results agree by construction.
"""
import builtins
import collections
import threading

import numpy as np

from . import _device, _dtypes, _eager, _graph
from ._dtypes import to_array
from ._errors import TgError, TgTypeError, error
from ._tensor import DeviceTensor, EagerTensor, SymbolicTensor, Tensor, mlir_type
from .autograph import RangeSpec


# ---------------------------------------------------------------------------
# Operands
# ---------------------------------------------------------------------------

_Variable = None


def _variable_type():
    global _Variable
    if _Variable is None:
        from ._variables import Variable  # imports this module
        _Variable = Variable
    return _Variable


def is_tensor_like(x):
    """Tensors and Variables: values with a tg dtype of their own."""
    return isinstance(x, Tensor) or isinstance(x, _variable_type())


def operand(x, dtype=None, exact=True):
    """A tensor (eager or traced), Variable, or a numpy array of a tg dtype
    made from a Python/numpy value (converted to `dtype` if given)."""
    if isinstance(x, RangeSpec) and not x._python():
        raise error("this tg.range has bounds that are traced tensors, so its length is "
                    "known only when the function runs; tg's shapes are static, so it can "
                    "only drive a `for` loop (give Python or eager bounds for a tensor)",
                    TgTypeError)
    if is_tensor_like(x):
        if dtype is not None and x.dtype != dtype:
            raise error("expected a %s tensor, got %s" % (dtype, x.dtype), TgTypeError)
        return x
    if isinstance(x, (list, tuple)) and any(is_tensor_like(v) for v in x):
        return pack(list(x))
    return to_array(x, dtype, exact=exact)


def same_dtype(op, *xs):
    """Operands of a broadcasting op: the non-tensors take the dtype of the
    first tensor (when exact); tensors of different dtypes raise (TF)."""
    tensors = [x for x in xs if is_tensor_like(x)]
    if tensors:
        dtype = tensors[0].dtype
        for t in tensors[1:]:
            if t.dtype != dtype:
                raise error("tg.%s: operands have different dtypes, %s and %s (tg, like "
                            "TF, does not promote; cast one with tg.cast)" %
                            (op, _name(dtype), _name(t.dtype)), TgTypeError)
    else:
        dtype = to_array(xs[0]).dtype
    return [operand(x, dtype) for x in xs]


_name = _dtypes.name


def _symbolic(g, x):
    if type(x) is SymbolicTensor:
        return x
    if isinstance(x, _variable_type()):
        return x.read_value()
    if isinstance(x, EagerTensor):
        if x.size > 16 or g.captured(x) is not None:
            # Captured like TF: an argument of the function, not a constant
            # in its text (a large constant makes a slow compile and a big
            # module). (Its shape is read from the tensor: a GPU tensor's
            # data stays where it is.)
            return g.implicit_input("capture", x, x.shape, x.dtype)
        return constant_node(g, x._value)
    return constant_node(g, x)


def apply(name, builder, operands, **attrs):
    """Runs `builder(*operands, **attrs)` traced, or eagerly as a kernel."""
    g = _graph.current()
    if g is None:
        for o in operands:
            if type(o) is SymbolicTensor:
                raise error("a traced tensor is used outside the tg.function that "
                            "traced it (keep results of tg.function calls, not tensors "
                            "from inside its trace)")
        return _eager.run(name, builder, operands, attrs)
    return builder(*[_symbolic(g, o) for o in operands], **attrs)


def current_graph():
    g = _graph.current()
    if g is None:
        raise TgError("internal error: a builder ran outside a trace")
    return g


def dense_literal(a):
    """The MLIR text of `a` as the value of a dense elements attribute (a
    splat when all values are equal): `dense<TEXT>`."""
    if a.dtype == _dtypes.bfloat16 and a.size:
        text = '"0x%s"' % a.tobytes().hex().upper()
    elif a.size and (a.size == 1 or np.all(a == a.flat[0])) and not (
            a.dtype.kind == "f" and np.isnan(a).any() and not np.isnan(a).all()):
        v = a.flat[0]
        if a.dtype == np.bool_:
            text = "true" if v else "false"
        elif a.dtype.kind == "f" and not np.isfinite(v):
            text = "0x" + np.array(v, a.dtype).tobytes()[::-1].hex().upper()
        else:
            text = repr(v.item())
    elif a.dtype == np.bool_:
        text = repr(a.tolist()).replace("True", "true").replace("False", "false")
    else:
        text = '"0x%s"' % a.tobytes().hex().upper()
    if a.size == 0:  # a splat: a nested list cannot spell a shape like 0x0
        text = "false" if a.dtype == np.bool_ else "0" if a.dtype.kind in "iu" else "0.0"
    return text


_known_values = collections.OrderedDict()  # id(constant) -> (constant, value)
_known_lock = threading.Lock()


def constant_node(g, value):
    """A tg.constant of a numpy array. Small integer constants remember
    their value, so that ops whose arguments fix shapes (tg.reshape(x,
    tg.shape(y)), tg.tile) accept them inside a trace, as TF's constant
    folding does."""
    a = np.array(value, copy=False, order="C")
    text = dense_literal(a)
    type_ = mlir_type(a.shape, a.dtype)
    (r,) = g.emit("tg.constant", [], [(a.shape, a.dtype)], prefix="",
                  attrs="dense<%s>" % text, types=type_)
    if a.size <= 64 and a.dtype.kind in "iub":
        with _known_lock:
            _known_values[id(r)] = (r, a.copy())
            if len(_known_values) > 4096:
                _known_values.popitem(last=False)
    return r


def known_value(t):
    """The value of a traced constant that constant_node remembered, or None."""
    entry = _known_values.get(id(t))
    return entry[1] if entry is not None and entry[0] is t else None


def _type(shape, dtype):
    return mlir_type(shape, dtype)


# ---------------------------------------------------------------------------
# Builders (traced tensors in, traced tensors out)
# ---------------------------------------------------------------------------

def _broadcast(op, *xs):
    try:
        return np.broadcast_shapes(*[x.shape for x in xs])
    except ValueError:
        raise error("tg.%s: shapes %s are not broadcast-compatible" % (
            op, " and ".join(str(x.shape) for x in xs))) from None


def b_binary(a, b, op):
    shape = _broadcast(op, a, b)
    (r,) = current_graph().emit("tg." + op, [a, b], [(shape, a.dtype)])
    return r


def b_cmp(a, b, pred):
    shape = _broadcast("cmp", a, b)
    (r,) = current_graph().emit("tg.cmp", [a, b], [(shape, _dtypes.bool)],
                                prefix=pred + ", ")
    return r


def b_unary(x, op):
    (r,) = current_graph().emit("tg." + op, [x], [(x.shape, x.dtype)], types=x.type)
    return r


def b_all_reduce(x, kind):
    (r,) = current_graph().emit("tg.all_reduce", [x], [(x.shape, x.dtype)],
                                prefix=kind + " ", types=x.type)
    return r


def b_broadcast_from(x, root):
    (r,) = current_graph().emit("tg.broadcast_from", [x], [(x.shape, x.dtype)],
                                attrs=" [%d]" % root, types=x.type)
    return r


def b_select(p, a, b):
    shape = _broadcast("where", p, a, b)
    (r,) = current_graph().emit("tg.select", [p, a, b], [(shape, a.dtype)])
    return r


def b_cast(x, dtype):
    dtype = np.dtype(dtype)
    (r,) = current_graph().emit("tg.cast", [x], [(x.shape, dtype)],
                                types="%s to %s" % (x.type, _type(x.shape, dtype)))
    return r


def _shape_op(op, x, shape, attrs=""):
    (r,) = current_graph().emit("tg." + op, [x], [(shape, x.dtype)], attrs=attrs,
                                types="%s -> %s" % (x.type, _type(shape, x.dtype)))
    return r


def b_reshape(x, shape):
    return x if tuple(shape) == x.shape else _shape_op("reshape", x, tuple(shape))


def b_transpose(x, perm):
    if list(perm) == list(range(x.ndim)):
        return x
    return _shape_op("transpose", x, tuple(x.shape[p] for p in perm), " %s" % list(perm))


def b_broadcast_to(x, shape):
    return x if tuple(shape) == x.shape else _shape_op("broadcast_to", x, tuple(shape))


def b_reduce(x, op, axes, keepdims):
    if not axes:
        return x
    shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)
                  if keepdims or i not in axes)
    return _shape_op(op, x, shape, " %s" % list(axes))


def b_axis_op(x, op, axis):
    (r,) = current_graph().emit("tg." + op, [x], [(x.shape, x.dtype)],
                                attrs=" [%d]" % axis, types=x.type)
    return r


def b_matmul(a, b):
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-2]:
        raise error("tg.matmul: cannot multiply shapes %s and %s (the last axis of "
                    "a must equal the second-to-last of b; both need rank >= 2)" %
                    (a.shape, b.shape))
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise error("tg.matmul: batch shapes %s and %s do not broadcast" %
                    (a.shape[:-2], b.shape[:-2])) from None
    (r,) = current_graph().emit("tg.matmul", [a, b],
                                [(batch + (a.shape[-2], b.shape[-1]), a.dtype)])
    return r


def b_concat(*xs, axis):
    shape = list(xs[0].shape)
    shape[axis] = builtins.sum(x.shape[axis] for x in xs)
    if len(xs) == 1:
        return xs[0]
    (r,) = current_graph().emit("tg.concat", list(xs), [(tuple(shape), xs[0].dtype)],
                                attrs=" [%d]" % axis)
    return r


def b_slice(x, ranges):
    """ranges: (start, stop, step) per dimension, step >= 1."""
    if all(r == (0, d, 1) for r, d in zip(ranges, x.shape)):
        return x
    shape = tuple(len(range(*r)) for r in ranges)
    text = ", ".join("%d:%d" % (s, max(e, s)) + (":%d" % k if k != 1 else "")
                     for s, e, k in ranges)
    return _shape_op("slice", x, shape, " [%s]" % text)


def b_conv2d(x, w, strides, padding, dilations):
    out = [x.shape[0]]
    for d in range(2):
        padded = x.shape[1 + d] + padding[2 * d] + padding[2 * d + 1]
        window = dilations[d] * (w.shape[d] - 1) + 1
        if window > padded:
            raise error("tg.conv2d: the window (%d) is larger than the padded input "
                        "(%d)" % (window, padded))
        out.append((padded - window) // strides[d] + 1)
    out.append(w.shape[3])
    attrs = " strides %s padding %s dilations %s" % (list(strides), list(padding),
                                                      list(dilations))
    (r,) = current_graph().emit("tg.conv2d", [x, w], [(tuple(out), x.dtype)],
                                prefix="", attrs=attrs)
    # The generic printer puts attributes after the operands, as tg.conv2d's
    # syntax wants.
    return r


# ---------------------------------------------------------------------------
# Public ops
# ---------------------------------------------------------------------------

def _check_float(op, x):
    if not _dtypes.is_float(x.dtype):
        raise error("tg.%s needs a float tensor, got %s" % (op, _name(x.dtype)),
                    TgTypeError)


def _binary(op):
    def f(x, y, name=None):
        x, y = same_dtype(op, x, y)
        if x.dtype == _dtypes.bool:
            raise error("tg.%s is not defined on bool tensors" % op, TgTypeError)
        return apply(op, b_binary, [x, y], op=op)
    f.__name__ = op
    f.__doc__ = "Elementwise %s, with numpy broadcasting (tg.%s)." % (op, op)
    return f


add = _binary("add")
subtract = _binary("sub")
multiply = _binary("mul")
maximum = _binary("maximum")
minimum = _binary("minimum")
_pow = _binary("pow")
floordiv = _binary("floordiv")
mod = _binary("mod")
floormod = mod
floor_div = floordiv


def pow(x, y, name=None):  # noqa: A001 (tf.pow)
    """x ** y elementwise. Integer tensors take a non-negative Python int
    exponent (computed by squaring, wrapping as numpy does)."""
    if is_tensor_like(x) and x.dtype.kind in "iu" and not is_tensor_like(y):
        k = np.asarray(y)
        if k.ndim != 0 or k.dtype.kind not in "iu":
            raise error("tg.pow: an integer tensor's exponent must be a Python int "
                        "(cast to float for other exponents)", TgTypeError)
        k = int(k)
        if k < 0:
            raise error("tg.pow: integers to negative integer powers are not allowed "
                        "(numpy's rule; cast to float)")
        result, base = ones_like(x), x
        while k:
            if k & 1:
                result = multiply(result, base)
            k >>= 1
            if k:
                base = multiply(base, base)
        return result
    x, y = same_dtype("pow", x, y)
    if not _dtypes.is_float(x.dtype):
        raise error("tg.pow of %s tensors: the exponent must be a Python int, or cast "
                    "to float" % _name(x.dtype), TgTypeError)
    return _pow(x, y)


def divide(x, y, name=None):
    """True division (`/`): integers are divided as float64 (TF and numpy)."""
    x, y = same_dtype("divide", x, y)
    if x.dtype.kind in "iub":
        x, y = cast(x, _dtypes.float64), cast(y, _dtypes.float64)
    return apply("div", b_binary, [x, y], op="div")


truediv = div = divide
sub, mul = subtract, multiply


def _compare(pred, tf_name):
    def f(x, y, name=None):
        x, y = same_dtype(tf_name, x, y)
        if x.dtype == _dtypes.bool:  # tg.cmp compares numbers: as 0 and 1
            x, y = cast(x, _dtypes.int32), cast(y, _dtypes.int32)
        return apply("cmp", b_cmp, [x, y], pred=pred)
    f.__name__ = tf_name
    f.__doc__ = "Elementwise `%s` comparison, broadcasting; a bool tensor." % pred
    return f


equal = _compare("eq", "equal")
not_equal = _compare("ne", "not_equal")
less = _compare("lt", "less")
less_equal = _compare("le", "less_equal")
greater = _compare("gt", "greater")
greater_equal = _compare("ge", "greater_equal")


def _unary(op):
    def f(x, name=None):
        x = operand(x)
        if x.dtype.kind != "f" and x.dtype.kind in "iub" and isinstance(x, np.ndarray):
            x = x.astype(np.float32) if x.dtype.kind == "b" else x
        _check_float(op, x)
        return apply(op, b_unary, [x], op=op)
    f.__name__ = op
    f.__doc__ = "Elementwise %s of a float tensor (tg.%s)." % (op, op)
    return f


exp, log, sqrt, rsqrt, tanh, sigmoid, sin, cos = [
    _unary(n) for n in ["exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "sin", "cos"]]
_relu_float = _unary("relu")


def relu(features, name=None):
    x = operand(features)
    if _dtypes.is_float(x.dtype):
        return _relu_float(x)
    return maximum(x, 0)


def negative(x, name=None):
    x = operand(x)
    if _dtypes.is_float(x.dtype):
        return apply("neg", b_unary, [x], op="neg")
    if x.dtype == _dtypes.bool:
        raise error("tg.negative is not defined on bool tensors", TgTypeError)
    return subtract(np.zeros((), x.dtype), x)


neg = negative


def abs(x, name=None):  # noqa: A001 (tf.abs)
    x = operand(x)
    if x.dtype == _dtypes.bool:
        raise error("tg.abs is not defined on bool tensors", TgTypeError)
    if _dtypes.is_float(x.dtype):
        return apply("abs", b_unary, [x], op="abs")
    return where(less(x, 0), negative(x), x)


def square(x, name=None):
    x = operand(x)
    return multiply(x, x)


def where(condition, x=None, y=None, name=None):
    """Elementwise condition ? x : y, the three broadcast together.

    tg.where(condition) alone (the int64 coordinates of the true elements,
    shape [count, rank]) has a shape that depends on the values: it works on
    eager (and numpy) conditions; inside a tg.function on a traced condition
    it raises (tg's shapes are static)."""
    if x is None and y is None:
        c = operand(condition, _dtypes.bool)
        if type(c) is SymbolicTensor:
            raise error("tg.where(condition) without x and y returns one row per true "
                        "element, a shape known only when the function runs; tg's "
                        "shapes are static, so it needs an eager condition (or give x "
                        "and y)")
        return constant(np.argwhere(np.asarray(c)).astype(np.int64))
    if x is None or y is None:
        raise error("tg.where: give both x and y, or neither", TgTypeError)
    condition = operand(condition, _dtypes.bool)
    x, y = same_dtype("where", x, y)
    return apply("select", b_select, [condition, x, y])


select = where


def logical_not(x, name=None):
    x = operand(x, _dtypes.bool)
    return where(x, np.zeros((), np.bool_), np.ones((), np.bool_))


def logical_and(x, y, name=None):
    x, y = operand(x, _dtypes.bool), operand(y, _dtypes.bool)
    return where(x, y, np.zeros((), np.bool_))


def logical_or(x, y, name=None):
    x, y = operand(x, _dtypes.bool), operand(y, _dtypes.bool)
    return where(x, np.ones((), np.bool_), y)


def logical_xor(x, y, name=None):
    x, y = operand(x, _dtypes.bool), operand(y, _dtypes.bool)
    return not_equal(x, y)


def cast(x, dtype, name=None):
    """Converts x to `dtype` (floats to integers round toward zero)."""
    dtype = _dtypes.required_dtype(dtype, "cast")
    x = operand(x)
    if x.dtype == dtype:
        return x
    return apply("cast", b_cast, [x], dtype=dtype)


def matmul(a, b, transpose_a=False, transpose_b=False, name=None):
    """Matrix product of rank >= 2 tensors (batched, broadcasting)."""
    a, b = same_dtype("matmul", a, b)
    if a.dtype == _dtypes.bool:
        raise error("tg.matmul is not defined on bool tensors", TgTypeError)
    if transpose_a:
        a = transpose(a, _swap_last(a.ndim))
    if transpose_b:
        b = transpose(b, _swap_last(b.ndim))
    return apply("matmul", b_matmul, [a, b])


def _swap_last(rank):
    if rank < 2:
        raise error("tg.matmul: transpose_a/transpose_b need rank >= 2")
    return list(range(rank - 2)) + [rank - 1, rank - 2]


def _axis(axis, rank, op):
    """A normalized axis; out of range raises (no wrap-around)."""
    if isinstance(axis, Tensor):
        if isinstance(axis, EagerTensor) and axis.size == 1 and axis.dtype.kind in "iu":
            axis = int(axis)  # (a float axis tensor was truncated)
        else:
            raise error("tg.%s: the axis must be a Python int or one-element integer "
                        "tensor, got %s" % (op, "a traced tensor" if type(axis) is
                                           SymbolicTensor else _name(axis.dtype) + " " +
                                           str(tuple(axis.shape))), TgTypeError)
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise error("tg.%s: an axis must be an int, got %r" % (op, axis), TgTypeError)
    if not -rank <= axis < builtins.max(rank, 1) or (rank == 0 and axis not in (0, -1)):
        raise error("tg.%s: axis %d is out of range for a tensor of rank %d" %
                    (op, axis, rank))
    return int(axis) % builtins.max(rank, 1)


def _axes(axis, rank, op):
    if axis is None:
        return tuple(range(rank))
    axes = [axis] if not isinstance(axis, (list, tuple)) else list(axis)
    if rank == 0:
        if axes:
            raise error("tg.%s: axis %r is out of range for a 0-d tensor" % (op, axis))
        return ()
    normalized = sorted({_axis(a, rank, op) for a in axes})
    if len(normalized) != len(axes):
        raise error("tg.%s: repeated axis in %r" % (op, axis))
    return tuple(normalized)


def transpose(a, perm=None, name=None):
    a = operand(a)
    perm = tuple(range(a.ndim))[::-1] if perm is None else tuple(
        _axis(p, a.ndim, "transpose") for p in perm)
    if sorted(perm) != list(range(a.ndim)):
        raise error("tg.transpose: %s is not a permutation of the %d axes" %
                    (list(perm), a.ndim))
    return apply("transpose", b_transpose, [a], perm=perm)


def reshape(tensor, shape, name=None):
    x = operand(tensor)
    if shape is None:
        raise error("tg.reshape: the shape is a list of ints, got None", TgTypeError)
    shape = _int_list(shape, "reshape", "the shape", vector=True)
    size = int(np.prod(x.shape, dtype=np.int64))
    if shape.count(-1) > 1 or any(d < -1 for d in shape):
        raise error("tg.reshape: invalid shape %s" % (shape,))
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
        if known == 0 or size % known:
            raise error("tg.reshape: cannot reshape %s into %s" % (x.shape, shape))
        shape[shape.index(-1)] = size // known
    if int(np.prod(shape, dtype=np.int64)) != size:
        raise error("tg.reshape: cannot reshape %s (%d elements) into %s" %
                    (x.shape, size, tuple(shape)))
    return apply("reshape", b_reshape, [x], shape=tuple(shape))


def broadcast_to(input, shape, name=None):  # noqa: A002 (TF's argument name)
    x = operand(input)
    shape = _shape_argument(shape, "broadcast_to")
    try:
        if np.broadcast_shapes(x.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise error("tg.broadcast_to: cannot broadcast %s to %s" % (x.shape, shape)) \
            from None
    return apply("broadcast_to", b_broadcast_to, [x], shape=shape)


def _reduction(op):
    def f(input_tensor, axis=None, keepdims=False, name=None):
        x = operand(input_tensor)
        if x.dtype == _dtypes.bool:
            raise error("tg.%s of a bool tensor: cast it first" % op, TgTypeError)
        axes = _axes(axis, x.ndim, op)
        keep = builtins.bool(keepdims)
        if op == "reduce_mean" and x.dtype.kind in "iu" and axes:
            # TF's integer mean: the sum divided by the count, truncated.
            count = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
            total = apply("reduce_sum", b_reduce, [x], op="reduce_sum", axes=axes,
                          keepdims=keep)
            return apply("div", b_binary, [total, np.array(builtins.max(count, 1),
                                                           x.dtype)], op="div")
        return apply(op, b_reduce, [x], op=op, axes=axes, keepdims=keep)
    f.__name__ = op
    f.__doc__ = "tf.%s: over `axis` (all by default), keepdims as TF." % op
    return f


reduce_sum, reduce_mean, reduce_max, reduce_min = [
    _reduction(n) for n in ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min"]]


def _softmax(op):
    def f(logits, axis=-1, name=None):
        x = operand(logits)
        _check_float(op, x)
        if x.ndim == 0:
            raise error("tg.%s needs a tensor of rank >= 1" % op)
        return apply(op, b_axis_op, [x], op=op, axis=_axis(axis, x.ndim, op))
    f.__name__ = op
    return f


softmax, log_softmax = _softmax("softmax"), _softmax("log_softmax")


def concat(values, axis, name=None):
    """Joins tensors along an existing axis."""
    if not isinstance(values, (list, tuple)) or not values:
        raise error("tg.concat expects a non-empty list of tensors", TgTypeError)
    values = same_dtype("concat", *values)
    rank = values[0].ndim
    if rank == 0:
        raise error("tg.concat: 0-d tensors cannot be concatenated (use tg.stack)")
    axis = _axis(axis, rank, "concat")
    for v in values:
        if v.ndim != rank or any(d != e for i, (d, e) in enumerate(
                zip(v.shape, values[0].shape)) if i != axis):
            raise error("tg.concat: shapes %s do not match outside axis %d" %
                        ([tuple(x.shape) for x in values], axis))
    return apply("concat", b_concat, list(values), axis=axis)


def stack(values, axis=0, name=None):
    if is_tensor_like(values):
        values = unstack(values)  # its rows, as TF's stack of one tensor
    elif not isinstance(values, (str, bytes)) and hasattr(values, "__iter__"):
        values = list(values)
    if not isinstance(values, list) or not values:
        raise error("tg.stack needs a non-empty list of tensors, got %r" % (values,),
                    TgTypeError)
    values = same_dtype("stack", *values)
    rank = values[0].ndim
    axis = _axis(axis, rank + 1, "stack")
    return concat([expand_dims(v, axis) for v in values], axis)


def expand_dims(input, axis, name=None):  # noqa: A002
    x = operand(input)
    axis = _axis(axis, x.ndim + 1, "expand_dims")
    shape = list(x.shape)
    shape.insert(axis, 1)
    return reshape(x, shape)


def squeeze(input, axis=None, name=None):  # noqa: A002
    x = operand(input)
    axes = [i for i, d in enumerate(x.shape) if d == 1] if axis is None else \
        list(_axes(axis, x.ndim, "squeeze"))
    for a in axes:
        if x.shape[a] != 1:
            raise error("tg.squeeze: axis %d has size %d, not 1" % (a, x.shape[a]))
    return reshape(x, [d for i, d in enumerate(x.shape) if i not in axes])


def _pair(v, what):
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        v = (int(v), int(v))
    try:
        v = tuple(int(e) for e in v)
    except (TypeError, ValueError):
        raise error("tg.conv2d: %s must be an int or two ints, got %r" % (what, v),
                    TgTypeError) from None
    if len(v) == 4:  # TF's NHWC form [1, sh, sw, 1]
        v = v[1:3]
    if len(v) != 2 or any(e < 1 for e in v):
        raise error("tg.conv2d: %s must be two positive ints, got %r" % (what, v))
    return v


def conv2d(x, w, strides=(1, 1), padding=(0, 0, 0, 0), dilations=(1, 1)):
    """NHWC input, HWCF filter. `padding` is "VALID", "SAME" (TF's rule) or
    explicit [top, bottom, left, right]; strides and dilations an int or two
    ints (or TF's four)."""
    x, w = same_dtype("conv2d", x, w)
    if x.ndim != 4 or w.ndim != 4 or x.shape[3] != w.shape[2]:
        raise error("tg.conv2d: expects NHWC input and HWCF filter with matching "
                    "channels, got %s and %s" % (x.shape, w.shape))
    strides, dilations = _pair(strides, "strides"), _pair(dilations, "dilations")
    if isinstance(padding, str):
        if padding.upper() == "VALID":
            padding = (0, 0, 0, 0)
        elif padding.upper() == "SAME":
            pads = []
            for d in range(2):
                window = dilations[d] * (w.shape[d] - 1) + 1
                out = -(-x.shape[1 + d] // strides[d])
                total = builtins.max((out - 1) * strides[d] + window - x.shape[1 + d], 0)
                pads += [total // 2, total - total // 2]
            padding = tuple(pads)
        else:
            raise error("tg.conv2d: padding must be 'SAME', 'VALID' or four ints, got %r"
                        % (padding,))
    try:
        padding = tuple(int(p) for p in padding)
    except (TypeError, ValueError):
        raise error("tg.conv2d: padding must be 'SAME', 'VALID' or four ints, got %r" %
                    (padding,), TgTypeError) from None
    if len(padding) != 4 or any(p < 0 for p in padding):
        raise error("tg.conv2d: explicit padding is four ints >= 0 [top, bottom, left, "
                    "right], got %r" % (padding,))
    return apply("conv2d", b_conv2d, [x, w], strides=strides, padding=padding,
                 dilations=dilations)


def stop_gradient(input, name=None):  # noqa: A002
    """The same value, through which no GradientTape differentiates."""
    x = operand(input)
    g = _graph.current()
    if g is not None:
        return g.alias(_symbolic(g, x))
    value = x.read_value() if isinstance(x, _variable_type()) else x
    # A new tensor (no tape connects it to x) on the device in scope.
    target = _device.current_target()
    if isinstance(value, EagerTensor):
        return _eager.moved(value, target)
    return _eager.place(np.asarray(value), target)


def identity(input, name=None):  # noqa: A002
    """The same value (on the device in scope, as TF's: eagerly, a tensor
    on another device is copied, and the copy is recorded on tapes)."""
    x = operand(input)
    if isinstance(x, _variable_type()):
        x = x.read_value()
    if not isinstance(x, Tensor):
        return constant(x)
    if isinstance(x, EagerTensor) and _graph.current() is None:
        target = _device.current_target()
        if (x._buffer.target if type(x) is DeviceTensor else 0) != target:
            return _eager.copied(x, target)
    return x


# ---------------------------------------------------------------------------
# Constants and creation
# ---------------------------------------------------------------------------

def constant(value, dtype=None, shape=None, name=None):
    """A tensor of a Python or numpy value (float32 for Python floats, int32
    for Python ints, as TF)."""
    if isinstance(value, EagerTensor) or is_tensor_like(value):
        if dtype is not None and _dtypes.as_dtype(dtype) != value.dtype:
            value = cast(value, dtype)
        else:
            value = identity(value)
        if shape is None:
            return value
        return _fill_shape(value, _shape_argument(shape, "constant"), reshape, broadcast_to)
    dtype = _dtypes.as_dtype(dtype)
    # TF's rule: a value converts to an explicit dtype only when exactly.
    arr = to_array(value, dtype, exact=True)
    if shape is not None:
        arr = _fill_shape(arr, _shape_argument(shape, "constant"), np.reshape,
                          np.broadcast_to)
    arr = np.array(arr, copy=True, order="C")
    g = _graph.current()
    if g is not None:
        return constant_node(g, arr)
    return _eager.place(arr, _device.current_target())


def _fill_shape(value, shape, reshape_, broadcast):
    """tf.constant's `shape`: one value fills it, as many values as it holds
    are reshaped to it (an array with numpy's functions, a tensor with tg's)."""
    size = int(np.prod(value.shape, dtype=np.int64))
    if size == 1:
        return broadcast(reshape_(value, []), shape)
    if size != int(np.prod(shape, dtype=np.int64)):
        raise error("tg.constant: %d values cannot fill shape %s" % (size, shape))
    return reshape_(value, shape)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """tf.convert_to_tensor: `dtype_hint` is used when it converts exactly."""
    if dtype is None and dtype_hint is not None and not is_tensor_like(value):
        try:
            return constant(value, dtype_hint)
        except TgTypeError:
            pass
    return constant(value, dtype)


def fill(dims, value, name=None):
    """tf.fill: `value` is one value (a 0-d tensor or a scalar)."""
    shape = tuple(value.shape) if is_tensor_like(value) else np.shape(value)
    if shape != ():
        raise error("tg.fill: the value must be a scalar, got shape %s" % (shape,))
    return constant(value, shape=_shape_argument(dims, "fill"))


def _shape_argument(shape, op):
    """A shape: an int (TF accepts a scalar) or a sequence of sizes >= 0."""
    if is_tensor_like(shape):
        # An eager tensor or Variable, or a traced tg.shape(x) (a constant).
        known = _concrete(shape)
        if known is None:
            raise error("tg.%s: shapes are static in tg; the shape must be known when "
                        "tracing, not a traced tensor or a Variable" % op, TgTypeError)
        shape = np.asarray(known).tolist()
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = [shape]
    if shape is None or isinstance(shape, (str, bytes)):
        raise error("tg.%s: a shape is a list of ints, got %r" % (op, shape), TgTypeError)
    # (int() would truncate a float size: [2.9] was shape (2,))
    dims = _int_list(shape, op, "a shape", vector=True)
    if any(d < 0 for d in dims):
        raise error("tg.%s: negative dimension in shape %s" % (op, dims))
    if int(np.prod(dims, dtype=np.float64)) >= 2 ** 32:
        raise error("tg.%s: shape %s has more than 2^32 elements (tg's limit per "
                    "tensor)" % (op, dims))
    return tuple(dims)


def zeros(shape, dtype=_dtypes.float32, name=None):
    return constant(0, dtype=_dtypes.required_dtype(dtype, "zeros"),
                    shape=_shape_argument(shape, "zeros"))


def ones(shape, dtype=_dtypes.float32, name=None):
    return constant(1, dtype=_dtypes.required_dtype(dtype, "ones"),
                    shape=_shape_argument(shape, "ones"))


def zeros_like(input, dtype=None, name=None):  # noqa: A002
    x = operand(input)
    return zeros(x.shape, dtype or x.dtype)


def ones_like(input, dtype=None, name=None):  # noqa: A002
    x = operand(input)
    return ones(x.shape, dtype or x.dtype)


def pack(values):
    """A list holding tensors as one tensor (tf.constant([t1, t2]) packs)."""
    return stack([operand(v) for v in values], 0)


# ---------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------

_MAX_UNROLLED_INDEX = 1024


def getitem(x, index):
    """Indexing as numpy's basic indexing (ints, slices with any step, None,
    ...) plus one integer index array: a list, a numpy array or an integer
    tensor (eager or traced, any rank), which gathers (tg.gather) along its
    axis. An index array's out-of-range entries raise when its values are
    known (lists, numpy arrays, eager tensors); those of a traced index give
    zeros (tg.gather's rule, TF's on GPUs)."""
    x = operand(x)
    if not isinstance(index, tuple):
        index = (index,)
    items = []
    for i in index:
        if isinstance(i, _variable_type()):
            i = i.read_value()
        if isinstance(i, Tensor):
            if i.dtype == _dtypes.bool:
                raise error("boolean tensor indices are not supported (the result's shape "
                            "would depend on the values); use tg.boolean_mask or tg.where",
                            TgTypeError)
            if i.dtype.kind not in "iu":
                raise error("a tensor index must be an integer tensor, got %s" %
                            _name(i.dtype), TgTypeError)
            if isinstance(i, EagerTensor) and i.ndim == 0:
                i = int(i)
            elif isinstance(i, EagerTensor) and i.ndim == 1 and i.size <= _MAX_UNROLLED_INDEX:
                i = [int(v) for v in i.numpy()]
            else:
                i = ("tensor", i)
        if isinstance(i, np.ndarray):
            if i.dtype.kind == "b":
                raise error("boolean array indices are not supported; use tg.boolean_mask "
                            "or tg.where", TgTypeError)
            if i.dtype.kind not in "iu":
                raise error("an index array must hold integers, got %s" % i.dtype,
                            TgTypeError)
            if i.ndim == 0:
                i = int(i)
            elif i.ndim == 1 and i.size <= _MAX_UNROLLED_INDEX:
                i = [int(v) for v in i]
            else:
                i = ("tensor", i)
        if isinstance(i, (bool, np.bool_)):
            raise error("boolean indices are not supported; use tg.where", TgTypeError)
        if isinstance(i, (int, np.integer)):
            i = int(i)
        elif isinstance(i, slice):
            for part in (i.start, i.stop, i.step):
                if part is not None and not isinstance(part, (int, np.integer)):
                    raise error("slice bounds must be Python ints, got %r" % (part,),
                                TgTypeError)
            i = ("slice", i.start, i.stop, i.step)
        elif isinstance(i, list):
            if not builtins.all(isinstance(v, (int, np.integer)) and not isinstance(
                    v, bool) for v in i):
                raise error("an index list must hold ints, got %r" % (i,), TgTypeError)
            i = ("list",) + tuple(int(v) for v in i) if len(i) <= _MAX_UNROLLED_INDEX \
                else ("tensor", np.array(i, np.int64))
        elif i is None or i is Ellipsis or (isinstance(i, tuple) and i[0] == "tensor"):
            pass
        else:
            raise error("invalid index %r" % (i,), TgTypeError)
        items.append(i)
    if items.count(Ellipsis) > 1:
        raise error("an index can only have a single ellipsis ('...')")
    if builtins.sum(1 for i in items if isinstance(i, tuple) and i[0] in ("list", "tensor")) > 1:
        raise error("only one integer-array index (list or tensor; a gather) per indexing "
                    "is supported; index in two steps")
    advanced = [k for k, i in enumerate(items) if isinstance(i, int) or (
        isinstance(i, tuple) and i[0] in ("list", "tensor"))]
    if any(isinstance(items[k], tuple) for k in advanced) and len(advanced) > 1 and \
            advanced[-1] - advanced[0] != len(advanced) - 1:
        raise error("an index list and an integer index separated by other indices: "
                    "numpy moves the list's axis first, TF rejects it; index in two "
                    "steps", IndexErrorTg)
    consumed = builtins.sum(1 for i in items if i is not None and i is not Ellipsis)
    if consumed > x.ndim:
        raise error("too many indices (%d) for a tensor of rank %d" % (consumed, x.ndim),
                    TgError)
    if Ellipsis in items:
        k = items.index(Ellipsis)
        items[k:k + 1] = [("slice", None, None, None)] * (x.ndim - consumed)
    else:
        items += [("slice", None, None, None)] * (x.ndim - consumed)
    # Resolve against the shape (errors name the user's line here).
    resolved, dim, gather_at = [], 0, None
    for i in items:
        if i is None:
            resolved.append(None)
            continue
        size = x.shape[dim]
        if isinstance(i, int):
            if not -size <= i < size:
                raise error("index %d is out of bounds for axis %d with size %d" %
                            (i, dim, size), IndexErrorTg)
            resolved.append(i % size)
        elif i[0] == "slice":
            if i[3] == 0:
                raise error("slice step cannot be zero")
            resolved.append(("slice",) + slice(i[1], i[2], i[3]).indices(size))
        elif i[0] == "tensor":
            # The gather's axis in the result of the other indices.
            gather_at = (builtins.sum(1 for r in resolved if not isinstance(r, int)),
                         i[1], dim)
            resolved.append(("slice", 0, size, 1))
        else:
            for v in i[1:]:
                if not -size <= v < size:
                    raise error("index %d is out of bounds for axis %d with size %d" %
                                (v, dim, size), IndexErrorTg)
            resolved.append(("list",) + tuple(v % size for v in i[1:]))
        dim += 1
    y = apply("getitem", b_getitem, [x], index=tuple(resolved))
    if gather_at is None:
        return y
    axis, indices, dim = gather_at
    return _gather_checked(y, indices, axis, "indexing", dim)


class IndexErrorTg(TgError, IndexError):
    """An out-of-range index (an IndexError, as numpy and TF raise)."""


def b_getitem(x, index):
    ranges, out_shape, dim = [], [], 0
    gathers = []
    for i in index:
        if i is None:
            out_shape.append(1)
            continue
        if isinstance(i, int):
            ranges.append((i, i + 1, 1))
        elif i[0] == "slice":
            start, stop, step = i[1:]
            n = len(range(start, stop, step))
            if step > 0:
                ranges.append((start, builtins.max(stop, start), step))
            else:
                gathers.append((dim, [start + k * step for k in range(n)]))
                ranges.append((0, x.shape[dim], 1))
            out_shape.append(n)
        else:
            gathers.append((dim, list(i[1:])))
            ranges.append((0, x.shape[dim], 1))
            out_shape.append(len(i) - 1)
        dim += 1
    y = b_slice(x, ranges)
    for d, picks in gathers:
        y = b_take(y, d, picks)
    return b_reshape(y, tuple(out_shape))


def b_take(y, d, picks):
    """The slices `picks` (ints in range) of y along axis d, in that order:
    slices and a concat when there are few (their gradient is cheap), a
    tg.gather of a constant index otherwise."""
    picks = [int(p) for p in picks]
    if picks == list(range(y.shape[d])):
        return y
    if len(picks) > _MAX_UNROLLED_INDEX:
        dtype = np.int32 if y.shape[d] < 2 ** 31 else np.int64
        return b_gather(y, constant_node(current_graph(), np.array(picks, dtype)), d)
    if not picks:
        rng = [(0, s, 1) for s in y.shape]
        rng[d] = (0, 0, 1)
        return b_slice(y, rng)
    parts, k = [], 0
    while k < len(picks):  # runs of consecutive picks are one slice
        e = k + 1
        while e < len(picks) and picks[e] == picks[e - 1] + 1:
            e += 1
        rng = [(0, s, 1) for s in y.shape]
        rng[d] = (picks[k], picks[e - 1] + 1, 1)
        parts.append(b_slice(y, rng))
        k = e
    return b_concat(*parts, axis=d)


# ---------------------------------------------------------------------------
# The op set of TF users (spec section 6): math, indexing, shape. Each op
# validates its arguments here and then `apply`s one builder, so that an
# eager call is one compiled kernel; builders are compositions of the
# dialect ops (see docs/tensorflow-users.md, "The op set").
# ---------------------------------------------------------------------------

def _concrete(x):
    """The numpy value of x when it is known while tracing (Python values,
    numpy arrays, eager tensors, small traced integer constants), else None."""
    if type(x) is SymbolicTensor:
        return known_value(x)
    if isinstance(x, _variable_type()):
        # Eagerly its value is known (tf.zeros(v) works); traced, it is read
        # at run time.
        return x.numpy() if _graph.current() is None else None
    if isinstance(x, EagerTensor):
        return np.asarray(x)
    if isinstance(x, Tensor):  # a tg.range with static bounds
        return np.asarray(x)
    return None


def _int_list(v, op, what, rank=None, vector=False):
    """A list of Python ints from an int, a list, a numpy array or an eager
    tensor (values that fix shapes must be known when tracing); `vector`:
    a list, not a nesting of them (a shape)."""
    a = _concrete(v) if is_tensor_like(v) else v
    if isinstance(a, (list, tuple)) and any(is_tensor_like(e) for e in a):
        a = [_concrete(e) if is_tensor_like(e) else e for e in a]
        a = None if any(e is None for e in a) else a
    if a is None:
        raise error("tg.%s: %s fixes a shape, so it must be known when tracing (a Python "
                    "list, numpy array or eager tensor), not a traced tensor" % (op, what),
                    TgTypeError)
    try:
        a = np.asarray(a)
    except (ValueError, TypeError):
        a = np.asarray(None)  # ragged: not a list of ints
    if a.size and a.dtype.kind not in "iu" or a.dtype.kind in "bO" or (
            vector and a.ndim > 1):
        raise error("tg.%s: %s must be %s, got %r" % (
            op, what, "one list of integers" if vector else "integers", v), TgTypeError)
    out = [int(e) for e in a.reshape(-1)]
    if rank is not None and len(out) != rank:
        raise error("tg.%s: %s needs %d values (one per axis), got %r" % (
            op, what, rank, v))
    return out


def _int_scalar(v, op, what):
    if type(v) is SymbolicTensor and known_value(v) is not None:
        v = known_value(v)
    if isinstance(v, (bool, np.bool_)) or not isinstance(
            v, (int, np.integer, EagerTensor, np.ndarray)):
        if type(v) is SymbolicTensor:
            raise error("tg.%s: %s must be known when tracing, not a traced tensor" %
                        (op, what), TgTypeError)
        raise error("tg.%s: %s must be an int, got %r" % (op, what, v), TgTypeError)
    a = np.asarray(v)
    if a.size != 1 or a.dtype.kind not in "iu":
        raise error("tg.%s: %s must be an int, got %r" % (op, what, v), TgTypeError)
    return int(a.reshape(()))


def _const(a):
    """A numpy array as a constant of the graph being built."""
    return constant_node(current_graph(), np.asarray(a))


def _iota(n, axis, rank, dtype):
    """0..n-1 along `axis` of a rank-`rank` constant (size 1 elsewhere)."""
    shape = [1] * rank
    shape[axis] = n
    return _const(np.arange(n, dtype=dtype).reshape(shape))


def _scalar(value, dtype):
    return _const(_dtypes.array(value, dtype))


def _full(shape, value, dtype):
    return b_broadcast_to(_scalar(value, dtype), tuple(shape))


def _is_nan(x):
    return b_cmp(x, x, "ne")


def _or(a, b):
    return b_select(a, a, b)


def _and(a, b):
    return b_select(a, b, a)


def _not(a):
    return b_select(a, _scalar(False, np.bool_), _scalar(True, np.bool_))


# Elementwise ------------------------------------------------------------------

_floor, _ceil, _round, _sign = [_unary(n) for n in ["floor", "ceil", "round", "sign"]]
erf, log1p, expm1 = [_unary(n) for n in ["erf", "log1p", "expm1"]]
erf.__doc__ = "Elementwise error function of a float tensor (tg.erf)."
log1p.__doc__ = "log(1 + x), accurate for small x (tg.log1p)."
expm1.__doc__ = "exp(x) - 1, accurate for small x (tg.expm1)."


def floor(x, name=None):
    """Elementwise floor of a float tensor (TF: floats only); gradient 0."""
    return _floor(x)


def ceil(x, name=None):
    """Elementwise ceiling of a float tensor (TF: floats only); gradient 0."""
    return _ceil(x)


def round_(x, name=None):  # tf.round
    """Rounds to the nearest integer, halves to even (TF, numpy); integer
    tensors are returned as they are (TF)."""
    x = operand(x)
    if x.dtype.kind in "iu":
        return x
    return _round(x)


def sign(x, name=None):
    """-1, 0 or 1 (NaN stays NaN); integer tensors too (TF)."""
    x = operand(x)
    if x.dtype.kind in "iu":
        return apply("sign", _b_int_sign, [x])
    return _sign(x)


def _b_int_sign(x):
    zero = _scalar(0, x.dtype)
    return b_binary(b_cast(b_cmp(x, zero, "gt"), x.dtype),
                    b_cast(b_cmp(x, zero, "lt"), x.dtype), "sub")


def is_nan(x, name=None):
    x = operand(x)
    _check_float("math.is_nan", x)
    return not_equal(x, x)


def is_inf(x, name=None):
    x = operand(x)
    _check_float("math.is_inf", x)
    return equal(abs(x), _dtypes.array(np.inf, x.dtype))


def is_finite(x, name=None):
    x = operand(x)
    _check_float("math.is_finite", x)
    return less(abs(x), _dtypes.array(np.inf, x.dtype))


def reciprocal(x, name=None):
    x = operand(x)
    return divide(_dtypes.array(1, x.dtype), x)


def squared_difference(x, y, name=None):
    d = subtract(x, y)
    return multiply(d, d)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """min(max(t, clip_value_min), clip_value_max), TF's order; the bounds
    broadcast to t's shape (not beyond it, as TF); the gradient flows to t
    where it is inside the bounds."""
    t, lo, hi = same_dtype("clip_by_value", t, clip_value_min, clip_value_max)
    for b in (lo, hi):
        try:
            ok = np.broadcast_shapes(t.shape, b.shape) == tuple(t.shape)
        except ValueError:
            ok = False
        if not ok:
            raise error("tg.clip_by_value: a bound of shape %s does not broadcast to the "
                        "tensor's shape %s" % (tuple(b.shape), tuple(t.shape)))
    return maximum(minimum(t, hi), lo)


def _float_features(x, op):
    x = operand(x)
    if x.dtype.kind in "iu":  # TF casts integer features to float32
        x = cast(x, _dtypes.float32)
    _check_float(op, x)
    return x


def softplus(features, name=None):
    """log(1 + exp(x)), stable: x + log1p(exp(-x)) for x > 0, log1p(exp(x))
    otherwise (each branch fed only values it is finite on, so gradients
    have no NaN)."""
    return apply("softplus", _b_softplus, [_float_features(features, "softplus")])


def _b_softplus(x):
    zero = _scalar(0, x.dtype)
    pos = b_cmp(x, zero, "gt")
    xp, xn = b_select(pos, x, zero), b_select(pos, zero, x)
    hi = b_binary(xp, b_unary(b_unary(b_unary(xp, "neg"), "exp"), "log1p"), "add")
    lo = b_unary(b_unary(xn, "exp"), "log1p")
    return b_select(pos, hi, lo)


def elu(features, name=None):
    """x for x > 0, exp(x) - 1 otherwise (TF's alpha 1)."""
    return apply("elu", _b_elu, [_float_features(features, "elu")])


def _b_elu(x):
    zero = _scalar(0, x.dtype)
    pos = b_cmp(x, zero, "gt")
    return b_select(pos, x, b_unary(b_select(pos, zero, x), "expm1"))


def selu(features, name=None):
    """scale * elu with alpha (TF's constants)."""
    x = _float_features(features, "selu")
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return apply("selu", _b_selu, [x], alpha=alpha, scale=scale)


def _b_selu(x, alpha, scale):
    zero = _scalar(0, x.dtype)
    pos = b_cmp(x, zero, "gt")
    neg = b_binary(_scalar(alpha, x.dtype), b_unary(b_select(pos, zero, x), "expm1"), "mul")
    return b_binary(_scalar(scale, x.dtype), b_select(pos, x, neg), "mul")


def leaky_relu(features, alpha=0.2, name=None):
    """x for x > 0, alpha * x otherwise (TF's default alpha 0.2)."""
    x = _float_features(features, "leaky_relu")
    return apply("leaky_relu", _b_leaky_relu, [x], alpha=float(alpha))


def _b_leaky_relu(x, alpha):
    return b_select(b_cmp(x, _scalar(0, x.dtype), "gt"), x,
                    b_binary(x, _scalar(alpha, x.dtype), "mul"))


def relu6(features, name=None):
    x = operand(features)
    return minimum(maximum(x, 0), 6)


def gelu(features, approximate=False, name=None):
    """x * P(X <= x) for a standard normal X: 0.5 x (1 + erf(x / sqrt 2));
    approximate=True is TF's tanh form."""
    x = _float_features(features, "gelu")
    return apply("gelu", _b_gelu, [x], approximate=builtins.bool(approximate))


def _b_gelu(x, approximate):
    half, one = _scalar(0.5, x.dtype), _scalar(1, x.dtype)
    if approximate:
        cube = b_binary(b_binary(x, x, "mul"), x, "mul")
        inner = b_binary(x, b_binary(_scalar(0.044715, x.dtype), cube, "mul"), "add")
        t = b_unary(b_binary(_scalar(0.7978845608028654, x.dtype), inner, "mul"), "tanh")
    else:
        t = b_unary(b_binary(x, _scalar(0.7071067811865476, x.dtype), "mul"), "erf")
    return b_binary(b_binary(half, x, "mul"), b_binary(one, t, "add"), "mul")


def silu(features, beta=1.0, name=None):
    """x * sigmoid(beta * x) (tf.nn.silu, also tf.nn.swish)."""
    x = _float_features(features, "silu")
    return multiply(x, sigmoid(multiply(x, _dtypes.array(beta, x.dtype))))


swish = silu


# Reductions ------------------------------------------------------------------

def _reduce_args(x, axis, keepdims, op):
    return _axes(axis, x.ndim, op), builtins.bool(keepdims)


def _to_last(x, axes):
    """x with `axes` moved to the end and merged: (kept..., n)."""
    kept = [i for i in range(x.ndim) if i not in axes]
    y = b_transpose(x, kept + list(axes))
    n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    return b_reshape(y, tuple(x.shape[i] for i in kept) + (n,))


def _reduced_shape(shape, axes, keepdims):
    return tuple(1 if i in axes else d for i, d in enumerate(shape)
                 if keepdims or i not in axes)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """The product over `axis` (all by default); 1 over no elements. A tree
    of elementwise products (log2 n of them), so zeros, infinities and NaNs
    give what the sequential product gives and the gradient is exact where
    an element is 0."""
    x = operand(input_tensor)
    if x.dtype == _dtypes.bool:
        raise error("tg.reduce_prod of a bool tensor: cast it first", TgTypeError)
    axes, keep = _reduce_args(x, axis, keepdims, "reduce_prod")
    return apply("reduce_prod", _b_reduce_prod, [x], axes=axes, keepdims=keep)


def _b_reduce_prod(x, axes, keepdims):
    if not axes:
        return x
    y = _to_last(x, axes)
    n = y.shape[-1]
    if n == 0:
        return _full(_reduced_shape(x.shape, axes, keepdims), 1, x.dtype)
    while n > 1:
        h = n // 2
        lead = [(0, d, 1) for d in y.shape[:-1]]
        p = b_binary(b_slice(y, lead + [(0, h, 1)]), b_slice(y, lead + [(h, 2 * h, 1)]),
                     "mul")
        y = b_concat(p, b_slice(y, lead + [(2 * h, n, 1)]), axis=y.ndim - 1) \
            if n % 2 else p
        n = y.shape[-1]
    return b_reshape(y, _reduced_shape(x.shape, axes, keepdims))


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(sum(exp(x))) over `axis`, computed as TF does: the maximum is
    subtracted first (when finite), so large values do not overflow; all
    -inf gives -inf."""
    x = operand(input_tensor)
    _check_float("reduce_logsumexp", x)
    axes, keep = _reduce_args(x, axis, keepdims, "reduce_logsumexp")
    return apply("reduce_logsumexp", _b_logsumexp, [x], axes=axes, keepdims=keep)


def _b_logsumexp(x, axes, keepdims):
    if not axes:
        return x
    m = b_reduce(x, "reduce_max", axes, True)
    finite = b_cmp(b_unary(m, "abs"), _scalar(np.inf, x.dtype), "lt")
    m = current_graph().alias(b_select(finite, m, _scalar(0, x.dtype)))  # no gradient
    s = b_reduce(b_unary(b_binary(x, m, "sub"), "exp"), "reduce_sum", axes, True)
    r = b_binary(b_unary(s, "log"), m, "add")
    return b_reshape(r, _reduced_shape(x.shape, axes, keepdims))


def _bool_reduction(kind):
    def f(input_tensor, axis=None, keepdims=False, name=None):
        x = operand(input_tensor, _dtypes.bool)
        axes, keep = _reduce_args(x, axis, keepdims, "reduce_" + kind)
        return apply("reduce_" + kind, _b_bool_reduce, [x], kind=kind, axes=axes,
                     keepdims=keep)
    f.__name__ = "reduce_" + kind
    f.__doc__ = "Logical %s over `axis` of a bool tensor (%s over no elements)." % (
        "or" if kind == "any" else "and", "False" if kind == "any" else "True")
    return f


def _b_bool_reduce(x, kind, axes, keepdims):
    if not axes:
        return x
    i = b_cast(x, np.dtype(np.int32))
    r = b_reduce(i, "reduce_max" if kind == "any" else "reduce_min", axes, keepdims)
    # Over no elements: max is INT_MIN (any: False), min INT_MAX (all: True).
    return b_cmp(r, _scalar(0, np.int32), "gt")


reduce_any, reduce_all = _bool_reduction("any"), _bool_reduction("all")


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    x = operand(input_tensor)
    _check_float("reduce_variance", x)
    m = reduce_mean(x, axis, keepdims=True)
    return reduce_mean(squared_difference(x, m), axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    return sqrt(reduce_variance(input_tensor, axis, keepdims))


def add_n(inputs, name=None):
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise error("tg.add_n expects a non-empty list of tensors", TgTypeError)
    xs = same_dtype("add_n", *inputs)
    for x in xs[1:]:
        if tuple(x.shape) != tuple(xs[0].shape):
            raise error("tg.add_n: the tensors have different shapes %s" %
                        [tuple(v.shape) for v in xs])
    out = xs[0]
    for x in xs[1:]:
        out = add(out, x)
    return identity(out) if len(xs) == 1 else out


def _scan(kind):
    def f(x, axis=0, exclusive=False, reverse=False, name=None):
        x = operand(x)
        if x.dtype == _dtypes.bool:
            raise error("tg.%s of a bool tensor: cast it first" % kind, TgTypeError)
        if x.ndim == 0:
            raise error("tg.%s needs a tensor of rank >= 1" % kind)
        return apply(kind, _b_scan, [x], op="add" if kind == "cumsum" else "mul",
                     axis=_axis(axis, x.ndim, kind), exclusive=builtins.bool(exclusive),
                     reverse=builtins.bool(reverse))
    f.__name__ = kind
    f.__doc__ = ("tf.math.%s along `axis`; exclusive leaves out the element itself, "
                 "reverse runs from the end. A log-depth scan (Hillis-Steele: log2 n "
                 "shifted %ss), so infinities and NaNs reach exactly the positions "
                 "that follow them." % (kind, "sum" if kind == "cumsum" else "product"))
    return f


def _b_scan(x, op, axis, exclusive, reverse):
    n = x.shape[axis]
    if n == 0:
        return x
    identity_value = 0 if op == "add" else 1

    def part(y, start, stop):
        rng = [(0, d, 1) for d in y.shape]
        rng[axis] = (start, stop, 1)
        return b_slice(y, rng)

    def shifted(y, k):  # y moved k places (forward, or backward when reverse)
        shape = list(y.shape)
        shape[axis] = k
        pad = _full(shape, identity_value, y.dtype)
        if reverse:
            return b_concat(part(y, k, n), pad, axis=axis)
        return b_concat(pad, part(y, 0, n - k), axis=axis)

    y, k = x, 1
    while k < n:
        y = b_binary(y, shifted(y, k), op)
        k *= 2
    if exclusive:
        y = shifted(y, 1)
    return y


cumsum, cumprod = _scan("cumsum"), _scan("cumprod")


# Creation --------------------------------------------------------------------

class _RangeTensor(RangeSpec, Tensor):
    """tg.range with bounds known when tracing, inside a trace: for AutoGraph
    the bounds of a `for` loop (TF's rule: a loop over tf.range is a graph
    loop), and everywhere else a tensor, the constant np.arange(...)."""

    def __init__(self, spec):
        RangeSpec.__init__(self, spec.start, spec.limit, spec.delta, spec.dtype)

    @property
    def shape(self):
        return (len(self),)


def range_(start, limit=None, delta=1, dtype=None, name=None):
    """tf.range: a 1-D tensor of start, start + delta, ... below limit
    (int32 for Python ints, float32 for floats, or `dtype`). Inside a
    tg.function, `for i in tg.range(n)` is a tg.while_loop (AutoGraph);
    bounds that are traced tensors are allowed only there (the length of
    such a range is not known when tracing)."""
    from . import autograph
    r = autograph.range_(start, limit, delta, dtype, name)
    if isinstance(r, RangeSpec):
        if r._python() and r.delta == 0:
            raise error("tg.range: delta must not be zero")
        return _RangeTensor(r)
    return r


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_dtypes.float32, name=None):
    """An identity matrix (ones on the diagonal), optionally batched."""
    n = _int_scalar(num_rows, "eye", "num_rows")
    m = n if num_columns is None else _int_scalar(num_columns, "eye", "num_columns")
    batch = [] if batch_shape is None else _int_list(batch_shape, "eye", "batch_shape")
    if n < 0 or m < 0 or any(b < 0 for b in batch):
        raise error("tg.eye: sizes must be >= 0, got %s" % ((n, m, batch),))
    dtype = _dtypes.required_dtype(dtype, "eye")
    value = np.broadcast_to(_dtypes.array(np.eye(n, m), dtype), tuple(batch) + (n, m))
    return constant(value, dtype)


def shape_(input, out_type=_dtypes.int32, name=None):  # noqa: A002
    """The shape as a 1-D int32 tensor (known when tracing: a constant)."""
    x = operand(input)
    return constant(np.array(x.shape, _dtypes.as_dtype(out_type)))


def size_(input, out_type=_dtypes.int32, name=None):  # noqa: A002
    x = operand(input)
    return constant(np.array(int(np.prod(x.shape, dtype=np.int64)),
                             _dtypes.as_dtype(out_type)))


def rank_(input, name=None):  # noqa: A002
    return constant(np.int32(operand(input).ndim))


# Indexing --------------------------------------------------------------------

def b_gather(x, indices, axis):
    """tg.gather: x.shape[:axis] + indices.shape + x.shape[axis+1:]."""
    shape = tuple(x.shape[:axis]) + tuple(indices.shape) + tuple(x.shape[axis + 1:])
    if x.shape[axis] == 0:  # every index is out of range: zeros (tg.gather's rule)
        return _full(shape, 0, x.dtype)
    (r,) = current_graph().emit("tg.gather", [x, indices], [(shape, x.dtype)],
                                attrs=" [%d]" % axis)
    return r


def _index_operand(indices, op):
    """Integer indices: an int32/int64 tensor, or a Python/numpy value as
    int32 (int64 when it needs it)."""
    if is_tensor_like(indices):
        if indices.dtype not in (_dtypes.int32, _dtypes.int64):
            raise error("tg.%s: indices must be int32 or int64, got %s" % (
                op, _name(indices.dtype)), TgTypeError)
        return indices
    if isinstance(indices, (list, tuple)) and any(is_tensor_like(v) for v in indices):
        return _index_operand(pack(list(indices)), op)
    a = np.asarray(indices)
    if a.size == 0 and a.dtype.kind == "f":
        a = a.astype(np.int32)
    if a.dtype.kind not in "iu":
        raise error("tg.%s: indices must be integers, got %s" % (
            op, "bool" if a.dtype.kind == "b" else a.dtype), TgTypeError)
    if a.size and (a.max() >= 2 ** 31 or a.min() < -2 ** 31):
        return a.astype(np.int64)
    return a.astype(np.int32) if a.dtype != np.int64 or not isinstance(
        indices, np.ndarray) else a


def _check_bounds(indices, size, op, axis):
    """Known indices are checked as TF (on CPU) does; negative ones count
    from the end (numpy's rule, which the dialect's tg.gather follows)."""
    a = _concrete(indices) if is_tensor_like(indices) else np.asarray(indices)
    if a is None or a.size == 0:
        return
    bad = (a < -size) | (a >= size)
    if bad.any():
        v = int(a[bad].reshape(-1)[0])
        raise error("tg.%s: index %d is out of bounds for axis %d with size %d" %
                    (op, v, axis, size), IndexErrorTg)


def _gather_checked(x, indices, axis, op, user_axis=None):
    i = _index_operand(indices, op)
    _check_bounds(i, x.shape[axis], op, axis if user_axis is None else user_axis)
    return apply("gather", b_gather, [x, i], axis=axis)


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """tf.gather: the slices of `params` along `axis` that `indices` (int32
    or int64, any rank) pick; the result's shape is params.shape[:axis] +
    indices.shape[batch_dims:] + params.shape[axis+1:]. With batch_dims = b
    the first b axes of params and indices are batch axes, matched one to
    one. Indices known when tracing are checked (out of range raises, as TF
    on CPU); a negative index counts from the end (numpy's rule); an index
    only known at run time that is out of range gives zeros (TF on GPU).
    The gradient w.r.t. params adds into the picked slices."""
    x = operand(params)
    i = _index_operand(indices, "gather")
    if x.ndim == 0:
        raise error("tg.gather: params must have rank >= 1, got a 0-d tensor")
    b = _int_scalar(batch_dims, "gather", "batch_dims")
    if b < 0:
        b += i.ndim
    if not 0 <= b <= i.ndim or b >= x.ndim:
        raise error("tg.gather: batch_dims %d is out of range for indices of rank %d "
                    "and params of rank %d" % (batch_dims, i.ndim, x.ndim))
    axis = b if axis is None else _axis(axis, x.ndim, "gather")
    if axis < b:
        raise error("tg.gather: axis %d is less than batch_dims %d" % (axis, b))
    if tuple(x.shape[:b]) != tuple(i.shape[:b]):
        raise error("tg.gather: the batch dimensions of params %s and indices %s differ" %
                    (tuple(x.shape[:b]), tuple(i.shape[:b])))
    _check_bounds(i, x.shape[axis], "gather", axis)
    if b == 0:
        return apply("gather", b_gather, [x, i], axis=axis)
    return apply("gather", _b_batched_gather, [x, i], axis=axis, batch_dims=b)


def _b_batched_gather(x, i, axis, batch_dims):
    b = batch_dims
    batch = tuple(x.shape[:b])
    nb = int(np.prod(batch, dtype=np.int64))
    n = x.shape[axis]
    pre, post = list(range(b, axis)), list(range(axis + 1, x.ndim))
    # x as (batch * n, pre..., post...): slice k of batch j is row j * n + k.
    xt = b_transpose(x, list(range(b)) + [axis] + pre + post)
    rest = tuple(x.shape[p] for p in pre + post)
    xt = b_reshape(xt, (nb * n,) + rest)
    dtype = np.dtype(np.int64) if nb * n >= 2 ** 31 else i.dtype
    i = b_cast(i, dtype) if i.dtype != dtype else i
    zero, size = _scalar(0, dtype), _scalar(n, dtype)
    wrapped = b_select(b_cmp(i, zero, "lt"), b_binary(i, size, "add"), i)
    valid = _and(b_cmp(wrapped, zero, "ge"), b_cmp(wrapped, size, "lt"))
    offsets = _const((np.arange(nb, dtype=dtype) * n).reshape(
        batch + (1,) * (i.ndim - b)))
    flat = b_select(valid, b_binary(wrapped, offsets, "add"), _scalar(nb * n, dtype))
    g = b_gather(xt, flat, 0)  # (batch..., idx..., pre..., post...)
    k = i.ndim - b
    perm = list(range(b)) + [b + k + j for j in range(len(pre))] + \
        [b + j for j in range(k)] + [b + k + len(pre) + j for j in range(len(post))]
    return b_transpose(g, perm)


def gather_nd(params, indices, batch_dims=0, name=None):
    """tf.gather_nd: indices[..., :] are coordinates into the first
    indices.shape[-1] axes of params; the result's shape is
    indices.shape[:-1] + params.shape[batch_dims + indices.shape[-1]:].
    Bounds as tg.gather (a coordinate out of range: raises when known, else
    zeros). A composition: linear indices into a flattened view, one gather."""
    x = operand(params)
    i = _index_operand(indices, "gather_nd")
    if i.ndim == 0:
        raise error("tg.gather_nd: indices must have rank >= 1")
    b = _int_scalar(batch_dims, "gather_nd", "batch_dims")
    k = i.shape[-1]
    if b < 0 or b >= i.ndim or b + k > x.ndim:
        raise error("tg.gather_nd: indices of shape %s (batch_dims %d) do not index params "
                    "of shape %s" % (tuple(i.shape), b, tuple(x.shape)))
    if tuple(x.shape[:b]) != tuple(i.shape[:b]):
        raise error("tg.gather_nd: the batch dimensions of params %s and indices %s differ"
                    % (tuple(x.shape[:b]), tuple(i.shape[:b])))
    known = _concrete(i) if is_tensor_like(i) else np.asarray(i)
    if known is not None and known.size:
        dims = np.array(x.shape[b:b + k])
        bad = (known < -dims) | (known >= dims)
        if bad.any():
            raise error("tg.gather_nd: index %s is out of bounds for params of shape %s" %
                        (known[bad.any(-1)][0].tolist(), tuple(x.shape)), IndexErrorTg)
    return apply("gather_nd", _b_gather_nd, [x, i], batch_dims=b)


def _b_gather_nd(x, i, batch_dims):
    b, k = batch_dims, i.shape[-1]
    lead = tuple(i.shape[:-1])
    dims = tuple(x.shape[:b + k])  # the batch axes count as coordinates too
    total = int(np.prod(dims, dtype=np.int64))
    dtype = np.dtype(np.int64) if total >= 2 ** 31 else i.dtype
    i = b_cast(i, dtype) if i.dtype != dtype else i
    if b + k == 0:
        return b_broadcast_to(x, lead + tuple(x.shape))
    zero = _scalar(0, dtype)
    flat, valid = None, None
    strides = [int(np.prod(dims[j + 1:], dtype=np.int64)) for j in range(b + k)]
    for j in range(b + k):
        if j < b:  # the coordinate of batch axis j: its position
            c = b_broadcast_to(_iota(dims[j], j, len(lead), dtype), lead)
        else:
            rng = [(0, d, 1) for d in i.shape]
            rng[-1] = (j - b, j - b + 1, 1)
            c = b_reshape(b_slice(i, rng), lead)
            size = _scalar(dims[j], dtype)
            c = b_select(b_cmp(c, zero, "lt"), b_binary(c, size, "add"), c)
            ok = _and(b_cmp(c, zero, "ge"), b_cmp(c, size, "lt"))
            valid = ok if valid is None else _and(valid, ok)
        term = b_binary(c, _scalar(strides[j], dtype), "mul")
        flat = term if flat is None else b_binary(flat, term, "add")
    if valid is not None:
        flat = b_select(valid, flat, _scalar(total, dtype))
    xf = b_reshape(x, (total,) + tuple(x.shape[b + k:]))
    return b_gather(xf, flat, 0)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None,
            name=None):
    """tf.one_hot: a new axis (last by default) of size `depth` that holds
    on_value at each index and off_value elsewhere; an index outside [0,
    depth) gives a row of off_value (TF). dtype: `dtype`, else that of
    on_value/off_value, else float32."""
    i = operand(indices)
    if i.dtype.kind not in "iu":
        raise error("tg.one_hot: indices must be integers, got %s" % _name(i.dtype),
                    TgTypeError)
    depth = _int_scalar(depth, "one_hot", "depth")
    if depth < 0:
        raise error("tg.one_hot: depth must be >= 0, got %d" % depth)
    if dtype is None:
        for v in (on_value, off_value):
            if is_tensor_like(v):
                dtype = v.dtype
                break
            if v is not None and dtype is None:
                dtype = to_array(v).dtype
    dtype = _dtypes.as_dtype(dtype if dtype is not None else _dtypes.float32)
    on = operand(1 if on_value is None else on_value, dtype)
    off = operand(0 if off_value is None else off_value, dtype)
    if on.ndim or off.ndim:
        raise error("tg.one_hot: on_value and off_value must be scalars")
    axis = -1 if axis is None else axis
    if axis == -1:
        axis = i.ndim
    axis = _axis(axis, i.ndim + 1, "one_hot")
    return apply("one_hot", _b_one_hot, [i, on, off], depth=depth, axis=axis)


def _b_one_hot(i, on, off, depth, axis):
    shape = list(i.shape)
    shape.insert(axis, 1)
    hit = b_cmp(b_reshape(i, tuple(shape)), _iota(depth, axis, len(shape), i.dtype), "eq")
    return b_select(hit, on, off)


def _arg_extremum(kind):
    def f(input, axis=None, output_type=_dtypes.int64, name=None):  # noqa: A002
        x = operand(input)
        op = "arg" + kind
        if x.dtype == _dtypes.bool:
            raise error("tg.%s of a bool tensor: cast it first" % op, TgTypeError)
        if x.ndim == 0:
            raise error("tg.%s needs a tensor of rank >= 1" % op)
        axis = _axis(0 if axis is None else axis, x.ndim, op)
        if x.shape[axis] == 0:
            raise error("tg.%s: axis %d is empty (no %s to find)" % (op, axis, kind))
        out = _dtypes.as_dtype(output_type)
        if out not in (_dtypes.int32, _dtypes.int64):
            raise error("tg.%s: output_type must be int32 or int64" % op, TgTypeError)
        return apply(op, _b_arg_extremum, [x], kind=kind, axis=axis, dtype=out)
    f.__name__ = "arg" + kind
    f.__doc__ = ("The index of the %simum along `axis` (0 when None, TF); the first "
                 "one when several are equal; a NaN counts as the %simum (numpy)." %
                 (kind, kind))
    return f


def _b_arg_extremum(x, kind, axis, dtype):
    n = x.shape[axis]
    m = b_reduce(x, "reduce_" + kind, (axis,), True)
    hit = b_cmp(x, m, "eq")
    if _dtypes.is_float(x.dtype):
        hit = _or(hit, _is_nan(x))
    idx = b_select(hit, _iota(n, axis, x.ndim, dtype), _scalar(n, dtype))
    return b_reduce(idx, "reduce_min", (axis,), False)


argmax, argmin = _arg_extremum("max"), _arg_extremum("min")


def boolean_mask(tensor, mask, axis=None, name=None):
    """tf.boolean_mask: the elements (or slices) where `mask` is true, along
    axes axis..axis+mask.ndim-1 (0 by default) flattened. The result's shape
    depends on the mask's values, so the mask must be known when tracing (a
    numpy array, Python list or eager tensor); a traced mask raises."""
    x = operand(tensor)
    if type(mask) is SymbolicTensor or isinstance(mask, _variable_type()):
        raise error("tg.boolean_mask: the result's shape depends on the mask's values, "
                    "and tg's shapes are static, so the mask must be known when tracing "
                    "(a numpy array or eager tensor); use tg.where(mask, x, 0) to keep "
                    "the shape")
    m = np.asarray(mask)
    if m.dtype != np.bool_:
        raise error("tg.boolean_mask: the mask must be bool, got %s" % m.dtype,
                    TgTypeError)
    if m.ndim == 0:
        raise error("tg.boolean_mask: the mask must have rank >= 1")
    axis = 0 if axis is None else _axis(axis, x.ndim, "boolean_mask")
    if tuple(x.shape[axis:axis + m.ndim]) != m.shape:
        raise error("tg.boolean_mask: a mask of shape %s does not match the tensor's "
                    "shape %s at axis %d" % (m.shape, tuple(x.shape), axis))
    flat = tuple(x.shape[:axis]) + (int(m.size),) + tuple(x.shape[axis + m.ndim:])
    picks = tuple(int(v) for v in np.flatnonzero(m))
    return apply("boolean_mask", _b_boolean_mask, [x], shape=flat, axis=axis,
                 picks=picks)


def _b_boolean_mask(x, shape, axis, picks):
    return b_take(b_reshape(x, shape), axis, picks)


_MAX_SORT_PAIRS = 2 ** 26


def _b_permutation(x, descending):
    """(..., n) -> the int32 indices that sort the last axis (stable: equal
    elements keep their order; NaN is above everything, as numpy's sort).
    Each element's rank counts the elements before it: O(n^2)."""
    n = x.shape[-1]
    a = b_reshape(x, tuple(x.shape) + (1,))        # element i: [..., i, 1]
    b = b_reshape(x, tuple(x.shape[:-1]) + (1, n))  # element j: [..., 1, j]
    before = b_cmp(b, a, "gt" if descending else "lt")
    tie = b_cmp(b, a, "eq")
    if _dtypes.is_float(x.dtype):
        na, nb = _is_nan(a), _is_nan(b)
        if descending:
            before = _or(before, _and(nb, _not(na)))
        else:
            before = _or(before, _and(na, _not(nb)))
        tie = _or(tie, _and(na, nb))
    earlier = _const(np.tril(np.ones((n, n), np.bool_), -1))  # [i, j]: j < i
    before = _or(before, _and(tie, earlier))
    rank = b_reduce(b_cast(before, np.dtype(np.int32)), "reduce_sum", (x.ndim,), False)
    # perm[..., r] = the i whose rank is r.
    hit = b_cmp(b_reshape(rank, tuple(rank.shape) + (1,)),
                _const(np.arange(n, dtype=np.int32).reshape(1, n)), "eq")  # [..., i, r]
    picks = b_select(hit, _const(np.arange(n, dtype=np.int32).reshape(n, 1)),
                     _scalar(0, np.int32))
    return b_reduce(picks, "reduce_sum", (x.ndim - 1,), False)


def _sort_args(values, axis, direction, op):
    x = operand(values)
    if x.dtype == _dtypes.bool:
        raise error("tg.%s of a bool tensor: cast it first" % op, TgTypeError)
    if x.ndim == 0:
        raise error("tg.%s needs a tensor of rank >= 1" % op)
    axis = _axis(axis, x.ndim, op)
    if not isinstance(direction, str) or direction.upper() not in ("ASCENDING",
                                                                   "DESCENDING"):
        raise error("tg.%s: direction must be 'ASCENDING' or 'DESCENDING', got %r" %
                    (op, direction))
    n = x.shape[axis]
    if x.size * n > _MAX_SORT_PAIRS:
        raise error("tg.%s sorts by comparing every pair of elements (%d comparisons "
                    "here; the limit is %d): tg has no sort op for long axes yet" %
                    (op, x.size * n, _MAX_SORT_PAIRS))
    return x, axis, direction.upper() == "DESCENDING"


def _b_sort(x, axis, descending, want):
    if x.shape[axis] == 0:
        return b_cast(x, np.dtype(np.int32)) if want == "indices" else x
    last = x.ndim - 1
    perm = list(range(x.ndim))
    perm[axis], perm[last] = last, axis
    y = b_transpose(x, perm)
    p = _b_permutation(y, descending)
    if want == "indices":
        return b_transpose(p, perm)
    return b_transpose(_b_batched_gather(y, p, last, last), perm)


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """The values sorted along `axis` (NaN last when ascending, first when
    descending; equal values keep their order). O(n^2) comparisons along the
    axis (a composition; fine for short axes)."""
    x, axis, desc = _sort_args(values, axis, direction, "sort")
    return apply("sort", _b_sort, [x], axis=axis, descending=desc, want="values")


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """The int32 indices that sort `values` along `axis` (always stable)."""
    x, axis, desc = _sort_args(values, axis, direction, "argsort")
    return apply("argsort", _b_sort, [x], axis=axis, descending=desc, want="indices")


import collections as _collections  # noqa: E402

TopKV2 = _collections.namedtuple("TopKV2", "values indices")


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002
    """tf.math.top_k: the k largest entries of the last axis and their int32
    indices, largest first; of equal values the lower index comes first
    (TF); NaN counts as the largest. O(n^2) comparisons along the axis."""
    x, _, _ = _sort_args(input, -1, "DESCENDING", "math.top_k")
    k = _int_scalar(k, "math.top_k", "k")
    if not 0 <= k <= x.shape[-1]:
        raise error("tg.math.top_k: k = %d is not in [0, %d] (the last axis)" % (
            k, x.shape[-1]))
    values, indices = apply("top_k", _b_top_k, [x], k=k)
    return TopKV2(values, indices)


def _b_top_k(x, k):
    last = x.ndim - 1
    if x.shape[-1] == 0:
        return [x, b_cast(x, np.dtype(np.int32))]
    p = _b_permutation(x, True)
    p = b_slice(p, [(0, d, 1) for d in p.shape[:-1]] + [(0, k, 1)])
    return [_b_batched_gather(x, p, last, last), p]


# Shape -----------------------------------------------------------------------

def unstack(value, num=None, axis=0, name=None):
    """The slices of `value` along `axis`, as a list of tensors."""
    x = operand(value)
    if x.ndim == 0:
        raise error("tg.unstack needs a tensor of rank >= 1")
    axis = _axis(axis, x.ndim, "unstack")
    n = x.shape[axis]
    if num is not None and _int_scalar(num, "unstack", "num") != n:
        raise error("tg.unstack: num = %r but axis %d has size %d" % (num, axis, n))
    if n == 0:
        return []
    out = apply("unstack", _b_unstack, [x], axis=axis)
    return list(out)


def _b_unstack(x, axis):
    shape = tuple(d for i, d in enumerate(x.shape) if i != axis)
    parts = []
    for k in range(x.shape[axis]):
        rng = [(0, d, 1) for d in x.shape]
        rng[axis] = (k, k + 1, 1)
        parts.append(b_reshape(b_slice(x, rng), shape))
    return parts


def tile(input, multiples, name=None):  # noqa: A002
    """The tensor repeated multiples[i] times along axis i (one broadcast)."""
    x = operand(input)
    m = _int_list(multiples, "tile", "multiples", x.ndim)
    if any(v < 0 for v in m):
        raise error("tg.tile: multiples must be >= 0, got %s" % m)
    return apply("tile", _b_tile, [x], multiples=tuple(m))


def _b_tile(x, multiples):
    if all(v == 1 for v in multiples):
        return x
    spread = tuple(v for d in x.shape for v in (1, d))
    big = tuple(v for m, d in zip(multiples, x.shape) for v in (m, d))
    y = b_broadcast_to(b_reshape(x, spread), big)
    return b_reshape(y, tuple(m * d for m, d in zip(multiples, x.shape)))


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """tf.pad: paddings[i] = [before, after] for axis i; mode CONSTANT (with
    constant_values), REFLECT (mirror without the edge: before, after <=
    size - 1) or SYMMETRIC (with the edge: <= size). Concats of slices and
    fills."""
    x = operand(tensor)
    p = _int_list(paddings, "pad", "paddings")
    shape = tuple(paddings.shape) if is_tensor_like(paddings) else np.shape(paddings)
    if len(p) != 2 * x.ndim or (p and tuple(shape) != (x.ndim, 2)):
        raise error("tg.pad: paddings must have shape [%d, 2] (one [before, after] per "
                    "axis), got %r" % (x.ndim, paddings))
    pairs = tuple((p[2 * i], p[2 * i + 1]) for i in range(x.ndim))
    if any(v < 0 for v in p):
        raise error("tg.pad: paddings must be >= 0, got %s" % (pairs,))
    mode = mode.upper() if isinstance(mode, str) else mode
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise error("tg.pad: mode must be 'CONSTANT', 'REFLECT' or 'SYMMETRIC', got %r" %
                    (mode,))
    for i, (lo, hi) in enumerate(pairs):
        limit = x.shape[i] - (1 if mode == "REFLECT" else 0)
        if mode != "CONSTANT" and builtins.max(lo, hi) > limit:
            raise error("tg.pad: %s padding of axis %d (size %d) can be at most %d, got "
                        "%s" % (mode, i, x.shape[i], limit, [lo, hi]))
    if mode == "CONSTANT":
        c = operand(constant_values, x.dtype)
        if c.ndim:
            raise error("tg.pad: constant_values must be a scalar")
        return apply("pad", _b_pad_constant, [x, c], paddings=pairs)
    return apply("pad", _b_pad_mirror, [x], paddings=pairs, edge=mode == "SYMMETRIC")


def _b_pad_constant(x, c, paddings):
    for axis, (lo, hi) in enumerate(paddings):
        parts = []
        for n in (lo, None, hi):
            if n is None:
                parts.append(x)
            elif n:
                shape = list(x.shape)
                shape[axis] = n
                parts.append(b_broadcast_to(c, tuple(shape)))
        x = b_concat(*parts, axis=axis)
    return x


def _b_pad_mirror(x, paddings, edge):
    for axis, (lo, hi) in enumerate(paddings):
        d, s = x.shape[axis], 0 if edge else 1
        parts = []
        if lo:
            parts.append(b_take(x, axis, [lo - 1 + s - k for k in range(lo)]))
        parts.append(x)
        if hi:
            parts.append(b_take(x, axis, [d - 1 - s - k for k in range(hi)]))
        x = b_concat(*parts, axis=axis)
    return x


def split(value, num_or_size_splits, axis=0, num=None, name=None):
    """tf.split: an int n (n equal parts; the axis must divide) or a list of
    sizes (one may be -1: the rest); a list of tensors."""
    x = operand(value)
    if x.ndim == 0:
        raise error("tg.split needs a tensor of rank >= 1")
    axis = _axis(axis, x.ndim, "split")
    d = x.shape[axis]
    if isinstance(num_or_size_splits, (int, np.integer)) and not isinstance(
            num_or_size_splits, bool) or (isinstance(num_or_size_splits, (
                EagerTensor, np.ndarray)) and np.ndim(num_or_size_splits) == 0):
        n = _int_scalar(num_or_size_splits, "split", "num_or_size_splits")
        if n <= 0 or d % n:
            raise error("tg.split: axis %d of size %d cannot be split into %d equal "
                        "parts" % (axis, d, n))
        sizes = [d // n] * n
    else:
        sizes = _int_list(num_or_size_splits, "split", "num_or_size_splits")
        if sizes.count(-1) > 1 or any(s < -1 for s in sizes):
            raise error("tg.split: invalid sizes %s" % sizes)
        if -1 in sizes:
            rest = d - builtins.sum(s for s in sizes if s != -1)
            if rest < 0:
                raise error("tg.split: sizes %s exceed axis %d's size %d" % (
                    sizes, axis, d))
            sizes[sizes.index(-1)] = rest
        if builtins.sum(sizes) != d:
            raise error("tg.split: sizes %s do not add up to axis %d's size %d" % (
                sizes, axis, d))
    if num is not None and _int_scalar(num, "split", "num") != len(sizes):
        raise error("tg.split: num = %r but there are %d parts" % (num, len(sizes)))
    if not sizes:
        raise error("tg.split: no parts")
    return list(apply("split", _b_split, [x], axis=axis, sizes=tuple(sizes)))


def _b_split(x, axis, sizes):
    parts, start = [], 0
    for s in sizes:
        rng = [(0, d, 1) for d in x.shape]
        rng[axis] = (start, start + s, 1)
        parts.append(b_slice(x, rng))
        start += s
    return parts


def reverse(tensor, axis, name=None):
    """The tensor with the order of elements along each of `axis` (a list)
    reversed."""
    x = operand(tensor)
    axes = [axis] if isinstance(axis, (int, np.integer)) else _int_list(
        axis, "reverse", "axis")
    axes = _axes(axes, x.ndim, "reverse") if axes else ()
    return apply("reverse", _b_reverse, [x], axes=axes)


def _b_reverse(x, axes):
    for a in axes:
        x = b_take(x, a, list(range(x.shape[a] - 1, -1, -1)))
    return x


# einsum ----------------------------------------------------------------------

def _einsum_parse(equation, ranks):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->", 1)
        explicit = True
    else:
        lhs, out, explicit = eq, None, False
    terms = lhs.split(",")
    if len(terms) != len(ranks):
        raise error("tg.einsum: the equation %r has %d operands, %d given" % (
            equation, len(terms), len(ranks)))
    letters = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    parsed, ell_rank = [], 0
    for t, r in zip(terms, ranks):
        if t.count("...") > 1 or any(c not in letters for c in t.replace("...", "")):
            raise error("tg.einsum: invalid term %r in %r" % (t, equation))
        named = len(t.replace("...", ""))
        if "..." in t:
            if named > r:
                raise error("tg.einsum: term %r has more labels than the operand's rank "
                            "%d" % (t, r))
            k = r - named
            ell_rank = builtins.max(ell_rank, k)
            # Ellipsis axes get labels '0', '1', ... aligned from the right.
            parts = t.split("...")
            t = list(parts[0]) + ["." + str(k - j) for j in range(k)] + list(parts[1])
        else:
            if named != r:
                raise error("tg.einsum: term %r has %d labels for an operand of rank %d" %
                            (t, named, r))
            t = list(t)
        parsed.append(t)
    ell = ["." + str(ell_rank - j) for j in range(ell_rank)]
    if out is None:
        counts = _collections.Counter(c for t in parsed for c in t if c[0] != ".")
        out_labels = ell + sorted(c for c, n in counts.items() if n == 1)
    else:
        if out.count("...") > 1 or any(c not in letters for c in out.replace("...", "")):
            raise error("tg.einsum: invalid output %r in %r" % (out, equation))
        parts = out.split("...")
        if len(parts) == 2:
            out_labels = list(parts[0]) + ell + list(parts[1])
        else:
            out_labels = list(out)
            if ell_rank and explicit:
                raise error("tg.einsum: the inputs have '...' but the output %r does not" %
                            out)
    if len(set(out_labels)) != len(out_labels):
        raise error("tg.einsum: repeated label in the output %r" % out)
    used = {c for t in parsed for c in t}
    for c in out_labels:
        if c not in used:
            raise error("tg.einsum: output label %r is in no input" % c)
    return parsed, out_labels


def einsum(equation, *inputs, **kwargs):
    """tf.einsum of one or two operands: any contraction (traces and
    diagonals of repeated labels, sums over labels not in the output, batch
    labels, '...' broadcasting), as transposes, reshapes, strided slices and
    one matmul (or a broadcast multiply when nothing is contracted)."""
    for k in kwargs:
        if k != "name":
            raise error("tg.einsum: unexpected argument %r" % k, TgTypeError)
    if not isinstance(equation, str):
        raise error("tg.einsum: the first argument is the equation string", TgTypeError)
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)) and len(inputs[0]) in (
            1, 2) and all(is_tensor_like(v) or isinstance(v, np.ndarray) for v in inputs[0]):
        inputs = tuple(inputs[0])
    if len(inputs) not in (1, 2):
        raise error("tg.einsum: tg supports one or two operands, got %d (contract in "
                    "steps)" % len(inputs))
    xs = same_dtype("einsum", *inputs)
    if xs[0].dtype == _dtypes.bool:
        raise error("tg.einsum is not defined on bool tensors", TgTypeError)
    terms, out = _einsum_parse(equation, [x.ndim for x in xs])
    sizes = {}
    for t, x in zip(terms, xs):
        for c, d in zip(t, x.shape):
            if c in sizes and sizes[c] != d:
                if c[0] == "." and 1 in (d, sizes[c]):
                    sizes[c] = builtins.max(d, sizes[c])
                    continue
                raise error("tg.einsum: label %r has sizes %d and %d" % (
                    c if c[0] != "." else "...", sizes[c], d))
            sizes.setdefault(c, d)
    return apply("einsum", _b_einsum, list(xs), terms=tuple(tuple(t) for t in terms),
                 out=tuple(out), sizes=tuple(sorted(sizes.items())))


def _b_diagonal(x, labels):
    """x with each repeated label reduced to its diagonal (once)."""
    labels = list(labels)
    while len(set(labels)) != len(labels):
        c = next(c for c in labels if labels.count(c) > 1)
        where_ = [i for i, l in enumerate(labels) if l == c]
        others = [i for i in range(len(labels)) if i not in where_]
        x = b_transpose(x, others + where_)
        n, k = x.shape[-1], len(where_)
        lead = tuple(x.shape[:len(others)])
        if n == 0:
            x = b_reshape(x, lead + (0,))
        else:
            x = b_reshape(x, lead + (n ** k,))
            step = builtins.sum(n ** j for j in range(k))
            x = b_slice(x, [(0, d, 1) for d in lead] + [(0, n ** k, step)])
        labels = [labels[i] for i in others] + [c]
    return x, labels


def _b_einsum(*xs, terms, out, sizes):
    sizes = dict(sizes)
    ops = []
    for x, t in zip(xs, terms):
        x, t = _b_diagonal(x, t)
        ops.append((x, t))
    # Sum early the labels in one operand only and not in the output.
    for k, (x, t) in enumerate(ops):
        others = set(c for j, (_, u) in enumerate(ops) if j != k for c in u)
        drop = tuple(i for i, c in enumerate(t) if c not in out and c not in others)
        if drop:
            x = b_reduce(x, "reduce_sum", drop, False)
            t = [c for i, c in enumerate(t) if i not in drop]
        ops[k] = (x, t)
    if len(ops) == 1:
        x, t = ops[0]
        return b_transpose(x, [t.index(c) for c in out])
    (a, ta), (b, tb) = ops
    batch = [c for c in ta if c in tb and c in out]
    contract = [c for c in ta if c in tb and c not in out]
    left = [c for c in ta if c not in tb]
    right = [c for c in tb if c not in ta]

    def arrange(x, t, order):
        x = b_transpose(x, [t.index(c) for c in order])
        return b_broadcast_to(x, tuple(sizes[c] for c in order))

    def prod(labels):
        return int(np.prod([sizes[c] for c in labels], dtype=np.int64))
    if not contract:
        # Outer product over the free labels, batch labels matched: a
        # broadcast multiply.
        full = batch + left + right
        a2 = b_reshape(arrange(a, ta, batch + left),
                       tuple(sizes[c] for c in batch + left) + (1,) * len(right))
        b2 = b_reshape(arrange(b, tb, batch + right),
                       tuple(sizes[c] for c in batch) + (1,) * len(left) +
                       tuple(sizes[c] for c in right))
        r = b_binary(a2, b2, "mul")
    else:
        a2 = b_reshape(arrange(a, ta, batch + left + contract),
                       (prod(batch), prod(left), prod(contract)))
        b2 = b_reshape(arrange(b, tb, batch + contract + right),
                       (prod(batch), prod(contract), prod(right)))
        r = b_matmul(a2, b2)
        full = batch + left + right
        r = b_reshape(r, tuple(sizes[c] for c in full))
    return b_transpose(r, [full.index(c) for c in out])


# ---------------------------------------------------------------------------
# numpy on the left: ndarray * tensor, np.exp(tensor)
# ---------------------------------------------------------------------------

_UFUNCS = {
    np.add: add, np.subtract: subtract, np.multiply: multiply, np.true_divide: divide,
    np.floor_divide: floordiv, np.remainder: mod, np.power: pow, np.matmul: matmul,
    np.maximum: maximum, np.minimum: minimum, np.negative: negative, np.absolute: abs,
    np.exp: exp, np.log: log, np.sqrt: sqrt, np.tanh: tanh, np.sin: sin, np.cos: cos,
    np.square: square, np.less: less, np.less_equal: less_equal, np.greater: greater,
    np.greater_equal: greater_equal, np.equal: equal, np.not_equal: not_equal,
    np.logical_and: logical_and, np.logical_or: logical_or, np.logical_not: logical_not,
    np.logical_xor: logical_xor,
}


def array_ufunc(ufunc, method, inputs, kwargs):
    op = _UFUNCS.get(ufunc)
    if op is not None and method == "__call__" and not kwargs:
        return op(*inputs)
    if any(type(i) is SymbolicTensor for i in inputs):
        raise error("numpy's %s.%s has no tg equivalent on traced tensors; use tg ops "
                    "inside tg.function" % (ufunc.__name__, method), TgTypeError)
    if _eager.active_tapes():
        # Computed by numpy, it would be invisible to the tape: a silently
        # wrong gradient. (Outside a tape, TF too computes it in numpy.)
        raise error("numpy's %s has no tg op, so a GradientTape cannot record it; "
                    "write it with tg ops (or compute it outside the tape)" %
                    ufunc.__name__, TgTypeError)
    # Tensors are immutable: numpy writing into one (ufunc.at, out=) would
    # change every alias of its value.
    if (method == "at" and is_tensor_like(inputs[0])) or any(
            is_tensor_like(o) for o in kwargs.get("out", ())):
        raise error("numpy's %s.%s would write into a tensor, and tensors are immutable; "
                    "compute a new one (or use a tg.Variable's assign ops)" % (
                        ufunc.__name__, method), TgTypeError)
    # Like TF's EagerTensor: other numpy functions compute in numpy, on the
    # values (and, like in TF, no tape sees them). Variables too (handed back
    # to numpy as they were, they came straight back here: RecursionError).
    plain = [np.asarray(i) if is_tensor_like(i) else i for i in inputs]
    return getattr(ufunc, method)(*plain, **kwargs)


# ---------------------------------------------------------------------------
# tg.print
# ---------------------------------------------------------------------------

def print_(*values, sep=" ", end="\n", output_stream=None, summarize=None, name=None):
    """Prints the values at every call of the function (tf.print); eagerly,
    at once. `output_stream` is a file object (sys.stdout by default);
    `summarize` is accepted and ignored (numpy's printing summarizes)."""
    if output_stream is not None and not callable(getattr(output_stream, "write", None)):
        raise error("tg.print: output_stream must be a file object (with write), got %r"
                    % (output_stream,), TgTypeError)
    for what, text in (("sep", sep), ("end", end)):
        if text is not None and not isinstance(text, str):
            raise error("tg.print: %s must be a string, got %r" % (what, text), TgTypeError)
    g = _graph.current()
    if g is None:
        builtins.print(*[_format(v) for v in values], sep=sep, end=end,
                       file=output_stream)
        return None
    if g.region is not g.root:
        raise error("tg.print inside tg.cond or tg.while_loop is not supported yet; "
                    "print the values they return instead")
    parts = []
    for v in values:
        if is_tensor_like(v):
            parts.append(("tensor", _symbolic(g, v)))
        else:
            parts.append(("text", v))
    g.prints.append((parts, sep, end, output_stream))
    return None


def _format(v):
    if isinstance(v, (EagerTensor, _variable_type())):
        return str(_dtypes.to_numbers(v.numpy()))
    return str(v)


round_.__name__ = "round"
range_.__name__ = "range"
shape_.__name__, size_.__name__, rank_.__name__ = "shape", "size", "rank"
