# -*- Python -*-
# lit configuration of the tg regression tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "TG"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tg_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "Inputs", "npycheck.py", "extract_ptx.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP",
                                     "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                     "LSAN_OPTIONS"])
llvm_config.use_default_substitutions()
# The compile cache of the tests: under the build tree, not the user's.
config.environment["TG_CACHE_DIR"] = os.path.join(config.tg_obj_root, "test",
                                                  "compile-cache")

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.tg_tools_dir, config.llvm_tools_dir]
tools = ["tg-opt", "tg-run", "tg-compile"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(
    ("%npycheck", config.python_executable + " " +
     os.path.join(config.test_source_root, "Integration", "npycheck.py")))

import shutil
# Sanitized builds (-DTG_SANITIZE): ASan checks what valgrind would, and
# the two cannot run together.
if getattr(config, "tg_sanitize", ""):
    config.available_features.add("sanitized")
elif shutil.which("valgrind"):
    config.available_features.add("valgrind")

# "mpi": OpenMPI's launcher; %mpirun starts a job of 2 processes on this
# machine (more processes than cores allowed; as root too, in containers).
# OpenMPI's (the tests use its options and $OMPI_COMM_WORLD_RANK); a job
# that hangs fails the test after 5 minutes instead of stalling the run.
def _is_openmpi():
    import subprocess
    try:
        return "Open MPI" in subprocess.run(["mpirun", "--version"], capture_output=True,
                                            text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
if shutil.which("mpirun") and _is_openmpi():
    config.available_features.add("mpi")
    config.substitutions.append(
        ("%mpirun", "timeout 300 mpirun --oversubscribe -np 2" +
         (" --allow-run-as-root" if os.geteuid() == 0 else "")))
    # Let mpirun's own processes reach the test's environment.
    for name in ("OMPI_MCA_rmaps_base_oversubscribe",):
        if name in os.environ:
            config.environment[name] = os.environ[name]

# "gpu": a CUDA driver and device are present (tests that run kernels).
def _has_gpu():
    import ctypes
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
        count = ctypes.c_int(0)
        return cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 \
            and count.value > 0
    except OSError:
        return False
# %gpu-run: tg-run --target=gpu on a GPU; elsewhere --target=gpu-emulated:
# the same kernels run on the CPU (one OpenMP thread per GPU thread), so
# that the GPU integration tests check the kernels anyway. Both run on
# device buffers (the inputs copied in once; --host-buffers for the other
# path).
if _has_gpu():
    config.available_features.add("gpu")
    config.substitutions.append(
        ("%gpu-run", os.path.join(config.tg_tools_dir, "tg-run") + " --target=gpu"))
else:
    config.substitutions.append(
        ("%gpu-run", os.path.join(config.tg_tools_dir, "tg-run") + " --target=gpu-emulated"))
# "ptxas": generated PTX can be validated.
_ptxas = shutil.which("ptxas") or ("/usr/local/cuda/bin/ptxas"
                                   if os.path.exists("/usr/local/cuda/bin/ptxas") else None)
if _ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", _ptxas))
config.substitutions.append(
    ("%extract-ptx", config.python_executable + " " +
     os.path.join(config.test_source_root, "Pipelines", "extract_ptx.py")))
