"""Tensors: `tg.Tensor`, its eager and traced kinds, and `tg.TensorSpec`.

As in TensorFlow, `tg.Tensor` is one type with two kinds: an `EagerTensor`
holds a value (a numpy array that numpy reads without a copy, or, for a
`DeviceTensor`, a GPU buffer copied to the host when first read); a
`SymbolicTensor` is a value of a graph being traced by `tg.function`. Both
have every Python operator, dispatched to tg's ops, and numpy on the left
(`ndarray * tensor`, `np.exp(tensor)`) dispatches to tg too
(`__array_ufunc__`), so such an op is traced, or recorded by a tape, like
any other.
"""
import numpy as np

from . import _device, _dtypes
from ._errors import TgTypeError, error


def _ops():
    from . import _ops as ops  # the op definitions import this module
    return ops


class Tensor:
    """A tg tensor: eager (`.numpy()` gives its value) or traced."""

    __array_priority__ = 100
    __slots__ = ()

    # Shape and dtype -------------------------------------------------------
    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def T(self):
        return _ops().transpose(self)

    def __len__(self):
        if not self.shape:
            raise error("len() of a 0-d tensor", TgTypeError)
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise error("iteration over a 0-d tensor", TgTypeError)
        return (self[i] for i in range(self.shape[0]))

    def __getitem__(self, index):
        return _ops().getitem(self, index)

    # numpy interoperation ----------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _ops().array_ufunc(ufunc, method, inputs, kwargs)

    __hash__ = object.__hash__


def _install_operators():
    """Python's operators on tensors (and Variables), resolved at call time
    so that they run traced or eagerly."""
    binary = {"add": "add", "sub": "subtract", "mul": "multiply", "truediv": "divide",
              "floordiv": "floordiv", "mod": "mod", "pow": "pow", "matmul": "matmul",
              "and": "logical_and", "or": "logical_or", "xor": "logical_xor"}
    methods = {}
    for name, op in binary.items():
        methods["__%s__" % name] = lambda a, b, op=op: getattr(_ops(), op)(a, b)
        methods["__r%s__" % name] = lambda a, b, op=op: getattr(_ops(), op)(b, a)
    for name, op in {"lt": "less", "le": "less_equal", "gt": "greater",
                     "ge": "greater_equal", "eq": "equal", "ne": "not_equal"}.items():
        methods["__%s__" % name] = lambda a, b, op=op: getattr(_ops(), op)(a, b)
    methods["__neg__"] = lambda a: _ops().negative(a)
    methods["__pos__"] = lambda a: a
    methods["__abs__"] = lambda a: _ops().abs(a)
    methods["__invert__"] = lambda a: _ops().logical_not(a)
    return methods


OPERATORS = _install_operators()
for _name, _method in OPERATORS.items():
    setattr(Tensor, _name, _method)


class EagerTensor(Tensor):
    """A tensor with a value, computed at once (outside tg.function)."""

    __slots__ = ("_value", "__weakref__")

    def __init__(self, value):
        self._value = value  # a numpy array of a tg dtype

    def numpy(self):
        """The value: a copy, as a numpy array, or a numpy scalar for a 0-d
        tensor (as TF). `np.asarray(tensor)` reads it without a copy."""
        return self._value[()] if self._value.ndim == 0 else self._value.copy()

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype

    @property
    def device(self):
        """TF's full name of the device holding the value."""
        return _CPU_NAME

    def _alias(self):
        """A new tensor object with the same (immutable) value."""
        return EagerTensor(self._value)

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and np.dtype(dtype) != self._value.dtype:
            return _dtypes.array(self._value, np.dtype(dtype))
        if copy:
            return self._value.copy()
        # A read-only view: the tensor is immutable, so numpy must not write
        # into it (np.asarray(t)[0] = 1, np.add.at(t, ...), out=np.asarray(t)
        # changed the tensor in place).
        view = self._value.view()
        view.flags.writeable = False
        return view

    def _shown(self):
        if self.dtype == _dtypes.bfloat16:
            return _dtypes.from_bfloat16(self._value)
        return self._value

    def __repr__(self):
        return "<tg.Tensor: shape=%s, dtype=%s, numpy=%r>" % (
            self.shape, _dtype_name(self.dtype), self._shown())

    def __str__(self):
        return "tg.Tensor(%s, shape=%s, dtype=%s)" % (
            self._shown(), self.shape, _dtype_name(self.dtype))

    def _scalar(self, kind):
        if self._value.size != 1:
            raise error("%s() of a tensor with %d elements is ambiguous; it needs "
                        "exactly one" % (kind.__name__, self._value.size))
        return kind(_dtypes.to_numbers(self._value).reshape(()))

    def __bool__(self):
        return self._scalar(bool)

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __index__(self):
        if self.dtype.kind not in "iu" or self._value.size != 1:
            raise error("only one-element integer tensors can be used as an index",
                        TgTypeError)
        return int(self._value.reshape(()))

    def __format__(self, spec):
        value = self._shown()
        return format(value.reshape(()) if self.ndim == 0 else value, spec)

    __hash__ = object.__hash__


