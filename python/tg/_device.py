"""Devices: `tg.device` scopes, the target a device compiles for, and where
tensors live.

TensorFlow's model, with two devices per process: CPU:0 and GPU:0. A
`with tg.device("/GPU:0"):` scope (thread-local, nestable) makes the eager
ops, constants, Variables and `tg.function` calls inside it run on the GPU;
their tensors keep their data in device buffers (`_tensor.DeviceTensor`)
until something reads it on the host. Outside a GPU scope everything runs
on the CPU, as before.

"GPU" compiles for TG_TARGET_GPU (an NVIDIA GPU through CUDA), or, with
`TG_GPU_EMULATE=1` in the environment (read at each use, so that tests can
set it), for TG_TARGET_GPU_EMULATED: the GPU pipeline's kernels run on this
CPU, one OpenMP thread per GPU thread. Same code paths, no GPU needed.
Without either, the first op or call on the GPU raises a TgError saying
why the GPU is unavailable.
"""
import collections
import os
import threading

from . import _capi
from ._errors import TgError, TgTypeError, error

CPU, GPU = "CPU:0", "GPU:0"
_PREFIX = "/job:localhost/replica:0/task:0/device:"

_local = threading.local()
# Device scopes open in all threads: while there are none (the common
# case), the current device is the CPU without a thread-local lookup.
active = 0
_active_lock = threading.Lock()


def _bad(spec, why):
    return error("tg.device(%r): %s" % (spec, why))


def parse(spec):
    """The device a spec names: CPU or GPU, or None when it names none
    (TF's "/job:localhost": the enclosing scope's device is kept)."""
    if spec is None or spec == "":
        return CPU  # TF: no constraint; tg's default placement is the CPU
    if not isinstance(spec, str):
        raise error("tg.device expects a device name such as '/GPU:0' or 'cpu', got %r"
                    % (spec,), TgTypeError)
    text = spec.strip()
    parts = text[1:].split("/") if text.startswith("/") else text.split("/")
    found, seen = None, set()
    for part in parts:
        fields = part.split(":")
        head = fields[0].lower()
        if head in seen:
            raise _bad(spec, "'%s' is given twice" % head)
        seen.add(head)
        if head == "job" and len(fields) == 2:
            if fields[1] != "localhost":
                raise _bad(spec, "tg runs in one process, job:localhost; there is no "
                                 "job %r" % fields[1])
            continue
        if head in ("replica", "task") and len(fields) == 2:
            if fields[1] != "0":
                raise _bad(spec, "tg runs in one process, %s:0; there is no %s %s"
                           % (head, head, fields[1]))
            continue
        if head == "device":
            fields = fields[1:]
            if not fields or not fields[0]:
                raise _bad(spec, "'device:' names no device type")
        elif head not in ("cpu", "gpu"):
            raise _bad(spec, "cannot read %r: tg knows the devices CPU:0 and GPU:0, "
                             "spelled as TF does ('gpu', 'GPU:0', '/GPU:0', "
                             "'/device:GPU:0', '/job:localhost/replica:0/task:0/"
                             "device:GPU:0')" % part)
        if len(fields) > 2:
            raise _bad(spec, "cannot read %r" % part)
        kind = fields[0].upper()
        if kind not in ("CPU", "GPU"):
            raise _bad(spec, "unknown device type %r: tg has the devices CPU:0 and "
                             "GPU:0" % fields[0])
        index = fields[1] if len(fields) == 2 else "0"
        if index == "*":
            index = "0"
        if not index.isdigit():
            raise _bad(spec, "the device index %r is not a number" % index)
        if int(index) != 0:
            if kind == "GPU":
                raise _bad(spec, "tg uses one GPU per process, GPU:0; to use another, "
                                 "run one process per GPU and choose it with "
                                 "CUDA_VISIBLE_DEVICES")
            raise _bad(spec, "tg has one CPU device, CPU:0 (its threads: "
                             "tg.set_num_threads)")
        if found is not None:
            raise _bad(spec, "it names two devices")
        found = kind + ":0"
    return found


def _stack():
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


