"""ctypes binding of tg's C API (include/tg-c/Runtime.h).

ctypes rather than pybind11: the C API is already a plain C ABI, so
compiling and error reporting need no compiled extension, and numpy buffers
pass straight through as pointers, without copies. The per-call path is the
exception: through ctypes it costs ~5 us, more than a small graph's kernel,
so when the build made `_tgfast` (lib/Bindings/Python/FastCall.cpp, next to
libTgCAPI.so) calls go through it, at ~0.5 us; without it they fall back to
ctypes (TG_NO_FAST_CALL=1 forces that).
"""
import ctypes
import importlib.machinery
import importlib.util
import os
import sys
import threading

import numpy as np

DTYPES = {  # numpy dtype -> (TgDType, MLIR name)
    np.dtype(np.float32): (0, "f32"),
    np.dtype(np.float64): (1, "f64"),
    np.dtype(np.float16): (2, "f16"),
    np.dtype("V2"): (3, "bf16"),
    np.dtype(np.bool_): (4, "i1"),
    np.dtype(np.int32): (5, "i32"),
    np.dtype(np.int64): (6, "i64"),
}
NUMPY_OF = {code: dt for dt, (code, _) in DTYPES.items()}


class TgTensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int64),
                ("shape", ctypes.POINTER(ctypes.c_int64)), ("data", ctypes.c_void_p)]


class TgTensorType(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int64),
                ("shape", ctypes.POINTER(ctypes.c_int64))]


class TgMemoryPlan(ctypes.Structure):
    _fields_ = [("arena_bytes", ctypes.c_int64), ("lower_bound_bytes", ctypes.c_int64),
                ("separate_bytes", ctypes.c_int64), ("buffers", ctypes.c_int64),
                ("unplanned_bytes", ctypes.c_int64)]


class TgCacheInfo(ctypes.Structure):
    _fields_ = [("enabled", ctypes.c_int), ("hits", ctypes.c_int64),
                ("misses", ctypes.c_int64), ("compilations", ctypes.c_int64),
                ("store_failures", ctypes.c_int64), ("entries", ctypes.c_int64),
                ("bytes", ctypes.c_int64), ("max_bytes", ctypes.c_int64),
                ("directory", ctypes.c_char * 4096)]


class TgCompileOptions(ctypes.Structure):
    _fields_ = [("optimize", ctypes.c_int), ("threads", ctypes.c_int),
                ("dumpLLVMDialect", ctypes.c_int), ("entry", ctypes.c_char_p),
                ("target", ctypes.c_int), ("chip", ctypes.c_char_p),
                ("profile", ctypes.c_int), ("profileName", ctypes.c_char_p),
                ("cpu", ctypes.c_char_p), ("tensorFloat32", ctypes.c_int)]


class TgExportOptions(ctypes.Structure):
    _fields_ = [("entry", ctypes.c_char_p), ("symbol", ctypes.c_char_p),
                ("cpu", ctypes.c_char_p), ("threads", ctypes.c_int),
                ("optimize", ctypes.c_int),
                ("argNames", ctypes.POINTER(ctypes.c_char_p)),
                ("resultNames", ctypes.POINTER(ctypes.c_char_p)),
                ("extraJSON", ctypes.c_char_p)]


class TgExportPaths(ctypes.Structure):
    _fields_ = [("object", ctypes.c_char_p), ("header", ctypes.c_char_p),
                ("bytecode", ctypes.c_char_p), ("signature", ctypes.c_char_p)]


def _find_library():
    candidates = []
    if os.environ.get("TG_LIBRARY"):
        candidates.append(os.environ["TG_LIBRARY"])
    here = os.path.dirname(os.path.abspath(__file__))
    candidates.append(os.path.join(here, "..", "..", "build", "lib", "libTgCAPI.so"))
    # Installed (cmake --install with TG_INSTALL_PYTHON): the package in
    # PREFIX/lib/python3/dist-packages, the library in PREFIX/lib. Found
    # relative to this file, so the installed tree can be moved.
    for up in range(1, 5):
        candidates.append(os.path.join(here, *[".."] * up, "libTgCAPI.so"))
    candidates.append("libTgCAPI.so")
    for c in candidates:
        if os.path.sep not in c or os.path.exists(c):
            try:
                return ctypes.CDLL(c)
            except OSError:
                continue
    raise ImportError("tg: cannot find libTgCAPI.so; build tg (scripts/build.sh) "
                      "or set TG_LIBRARY to its path")


