"""The ONNX importer: an ONNX graph as a Python function of tg ops.

`load` parses and checks the model, then builds an `OnnxModel`: a callable
whose body walks the graph's nodes in order, calling one handler per node
(see _handlers). The body is wrapped in `tg.function(autograph=False)`, so
tracing, compiling and caching by signature are tg.function's.

Values in the walk are either numpy arrays (known while importing:
initializers, Constant nodes, shapes of tensors -- tg's shapes are static --
and the shape arithmetic on them, computed with numpy by the handlers) or
traced tg tensors. A handler that needs an operand's *value* (a Reshape's
shape, a Slice's starts, TopK's k, ...) asks `node.const(i)`; when that
operand is traced, it depends on graph inputs, and the call is retraced with
those inputs passed as hashable Python values (`_Static`): tg.function's
cache key then holds their values, so there is one compile per distinct
value, cached.
"""
import os

import numpy as np

from .. import _dtypes, _errors
from .._errors import TgError, TgTypeError
from .._tensor import EagerTensor, Tensor


def error(message, kind=TgError):
    return _errors.error(message, kind)


try:  # Debian's python3-onnx
    import onnx
    from onnx import numpy_helper
except ImportError:  # pragma: no cover
    onnx = None


# ONNX TensorProto.DataType -> numpy dtype (those tg has), or a name.
_ONNX_DTYPES = {1: np.dtype(np.float32), 11: np.dtype(np.float64), 10: np.dtype(np.float16),
                16: _dtypes.bfloat16, 6: np.dtype(np.int32), 7: np.dtype(np.int64),
                9: np.dtype(np.bool_)}
_ONNX_DTYPE_NAMES = {0: "undefined", 1: "float", 2: "uint8", 3: "int8", 4: "uint16",
                     5: "int16", 6: "int32", 7: "int64", 8: "string", 9: "bool",
                     10: "float16", 11: "double", 12: "uint32", 13: "uint64",
                     14: "complex64", 15: "complex128", 16: "bfloat16"}


def _contiguous(a):
    """`a` C-contiguous, keeping its shape: np.ascontiguousarray makes a 0-d
    array 1-d (numpy < 2), which changes results (a scalar Gather index)."""
    return np.require(a, requirements="C")


def onnx_dtype(code, what):
    """The tg dtype of ONNX element type `code`; TgError naming `what` when
    tg has none."""
    d = _ONNX_DTYPES.get(int(code))
    if d is None:
        raise error("%s has ONNX element type %s, which tg does not support (tg has "
                    "float32, float64, float16, bfloat16, int32, int64, bool)" % (
                        what, _ONNX_DTYPE_NAMES.get(int(code), str(code))), TgTypeError)
    return d


def dtype_name(d):
    return "bfloat16" if d == _dtypes.bfloat16 else str(np.dtype(d))


class NeedsValue(Exception):
    """Raised while tracing: an op needs the value of these graph inputs."""

    def __init__(self, inputs):
        Exception.__init__(self, sorted(inputs))
        self.inputs = frozenset(inputs)


class _Static:
    """A graph input passed by value (hashable: tg.function keys on it)."""

    __slots__ = ("array", "_key")

    def __init__(self, array):
        self.array = _contiguous(array)
        self._key = (self.array.dtype.str, self.array.shape, self.array.tobytes())

    def __hash__(self):
        return hash(self._key)

    def __eq__(self, other):
        return isinstance(other, _Static) and self._key == other._key

    def __repr__(self):
        return "static(%s)" % (self.array.tolist(),)


def to_numpy_tensor(t, what):
    """A TensorProto as a numpy array of a tg dtype."""
    dtype = onnx_dtype(t.data_type, what)
    if t.data_type == 16:  # bfloat16: the raw bits
        if t.raw_data:
            bits = np.frombuffer(t.raw_data, np.uint16)
        else:
            bits = np.asarray(t.int32_data, np.uint32).astype(np.uint16)
        return bits.copy().view(_dtypes.bfloat16).reshape(tuple(t.dims))
    if t.data_location == 1:
        raise error("%s is stored outside the .onnx file (external data); load the "
                    "model with onnx.load(path) next to its data and pass the ModelProto"
                    % what)
    try:
        a = numpy_helper.to_array(t)
    except Exception as e:  # noqa: BLE001 (onnx raises many kinds)
        raise error("%s cannot be read: %s" % (what, e)) from None
    return _contiguous(a).astype(dtype, copy=False)


