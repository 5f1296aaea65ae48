"""`tg.Variable`: mutable state, eagerly and inside tg.function.

Eagerly a Variable holds an eager tensor: a numpy array, or, when it was
created under `tg.device("GPU:0")`, a GPU buffer (a Variable stays on the
device it was created on, as in TF); `assign*` replace it. Inside a
tg.function a Variable is state, as in TF: its value is read when the
function is *called* (the graph takes it as an implicit argument), reads
and assigns take effect in program order, and the values it was last
assigned are written back when the call returns (see _graph.Graph).

Reading a trainable Variable under a GradientTape watches it: the tape
differentiates w.r.t. each read it recorded, and sums.
"""
import itertools
import threading

import numpy as np

from . import _capi, _device, _dtypes, _eager, _graph, _ops
from ._errors import error
from ._tensor import OPERATORS, DeviceTensor, EagerTensor

_ids = itertools.count()


class Variable:
    """A mutable tensor (tf.Variable)."""

    __array_priority__ = 100

    def __init__(self, initial_value, trainable=True, name=None, dtype=None, shape=None):
        if callable(initial_value):
            initial_value = initial_value()
        if _graph.current() is not None:
            raise error("tg.Variable created inside a tg.function trace: create it "
                        "once, outside the function (as TF requires)")
        target = _device.current_target()
        value = _ops.constant(initial_value, dtype=dtype, shape=shape)
        self._target = target  # where its value lives, for good (TF's rule)
        if target == _capi.TARGET_CPU:
            self._tensor = EagerTensor(np.array(value.numpy(), copy=True))
        else:
            # (Device buffers are never written after they are made: one
            # may be shared with the tensor it came from.)
            self._tensor = _eager.moved(value, target)
        self.trainable = bool(trainable)
        self.name = name if name is not None else "Variable:%d" % next(_ids)
        self._lock = threading.RLock()

    # Reading ---------------------------------------------------------------
    @property
    def _value(self):
        """The value as a numpy array (for a Variable on the GPU, the host
        copy of its buffer, made on first read)."""
        return self._tensor._value

    @property
    def shape(self):
        return self._tensor.shape

    @property
    def dtype(self):
        return self._tensor.dtype

    @property
    def ndim(self):
        return len(self._tensor.shape)

    @property
    def device(self):
        """TF's full name of the device holding the value."""
        return self._tensor.device

    def read_value(self):
        """The current value: an eager tensor, or inside a tg.function the
        value at this point of the traced program."""
        g = _graph.current()
        if g is not None:
            t = g.read_variable(self)
            for tape in g.tapes:
                tape._note_variable_read(self, t)
            return t
        t = self._tensor._alias()
        for tape in _eager.active_tapes():
            tape._note_variable_read(self, t)
        return t

    def value(self):
        return self.read_value()

    def numpy(self):
        if _graph.current() is not None:
            raise error("Variable.numpy() inside a tg.function: the value is only "
                        "known when the function runs; use the Variable as a tensor")
        return self._value.copy()

    def __array__(self, dtype=None, copy=None):
        value = self.numpy()
        return value if dtype is None else _dtypes.array(value, np.dtype(dtype))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _ops.array_ufunc(ufunc, method, inputs, kwargs)

    def __repr__(self):
        if _graph.current() is not None:
            return "<tg.Variable '%s' shape=%s dtype=%s (traced)>" % (
                self.name, self.shape, _dtypes.name(self.dtype))
        return "<tg.Variable '%s' shape=%s dtype=%s, numpy=%r>" % (
            self.name, self.shape, _dtypes.name(self.dtype), _dtypes.to_numbers(self._value))

    def __bool__(self):
        return bool(self.read_value())

    def __float__(self):
        return float(self.read_value())

    def __int__(self):
        return int(self.read_value())

    def __len__(self):
        return len(self.read_value())

    def __iter__(self):
        return iter(self.read_value())

    def __getitem__(self, index):
        return self.read_value()[index]

    __hash__ = object.__hash__

    # Writing ---------------------------------------------------------------
    def assign(self, value, read_value=True):
        """Sets the value (same shape and dtype); returns the new value."""
        new = _ops.operand(value, self.dtype)
        if tuple(new.shape) != self.shape:
            # TF's rule: the shape is fixed (no broadcasting).
            raise error("Variable.assign: shape %s does not match the Variable's %s" %
                        (tuple(new.shape), self.shape))
        g = _graph.current()
        if g is not None:
            value_t = _ops._symbolic(g, new)
            g.assign_variable(self, value_t)
            return self if not read_value else value_t
        if isinstance(new, Variable):
            new = new.read_value()
        if type(new) is DeviceTensor and new._buffer.target == self._target and \
                new.dtype == self.dtype:
            with self._lock:  # the buffer itself: it is never written
                self._tensor = new._alias()
        else:
            array = new._value if isinstance(new, EagerTensor) else np.asarray(new)
            self._set_value(np.array(array, dtype=self.dtype, copy=True))
        return self if not read_value else self._tensor._alias()

    def _delta(self, delta, op):
        """The delta of assign_add/sub: of the Variable's shape (TF's rule:
        a smaller delta is not broadcast)."""
        d = _ops.operand(delta, self.dtype)
        if tuple(d.shape) != self.shape:
            raise error("Variable.%s: the delta has shape %s, the Variable %s (they must "
                        "be equal)" % (op, tuple(d.shape), self.shape))
        return d

    def assign_add(self, delta, read_value=True):
        delta = self._delta(delta, "assign_add")
        if _graph.current() is not None:
            return self.assign(_ops.add(self, delta), read_value)
        with self._lock:  # atomic, as TF's: concurrent updates all count
            return self.assign(_ops.add(self, delta), read_value)

    def assign_sub(self, delta, read_value=True):
        delta = self._delta(delta, "assign_sub")
        if _graph.current() is not None:
            return self.assign(_ops.subtract(self, delta), read_value)
        with self._lock:
            return self.assign(_ops.subtract(self, delta), read_value)

    def _set_value(self, array):
        """The value a compiled call computed (tg.function's write-back): a
        numpy array, kept on the Variable's device."""
        with self._lock:
            self._tensor = _eager.place(array, self._target)

    def _set_buffer(self, buffer):
        """The new value as a DeviceBuffer (a GPU tg.function's result):
        swapped in when it is on the Variable's device, else copied."""
        if buffer.target == self._target:
            self._tensor = DeviceTensor(buffer)
        else:
            self._set_value(buffer.to_host())

    def _buffer_on(self, target):
        """The value as a DeviceBuffer of `target` (copied in unless the
        Variable lives there)."""
        return _eager.buffer_on(self._tensor, target)


for _name, _method in OPERATORS.items():
    setattr(Variable, _name, _method)
Variable.T = property(lambda self: _ops.transpose(self))