lib = _find_library()
_P = ctypes.c_void_p
lib.tgCompileSource.restype = _P
lib.tgCompileSource.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                ctypes.POINTER(TgCompileOptions), ctypes.POINTER(_P)]
lib.tgExecutableDestroy.argtypes = [_P]
lib.tgExecutableLookup.restype = _P
lib.tgExecutableLookup.argtypes = [_P, ctypes.c_char_p, ctypes.POINTER(_P)]
lib.tgFunctionNumArgs.restype = ctypes.c_int64
lib.tgFunctionNumArgs.argtypes = [_P]
lib.tgFunctionNumResults.restype = ctypes.c_int64
lib.tgFunctionNumResults.argtypes = [_P]
lib.tgFunctionResultType.restype = TgTensorType
lib.tgFunctionResultType.argtypes = [_P, ctypes.c_int64]
lib.tgFunctionRun.restype = ctypes.c_int
lib.tgFunctionRun.argtypes = [_P, ctypes.POINTER(TgTensor), ctypes.c_int64,
                              ctypes.POINTER(TgTensor), ctypes.c_int64, ctypes.POINTER(_P)]
lib.tgFunctionMemoryPlan.restype = ctypes.c_int
lib.tgFunctionMemoryPlan.argtypes = [_P, ctypes.POINTER(TgMemoryPlan)]
lib.tgErrorMessage.restype = ctypes.c_char_p
lib.tgErrorMessage.argtypes = [_P]
lib.tgErrorDestroy.argtypes = [_P]
lib.tgProfilerStart.argtypes = []
lib.tgProfilerStop.argtypes = []
lib.tgProfilerWriteTrace.restype = ctypes.c_int
lib.tgProfilerWriteTrace.argtypes = [ctypes.c_char_p, ctypes.POINTER(_P)]
lib.tgProfilerCheckPath.restype = ctypes.c_int
lib.tgProfilerCheckPath.argtypes = [ctypes.c_char_p, ctypes.POINTER(_P)]
lib.tgProfilerSummary.restype = _P
lib.tgProfilerSummary.argtypes = []
lib.tgDrawGraph.restype = _P
lib.tgDrawGraph.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                            ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(_P)]
lib.tgStringDestroy.argtypes = [_P]
lib.tgDistributedRank.restype = ctypes.c_int
lib.tgDistributedRank.argtypes = []
lib.tgDistributedSize.restype = ctypes.c_int
lib.tgDistributedSize.argtypes = []
lib.tgDistributedAbort.argtypes = [ctypes.c_int]
lib.tgCacheInfo.argtypes = [ctypes.POINTER(TgCacheInfo)]
lib.tgExport.restype = ctypes.c_int
lib.tgExport.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                         ctypes.POINTER(TgExportOptions), ctypes.POINTER(TgExportPaths),
                         ctypes.POINTER(_P)]
lib.tgLoadSavedModel.restype = _P
lib.tgLoadSavedModel.argtypes = [ctypes.c_char_p, ctypes.POINTER(_P)]
lib.tgExecutableSavedSignature.restype = ctypes.c_char_p
lib.tgExecutableSavedSignature.argtypes = [_P]
lib.tgExecutableFunctionName.restype = ctypes.c_char_p
lib.tgExecutableFunctionName.argtypes = [_P, ctypes.c_int64]
lib.tgFunctionTarget.restype = ctypes.c_int
lib.tgFunctionTarget.argtypes = [_P]
lib.tgDeviceBufferCreate.restype = _P
lib.tgDeviceBufferCreate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64,
                                     ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(_P)]
lib.tgDeviceBufferDestroy.argtypes = [_P]
lib.tgDeviceBufferBytes.restype = ctypes.c_size_t
lib.tgDeviceBufferBytes.argtypes = [_P]
lib.tgDeviceBufferCopyFromHost.restype = ctypes.c_int
lib.tgDeviceBufferCopyFromHost.argtypes = [_P, ctypes.c_void_p, ctypes.c_size_t, _P,
                                           ctypes.POINTER(_P)]
