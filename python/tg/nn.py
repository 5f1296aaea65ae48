"""tg.nn: TensorFlow's neural-network ops (tf.nn), with TF's arguments.

Convolutions are the dialect's `tg.conv2d` (NHWC input, HWCF filter) with
layout transposes around it for channels-first data: conv1d is a conv2d of
height 1, conv3d a sum over the filter's depth taps of conv2ds of depth
slices, conv2d_transpose a conv2d of the zero-interleaved input with the
flipped filter. Pools take strided slices of the padded input, one per
window offset, combined by `maximum` or `add`. Every op here is a
composition of dialect ops, so its gradient is the compiler's.
"""
import builtins

import numpy as np

from . import _dtypes
from ._errors import TgTypeError, error
from ._ops import (  # noqa: F401 (re-exported: tf.nn's names)
    IndexErrorTg, _axis, _b_one_hot, _b_pad_constant, _check_float, _concrete, _const,
    _int_list, _name, _scalar, add, apply, b_axis_op, b_binary,
    b_broadcast_to, b_cmp, b_concat, b_conv2d, b_reduce, b_reshape, b_select,
    b_slice, b_take, b_transpose, b_unary, reshape, squeeze,
    divide, elu, gather, gelu, is_tensor_like, leaky_relu, log1p, log_softmax,
    maximum, multiply, negative, operand, reduce_mean, reduce_sum, relu,
    relu6, rsqrt, same_dtype, selu, sigmoid, silu, softmax, softplus, square,
    squared_difference, stop_gradient, subtract, swish, tanh, where, abs as _abs,
    exp as _exp)

_CHANNELS_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}
_CHANNELS_FIRST = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


def _layout(data_format, nd, op):
    """True for channels last (TF's default), False for channels first."""
    if data_format is None or data_format == _CHANNELS_LAST[nd]:
        return True
    if data_format == _CHANNELS_FIRST[nd]:
        return False
    raise error("tg.nn.%s: data_format must be %r or %r, got %r" % (
        op, _CHANNELS_LAST[nd], _CHANNELS_FIRST[nd], data_format))


def _spatial(v, nd, channels_last, op, what, default=1):
    """An int, or a list of 1, nd or nd + 2 ints (TF's forms; the batch and
    channel entries of the last must be 1) -> nd positive ints."""
    if v is None:
        return (default,) * nd
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        vals = [int(v)]
    else:
        vals = _int_list(v, "nn." + op, what)
    if len(vals) == 1:
        vals = vals * nd
    elif len(vals) == nd + 2:
        outer = [vals[0], vals[-1]] if channels_last else vals[:2]
        if outer != [1, 1]:
            raise error("tg.nn.%s: %s %r: the batch and channel entries must be 1" % (
                op, what, v))
        vals = vals[1:-1] if channels_last else vals[2:]
    if len(vals) != nd or any(e < 1 for e in vals):
        raise error("tg.nn.%s: %s must be an int or %s positive ints, got %r" % (
            op, what, " or ".join(str(k) for k in sorted({1, nd, nd + 2})), v))
    return tuple(vals)