def _parse(model):
    """A checked ModelProto from a path, bytes or a ModelProto."""
    if onnx is None:
        raise error("tg.onnx needs the onnx package (Debian: python3-onnx)")
    if isinstance(model, onnx.ModelProto):
        proto = model
        where = "the ModelProto"
    else:
        if isinstance(model, (bytes, bytearray, memoryview)):
            data, where = bytes(model), "the model bytes"
        elif isinstance(model, (str, os.PathLike)):
            where = str(model)
            try:
                with open(model, "rb") as f:
                    data = f.read()
            except OSError as e:
                raise error("cannot read ONNX model %s: %s" % (where, e.strerror or e)) \
                    from None
        else:
            raise error("tg.onnx.load expects a path, bytes or an onnx.ModelProto, got %r"
                        % (type(model).__name__,), TgTypeError)
        proto = onnx.ModelProto()
        try:
            proto.ParseFromString(data)
        except Exception as e:  # noqa: BLE001 (google.protobuf.message.DecodeError)
            raise error("%s is not a valid ONNX model (corrupt or truncated protobuf: %s)"
                        % (where, e)) from None
        if not proto.HasField("graph") or not (proto.graph.node or proto.graph.output):
            raise error("%s is not a valid ONNX model (no graph; corrupt, truncated or "
                        "not an .onnx file)" % where)
    try:
        onnx.checker.check_model(proto)
    except Exception as e:  # noqa: BLE001 (onnx.checker.ValidationError, ...)
        msg = str(e).strip().splitlines()
        raise error("%s fails onnx.checker: %s" % (where, msg[0] if msg else type(e).__name__)) \
            from None
    return proto


def _dims(value_info):
    """[(dim value or None, dim_param)] of a graph input's tensor type."""
    t = value_info.type.tensor_type
    if not t.HasField("shape"):
        return None
    out = []
    for d in t.shape.dim:
        if d.HasField("dim_value"):
            out.append((int(d.dim_value), None))
        else:
            out.append((None, d.dim_param or None))
    return out


class Node:
    """What a handler sees of one ONNX node."""

    def __init__(self, proto, index, model, env, deps):
        self.proto = proto
        self.index = index
        self.op_type = proto.op_type
        self.opset = model.opset
        self.model = model
        self.attrs = {a.name: a for a in proto.attribute}
        self._env = env
        self._deps = deps
        self.inputs = [env[n] if n else None for n in proto.input]
        self.num_outputs = len(proto.output)

    def describe(self):
        name = self.proto.name
        return "node %s#%d" % ("'%s', " % name if name else "", self.index)

    def fail(self, message, kind=TgError):
        return error("ONNX op '%s' (%s): %s" % (self.op_type, self.describe(), message), kind)

    def has(self, i):
        return i < len(self.inputs) and self.inputs[i] is not None

    def input(self, i, default=None):
        return self.inputs[i] if self.has(i) else default

    def const(self, i, default=None):
        """The value of input i as a numpy array (None when absent); raises
        NeedsValue when it is traced and depends on graph inputs."""
        if not self.has(i):
            return default
        v = self.inputs[i]
        if isinstance(v, np.ndarray):
            return v
        deps = self._deps.get(self.proto.input[i], frozenset())
        if deps:
            raise NeedsValue(deps)
        raise self.fail("input %d ('%s') must be known when importing (it fixes a shape), "
                        "but it is computed by ops tg runs" % (i, self.proto.input[i]))

    def attr(self, name, default=None):
        a = self.attrs.get(name)
        if a is None:
            return default
        t = a.type
        if t == 1:
            return float(a.f)
        if t == 2:
            return int(a.i)
        if t == 3:
            return a.s.decode("utf-8", "replace")
        if t == 4:
            return to_numpy_tensor(a.t, "attribute '%s' of %s" % (name, self.describe()))
        if t == 6:
            return [float(v) for v in a.floats]
        if t == 7:
            return [int(v) for v in a.ints]
        if t == 8:
            return [s.decode("utf-8", "replace") for s in a.strings]
        if t == 5:
            return a.g
        raise self.fail("attribute '%s' has a kind tg does not read" % name)


