"""tg.config: run-time switches and the devices (tf.config's names)."""
from ._device import (LogicalDevice, PhysicalDevice, list_logical_devices,
                      list_physical_devices)
from ._function import functions_run_eagerly, run_functions_eagerly

experimental_run_functions_eagerly = run_functions_eagerly
experimental_functions_run_eagerly = functions_run_eagerly

__all__ = ["run_functions_eagerly", "functions_run_eagerly",
           "experimental_run_functions_eagerly", "experimental_functions_run_eagerly",
           "list_physical_devices", "list_logical_devices", "PhysicalDevice",
           "LogicalDevice"]