lib.tgDeviceBufferCopyToHost.restype = ctypes.c_int
lib.tgDeviceBufferCopyToHost.argtypes = [_P, ctypes.c_void_p, ctypes.c_size_t, _P,
                                         ctypes.POINTER(_P)]
lib.tgFunctionRunDevice.restype = ctypes.c_int
lib.tgFunctionRunDevice.argtypes = [_P, ctypes.POINTER(_P), ctypes.c_int64,
                                    ctypes.POINTER(_P), ctypes.c_int64, _P,
                                    ctypes.POINTER(_P)]

# TgCompileOptions.target (TG_TARGET_*).
TARGET_CPU, TARGET_GPU, TARGET_GPU_EMULATED = 0, 1, 2


def export(source, name, entry, symbol, cpu, threads, paths, arg_names, result_names,
           extra_json):
    """tgExport: compiles `entry` of `source` ahead of time and writes
    `paths` (a dict of object, header, bytecode, signature)."""
    def names(lst):
        return (ctypes.c_char_p * max(len(lst), 1))(*[n.encode() for n in lst])
    arg_array, result_array = names(arg_names), names(result_names)
    options = TgExportOptions(entry.encode(), symbol.encode(),
                              cpu.encode() if cpu else None, threads, 1,
                              arg_array, result_array, extra_json.encode())
    c_paths = TgExportPaths(*[paths[k].encode() if paths.get(k) else None
                              for k in ("object", "header", "bytecode", "signature")])
    error = _P()
    text = source.encode()
    if lib.tgExport(text, len(text), name.encode(), ctypes.byref(options),
                    ctypes.byref(c_paths), ctypes.byref(error)):
        _raise(error)


