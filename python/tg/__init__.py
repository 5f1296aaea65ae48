"""tg: a tensor compiler, from Python.

    import numpy as np, tg

    @tg.function
    def f(x, y):
        return tg.reduce_mean(tg.matmul(x, y))

    f(np.ones((2, 2), np.float32), np.ones((2, 2), np.float32))  # numpy result
    print(f.lower(a, b))          # the traced tg module
    tg.grad(f, argnums=0)(a, b)   # gradients, through the tg.grad op

A tg.function is traced once per input signature (shapes, dtypes, and the
values of non-array arguments) into a tg module, compiled through the CPU
pipeline and cached. Every traced op carries the Python file:line that built
it, so shape errors and compiler diagnostics point at the user's code.
"""
import inspect
import os

import numpy as np

from . import _capi
from ._capi import DTYPES, Executable, TgError
from . import _eager
from ._eager import EagerTensor, GradientTape, Variable

__all__ = ["function", "grad", "value_and_grad", "Tensor", "TgError", "cond",
           "while_loop", "GradientTape", "Variable", "EagerTensor", "constant",
           "set_num_threads", "get_num_threads"]

_THIS_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_location():
    """file:line of the first caller frame outside the tg package."""
    for frame in inspect.stack()[2:]:
        if not os.path.abspath(frame.filename).startswith(_THIS_DIR):
            return frame.filename, frame.lineno
    return "<unknown>", 0


def _type(shape, dtype):
    dims = "".join("%dx" % d for d in shape)
    return "tensor<%s%s>" % (dims, DTYPES[np.dtype(dtype)][1])


class _Graph:
    """The ops of the function being traced, as MLIR text lines."""

    def __init__(self):
        self.lines = []
        self.count = 0
        self.extra_functions = []  # private functions made by GradientTapes

    def new_name(self):
        self.count += 1
        return "%%v%d" % (self.count - 1)

    def emit(self, op, operands, result_shape, result_dtype, attrs="", types=None,
             loc=None, prefix=""):
        """Appends `%r = tg.OP PREFIX operands ATTRS : TYPES loc(...)`."""
        loc = loc or _user_location()
        result = Tensor(self, self.new_name(), result_shape, result_dtype, loc)
        types = types if types else "(%s) -> %s" % (
            ", ".join(o.type for o in operands), result.type)
        result.producer = (op, prefix, list(operands), attrs, types)
        self.lines.append("  " + _op_text(result.name, op, prefix,
                                          [o.name for o in operands], attrs,
                                          types, loc))
        return result


def _loc_text(loc):
    return 'loc("%s":%d:0)' % (loc[0].replace('"', '\\"'), loc[1])


def _op_text(name, op, prefix, operand_names, attrs, types, loc):
    return "%s = tg.%s %s%s%s : %s %s" % (name, op, prefix, ", ".join(operand_names),
                                          attrs, types, _loc_text(loc))


_current = []  # the graphs being traced, innermost last


def _graph():
    if not _current:
        raise TgError("tg operations on symbolic tensors need an enclosing "
                      "@tg.function")
    return _current[-1]


def _error(message):
    file, line = _user_location()
    return TgError("%s:%d: error: %s" % (file, line, message))


class Tensor:
    """A symbolic tensor inside a traced @tg.function."""

    def __init__(self, graph, name, shape, dtype, loc):
        self.graph, self.name = graph, name
        self.shape, self.dtype, self.loc = tuple(shape), np.dtype(dtype), loc
        # (op, prefix, operands, attrs, types) of the tg op that made it, or
        # ("constant", text) for constants; None for arguments and values
        # made by control flow. GradientTape re-emits subgraphs from it.
        self.producer = None

    @property
    def type(self):
        return _type(self.shape, self.dtype)

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return "tg.Tensor(%s, %s)" % (self.shape, self.dtype)

    def __bool__(self):
        raise _error("a traced tensor has no Python truth value; branch on "
                     "data with tg.cond instead of `if`")

    __lt__ = lambda a, b: _cmp("lt", a, b)
    __le__ = lambda a, b: _cmp("le", a, b)
    __gt__ = lambda a, b: _cmp("gt", a, b)
    __ge__ = lambda a, b: _cmp("ge", a, b)
    __eq__ = lambda a, b: _cmp("eq", a, b)
    __ne__ = lambda a, b: _cmp("ne", a, b)
    __hash__ = object.__hash__

    def __getitem__(self, index):
        return _slice(self, index)

    def __iter__(self):
        raise _error("a traced tensor cannot be iterated in Python; slice it "
                     "or use tg.while_loop")

    @property
    def T(self):
        return transpose(self)


