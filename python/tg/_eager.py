"""Eager execution: one op at a time, through compiled kernels.

Outside a tg.function, an op traces its builder once per (op, attributes,
argument shapes and dtypes) into a small module, compiles it through the
CPU pipeline, and from then on runs the compiled kernel (LRU-cached,
`_MAX_KERNELS`). Python numbers are arguments of the kernel, not constants
in it, so `x * lr` with a changing `lr` compiles once.

The GradientTapes active in this thread (outside any trace) record each op
run here: its builder, attributes, operand and result tensors. That record
is what `GradientTape.gradient` replays, as a traced function, to
differentiate (_autodiff).
"""
import collections
import threading

import numpy as np

from . import _capi, _graph
from ._tensor import EagerTensor

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

    def __init__(self, name, builder, arrays, attrs):
        g = _graph.Graph()
        params = [g.parameter(a.shape, a.dtype) for a in arrays]
        with _graph.tracing(g):
            out = builder(*params, **attrs)
        self.several = isinstance(out, (list, tuple))
        outs = list(out) if self.several else [out]
        # Profiles name its calls after the op ("tg.add (eager)").
        self.exe = _capi.Executable(g.module_text("main", outs), name=name,
                                    profile_name="%s (eager)" % name)
        fast = self.exe.fast
        self.call = fast if fast is not None else self.exe

    def __call__(self, arrays):
        results = self.call(*arrays)
        if results is NotImplemented:
            results = self.exe(*arrays)
        return results


def _kernel(name, builder, arrays, attrs):
    key = (name, builder, tuple(sorted(attrs.items())) if attrs else (),
           tuple([(a.shape, a.dtype) for a in arrays]))
    kernel = _kernels.get(key)
    if kernel is not None:
        return kernel
    with _lock:
        kernel = _kernels.get(key)
        if kernel is None:
            kernel = Kernel(name, builder, arrays, attrs)
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
    arrays = [t._value for t in tensors]
    kernel = _kernel(name, builder, arrays, attrs)
    results = [EagerTensor(r) for r in kernel(arrays)]
    tapes = active_tapes()
    if tapes:
        for tape in tapes:
            tape._record(name, builder, attrs, tensors, results)
    return results if kernel.several else results[0]


def kernel_count():
    return len(_kernels)