class OnnxModel:
    """A loaded ONNX model: call it with numpy arrays (graph inputs in
    order), get a list of numpy arrays (graph outputs in order)."""

    def __init__(self, proto, input_shapes=None):
        from .. import _function
        from . import _handlers
        self._handlers = _handlers
        self.proto = proto
        g = proto.graph
        self.ir_version = proto.ir_version
        self.opset = 1
        for o in proto.opset_import:
            if o.domain in ("", "ai.onnx"):
                self.opset = int(o.version)
        self.initializers = {}
        for t in g.initializer:
            self.initializers[t.name] = to_numpy_tensor(t, "initializer '%s'" % t.name)
        for t in getattr(g, "sparse_initializer", []):
            raise error("initializer '%s' is sparse, which tg.onnx does not support"
                        % t.values.name)
        inputs = [i for i in g.input if i.name not in self.initializers]
        self.input_names = [i.name for i in inputs]
        self.output_names = [o.name for o in g.output]
        self.input_dtypes = []
        self.input_dims = []
        for i in inputs:
            if not i.type.HasField("tensor_type"):
                raise error("graph input '%s' is not a tensor (sequences, maps and "
                            "optionals are not supported by tg)" % i.name, TgTypeError)
            self.input_dtypes.append(onnx_dtype(i.type.tensor_type.elem_type,
                                                "graph input '%s'" % i.name))
            self.input_dims.append(_dims(i))
        self.output_dtypes = []
        for o in g.output:
            if o.type.HasField("sequence_type") or o.type.HasField("map_type"):
                raise error("graph output '%s' is not a tensor (sequences, maps and "
                            "optionals are not supported by tg)" % o.name, TgTypeError)
            et = o.type.tensor_type.elem_type if o.type.HasField("tensor_type") else 0
            self.output_dtypes.append(onnx_dtype(et, "graph output '%s'" % o.name)
                                      if et else None)
        self._static = set()      # inputs passed by value
        self._input_shapes = dict(input_shapes or {})
        self._captures = {}       # id(array) -> (array, EagerTensor)
        self._embed = False       # weights as constants in the text (.mlir, the CLI)
        name = (g.name or "onnx_model")
        name = "".join(c if c.isalnum() or c == "_" else "_" for c in name) or "onnx_model"
        self._fn = _function.Function(self._body, autograph=False, name=name)
        self._check_ops()

    # -- structure ----------------------------------------------------------

    def _check_ops(self):
        """Unknown ops and other domains fail at load, naming the node."""
        for k, n in enumerate(self.proto.graph.node):
            if n.domain not in ("", "ai.onnx"):
                raise error("ONNX op '%s' (%s) is in domain '%s', which tg.onnx does not "
                            "support" % (n.op_type, _describe(n, k), n.domain))
            if n.op_type not in self._handlers.HANDLERS:
                reason = self._handlers.MISSING.get(n.op_type)
                raise error("ONNX op '%s' (%s) is not supported by tg%s" % (
                    n.op_type, _describe(n, k), " (%s)" % reason if reason else ""))

    def __repr__(self):
        return "<tg.onnx model %r: inputs %s, outputs %s, opset %d>" % (
            self.proto.graph.name, self.input_names, self.output_names, self.opset)

    # -- the traced body ----------------------------------------------------

    def _capture(self, a):
        """A numpy value as a tg operand: large ones as an EagerTensor that
        tg captures as an implicit argument (see tg._ops._symbolic)."""
        if a.size <= 16 or self._embed:
            return a
        c = self._captures.get(id(a))
        if c is None or c[0] is not a:
            c = (a, EagerTensor(_contiguous(a)))
            self._captures[id(a)] = c
        return c[1]

    def _body(self, *args):
        g = self.proto.graph
        env, deps = dict(self.initializers), {}
        for name, a in zip(self.input_names, args):
            if isinstance(a, _Static):
                env[name] = a.array
            else:
                env[name] = a
                deps[name] = frozenset([name])
        env[""] = None
        self._run_graph(g.node, env, deps)
        outs = []
        for o, dt in zip(g.output, self.output_dtypes):
            if o.name not in env:
                raise error("graph output '%s' is computed by no node" % o.name)
            v = env[o.name]
            if isinstance(v, np.ndarray) and dt is not None and v.dtype != dt:
                v = v.astype(dt)
            outs.append(v)
        return tuple(outs)

    def _run_graph(self, nodes, env, deps, initializers=()):
        for t in initializers:
            env[t.name] = to_numpy_tensor(t, "initializer '%s'" % t.name)
        for k, proto in enumerate(nodes):
            for n in proto.input:
                if n and n not in env:
                    raise error("ONNX op '%s' (%s) reads '%s', which no node computes "
                                "before it" % (proto.op_type, _describe(proto, k), n))
            node = Node(proto, k, self, env, deps)
            handler = self._handlers.HANDLERS.get(proto.op_type)
            if handler is None:
                raise node.fail("is not supported by tg")
            try:
                outs = handler(node)
            except (NeedsValue, TgError):
                raise
            except Exception as e:  # noqa: BLE001 (an importer bug: say where)
                raise error("ONNX op '%s' (%s): the importer failed: %s: %s" % (
                    proto.op_type, node.describe(), type(e).__name__, e)) from e
            if not isinstance(outs, (list, tuple)):
                outs = [outs]
            outs = list(outs)
            wanted = [o for o in proto.output]
            if len(outs) < len(wanted):
                for j in range(len(outs), len(wanted)):
                    if wanted[j]:
                        raise node.fail("output %d ('%s') is not supported by tg.onnx" %
                                        (j, wanted[j]))
            d = frozenset()
            for n in proto.input:
                d = d | deps.get(n, frozenset())
            for name, v in zip(wanted, outs):
                if not name:
                    continue
                if v is None:
                    raise node.fail("output '%s' is not supported by tg.onnx" % name)
                if isinstance(v, np.generic):
                    # numpy gives scalars (np.take with a 0-d index, reductions):
                    # keep them 0-d arrays, known at import like any constant.
                    v = np.asarray(v)
                if isinstance(v, np.ndarray) and v.dtype not in _dtypes.MLIR_NAMES:
                    raise node.fail("computes a %s value, a dtype tg does not support"
                                    % v.dtype, TgTypeError)
                env[name] = v
                if not isinstance(v, np.ndarray) and d:
                    deps[name] = d

    # -- calling ------------------------------------------------------------

    def _arguments(self, arrays):
        if len(arrays) != len(self.input_names):
            raise error("the model takes %d inputs (%s), got %d" % (
                len(self.input_names), ", ".join(self.input_names), len(arrays)),
                TgTypeError)
        args = []
        for name, a, dtype, dims in zip(self.input_names, arrays, self.input_dtypes,
                                        self.input_dims):
            if isinstance(a, Tensor):
                a = a.numpy()
            a = np.asarray(a)
            if a.dtype != dtype:
                if dtype == _dtypes.bfloat16 and a.dtype == np.uint16:
                    a = a.view(_dtypes.bfloat16)  # onnx's numpy form: the bits
                elif dtype == _dtypes.bfloat16 and a.dtype == np.float32:
                    a = _dtypes.to_bfloat16(a)
                else:
                    raise error("input '%s' must be %s, got %s" % (
                        name, dtype_name(dtype), a.dtype), TgTypeError)
            a = _contiguous(a)
            args.append(_Static(a) if name in self._static else a)
        return args

    def __call__(self, *arrays):
        args = self._arguments(arrays)
        while True:
            try:
                results = self._fn(*args)
                break
            except NeedsValue as e:
                new = e.inputs - self._static
                if not new:  # pragma: no cover (a value that did not help)
                    raise error("internal error: input(s) %s already passed by value" %
                                sorted(e.inputs)) from None
                self._static |= new
                args = self._arguments(arrays)
        out = []
        for r, dt in zip(results, self.output_dtypes):
            a = r.numpy() if isinstance(r, Tensor) else np.asarray(r)
            if a.dtype == _dtypes.bfloat16:
                a = a.view(np.uint16)  # as onnx.numpy_helper gives bfloat16
            out.append(a)
        return out

    def example_arguments(self, input_shapes=None):
        """Zero arrays of each input's declared shape (dimensions without a
        value taken from `input_shapes`, {name: shape}); TgError naming the
        input and axis otherwise."""
        shapes = dict(self._input_shapes)
        shapes.update(input_shapes or {})
        args = []
        for name, dtype, dims in zip(self.input_names, self.input_dtypes, self.input_dims):
            if name in shapes:
                shape = tuple(int(d) for d in shapes[name])
                if dims is not None and (len(shape) != len(dims) or any(
                        d is not None and d != s for (d, _), s in zip(dims, shape))):
                    raise error("--input-shape %s=%s does not match the declared shape %s"
                                % (name, "x".join(map(str, shape)), _shape_text(dims)))
            elif dims is None:
                raise error("input '%s' has no declared shape; give it with "
                            "--input-shape %s=DIMS (input_shapes={%r: ...})" %
                            (name, name, name))
            else:
                for axis, (d, param) in enumerate(dims):
                    if d is None:
                        raise error("input '%s' axis %d has no value (dimension %s); "
                                    "fix it with --input-shape %s=%s" % (
                                        name, axis, "'%s'" % param if param else "unnamed",
                                        name, "x".join(str(e) if e is not None else "N"
                                                       for e, _ in dims)))
                shape = tuple(d for d, _ in dims)
            args.append(np.zeros(shape, dtype))
        return args

    def lower(self, *arrays):
        """The tg module text for a call with these arrays (specialized on
        the values of inputs that fix shapes, as a call is)."""
        return self._lower(arrays, specialize=True)

    def _lower(self, arrays, specialize):
        static = set(self._static)
        if not specialize:
            self._static = set()
            self._embed = True
        try:
            while True:
                args = self._arguments(arrays)
                try:
                    return self._fn.lower(*args)
                except NeedsValue as e:
                    if not specialize or not (e.inputs - self._static):
                        need = sorted(e.inputs)
                        break
                    self._static |= e.inputs
        finally:
            self._static = static
            self._embed = False
        raise error("input(s) %s fix shapes in the graph (a Reshape's shape, a Slice's "
                    "starts, ...): the module depends on their values; call the model "
                    "(or .lower) with them (a call specializes on their values)" %
                    ", ".join("'%s'" % n for n in need))

    @property
    def mlir(self):
        """The tg module, traced with the input shapes the model declares; a
        self-contained one: every weight is a constant in the text (a call,
        and .lower, pass large weights as implicit arguments instead)."""
        return self._lower(self.example_arguments(), specialize=False)


def _shape_text(dims):
    return "[%s]" % ", ".join(str(d) if d is not None else (p or "?") for d, p in dims)


def _describe(proto, index):
    return "node %s#%d" % ("'%s', " % proto.name if proto.name else "", index)


def load(model, input_shapes=None):
    """An ONNX model (a path, the bytes of an .onnx file, or an
    onnx.ModelProto) as a callable: numpy arrays (graph inputs in order,
    initializers excluded) in, a list of numpy arrays out.

    `input_shapes` ({input name: shape}) fixes dimensions without a value for
    `.mlir`. Raises TgError for a corrupt file, a model that fails
    onnx.checker, and ops or dtypes tg does not support."""
    return OnnxModel(_parse(model), input_shapes)