def _constant(value, dtype):
    """A tg.constant of a Python scalar or numpy array."""
    a = np.asarray(value, dtype=dtype)
    g = _graph()
    if a.size and np.all(a == a.flat[0]):
        v = a.flat[0]
        text = ("true" if v else "false") if a.dtype == np.bool_ else repr(v.item())
        if a.dtype.kind == "f" and not np.isfinite(v):
            text = "0x" + np.array(v, a.dtype).tobytes()[::-1].hex().upper()
    elif a.dtype == np.bool_:
        text = repr(a.tolist()).replace("True", "true").replace("False", "false")
    else:
        text = '"0x%s"' % a.tobytes().hex().upper()
    loc = _user_location()
    t = Tensor(g, g.new_name(), a.shape, a.dtype, loc)
    t.producer = ("constant", "dense<%s> : %s" % (text, t.type))
    g.lines.append("  %s = tg.constant %s %s" % (t.name, t.producer[1], _loc_text(loc)))
    return t


def _as_tensor(x, like=None):
    if isinstance(x, Tensor):
        return x
    if isinstance(x, EagerTensor):
        x = x.value
    dtype = like.dtype if like is not None and np.isscalar(x) else None
    arr = np.asarray(x, dtype=dtype)
    if arr.dtype == np.float64 and like is None:
        arr = arr.astype(np.float32)
    return _constant(arr, arr.dtype)


def _binary(op, a, b, result_dtype=None, prefix=""):
    if not isinstance(a, Tensor):
        a = _as_tensor(a, like=b)
    if not isinstance(b, Tensor):
        b = _as_tensor(b, like=a)
    if a.dtype != b.dtype:
        raise _error("tg.%s: operands have different dtypes, %s and %s (cast "
                     "one with tg.cast)" % (op, a.dtype, b.dtype))
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise _error("tg.%s: shapes %s and %s are not broadcast-compatible" %
                     (op, a.shape, b.shape)) from None
    return _graph().emit(op, [a, b], shape, result_dtype or a.dtype, prefix=prefix)


def add(a, b): return _binary("add", a, b)
def sub(a, b): return _binary("sub", a, b)
def mul(a, b): return _binary("mul", a, b)
def div(a, b): return _binary("div", a, b)
def pow(a, b): return _binary("pow", a, b)  # noqa: A001
def maximum(a, b): return _binary("maximum", a, b)
def minimum(a, b): return _binary("minimum", a, b)


def _cmp(pred, a, b):
    if not isinstance(a, Tensor):
        a = _as_tensor(a, like=b)
    if not isinstance(b, Tensor):
        b = _as_tensor(b, like=a)
    return _binary("cmp", a, b, result_dtype=np.bool_, prefix=pred + ", ")


def _unary(op):
    def f(x):
        x = _as_tensor(x)
        if x.dtype.kind != "f":
            raise _error("tg.%s needs a float tensor, got %s" % (op, x.dtype))
        return _graph().emit(op, [x], x.shape, x.dtype, types=x.type)
    f.__name__ = op
    return f


neg, abs, exp, log, sqrt, rsqrt, tanh, sigmoid, relu, sin, cos = [  # noqa: A001
    _unary(n) for n in ["neg", "abs", "exp", "log", "sqrt", "rsqrt", "tanh",
                        "sigmoid", "relu", "sin", "cos"]]


def where(pred, a, b):
    """tg.select: pred ? a : b, all three broadcast together."""
    a = _as_tensor(a, like=b if isinstance(b, Tensor) else None)
    b = _as_tensor(b, like=a)
    pred = _as_tensor(pred)
    shape = np.broadcast_shapes(pred.shape, a.shape, b.shape)
    return _graph().emit("select", [pred, a, b], shape, a.dtype)


def cast(x, dtype):
    x = _as_tensor(x)
    dtype = np.dtype(dtype)
    return _graph().emit("cast", [x], x.shape, dtype,
                         types="%s to %s" % (x.type, _type(x.shape, dtype)))