def _load_fast():
    """The _tgfast extension built next to the loaded libTgCAPI.so, or None."""
    if os.environ.get("TG_NO_FAST_CALL") or os.path.sep not in lib._name:
        return None
    directory = os.path.dirname(os.path.abspath(lib._name))
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(directory, "_tgfast" + suffix)
        if os.path.exists(path):
            spec = importlib.util.spec_from_file_location("tg._tgfast", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    return None


fast = _load_fast()


def _address(f):
    return ctypes.cast(f, ctypes.c_void_p).value


from ._errors import TgError  # noqa: E402 (re-exported for the C paths)


def error_message(error):
    """The message of a C API error, which is then freed."""
    # (Locations may hold any bytes a file name had: replaced, not fatal.)
    message = lib.tgErrorMessage(error).decode(errors="replace")
    lib.tgErrorDestroy(error)
    return message.rstrip()


def _raise(error):
    raise TgError(error_message(error))


def take_string(pointer):
    """The text of a string the C API allocated, which is then freed."""
    try:
        return ctypes.string_at(pointer).decode(errors="replace")
    finally:
        lib.tgStringDestroy(pointer)


def draw_graph(source, name, stage, fmt):
    """tgDrawGraph: the module's graph at `stage` as DOT or SVG text."""
    error = _P()
    text = source.encode()
    result = lib.tgDrawGraph(text, len(text), name.encode(), stage.encode(),
                             fmt.encode(), ctypes.byref(error))
    if not result:
        _raise(error)
    return take_string(result)


# Results at least this large are reused across calls when the caller has
# dropped them (see Executable._result).
_POOL_MIN_BYTES = 1 << 20

# Worker threads of graphs compiled from now on (0: every core); see
# tg.set_num_threads.
num_threads = 0


def _native_copy(a):
    """A C-contiguous copy of `a` in native byte order."""
    arr = np.asarray(a)
    return np.array(arr, dtype=arr.dtype.newbyteorder("="), copy=True, order="C")


def _native(a):
    """`a` itself when it is a C-contiguous ndarray in native byte order,
    else such a copy (np.ascontiguousarray would turn a 0-d array into
    shape (1,))."""
    return a if type(a) is np.ndarray and a.flags.c_contiguous and \
        a.dtype.isnative else _native_copy(a)


# tg.config.experimental.enable_tensor_float_32_execution: f32 matmuls and
# convolutions compiled for a GPU target run on tensor cores, their operands
# reduced to TF32 (a 10-bit mantissa). Off by default: f32 stays f32.
tensor_float_32 = False


def compile_key(target):
    """What decides the code compiled for `target` besides the module: the
    target, and for GPU targets the TF32 setting (caches key on this)."""
    return (target, tensor_float_32) if target else target


class Executable:
    """A compiled module and one of its entry points."""

    def __init__(self, source, name="<tg>", entry="main", threads=None,
                 profile=False, profile_name=None, saved=None, target=TARGET_CPU):
        error = _P()
        self.target = target
        if saved is not None:
            # A saved model's object, loaded (tgLoadSavedModel): one entry.
            self._exe = lib.tgLoadSavedModel(saved.encode(), ctypes.byref(error))
            if not self._exe:
                _raise(error)
            entry = lib.tgExecutableFunctionName(self._exe, 0).decode()
            self.saved_signature = lib.tgExecutableSavedSignature(self._exe).decode()
        else:
            if threads is None:
                threads = num_threads
            # With profile, every kernel is bracketed by timing calls
            # (tg.profiler.trace); without, nothing is inserted. Profiles
            # name the calls `profile_name` (the entry point is always @main).
            options = TgCompileOptions(optimize=1, threads=threads, dumpLLVMDialect=0,
                                       entry=entry.encode(), target=target, chip=None,
                                       tensorFloat32=int(bool(target) and tensor_float_32),
                                       profile=int(profile),
                                       profileName=profile_name.encode()
                                       if profile_name is not None else None)
            text = source.encode()
            self._exe = lib.tgCompileSource(text, len(text), name.encode(),
                                            ctypes.byref(options), ctypes.byref(error))
            if not self._exe:
                _raise(error)
        self._fn = lib.tgExecutableLookup(self._exe, entry.encode(), ctypes.byref(error))
        if not self._fn:
            _raise(error)
        self._local = threading.local()
        plan = TgMemoryPlan()
        self.memory_plan = None if lib.tgFunctionMemoryPlan(self._fn, ctypes.byref(plan)) \
            else {name: getattr(plan, name) for name, _ in TgMemoryPlan._fields_}
        self.result_types = []
        for i in range(lib.tgFunctionNumResults(self._fn)):
            t = lib.tgFunctionResultType(self._fn, i)
            self.result_types.append((tuple(t.shape[d] for d in range(t.rank)),
                                      NUMPY_OF[t.dtype]))
        self.fast = None
        # The compiled call path has no numpy type for bfloat16 (raw V2):
        # such graphs take the ctypes path. It runs host arrays on the CPU
        # only: GPU code runs on device buffers (run_device).
        if fast is not None and target == TARGET_CPU and all(np.dtype(d) != np.dtype("V2")
                                    for _, d in self.result_types):
            self.fast = fast.Caller(
                self._fn, _address(lib.tgFunctionRun), _address(lib.tgErrorMessage),
                _address(lib.tgErrorDestroy),
                [(shape, DTYPES[np.dtype(dtype)][0]) for shape, dtype in self.result_types],
                TgError, _POOL_MIN_BYTES)

    def __del__(self):
        if getattr(self, "_exe", None):
            lib.tgExecutableDestroy(self._exe)

    def _views(self, arrays, key):
        """TgTensor arrays for arguments of these shapes and dtypes, and for
        the results; built once per signature, only data pointers change."""
        keep = []

        def view(shape, dtype):
            dims = (ctypes.c_int64 * max(len(shape), 1))(*shape)
            keep.append(dims)
            return TgTensor(DTYPES[np.dtype(dtype)][0], len(shape), dims, None)
        args = (TgTensor * max(len(arrays), 1))(*[view(a.shape, a.dtype) for a in arrays])
        res = (TgTensor * max(len(self.result_types), 1))(
            *[view(s, d) for s, d in self.result_types])
        self._local.cached = (key, args, res, keep)
        return self._local.cached

    def _result(self, i):
        """A result array: the one returned by an earlier call if nobody holds
        it any more (large buffers are not page-faulted in again each call),
        otherwise a new one."""
        shape, dtype = self.result_types[i]
        # References when nobody else holds it: the pool's and getrefcount's
        # argument (no local name may hold it while counting).
        pool = self._local.pool
        if pool[i] is not None and sys.getrefcount(pool[i]) == 2:
            return pool[i]
        arr = np.empty(shape, dtype)
        if arr.nbytes >= _POOL_MIN_BYTES:
            pool[i] = arr
        return arr

    def __call__(self, *arrays):
        if self.fast is not None:
            results = self.fast(*arrays)
            if results is not NotImplemented:
                return results
        args = [_native(a) for a in arrays]
        for i, a in enumerate(args):
            if a.dtype not in DTYPES:
                raise TgError("error: argument #%d has dtype %s, which has no tg "
                              "type (tg has %s)" % (i, a.dtype,
                                                    ", ".join(map(str, DTYPES))))
        if self.fast is not None:
            results = self.fast(*args)
            if results is not NotImplemented:
                return results
        # The views and the result pool are per thread: two threads calling
        # at once must not share the TgTensor arrays they fill in.
        key = tuple((a.shape, a.dtype) for a in args)
        cached = getattr(self._local, "cached", None)
        if cached is None or cached[0] != key:
            cached = self._views(args, key)
            self._local.pool = [None] * len(self.result_types)
        _, arg_views, res_views, _ = cached
        for i, a in enumerate(args):
            arg_views[i].data = a.ctypes.data
        results = [self._result(i) for i in range(len(self.result_types))]
        for i, r in enumerate(results):
            res_views[i].data = r.ctypes.data
        error = _P()
        if lib.tgFunctionRun(self._fn, arg_views, len(args), res_views, len(results),
                             ctypes.byref(error)):
            _raise(error)
        return results

    def run_device(self, buffers):
        """Runs the GPU function on DeviceBuffers of this executable's
        target; the results are new DeviceBuffers (so that none aliases an
        argument, as tgFunctionRunDevice requires). Synchronous."""
        args = (_P * max(len(buffers), 1))(*[b._ptr for b in buffers])
        results = [DeviceBuffer(self.target, shape, dtype)
                   for shape, dtype in self.result_types]
        res = (_P * max(len(results), 1))(*[r._ptr for r in results])
        error = _P()
        if lib.tgFunctionRunDevice(self._fn, args, len(buffers), res, len(results), None,
                                   ctypes.byref(error)):
            _raise(error)
        return results


# Copies between host memory and device buffers since the process started
# (tests check that chained GPU calls make none).
device_copies = {"to_host": 0, "from_host": 0}


class DeviceBuffer:
    """A TgDeviceBuffer: one tensor's data in a device's memory, owned by
    this object (freed when it is collected). Written only when created
    (from host data, or as a result of run_device) and never after, so
    tensors and Variables share one freely."""

    __slots__ = ("_ptr", "target", "shape", "dtype", "nbytes")

    def __init__(self, target, shape, dtype):
        self._ptr = None
        self.target, self.shape, self.dtype = target, tuple(shape), np.dtype(dtype)
        dims = (ctypes.c_int64 * max(len(self.shape), 1))(*self.shape)
        error = _P()
        ptr = lib.tgDeviceBufferCreate(target, DTYPES[self.dtype][0], len(self.shape), dims,
                                       ctypes.byref(error))
        if not ptr:
            _raise(error)
        self._ptr = ptr
        self.nbytes = lib.tgDeviceBufferBytes(ptr)

    def __del__(self, _destroy=lib.tgDeviceBufferDestroy):
        # (The default argument keeps the function through interpreter exit.)
        if self._ptr:
            _destroy(self._ptr)
            self._ptr = None

    # Copies share the buffer (it never changes); a pickle holds the data.
    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return DeviceBuffer.from_host, (self.target, self.to_host())

    @classmethod
    def from_host(cls, target, array):
        """A buffer on `target` holding a copy of the numpy array."""
        a = _native(array)
        if a.dtype not in DTYPES:
            raise TgError("error: an array of dtype %s has no tg type" % a.dtype)
        buffer = cls(target, a.shape, a.dtype)
        error = _P()
        if lib.tgDeviceBufferCopyFromHost(buffer._ptr, a.ctypes.data, buffer.nbytes, None,
                                          ctypes.byref(error)):
            _raise(error)
        device_copies["from_host"] += 1
        return buffer

    def to_host(self):
        """A new numpy array with the buffer's contents."""
        out = np.empty(self.shape, self.dtype)
        error = _P()
        if lib.tgDeviceBufferCopyToHost(self._ptr, out.ctypes.data, self.nbytes, None,
                                        ctypes.byref(error)):
            _raise(error)
        device_copies["to_host"] += 1
        return out
