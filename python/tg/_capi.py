"""ctypes binding of tg's C API (include/tg-c/Runtime.h).

ctypes rather than pybind11: the C API is already a plain C ABI, so the
binding needs no compiled extension (nothing to rebuild per Python version)
and numpy buffers pass straight through as pointers, without copies.
"""
import ctypes
import os

import numpy as np

DTYPES = {  # numpy dtype -> (TgDType, MLIR name)
    np.dtype(np.float32): (0, "f32"),
    np.dtype(np.float64): (1, "f64"),
    np.dtype(np.float16): (2, "f16"),
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


class TgCompileOptions(ctypes.Structure):
    _fields_ = [("optimize", ctypes.c_int), ("threads", ctypes.c_int),
                ("dumpLLVMDialect", ctypes.c_int), ("entry", ctypes.c_char_p),
                ("target", ctypes.c_int), ("chip", ctypes.c_char_p)]


def _find_library():
    candidates = []
    if os.environ.get("TG_LIBRARY"):
        candidates.append(os.environ["TG_LIBRARY"])
    here = os.path.dirname(os.path.abspath(__file__))
    candidates.append(os.path.join(here, "..", "..", "build", "lib", "libTgCAPI.so"))
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
lib.tgErrorMessage.restype = ctypes.c_char_p
lib.tgErrorMessage.argtypes = [_P]
lib.tgErrorDestroy.argtypes = [_P]


class TgError(Exception):
    """A tg compile or run error; the message holds the located diagnostics."""


def _raise(error):
    message = lib.tgErrorMessage(error).decode()
    lib.tgErrorDestroy(error)
    raise TgError(message.rstrip())


class Executable:
    """A compiled module and one of its entry points."""

    def __init__(self, source, name="<tg>", entry="main", threads=0):
        options = TgCompileOptions(optimize=1, threads=threads, dumpLLVMDialect=0,
                                   entry=entry.encode(), target=0, chip=None)
        error = _P()
        text = source.encode()
        self._exe = lib.tgCompileSource(text, len(text), name.encode(),
                                        ctypes.byref(options), ctypes.byref(error))
        if not self._exe:
            _raise(error)
        self._fn = lib.tgExecutableLookup(self._exe, entry.encode(), ctypes.byref(error))
        if not self._fn:
            _raise(error)
        self.result_types = []
        for i in range(lib.tgFunctionNumResults(self._fn)):
            t = lib.tgFunctionResultType(self._fn, i)
            self.result_types.append((tuple(t.shape[d] for d in range(t.rank)),
                                      NUMPY_OF[t.dtype]))

    def __del__(self):
        if getattr(self, "_exe", None):
            lib.tgExecutableDestroy(self._exe)

    def __call__(self, *arrays):
        keep = []  # keeps shapes and buffers alive during the call

        def view(a):
            shape = (ctypes.c_int64 * max(a.ndim, 1))(*a.shape)
            keep.append(shape)
            return TgTensor(DTYPES[a.dtype][0], a.ndim, shape, a.ctypes.data)
        # np.ascontiguousarray would turn a 0-d array into shape (1,).
        args = [a if a.flags.c_contiguous else a.copy()
                for a in (np.asarray(x) for x in arrays)]
        results = [np.empty(shape, dtype) for shape, dtype in self.result_types]
        arg_views = (TgTensor * max(len(args), 1))(*[view(a) for a in args])
        res_views = (TgTensor * max(len(results), 1))(*[view(r) for r in results])
        error = _P()
        if lib.tgFunctionRun(self._fn, arg_views, len(args), res_views, len(results),
                             ctypes.byref(error)):
            _raise(error)
        return results