def matmul(a, b):
    a, b = _as_tensor(a), _as_tensor(b)
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-2]:
        raise _error("tg.matmul: cannot multiply shapes %s and %s" % (a.shape, b.shape))
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return _graph().emit("matmul", [a, b], batch + (a.shape[-2], b.shape[-1]), a.dtype)


def transpose(x, perm=None):
    x = _as_tensor(x)
    perm = list(perm) if perm is not None else list(range(x.ndim))[::-1]
    shape = tuple(x.shape[p] for p in perm)
    return _graph().emit("transpose", [x], shape, x.dtype, attrs=" %s" % perm,
                         types="%s -> %s" % (x.type, _type(shape, x.dtype)))


def reshape(x, shape):
    x = _as_tensor(x)
    shape = tuple(np.empty(x.shape, dtype=np.bool_).reshape(shape).shape)
    return _graph().emit("reshape", [x], shape, x.dtype,
                         types="%s -> %s" % (x.type, _type(shape, x.dtype)))


def broadcast_to(x, shape):
    x = _as_tensor(x)
    shape = tuple(shape)
    return _graph().emit("broadcast_to", [x], shape, x.dtype,
                         types="%s -> %s" % (x.type, _type(shape, x.dtype)))


def _reduce(op):
    def f(x, axis=None, keepdims=False):
        x = _as_tensor(x)
        axes = list(range(x.ndim)) if axis is None else (
            [axis] if isinstance(axis, int) else list(axis))
        axes = [a % x.ndim for a in axes]
        shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)
                      if keepdims or i not in axes)
        return _graph().emit(op, [x], shape, x.dtype, attrs=" %s" % axes,
                             types="%s -> %s" % (x.type, _type(shape, x.dtype)))
    f.__name__ = op
    return f