_CPU_NAME = _device.full_name(_device.CPU)
_GPU_NAME = _device.full_name(_device.GPU)


class DeviceTensor(EagerTensor):
    """An eager tensor whose data is in a device buffer (a
    `_capi.DeviceBuffer` on the GPU, or its emulation): what eager ops and
    tg.function calls under `tg.device("GPU:0")` return. Everything that
    reads the value on the host (`.numpy()`, numpy, printing, `float()`, a
    CPU op) reads `_value`, which copies the buffer to the host once and
    keeps that copy (tensors are immutable; the copy is read-only, so that
    it cannot drift from the buffer). Operations on the device use the
    buffer and never touch the host copy."""

    __slots__ = ("_buffer", "_host")

    def __init__(self, buffer, host=None):
        self._buffer = buffer  # a _capi.DeviceBuffer
        self._host = host      # the host copy, made on first read

    @property
    def _value(self):
        host = self._host
        if host is None:
            host = self._buffer.to_host()
            host.flags.writeable = False
            self._host = host
        return host

    @property
    def shape(self):
        return self._buffer.shape

    @property
    def dtype(self):
        return self._buffer.dtype

    @property
    def device(self):
        return _GPU_NAME

    def _alias(self):
        return DeviceTensor(self._buffer, self._host)

    def __reduce__(self):
        # (Not the slots' default: `_value` is a property here.)
        return DeviceTensor, (self._buffer, self._host)


class SymbolicTensor(Tensor):
    """A value of the graph being traced: a node's result or a block
    argument. `node` is None for arguments."""

    __slots__ = ("shape", "dtype", "node", "index", "region", "loc", "var_read")

    def __init__(self, shape, dtype, region, node=None, index=0, loc=None):
        self.shape, self.dtype = tuple(shape), dtype
        self.region, self.node, self.index, self.loc = region, node, index, loc
        self.var_read = None  # the Variable whose read this is, if any

    @property
    def type(self):
        return mlir_type(self.shape, self.dtype)

    @property
    def device(self):
        # (TF's graph tensors: "" unless placed; a tg.function runs on one
        # device, chosen when it is called.)
        return ""

    def __repr__(self):
        return "<tg.Tensor (traced): shape=%s, dtype=%s>" % (self.shape,
                                                            _dtype_name(self.dtype))

    def _no_value(self, what):
        raise error("a traced tensor has no value while tracing, so it cannot be "
                    "used as a Python %s; inside tg.function AutoGraph converts "
                    "`if`/`while` on tensors (or use tg.cond / tg.while_loop)" % what,
                    TgTypeError)

    def __bool__(self):
        self._no_value("bool")

    def __float__(self):
        self._no_value("float")

    def __int__(self):
        self._no_value("int")

    def __index__(self):
        self._no_value("index")

    def __array__(self, dtype=None, copy=None):
        raise error("a traced tensor has no value while tracing; numpy cannot read "
                    "it (use tg ops inside tg.function)", TgTypeError)

    def numpy(self):
        raise error("a traced tensor has no value while tracing: .numpy() works on "
                    "eager tensors and on what a tg.function returns", TgTypeError)

    __hash__ = object.__hash__


def mlir_type(shape, dtype):
    return "tensor<%s%s>" % ("".join("%dx" % d for d in shape), _dtypes.MLIR_NAMES[dtype])


_dtype_name = _dtypes.name


def is_symbolic(x):
    """True for tensors of a graph being traced."""
    return type(x) is SymbolicTensor


class TensorSpec:
    """The shape and dtype of a tg.function argument (tf.TensorSpec)."""

    def __init__(self, shape, dtype=_dtypes.float32, name=None):
        if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
            shape = [shape]
        if not isinstance(shape, (list, tuple)):
            raise error("tg.TensorSpec: the shape is a list of sizes, got %r" % (shape,),
                        TgTypeError)
        if any(d is None or not isinstance(d, (int, np.integer)) or int(d) < 0
               for d in shape):
            raise error("tg.TensorSpec: shapes are static in tg; every dimension "
                        "needs a size, got %s" % (shape,))
        self.shape = tuple(int(d) for d in shape)
        self.dtype = _dtypes.as_dtype(dtype)
        self.name = name

    def __repr__(self):
        return "tg.TensorSpec(shape=%s, dtype=%s)" % (self.shape, _dtype_name(self.dtype))

    def __eq__(self, other):
        return isinstance(other, TensorSpec) and (self.shape, self.dtype) == (
            other.shape, other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))