def _padding(padding, sizes, windows, strides, channels_last, op):
    """((before, after), ...) per spatial dim: TF's SAME rule, VALID, or an
    explicit list of [before, after] pairs (nd + 2 of them in data_format
    order, batch and channel [0, 0]; or nd)."""
    nd = len(sizes)
    if isinstance(padding, str):
        mode = padding.upper()
        if mode == "VALID":
            return ((0, 0),) * nd
        if mode == "SAME":
            pads = []
            for n, w, s in zip(sizes, windows, strides):
                out = -(-n // s)
                total = builtins.max((out - 1) * s + w - n, 0)
                pads.append((total // 2, total - total // 2))
            return tuple(pads)
        raise error("tg.nn.%s: padding must be 'SAME', 'VALID' or a list of [before, "
                    "after] pairs, got %r" % (op, padding))
    vals = _int_list(padding, "nn." + op, "padding")
    if len(vals) not in (2 * nd, 2 * (nd + 2)) or np.ndim(padding) not in (1, 2):
        raise error("tg.nn.%s: explicit padding is %d [before, after] pairs (one per "
                    "dimension of the input), got %r" % (op, nd + 2, padding))
    pairs = [tuple(vals[2 * i:2 * i + 2]) for i in range(len(vals) // 2)]
    if len(pairs) == nd + 2:
        outer = [pairs[0], pairs[-1]] if channels_last else pairs[:2]
        if any(p != (0, 0) for p in outer):
            raise error("tg.nn.%s: explicit padding of the batch and channel dimensions "
                        "must be [0, 0], got %r" % (op, padding))
        pairs = pairs[1:-1] if channels_last else pairs[2:]
    if any(v < 0 for p in pairs for v in p):
        raise error("tg.nn.%s: padding must be >= 0, got %r" % (op, padding))
    return tuple(pairs)


def _to_last(x, channels_last):
    return x if channels_last else b_transpose(x, [0] + list(range(2, x.ndim)) + [1])


def _from_last(x, channels_last):
    return x if channels_last else b_transpose(x, [0, x.ndim - 1] + list(range(1, x.ndim - 1)))


def _conv_operands(input, filters, nd, data_format, op):  # noqa: A002
    x, w = same_dtype("nn." + op, input, filters)
    _check_float("nn." + op, x)
    cl = _layout(data_format, nd, op)
    if x.ndim != nd + 2 or w.ndim != nd + 2:
        raise error("tg.nn.%s: expects a rank-%d input (%s) and a rank-%d filter, got "
                    "shapes %s and %s" % (op, nd + 2, _CHANNELS_LAST[nd] if cl else
                                          _CHANNELS_FIRST[nd], nd + 2, tuple(x.shape),
                                          tuple(w.shape)))
    return x, w, cl


def _spatial_sizes(x, cl):
    return tuple(x.shape[1:-1]) if cl else tuple(x.shape[2:])


def _channels(x, cl):
    return x.shape[-1] if cl else x.shape[1]


def _check_window(op, sizes, pads, windows):
    for n, (lo, hi), w in zip(sizes, pads, windows):
        if w > n + lo + hi:
            raise error("tg.nn.%s: the window (%d) is larger than the padded input (%d)" %
                        (op, w, n + lo + hi))


# ---------------------------------------------------------------------------
# Convolutions
# ---------------------------------------------------------------------------

def _conv(input, filters, nd, strides, padding, data_format, dilations, op,  # noqa: A002
          strides_name, builder):
    """The shared argument checks of conv1d/2d/3d, then `builder`."""
    x, w, cl = _conv_operands(input, filters, nd, data_format, op)
    if _channels(x, cl) != w.shape[nd]:
        raise error("tg.nn.%s: the input has %d channels, the filters expect %d "
                    "(grouped convolutions are not supported)" % (op, _channels(x, cl),
                                                                 w.shape[nd]))
    s = _spatial(strides, nd, cl, op, strides_name)
    d = _spatial(dilations, nd, cl, op, "dilations")
    windows = [d[i] * (w.shape[i] - 1) + 1 for i in range(nd)]
    pads = _padding(padding, _spatial_sizes(x, cl), windows, s, cl, op)
    _check_window(op, _spatial_sizes(x, cl), pads, windows)
    return apply("nn." + op, builder, [x, w], strides=s, pads=pads, dilations=d,
                 channels_last=cl)


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None):
    """tf.nn.conv2d: NHWC (or NCHW) input, [height, width, in, out] filters;
    padding "SAME", "VALID" or explicit pairs; strides and dilations an int
    or a list of 1, 2 or 4 ints."""
    return _conv(input, filters, 2, strides, padding, data_format, dilations, "conv2d",
                 "strides", _b_conv2d)


def _b_conv2d(x, w, strides, pads, dilations, channels_last):
    y = b_conv2d(_to_last(x, channels_last), w, strides, pads[0] + pads[1], dilations)
    return _from_last(y, channels_last)


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,  # noqa: A002
           name=None):
    """tf.nn.conv1d: NWC (or NCW) input, [width, in, out] filters (a conv2d
    of height 1)."""
    return _conv(input, filters, 1, stride, padding, data_format, dilations, "conv1d",
                 "stride", _b_conv1d)


def _b_conv1d(x, w, strides, pads, dilations, channels_last):
    x = _to_last(x, channels_last)
    n, width, c = x.shape
    y = b_conv2d(b_reshape(x, (n, 1, width, c)), b_reshape(w, (1,) + tuple(w.shape)),
                 (1, strides[0]), (0, 0) + pads[0], (1, dilations[0]))
    y = b_reshape(y, (n, y.shape[2], y.shape[3]))
    return _from_last(y, channels_last)


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None,  # noqa: A002
           name=None):
    """tf.nn.conv3d: NDHWC (or NCDHW) input, [depth, height, width, in, out]
    filters; strides a list of 5 (TF) or 1 or 3 ints. A sum over the
    filter's depth taps of conv2ds of the input's (strided) depth slices."""
    return _conv(input, filters, 3, strides, padding, data_format, dilations, "conv3d",
                 "strides", _b_conv3d)


def _b_conv3d(x, w, strides, pads, dilations, channels_last):
    x = _to_last(x, channels_last)
    x = _b_pad_constant(x, _scalar(0, x.dtype), ((0, 0), pads[0], (0, 0), (0, 0), (0, 0)))
    n, depth, h, wd, c = x.shape
    kd, sd, dd = w.shape[0], strides[0], dilations[0]
    od = (depth - dd * (kd - 1) - 1) // sd + 1
    # One conv2d whose channels are the depth taps' (tap-major): the sum over
    # taps is part of its reduction, accumulated as conv2d's (in f32 for
    # f16/bf16), not a chain of rounded adds.
    taps = [b_reshape(b_slice(x, [(0, n, 1), (k * dd, k * dd + sd * (od - 1) + 1, sd),
                                  (0, h, 1), (0, wd, 1), (0, c, 1)]), (n * od, h, wd, c))
            for k in range(kd)]
    xs = taps[0] if kd == 1 else b_concat(*taps, axis=3)
    _, kh, kw, _, f = w.shape
    wk = b_reshape(b_transpose(w, [1, 2, 0, 3, 4]), (kh, kw, kd * c, f))
    y = b_conv2d(xs, wk, strides[1:], pads[1] + pads[2], dilations[1:])
    y = b_reshape(y, (n, od) + tuple(y.shape[1:]))
    return _from_last(y, channels_last)


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NHWC", dilations=None, name=None):
    """tf.nn.conv2d_transpose: the adjoint of conv2d with these strides,
    padding and dilations (the gradient of conv2d w.r.t. its input), for an
    input of `output_shape`; filters are [height, width, out, in]. Computed
    as a stride-1 conv2d of the zero-interleaved input with the flipped,
    transposed filter."""
    x, w, cl = _conv_operands(input, filters, 2, data_format, "conv2d_transpose")
    out = _int_list(output_shape, "nn.conv2d_transpose", "output_shape")
    if len(out) == 2:
        out = [x.shape[0]] + out + [w.shape[2]] if cl else [x.shape[0], w.shape[2]] + out
    if len(out) != 4:
        raise error("tg.nn.conv2d_transpose: output_shape must have 4 entries, got %r" %
                    (output_shape,))
    out_c = out[-1] if cl else out[1]
    out_hw = tuple(out[1:3]) if cl else tuple(out[2:])
    if _channels(x, cl) != w.shape[3] or out_c != w.shape[2] or out[0] != x.shape[0]:
        raise error("tg.nn.conv2d_transpose: an input of shape %s, filters of shape %s "
                    "([height, width, out, in]) and output_shape %s do not match" % (
                        tuple(x.shape), tuple(w.shape), out))
    s = _spatial(strides, 2, cl, "conv2d_transpose", "strides")
    d = _spatial(dilations, 2, cl, "conv2d_transpose", "dilations")
    windows = [d[i] * (w.shape[i] - 1) + 1 for i in range(2)]
    pads = _padding(padding, out_hw, windows, s, cl, "conv2d_transpose")
    _check_window("conv2d_transpose", out_hw, pads, windows)
    for i in range(2):
        fwd = (out_hw[i] + pads[i][0] + pads[i][1] - windows[i]) // s[i] + 1
        if fwd != _spatial_sizes(x, cl)[i]:
            raise error("tg.nn.conv2d_transpose: output_shape %s is not a size conv2d "
                        "maps onto the input's %s (a conv2d of the output would have "
                        "size %d, not %d, along spatial axis %d)" % (
                            out, tuple(x.shape), fwd, _spatial_sizes(x, cl)[i], i))
    return apply("nn.conv2d_transpose", _b_conv2d_transpose, [x, w], out_hw=out_hw,
                 strides=s, pads=pads, dilations=d, channels_last=cl)


def _b_conv2d_transpose(x, w, out_hw, strides, pads, dilations, channels_last):
    x = _to_last(x, channels_last)
    conv_pads = []
    for i in range(2):
        axis, s = 1 + i, strides[i]
        n = x.shape[axis]
        if s > 1 and n > 0:  # s - 1 zeros after every element, then the last cut
            shape = list(x.shape)
            shape.insert(axis + 1, 1)
            x = b_reshape(x, tuple(shape))
            zshape = list(shape)
            zshape[axis + 1] = s - 1
            zeros = b_reshape(_scalar(0, x.dtype), (1,) * len(zshape))
            x = b_concat(x, b_broadcast_to(zeros, tuple(zshape)), axis=axis + 1)
            merged = list(x.shape)
            merged[axis:axis + 2] = [n * s]
            x = b_reshape(x, tuple(merged))
            rng = [(0, e, 1) for e in x.shape]
            rng[axis] = (0, (n - 1) * s + 1, 1)
            x = b_slice(x, rng)
        ext = dilations[i] * (w.shape[i] - 1)
        lo, hi = pads[i]
        rest = (out_hw[i] + lo + hi - ext - 1) % s
        before, after = ext - lo, ext - hi + rest
        if before < 0 or after < 0:  # padding wider than the filter: crop instead
            rng = [(0, e, 1) for e in x.shape]
            rng[axis] = (builtins.max(-before, 0), x.shape[axis] - builtins.max(-after, 0), 1)
            x = b_slice(x, rng)
        conv_pads += [builtins.max(before, 0), builtins.max(after, 0)]
    wf = b_take(b_take(w, 0, list(range(w.shape[0] - 1, -1, -1))), 1,
                list(range(w.shape[1] - 1, -1, -1)))
    y = b_conv2d(x, b_transpose(wf, [0, 1, 3, 2]), (1, 1), tuple(conv_pads), dilations)
    return _from_last(y, channels_last)


# ---------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------

def _pool(kind, nd, input, ksize, strides, padding, data_format, op):  # noqa: A002
    x = operand(input)
    if kind == "avg":
        _check_float("nn." + op, x)
    elif x.dtype == _dtypes.bool:
        raise error("tg.nn.%s of a bool tensor: cast it first" % op, TgTypeError)
    cl = _layout(data_format, nd, op)
    if x.ndim != nd + 2:
        raise error("tg.nn.%s: expects a rank-%d input (%s), got shape %s" % (
            op, nd + 2, _CHANNELS_LAST[nd] if cl else _CHANNELS_FIRST[nd],
            tuple(x.shape)))
    k = _spatial(ksize, nd, cl, op, "ksize")
    s = _spatial(strides, nd, cl, op, "strides")
    sizes = _spatial_sizes(x, cl)
    pads = _padding(padding, sizes, k, s, cl, op)
    _check_window(op, sizes, pads, k)
    if kind == "avg":
        for n, (lo, hi), w, st in zip(sizes, pads, k, s):
            starts = [j * st - lo for j in range((n + lo + hi - w) // st + 1)]
            if any(a + w <= 0 or a >= n for a in starts):
                raise error("tg.nn.%s: with padding %r a window covers only padding "
                                "(its average is undefined)" % (op, padding))
    return apply("nn." + op, _b_pool, [x], kind=kind, ksize=k, strides=s, pads=pads,
                 channels_last=cl)


def _b_pool(x, kind, ksize, strides, pads, channels_last):
    x = _to_last(x, channels_last)
    nd = len(ksize)
    sizes = tuple(x.shape[1:-1])
    if kind == "max":
        fill = -np.inf if _dtypes.is_float(x.dtype) else np.iinfo(x.dtype).min
    else:
        fill = 0
    if any(p != (0, 0) for p in pads):
        x = _b_pad_constant(x, _scalar(fill, x.dtype), ((0, 0),) + pads + ((0, 0),))
    outs = [(x.shape[1 + i] - ksize[i]) // strides[i] + 1 for i in range(nd)]
    acc = None
    for offsets in np.ndindex(*ksize):
        rng = [(0, x.shape[0], 1)] + [
            (o, o + strides[i] * (outs[i] - 1) + 1, strides[i])
            for i, o in enumerate(offsets)] + [(0, x.shape[-1], 1)]
        win = b_slice(x, rng)
        acc = win if acc is None else b_binary(acc, win, "maximum" if kind == "max"
                                               else "add")
    if kind == "avg":
        # The count of input (not padding) elements in each window, as TF.
        count = np.ones((), np.float64)
        for i in range(nd):
            lo = pads[i][0]
            c = np.array([builtins.sum(1 for t in range(ksize[i])
                                       if 0 <= j * strides[i] + t - lo < sizes[i])
                          for j in range(outs[i])], np.float64)
            count = np.multiply.outer(count, c)
        count = count.reshape((1,) + tuple(outs) + (1,))
        if count.size == 0 or np.all(count == count.flat[0]):
            count = np.array(count.flat[0] if count.size else 1.0)
        acc = b_binary(acc, _const(_dtypes.array(count, x.dtype)), "div")
    return _from_last(acc, channels_last)


def _pool_fn(kind, nd):
    op = "%s_pool%dd" % (kind, nd)
    default = _CHANNELS_LAST[nd]

    def f(input, ksize, strides, padding, data_format=default, name=None):  # noqa: A002
        return _pool(kind, nd, input, ksize, strides, padding, data_format, op)
    f.__name__ = op
    f.__doc__ = ("tf.nn.%s: the %s of each window (ksize, strides: an int or a list of "
                 "1, %d or %d ints); padding 'SAME', 'VALID' or explicit pairs%s." % (
                     op, "maximum" if kind == "max" else "mean", nd, nd + 2,
                     "" if kind == "max" else "; padding is left out of the mean (TF)"))
    return f


max_pool1d, max_pool2d, max_pool3d = [_pool_fn("max", n) for n in (1, 2, 3)]
avg_pool1d, avg_pool2d, avg_pool3d = [_pool_fn("avg", n) for n in (1, 2, 3)]


def _pool_any_rank(kind):
    def f(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
        x = operand(input)
        nd = x.ndim - 2
        if nd not in (1, 2, 3):
            raise error("tg.nn.%s_pool: expects a rank 3, 4 or 5 input, got shape %s" % (
                kind, tuple(x.shape)))
        return _pool(kind, nd, x, ksize, strides, padding, data_format,
                     "%s_pool" % kind)
    f.__name__ = "%s_pool" % kind
    f.__doc__ = "tf.nn.%s_pool: %s_pool1d/2d/3d by the input's rank." % (kind, kind)
    return f


max_pool, avg_pool = _pool_any_rank("max"), _pool_any_rank("avg")


# ---------------------------------------------------------------------------
# Normalization, losses, dropout
# ---------------------------------------------------------------------------

def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + epsilon) + offset, in TF's order
    of operations: inv = rsqrt(variance + epsilon) * scale, then x * inv +
    (offset - mean * inv). offset and scale may be None."""
    x = operand(x)
    _check_float("nn.batch_normalization", x)
    inv = rsqrt(add(operand(variance, x.dtype, exact=False),
                    _dtypes.array(variance_epsilon, x.dtype)))
    if scale is not None:
        inv = multiply(inv, operand(scale, x.dtype, exact=False))
    mean = operand(mean, x.dtype, exact=False)
    shift = negative(multiply(mean, inv)) if offset is None else subtract(
        operand(offset, x.dtype, exact=False), multiply(mean, inv))
    return add(multiply(x, inv), shift)


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) over `axes` (TF: the variance about a mean through
    which no gradient flows)."""
    x = operand(x)
    _check_float("nn.moments", x)
    mean = reduce_mean(x, axes, keepdims=True)
    variance = reduce_mean(squared_difference(x, stop_gradient(mean)), axes,
                           keepdims=True)
    if not keepdims:
        axes_list = [axes] if isinstance(axes, (int, np.integer)) else list(axes)
        mean, variance = squeeze(mean, axes_list), squeeze(variance, axes_list)
    return mean, variance


def bias_add(value, bias, data_format=None, name=None):
    """value + bias along the channel axis (the last, or axis 1 for NC...)."""
    x, b = same_dtype("nn.bias_add", value, bias)
    if b.ndim != 1 or x.ndim < 2:
        raise error("tg.nn.bias_add: bias must be 1-D and value of rank >= 2, got %s and "
                    "%s" % (tuple(b.shape), tuple(x.shape)))
    first = data_format is not None and data_format.startswith("NC")
    axis = 1 if first else x.ndim - 1
    if x.shape[axis] != b.shape[0]:
        raise error("tg.nn.bias_add: bias of size %d does not match the channel axis of "
                    "size %d" % (b.shape[0], x.shape[axis]))
    shape = [1] * x.ndim
    shape[axis] = b.shape[0]
    return add(x, reshape(b, shape))


def l2_loss(t, name=None):
    """sum(t ** 2) / 2."""
    t = operand(t)
    _check_float("nn.l2_loss", t)
    return multiply(reduce_sum(square(t)), _dtypes.array(0.5, t.dtype))


def l2_normalize(x, axis=None, epsilon=1e-12, name=None):
    """x / sqrt(max(sum(x ** 2, axis), epsilon))."""
    x = operand(x)
    _check_float("nn.l2_normalize", x)
    s = reduce_sum(square(x), axis, keepdims=True)
    return multiply(x, rsqrt(maximum(s, _dtypes.array(epsilon, x.dtype))))


def softsign(features, name=None):
    x = operand(features)
    _check_float("nn.softsign", x)
    return divide(x, add(_abs(x), _dtypes.array(1, x.dtype)))


def embedding_lookup(params, ids, max_norm=None, name=None):
    """The rows of `params` that `ids` pick (tf.gather along axis 0)."""
    if max_norm is not None:
        raise error("tg.nn.embedding_lookup: max_norm is not supported")
    return gather(params, ids)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """-sum(labels * log_softmax(logits), axis); labels are a distribution
    of the logits' shape (gradients flow to both, as TF 2)."""
    z, y = same_dtype("nn.softmax_cross_entropy_with_logits", logits, labels)
    _check_float("nn.softmax_cross_entropy_with_logits", z)
    if tuple(z.shape) != tuple(y.shape):
        raise error("tg.nn.softmax_cross_entropy_with_logits: labels of shape %s and "
                    "logits of shape %s differ" % (tuple(y.shape), tuple(z.shape)))
    if z.ndim == 0:
        raise error("tg.nn.softmax_cross_entropy_with_logits: logits need rank >= 1")
    axis = _axis(axis, z.ndim, "nn.softmax_cross_entropy_with_logits")
    return negative(reduce_sum(multiply(y, log_softmax(z, axis)), axis))


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """-log_softmax(logits)[..., labels]: labels are int class indices of
    shape logits.shape[:-1]. A label outside [0, classes) raises when the
    labels are known when tracing, and gives NaN otherwise (TF on GPU)."""
    z = operand(logits)
    _check_float("nn.sparse_softmax_cross_entropy_with_logits", z)
    y = operand(labels)
    if y.dtype not in (_dtypes.int32, _dtypes.int64):
        raise error("tg.nn.sparse_softmax_cross_entropy_with_logits: labels must be int32 "
                    "or int64, got %s" % _name(y.dtype), TgTypeError)
    if z.ndim == 0 or tuple(y.shape) != tuple(z.shape[:-1]):
        raise error("tg.nn.sparse_softmax_cross_entropy_with_logits: labels of shape %s "
                    "must be the logits' shape %s without its last axis" % (
                        tuple(y.shape), tuple(z.shape)))
    known = _concrete(y) if is_tensor_like(y) else np.asarray(y)
    n = z.shape[-1]
    if known is not None and known.size and ((known < 0) | (known >= n)).any():
        raise error("tg.nn.sparse_softmax_cross_entropy_with_logits: label %d is not in "
                    "[0, %d)" % (int(known[(known < 0) | (known >= n)].reshape(-1)[0]), n),
                    IndexErrorTg)
    return apply("sparse_xent", _b_sparse_xent, [y, z])


def _b_sparse_xent(y, z):
    n = z.shape[-1]
    hit = _b_one_hot(y, _scalar(True, np.bool_), _scalar(False, np.bool_), n, y.ndim)
    lsm = b_axis_op(z, "log_softmax", z.ndim - 1)
    picked = b_reduce(b_select(hit, lsm, _scalar(0, z.dtype)), "reduce_sum",
                      (z.ndim - 1,), False)
    zero = _scalar(0, y.dtype)
    valid = b_select(b_cmp(y, zero, "ge"), b_cmp(y, _scalar(n, y.dtype), "lt"),
                     _scalar(False, np.bool_))
    return b_select(valid, b_unary(picked, "neg"), _scalar(np.nan, z.dtype))


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """TF's stable form: max(x, 0) - x * z + log1p(exp(-|x|))."""
    x, z = same_dtype("nn.sigmoid_cross_entropy_with_logits", logits, labels)
    _check_float("nn.sigmoid_cross_entropy_with_logits", x)
    if tuple(x.shape) != tuple(z.shape):
        raise error("tg.nn.sigmoid_cross_entropy_with_logits: labels of shape %s and "
                    "logits of shape %s differ" % (tuple(z.shape), tuple(x.shape)))
    zero = np.zeros((), x.dtype)
    cond = x >= zero
    relu_logits = where(cond, x, zero)
    neg_abs = where(cond, negative(x), x)
    return add(subtract(relu_logits, multiply(x, z)), log1p(_exp(neg_abs)))


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zeroes each element with probability `rate` and scales the others by
    1 / (1 - rate) (tf.nn.dropout), eagerly and inside tg.function (the
    mask is drawn by the compiled Philox generator of tg.random)."""
    from . import random
    return random.dropout(x, rate, noise_shape=noise_shape, seed=seed)


__all__ = [
    "conv1d", "conv2d", "conv3d", "conv2d_transpose",
    "max_pool", "max_pool1d", "max_pool2d", "max_pool3d",
    "avg_pool", "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "batch_normalization", "moments", "bias_add", "l2_loss", "l2_normalize",
    "softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits",
    "sigmoid_cross_entropy_with_logits", "dropout", "embedding_lookup",
    "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "elu", "selu",
    "leaky_relu", "gelu", "softplus", "softsign", "silu", "swish",
]