reduce_sum, reduce_mean, reduce_max, reduce_min = [
    _reduce(n) for n in ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min"]]


def softmax(x, axis=-1):
    x = _as_tensor(x)
    return _graph().emit("softmax", [x], x.shape, x.dtype,
                         attrs=" [%d]" % (axis % x.ndim), types=x.type)


def log_softmax(x, axis=-1):
    x = _as_tensor(x)
    return _graph().emit("log_softmax", [x], x.shape, x.dtype,
                         attrs=" [%d]" % (axis % x.ndim), types=x.type)


def concat(tensors, axis=0):
    ts = [_as_tensor(t) for t in tensors]
    axis %= ts[0].ndim
    shape = list(ts[0].shape)
    shape[axis] = sum(t.shape[axis] for t in ts)
    return _graph().emit("concat", ts, tuple(shape), ts[0].dtype, attrs=" [%d]" % axis)


def conv2d(x, w, strides=(1, 1), padding=(0, 0, 0, 0), dilations=(1, 1)):
    """NHWC input, HWCF filter; padding is [top, bottom, left, right]."""
    x, w = _as_tensor(x), _as_tensor(w)
    if x.ndim != 4 or w.ndim != 4 or x.shape[3] != w.shape[2]:
        raise _error("tg.conv2d: expects NHWC input and HWCF filter with matching "
                     "channels, got %s and %s" % (x.shape, w.shape))
    out = [x.shape[0]]
    for d in range(2):
        padded = x.shape[1 + d] + padding[2 * d] + padding[2 * d + 1]
        window = dilations[d] * (w.shape[d] - 1) + 1
        if window > padded:
            raise _error("tg.conv2d: the window is larger than the padded input")
        out.append((padded - window) // strides[d] + 1)
    out.append(w.shape[3])
    attrs = " strides %s padding %s dilations %s" % (list(strides), list(padding),
                                                      list(dilations))
    return _graph().emit("conv2d", [x, w], tuple(out), x.dtype, attrs=attrs)


def _slice(x, index):
    if not isinstance(index, tuple):
        index = (index,)
    if len(index) > x.ndim:
        raise _error("too many indices (%d) for a tensor of rank %d" % (len(index), x.ndim))
    ranges, shape = [], []
    for d, size in enumerate(x.shape):
        s = index[d] if d < len(index) else slice(None)
        if not isinstance(s, slice) or (s.step or 1) < 1:
            raise _error("tg tensors support basic slices with positive steps, got %r" % (s,))
        start, stop, step = s.indices(size)
        stop = max(stop, start)
        ranges.append("%d:%d" % (start, stop) + (":%d" % step if step != 1 else ""))
        shape.append(len(range(start, stop, step)))
    return _graph().emit("slice", [x], tuple(shape), x.dtype,
                         attrs=" [%s]" % ", ".join(ranges),
                         types="%s -> %s" % (x.type, _type(shape, x.dtype)))


def _in_region(g, build):
    """Runs build() with the graph emitting into a fresh list of lines (a
    region's body); returns (lines, what build returned)."""
    saved = g.lines
    g.lines = []
    try:
        result = build()
        return g.lines, result
    finally:
        g.lines = saved


def _trace_region(g, fn, args):
    """Traces fn(*args) as a region body; returns (lines, output tensors,
    whether fn returned several)."""
    def build():
        out = fn(*args)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        return [_as_tensor(o) for o in outs], isinstance(out, (tuple, list))
    lines, (outs, several) = _in_region(g, build)
    return lines, outs, several


def _multi_name(results):
    """The SSA name of an op's results (`%r` or `%r:N`); renames the result
    tensors to `%r#i` when there are several."""
    if len(results) == 1:
        return results[0].name
    base = results[0].name
    for i, r in enumerate(results):
        r.name = "%s#%d" % (base, i)
    return "%s:%d" % (base, len(results))


def _scalar_predicate(g, pred, what):
    pred = _as_tensor(pred)
    if pred.dtype != np.bool_ or pred.shape != ():
        raise _error("%s: the predicate must be a scalar boolean tensor, got %s" %
                     (what, pred))
    name = g.new_name()
    g.lines.append("  %s = tensor.extract %s[] : tensor<i1> %s" % (
        name, pred.name, _loc_text(_user_location())))
    return name


def _control_results(g, like, loc, op):
    """New tensors shaped like `like`, the results of control-flow op `op`
    (GradientTapes do not re-emit them)."""
    results = [Tensor(g, g.new_name(), v.shape, v.dtype, loc) for v in like]
    for r in results:
        r.producer = ("control", op)
    return results


def cond(pred, true_fn, false_fn):
    """Runs true_fn() or false_fn() depending on a scalar boolean tensor; an
    scf.if in the traced graph, differentiable like any other op."""
    g = _graph()
    loc = _user_location()
    c = _scalar_predicate(g, pred, "tg.cond")
    then_lines, then_outs, multi = _trace_region(g, true_fn, ())
    else_lines, else_outs, _ = _trace_region(g, false_fn, ())
    if [(o.shape, o.dtype) for o in then_outs] != [(o.shape, o.dtype) for o in else_outs]:
        raise _error("tg.cond: the branches return different types: %s and %s" %
                     (then_outs, else_outs))
    results = _control_results(g, then_outs, loc, "tg.cond")
    types = ", ".join(o.type for o in then_outs)
    yield_ = lambda outs: "    scf.yield %s : %s" % (", ".join(o.name for o in outs), types)
    g.lines.append("  %s = scf.if %s -> (%s) {" % (_multi_name(results), c, types))
    g.lines += ["  " + l for l in then_lines] + [yield_(then_outs), "  } else {"]
    g.lines += ["  " + l for l in else_lines] + [yield_(else_outs),
                                                 "  } %s" % _loc_text(loc)]
    return tuple(results) if multi else results[0]


def while_loop(cond_fn, body_fn, loop_vars):
    """Repeats loop_vars = body_fn(*loop_vars) while cond_fn(*loop_vars);
    an scf.while, so the trip count may depend on the data (and gradients
    flow through it)."""
    g = _graph()
    loc = _user_location()
    several = isinstance(loop_vars, (tuple, list))
    init = [_as_tensor(v) for v in (loop_vars if several else [loop_vars])]
    types = ", ".join(v.type for v in init)
    before = [Tensor(g, g.new_name(), v.shape, v.dtype, loc) for v in init]
    after = [Tensor(g, g.new_name(), v.shape, v.dtype, loc) for v in init]
    cond_lines, c = _in_region(
        g, lambda: _scalar_predicate(g, cond_fn(*before), "tg.while_loop"))
    body_lines, body_outs, _ = _trace_region(g, body_fn, after)
    if [(o.shape, o.dtype) for o in body_outs] != [(v.shape, v.dtype) for v in init]:
        raise _error("tg.while_loop: the body returns %s for loop variables %s" %
                     (body_outs, init))
    results = _control_results(g, init, loc, "tg.while_loop")
    g.lines.append("  %s = scf.while (%s) : (%s) -> (%s) {" % (
        _multi_name(results),
        ", ".join("%s = %s" % (b.name, v.name) for b, v in zip(before, init)),
        types, types))
    g.lines += ["  " + l for l in cond_lines]
    g.lines.append("    scf.condition(%s) %s : %s" % (c, ", ".join(b.name for b in before), types))
    g.lines.append("  } do {")
    g.lines.append("  ^bb0(%s):" % ", ".join("%s: %s" % (a.name, a.type) for a in after))
    g.lines += ["  " + l for l in body_lines]
    g.lines.append("    scf.yield %s : %s" % (", ".join(o.name for o in body_outs), types))
    g.lines.append("  } %s" % _loc_text(loc))
    return tuple(results) if several else results[0]


def set_num_threads(n):
    """Worker threads for graphs compiled from now on (like
    torch.set_num_threads); 0 means every core, the default. Graphs already
    compiled keep theirs."""
    if int(n) < 0:
        raise TgError("tg.set_num_threads: expected 0 or more threads, got %d" % n)
    _capi.num_threads = int(n)


def get_num_threads():
    """The worker threads set by set_num_threads (0: every core)."""
    return _capi.num_threads


class function:  # noqa: N801 (used as a decorator, like tf.function)
    """Traces a Python function per input signature and runs it compiled."""

    def __init__(self, fn):
        self.fn = fn
        self.cache = {}
        # Finds the executable for ndarray arguments in C (see _capi.fast).
        self._dispatch = _capi.fast.Dispatcher() if _capi.fast else None
        self.trace_count = 0
        self.__name__ = getattr(fn, "__name__", "f")
        self.__doc__ = fn.__doc__

    @staticmethod
    def _signature(args):
        sig = []
        for a in args:
            if isinstance(a, (np.ndarray, np.generic)) or isinstance(a, (list, tuple)):
                arr = np.asarray(a)
                if arr.dtype == np.float64 and not isinstance(a, np.ndarray):
                    arr = arr.astype(np.float32)
                sig.append(("array", arr.shape, arr.dtype.str))
            else:
                sig.append(("value", a))
        return tuple(sig)

    def _trace(self, args, name="main", wrap=None):
        """Returns the module text of the function traced on `args`."""
        g = _Graph()
        params, call_args = [], []
        for i, a in enumerate(args):
            if isinstance(a, (np.ndarray, np.generic, list, tuple)):
                arr = np.asarray(a)
                if arr.dtype == np.float64 and not isinstance(a, np.ndarray):
                    arr = arr.astype(np.float32)
                t = Tensor(g, "%%arg%d" % i, arr.shape, arr.dtype, None)
                params.append(t)
                call_args.append(t)
            else:
                call_args.append(a)
        _current.append(g)
        try:
            out = self.fn(*call_args)
        finally:
            _current.pop()
        self.trace_count += 1
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        outs = [_as_tensor_in(g, o) for o in outs]
        decl = ", ".join("%s: %s" % (p.name, p.type) for p in params)
        rtypes = ", ".join(o.type for o in outs)
        body = "\n".join(g.lines)
        text = "func.func %s@%s(%s) -> (%s) {\n%s\n  return %s : %s\n}\n" % (
            "private " if wrap else "", name, decl, rtypes, body,
            ", ".join(o.name for o in outs), rtypes)
        return "".join(g.extra_functions) + text, params, outs

    def lower(self, *args):
        """The tg dialect text of the function traced on these arguments."""
        return self._trace(args)[0]

    def __call__(self, *args):
        if self._dispatch is not None:
            results = self._dispatch(*args)
            if results is not NotImplemented:
                return results
        args = _checked_arguments(args)
        # Every argument an ndarray: the key needs no conversion.
        if all(type(a) is np.ndarray for a in args):
            key = tuple([(a.shape, a.dtype) for a in args])
            arrays = args
        else:
            key = self._signature(args)
            arrays = None
        entry = self.cache.get(key)
        if entry is None:
            text, params, outs = self._trace(args)
            entry = (Executable(text, name=self.__name__), len(outs))
            self.cache[key] = entry
            if self._dispatch is not None and arrays is args and entry[0].fast:
                self._dispatch.add(args, entry[0].fast, len(outs) == 1)
        exe, n = entry
        if arrays is None:
            arrays = [_to_array(a) for a in args
                      if isinstance(a, (np.ndarray, np.generic, list, tuple))]
        results = exe(*arrays)
        return results[0] if n == 1 else tuple(results)


_SUPPORTED = ", ".join(str(d) for d in DTYPES)


def _checked_arguments(args):
    """`args` with ndarrays in native byte order; an error naming the
    caller's line for arrays of a dtype tg has no type for."""
    checked = []
    for i, a in enumerate(args):
        if isinstance(a, (np.ndarray, np.generic, list, tuple)):
            if isinstance(a, np.ndarray) and not a.dtype.isnative:
                a = a.astype(a.dtype.newbyteorder("="))
            arr = a if isinstance(a, np.ndarray) else np.asarray(a)
            if arr.dtype not in DTYPES and not (
                    arr.dtype == np.float64 and not isinstance(a, np.ndarray)):
                raise _error("argument #%d has dtype %s, which tg does not "
                             "support (it supports %s)" % (i, arr.dtype, _SUPPORTED))
        checked.append(a)
    return tuple(checked)


def _to_array(a):
    arr = np.asarray(a)
    if arr.dtype == np.float64 and not isinstance(a, np.ndarray):
        arr = arr.astype(np.float32)
    return arr


def _as_tensor_in(g, o):
    if isinstance(o, Tensor):
        return o
    _current.append(g)
    try:
        return _as_tensor(o)
    finally:
        _current.pop()


def value_and_grad(f, argnums=0):
    """Returns g(*args) -> (f(*args), gradients of f w.r.t. args[argnums]),
    computed by the tg.grad op (the tape-to-gradient pass), not in Python.
    A non-scalar result is differentiated as its sum."""
    inner = f if isinstance(f, function) else function(f)
    nums = [argnums] if isinstance(argnums, int) else list(argnums)

    def traced(*args):
        text, params, outs = inner._trace(args, name="f", wrap=True)
        if len(outs) != 1:
            raise TgError("tg.grad: the function must return one tensor, it "
                          "returns %d" % len(outs))
        decl = ", ".join("%s: %s" % (p.name, p.type) for p in params)
        types = ", ".join(p.type for p in params)
        gtypes = ", ".join(params[i].type for i in nums)
        results = ", ".join("%%g%d" % i for i in range(len(nums)))
        file, line = _user_location()
        main = ("func.func @main(%s) -> (%s, %s) {\n"
                "  %%v, %s = tg.grad @f(%s) wrt %s : (%s) -> (%s, %s) loc(\"%s\":%d:0)\n"
                "  return %%v, %s : %s, %s\n}\n") % (
            decl, outs[0].type, gtypes, results, ", ".join(p.name for p in params),
            nums, types, outs[0].type, gtypes, file, line, results, outs[0].type, gtypes)
        return text + main

    cache = {}

    def run(*args):
        args = _checked_arguments(args)
        key = function._signature(args)
        if key not in cache:
            cache[key] = Executable(traced(*args), name=inner.__name__)
        arrays = [_to_array(a) for a in args]
        results = cache[key](*arrays)
        grads = results[1] if isinstance(argnums, int) else tuple(results[1:])
        return results[0], grads
    run.lower = lambda *args: traced(*args)
    return run


def grad(f, argnums=0):
    """Like jax.grad: returns the gradients of f w.r.t. args[argnums]."""
    vg = value_and_grad(f, argnums)

    def run(*args):
        return vg(*args)[1]
    run.lower = vg.lower
    return run


def constant(value, dtype=None):
    """An eager tensor (outside tg.function) or a graph constant (inside)."""
    if _current:
        return _as_tensor(np.asarray(value, dtype=dtype))
    return EagerTensor(np.asarray(value, dtype=dtype))


def _is_symbolic(x):
    return isinstance(x, Tensor) or (
        isinstance(x, (list, tuple)) and any(isinstance(v, Tensor) for v in x))


def _dispatching(op):
    """Runs `op` traced inside tg.function, eagerly outside it."""
    def wrapper(*args, **kwargs):
        if _current or any(_is_symbolic(a) for a in args):
            return op(*args, **kwargs)
        return _eager.run_eager(op, args, kwargs)
    wrapper.__name__ = op.__name__
    wrapper.__doc__ = op.__doc__
    return wrapper


for _name in ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "neg", "abs",
              "exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "relu", "sin", "cos",
              "where", "cast", "matmul", "transpose", "reshape", "broadcast_to",
              "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "softmax",
              "log_softmax", "concat", "conv2d"]:
    globals()[_name] = _dispatching(globals()[_name])
def _install_operators(cls):
    """Python's arithmetic operators on traced and eager tensors alike; the
    op functions resolve at call time, so they dispatch traced or eager."""
    table = {"add": ("__add__", "__radd__"), "sub": ("__sub__", "__rsub__"),
             "mul": ("__mul__", "__rmul__"), "div": ("__truediv__", "__rtruediv__"),
             "pow": ("__pow__", "__rpow__"), "matmul": ("__matmul__", "__rmatmul__")}
    for op, (forward, reflected) in table.items():
        setattr(cls, forward, lambda a, b, op=op: globals()[op](a, b))
        setattr(cls, reflected, lambda a, b, op=op: globals()[op](b, a))
    cls.__neg__ = lambda a: globals()["neg"](a)


_install_operators(Tensor)
_install_operators(EagerTensor)


def _trace_gradient_of_subgraph(target, sources):
    """Inside a tg.function: the gradients of `target` w.r.t. `sources`
    (traced tensors watched by a GradientTape). The ops between them are
    re-emitted as a private function of the sources (other leaves are
    captured as extra arguments, constants of the tape), and a tg.grad of it
    is emitted in the traced graph."""
    g = target.graph
    order, seen = [], set()

    def visit(t):
        if id(t) in seen:
            return
        seen.add(id(t))
        if any(t is s for s in sources):
            return
        if t.producer is not None and t.producer[0] == "control":
            # Its value may depend on the watched tensors through a region
            # the tape cannot outline yet; a silent zero would be wrong.
            raise _error("GradientTape inside tg.function cannot differentiate "
                         "through %s yet; use tg.grad or tg.value_and_grad on a "
                         "function instead" % t.producer[1])
        if t.producer is not None and t.producer[0] != "constant":
            for o in t.producer[2]:
                visit(o)
        order.append(t)
    visit(target)
    leaves = [t for t in order if t.producer is None and not any(t is s for s in sources)]
    args = list(sources) + leaves
    names = {id(t): "%%a%d" % i for i, t in enumerate(args)}
    lines = []
    for t in order:
        if id(t) in names:
            continue
        if t.producer[0] == "constant":
            names[id(t)] = "%%c%d" % len(names)
            lines.append("  %s = tg.constant %s" % (names[id(t)], t.producer[1]))
            continue
        op, prefix, operands, attrs, types = t.producer
        names[id(t)] = "%%t%d" % len(names)
        lines.append("  " + _op_text(names[id(t)], op, prefix,
                                     [names[id(o)] for o in operands], attrs, types, t.loc))
    fname = "tape%d" % len(g.extra_functions)
    decl = ", ".join("%s: %s" % (names[id(a)], a.type) for a in args)
    g.extra_functions.append("func.func private @%s(%s) -> %s {\n%s\n  return %s : %s\n}\n" % (
        fname, decl, target.type, "\n".join(lines), names[id(target)], target.type))
    results = [Tensor(g, g.new_name(), s.shape, s.dtype, target.loc) for s in sources]
    value = Tensor(g, g.new_name(), target.shape, target.dtype, target.loc)
    all_results = [value] + results
    types = ", ".join(a.type for a in args)
    g.lines.append("  %s = tg.grad @%s(%s) wrt %s : (%s) -> (%s) %s" % (
        _multi_name(all_results), fname, ", ".join(a.name for a in args),
        list(range(len(sources))), types,
        ", ".join(t.type for t in all_results), _loc_text(_user_location())))
    return all_results[1:]
