"""tg.config: run-time switches and the devices (tf.config's names)."""
import types

from . import _capi
from ._device import (LogicalDevice, PhysicalDevice, list_logical_devices,
                      list_physical_devices)
from ._function import functions_run_eagerly, run_functions_eagerly



def enable_tensor_float_32_execution(enabled):
    """Whether f32 matmuls and convolutions compiled for the GPU from now on
    run on tensor cores with TF32 operands (a 10-bit mantissa: about 1e-3
    relative error, several times the speed). Off by default in tg: f32
    stays exact to f32 (TF turns it on by default). Code compiled before
    keeps its setting; functions and eager ops compile again for the other.
    f16 matmuls use tensor cores either way."""
    _capi.tensor_float_32 = bool(enabled)


def tensor_float_32_execution_enabled():
    return _capi.tensor_float_32


experimental = types.SimpleNamespace(
    enable_tensor_float_32_execution=enable_tensor_float_32_execution,
    tensor_float_32_execution_enabled=tensor_float_32_execution_enabled,
    list_physical_devices=list_physical_devices,
    list_logical_devices=list_logical_devices)

experimental_run_functions_eagerly = run_functions_eagerly
experimental_functions_run_eagerly = functions_run_eagerly

__all__ = ["run_functions_eagerly", "functions_run_eagerly",
           "experimental_run_functions_eagerly", "experimental_functions_run_eagerly",
           "list_physical_devices", "list_logical_devices", "PhysicalDevice",
           "LogicalDevice", "experimental"]