class device:  # noqa: N801 (tf.device's name)
    """`with tg.device("/GPU:0"):` runs what is inside on that device
    (tf.device). Scopes are per thread and nest; the innermost wins. A spec
    naming no device ("/job:localhost") keeps the enclosing one; None or ""
    is the default placement, the CPU. The spec is checked here (a bad one
    raises at once); whether the GPU works, at the first op or call on it."""

    def __init__(self, device_name):
        self.name = device_name
        self._device = parse(device_name)

    def __enter__(self):
        global active
        stack = _stack()
        stack.append(self._device or current())
        with _active_lock:
            active += 1
        return self

    def __exit__(self, *exc):
        global active
        _stack().pop()
        with _active_lock:
            active -= 1
        return False

    def __repr__(self):
        return "tg.device(%r)" % (self.name,)


def current():
    """The device of the innermost scope of this thread (CPU outside any)."""
    if not active:
        return CPU
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else CPU


def full_name(device_):
    """TF's full name of a device: /job:localhost/replica:0/task:0/device:GPU:0."""
    return _PREFIX + device_


def gpu_target():
    """The target "GPU" compiles for now: emulated with TG_GPU_EMULATE=1."""
    if os.environ.get("TG_GPU_EMULATE") == "1":
        return _capi.TARGET_GPU_EMULATED
    return _capi.TARGET_GPU


_available = {}  # target -> None (usable) or the reason it is not


def _probe(target):
    """None when `target`'s device works (a buffer can be made), else why."""
    if target not in _available:
        try:
            _capi.DeviceBuffer(target, (), "float32")
            _available[target] = None
        except TgError as e:
            message = str(e)
            _available[target] = message[len("error: "):] \
                if message.startswith("error: ") else message
    return _available[target]


def target_of(device_):
    """The compile target of a device (TG_TARGET_*), checked to work: a
    TgError naming the user's line when the GPU is unavailable."""
    if device_ == CPU:
        return _capi.TARGET_CPU
    target = gpu_target()
    why = _probe(target)
    if why is not None:
        raise error("the GPU is unavailable: %s. tg.device('GPU:0') needs an NVIDIA GPU "
                    "and its driver; TG_GPU_EMULATE=1 runs GPU code on this CPU instead "
                    "(for testing)" % why)
    return target


def current_target():
    """The target of the current device (0, the CPU, outside GPU scopes)."""
    if not active:
        return _capi.TARGET_CPU
    return target_of(current())


def device_of_target(target):
    return CPU if target == _capi.TARGET_CPU else GPU


PhysicalDevice = collections.namedtuple("PhysicalDevice", "name device_type")
PhysicalDevice.__doc__ = "A device of this machine (tf.config.PhysicalDevice)."
LogicalDevice = collections.namedtuple("LogicalDevice", "name device_type")
LogicalDevice.__doc__ = "A device tg places work on (tf.config.LogicalDevice)."


def _types(device_type):
    types = ["CPU"]
    if _probe(gpu_target()) is None:
        types.append("GPU")
    if device_type is None:
        return types
    if not isinstance(device_type, str):
        raise error("device_type is 'CPU', 'GPU' or None, got %r" % (device_type,),
                    TgTypeError)
    return [t for t in types if t == device_type.upper()]


def list_physical_devices(device_type=None):
    """tf.config.list_physical_devices: [PhysicalDevice('/physical_device:CPU:0',
    'CPU')], plus GPU:0 when GPU code can run here (a GPU, or emulation
    with TG_GPU_EMULATE=1). `device_type` ('CPU', 'GPU') filters; a type tg
    does not have gives [] (as TF)."""
    return [PhysicalDevice("/physical_device:%s:0" % t, t) for t in _types(device_type)]


def list_logical_devices(device_type=None):
    """tf.config.list_logical_devices: the devices of tg.device scopes,
    [LogicalDevice('/device:CPU:0', 'CPU'), ...] (GPU:0 as for
    list_physical_devices)."""
    return [LogicalDevice("/device:%s:0" % t, t) for t in _types(device_type)]
