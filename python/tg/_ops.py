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

import numpy as np

from . import _dtypes, _eager, _graph
from ._dtypes import to_array
from ._errors import TgError, TgTypeError, error
from ._tensor import EagerTensor, SymbolicTensor, Tensor, mlir_type


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


def _name(dtype):
    return "bfloat16" if dtype == _dtypes.bfloat16 else str(dtype)


def _symbolic(g, x):
    if type(x) is SymbolicTensor:
        return x
    if isinstance(x, _variable_type()):
        return x.read_value()
    value = x._value if isinstance(x, EagerTensor) else x
    if isinstance(x, EagerTensor) and value.size > 16:
        # Captured like TF: an argument of the function, not a constant in
        # its text (a large constant makes a slow compile and a big module).
        return g.implicit_input("capture", x, value.shape, value.dtype)
    return constant_node(g, value)


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
    if a.dtype == _dtypes.bfloat16:
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
    if a.size == 0:
        text = repr(a.tolist())
    return text


def constant_node(g, value):
    """A tg.constant of a numpy array."""
    a = np.array(value, copy=False, order="C")
    text = dense_literal(a)
    type_ = mlir_type(a.shape, a.dtype)
    (r,) = g.emit("tg.constant", [], [(a.shape, a.dtype)], prefix="",
                  attrs="dense<%s>" % text, types=type_)
    return r


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
    if x.dtype.kind != "f":
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
    if x.dtype.kind != "f":
        raise error("tg.pow of %s tensors: the exponent must be a Python int, or cast "
                    "to float" % x.dtype, TgTypeError)
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
    if x.dtype.kind == "f":
        return _relu_float(x)
    return maximum(x, 0)


def negative(x, name=None):
    x = operand(x)
    if x.dtype.kind == "f":
        return apply("neg", b_unary, [x], op="neg")
    if x.dtype == _dtypes.bool:
        raise error("tg.negative is not defined on bool tensors", TgTypeError)
    return subtract(np.zeros((), x.dtype), x)


neg = negative


def abs(x, name=None):  # noqa: A001 (tf.abs)
    x = operand(x)
    if x.dtype == _dtypes.bool:
        raise error("tg.abs is not defined on bool tensors", TgTypeError)
    if x.dtype.kind == "f":
        return apply("abs", b_unary, [x], op="abs")
    return where(less(x, 0), negative(x), x)


def square(x, name=None):
    x = operand(x)
    return multiply(x, x)


def where(condition, x=None, y=None, name=None):
    """Elementwise condition ? x : y, the three broadcast together."""
    if x is None or y is None:
        raise error("tg.where(condition) without x and y (the indices of true "
                    "elements) is not supported yet; give x and y")
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
    dtype = _dtypes.as_dtype(dtype)
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
        if isinstance(axis, EagerTensor) and axis.size == 1:
            axis = int(axis)
        else:
            raise error("tg.%s: the axis must be a Python int, got a traced tensor" % op,
                        TgTypeError)
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
    shape = [int(d) for d in (np.asarray(shape).reshape(-1) if not isinstance(
        shape, (list, tuple)) else shape)]
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
    shape = tuple(int(d) for d in shape)
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
    return EagerTensor(value._value if isinstance(value, EagerTensor) else np.asarray(value))


def identity(input, name=None):  # noqa: A002
    x = operand(input)
    if isinstance(x, _variable_type()):
        return x.read_value()
    return x if isinstance(x, Tensor) else constant(x)


# ---------------------------------------------------------------------------
# Constants and creation
# ---------------------------------------------------------------------------

def constant(value, dtype=None, shape=None, name=None):
    """A tensor of a Python or numpy value (float32 for Python floats, int32
    for Python ints, as TF)."""
    if isinstance(value, EagerTensor) or is_tensor_like(value):
        if dtype is not None and _dtypes.as_dtype(dtype) != value.dtype:
            return cast(value, dtype)
        return identity(value)
    dtype = _dtypes.as_dtype(dtype)
    # TF's rule: a value converts to an explicit dtype only when exactly.
    arr = to_array(value, dtype, exact=True)
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        if arr.size == 1:
            arr = np.broadcast_to(arr.reshape(()), shape)
        elif arr.size == int(np.prod(shape, dtype=np.int64)):
            arr = arr.reshape(shape)
        else:
            raise error("tg.constant: %d values cannot fill shape %s" % (arr.size, shape))
    arr = np.array(arr, copy=True, order="C")
    g = _graph.current()
    if g is not None:
        return constant_node(g, arr)
    return EagerTensor(arr)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """tf.convert_to_tensor: `dtype_hint` is used when it converts exactly."""
    if dtype is None and dtype_hint is not None and not is_tensor_like(value):
        try:
            return constant(value, dtype_hint)
        except TgTypeError:
            pass
    return constant(value, dtype)


def fill(dims, value, name=None):
    return constant(value, shape=_shape_argument(dims, "fill"))


