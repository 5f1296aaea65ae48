"""Eager execution: one op at a time, through compiled kernels.

Outside a tg.function, an op traces its builder once per (op, attributes,
argument shapes and dtypes, device) into a small module, compiles it for
the device in scope (tg.device: the CPU pipeline, or the GPU's), and from
then on runs the compiled kernel (LRU-cached, `_MAX_KERNELS`). Python
numbers are arguments of the kernel, not constants in it, so `x * lr` with
a changing `lr` compiles once.

On the GPU a kernel runs on device buffers: operands already there are
passed as they are, others copied in, and the results stay there
(DeviceTensors). Outside a GPU scope an op on GPU tensors runs on the CPU,
on their host copies.

The GradientTapes active in this thread (outside any trace) record each op
run here: its builder, attributes, operand and result tensors. That record
is what `GradientTape.gradient` replays, as a traced function, to
differentiate (_autodiff).
"""
import collections
import threading

import numpy as np

from . import _capi, _device, _graph
from ._tensor import DeviceTensor, EagerTensor

_MAX_KERNELS = 2048
_kernels = collections.OrderedDict()  # key -> Kernel
_lock = threading.RLock()
_local = threading.local()


def active_tapes():
    """The eager GradientTapes recording in this thread, innermost last."""
    tapes = getattr(_local, "tapes", None)
    if tapes is None:
        tapes = _local.tapes = []
    return tapes


class Kernel:
    """A builder compiled for one argument signature."""

    __slots__ = ("exe", "call", "several")

    def __init__(self, name, builder, arrays, attrs, target):
        g = _graph.Graph()
        params = [g.parameter(a.shape, a.dtype) for a in arrays]
        with _graph.tracing(g):
            out = builder(*params, **attrs)
        self.several = isinstance(out, (list, tuple))
        outs = list(out) if self.several else [out]
        # Profiles name its calls after the op ("tg.add (eager)").
        self.exe = _capi.Executable(g.module_text("main", outs), name=name,
                                    profile_name="%s (eager)" % name, target=target)
        fast = self.exe.fast
        self.call = fast if fast is not None else self.exe

    def __call__(self, arrays):
        results = self.call(*arrays)
        if results is NotImplemented:
            results = self.exe(*arrays)
        return results


def _kernel(name, builder, arrays, attrs, target):
    """The kernel of an op for arguments of these shapes and dtypes (arrays
    or tensors), compiled for `target`."""
    key = (name, builder, tuple(sorted(attrs.items())) if attrs else (),
           tuple([(a.shape, a.dtype) for a in arrays]), _capi.compile_key(target))
    kernel = _kernels.get(key)
    if kernel is not None:
        return kernel
    with _lock:
        kernel = _kernels.get(key)
        if kernel is None:
            kernel = Kernel(name, builder, arrays, attrs, target)
            _kernels[key] = kernel
            if len(_kernels) > _MAX_KERNELS:
                _kernels.popitem(last=False)
        return kernel


def run(name, builder, operands, attrs):
    """Runs one op on concrete values; EagerTensor result(s)."""
    from ._variables import Variable
    tensors = []
    for o in operands:
        if isinstance(o, Variable):
            o = o.read_value()
        elif not isinstance(o, EagerTensor):
            o = EagerTensor(np.asarray(o))
        tensors.append(o)
    target = _device.current_target()
    if target:
        kernel = _kernel(name, builder, tensors, attrs, target)
        results = [DeviceTensor(b) for b in
                   kernel.exe.run_device([buffer_on(t, target) for t in tensors])]
    else:
        arrays = [t._value for t in tensors]
        kernel = _kernel(name, builder, arrays, attrs, target)
        results = [EagerTensor(r) for r in kernel(arrays)]
    tapes = active_tapes()
    if tapes:
        for tape in tapes:
            tape._record(name, builder, attrs, tensors, results)
    return results if kernel.several else results[0]


def kernel_count():
    return len(_kernels)


# Placement ---------------------------------------------------------------------

def place(array, target):
    """An eager tensor of a numpy array on `target`'s device (the array is
    kept as it is on the CPU, copied to a device buffer otherwise)."""
    if target == _capi.TARGET_CPU:
        return EagerTensor(array)
    return DeviceTensor(_capi.DeviceBuffer.from_host(target, array))


def buffer_on(t, target):
    """An eager tensor's data as a DeviceBuffer of `target`: its own buffer
    when it has one there, else a copy of its host value."""
    if type(t) is DeviceTensor and t._buffer.target == target:
        return t._buffer
    return _capi.DeviceBuffer.from_host(target, t._value)


def moved(t, target):
    """A new eager tensor with t's value on `target`'s device (copied only
    when it is on another)."""
    if target == _capi.TARGET_CPU:
        return EagerTensor(t._value)
    if type(t) is DeviceTensor and t._buffer.target == target:
        return t._alias()
    return DeviceTensor(buffer_on(t, target))


def _same(x):
    """The builder of a copy between devices: the value itself (what a
    tape's replay of the copy differentiates through)."""
    return x


def copied(t, target):
    """t copied to `target`'s device (tg.identity across devices), recorded
    on the active tapes like an op so that gradients flow through it."""
    result = moved(t, target)
    for tape in active_tapes():
        tape._record("identity", _same, {}, [t], [result])
    return result