def _shape_argument(shape, op):
    """A shape: an int (TF accepts a scalar) or a sequence of sizes >= 0."""
    if isinstance(shape, Tensor):
        if type(shape) is SymbolicTensor:
            raise error("tg.%s: shapes are static in tg; the shape must be known when "
                        "tracing, not a traced tensor" % op, TgTypeError)
        shape = shape.numpy().tolist()
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = [shape]
    try:
        dims = [int(d) for d in shape]
    except (TypeError, ValueError):
        raise error("tg.%s: a shape is a list of ints, got %r" % (op, shape),
                    TgTypeError) from None
    if any(d < 0 for d in dims):
        raise error("tg.%s: negative dimension in shape %s" % (op, dims))
    if int(np.prod(dims, dtype=np.float64)) >= 2 ** 32:
        raise error("tg.%s: shape %s has more than 2^32 elements (tg's limit per "
                    "tensor)" % (op, dims))
    return tuple(dims)


def zeros(shape, dtype=_dtypes.float32, name=None):
    return constant(0, dtype=dtype, shape=_shape_argument(shape, "zeros"))


def ones(shape, dtype=_dtypes.float32, name=None):
    return constant(1, dtype=dtype, shape=_shape_argument(shape, "ones"))


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
    """Basic indexing (ints, slices with any step, None, ...) and integer
    lists; a tensor index would gather, which tg does not have yet."""
    x = operand(x)
    if not isinstance(index, tuple):
        index = (index,)
    items = []
    for i in index:
        if isinstance(i, Tensor):
            if isinstance(i, EagerTensor) and i.dtype.kind in "iu" and i.ndim == 0:
                i = int(i)
            elif isinstance(i, EagerTensor) and i.dtype.kind in "iu" and i.ndim == 1:
                i = [int(v) for v in i.numpy()]
            else:
                raise error("indexing with a traced or non-integer tensor needs a "
                            "gather, which tg does not have yet; slice with Python "
                            "ints instead", TgTypeError)
        if isinstance(i, np.ndarray):
            if i.dtype.kind not in "iu" or i.ndim != 1:
                raise error("only 1-D integer arrays can index a tensor", TgTypeError)
            i = [int(v) for v in i]
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
            i = ("list",) + tuple(int(v) for v in i)
        elif i is None or i is Ellipsis:
            pass
        else:
            raise error("invalid index %r" % (i,), TgTypeError)
        items.append(i)
    if items.count(Ellipsis) > 1:
        raise error("an index can only have a single ellipsis ('...')")
    if builtins.sum(1 for i in items if isinstance(i, tuple) and i[0] == "list") > 1:
        raise error("only one integer-list index per indexing (a gather) is supported")
    advanced = [k for k, i in enumerate(items) if isinstance(i, int) or (
        isinstance(i, tuple) and i[0] == "list")]
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
    resolved, dim = [], 0
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
        else:
            for v in i[1:]:
                if not -size <= v < size:
                    raise error("index %d is out of bounds for axis %d with size %d" %
                                (v, dim, size), IndexErrorTg)
            resolved.append(("list",) + tuple(v % size for v in i[1:]))
        dim += 1
    return apply("getitem", b_getitem, [x], index=tuple(resolved))


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
        if len(picks) > _MAX_UNROLLED_INDEX:
            raise error("reversed slices and index lists are built from %d slices here; "
                        "more than %d needs a gather, which tg does not have yet" %
                        (len(picks), _MAX_UNROLLED_INDEX))
        if not picks:
            rng = [(0, s, 1) for s in y.shape]
            rng[d] = (0, 0, 1)
            y = b_slice(y, rng)
            continue
        parts = []
        for p in picks:
            rng = [(0, s, 1) for s in y.shape]
            rng[d] = (p, p + 1, 1)
            parts.append(b_slice(y, rng))
        y = b_concat(*parts, axis=d)
    return b_reshape(y, tuple(out_shape))


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
    # Like TF's EagerTensor: other numpy functions compute in numpy, on the
    # values (and, like in TF, no tape sees them).
    plain = [np.asarray(i) if isinstance(i, Tensor) else i for i in inputs]
    if "out" in kwargs:
        kwargs = dict(kwargs)
        kwargs["out"] = tuple(np.asarray(o) if isinstance(o, Tensor) else o
                              for o in kwargs["out"])
    return getattr(ufunc, method)(*plain, **kwargs)


# ---------------------------------------------------------------------------
# tg.print
# ---------------------------------------------------------------------------

def print_(*values, sep=" ", end="\n", output_stream=None, summarize=None, name=None):
    """Prints the values at every call of the function (tf.print); eagerly,
    at once. `output_stream` is a file object (sys.stdout by default);
    `summarize` is accepted and ignored (numpy's printing summarizes)."""
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
    if isinstance(v, EagerTensor):
        return str(v.numpy())
    if isinstance(v, _variable_type()):
        return str(v.numpy())
    return str(v)
