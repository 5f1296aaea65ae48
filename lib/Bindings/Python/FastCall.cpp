//===- FastCall.cpp - The per-call path of the Python binding -------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// `tg._tgfast`: the code that runs on every call of a compiled graph from
// Python. Compiling, looking up entry points and error reporting stay in the
// ctypes binding (python/tg/_capi.py); this module only replaces its per-call
// work (argument checks, TgTensor views, result allocation, the foreign call),
// which costs ~5 us through ctypes against ~0.5 us here. A graph of 20 ops on
// 64x64 runs in ~4 us, so the call path decides how it compares with numpy.
//
// The module does not link against libTgCAPI.so: the Python side passes the
// address of tgFunctionRun (and of the error accessors) from the library it
// loaded with ctypes, so both always use the same copy.
//
//   Caller(function, run, errorMessage, errorDestroy, resultTypes, errorType,
//          poolMinBytes)
//     caller(*arrays) -> list of result arrays, or NotImplemented when an
//     argument is not a C-contiguous, native-endian ndarray of a tg dtype
//     (the Python side then converts and calls again).
//   Dispatcher()
//     dispatcher.add(arrays, caller, single) registers a caller for the
//     shapes and dtypes of `arrays`; dispatcher(*arrays) runs the matching
//     caller and returns its one result (single) or a tuple, or
//     NotImplemented when no signature matches.
//
//===----------------------------------------------------------------------===//

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include "tg-c/Runtime.h"

#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

namespace {

using RunFn = int (*)(const TgFunction *, const TgTensor *, int64_t, TgTensor *,
                      int64_t, TgError **);
using ErrorMessageFn = const char *(*)(const TgError *);
using ErrorDestroyFn = void (*)(TgError *);

/// The tg dtype of a numpy array, or -1 when tg has none (or the bytes are
/// not in native order). Decided by kind and size, not by type number:
/// numpy has two type numbers for 64-bit integers on Linux.
int tgDTypeOf(PyArrayObject *array) {
  PyArray_Descr *descr = PyArray_DESCR(array);
  if (!PyArray_ISNBO(descr->byteorder))
    return -1;
  switch (descr->kind) {
  case 'f':
    return descr->elsize == 4   ? TG_DTYPE_F32
           : descr->elsize == 8 ? TG_DTYPE_F64
           : descr->elsize == 2 ? TG_DTYPE_F16
                                : -1;
  case 'b':
    return descr->elsize == 1 ? TG_DTYPE_I1 : -1;
  case 'i':
    return descr->elsize == 4   ? TG_DTYPE_I32
           : descr->elsize == 8 ? TG_DTYPE_I64
                                : -1;
  default:
    return -1;
  }
}

/// The numpy type number of a tg dtype (for allocating results).
int numpyTypeOf(int dtype) {
  switch (dtype) {
  case TG_DTYPE_F32:
    return NPY_FLOAT32;
  case TG_DTYPE_F64:
    return NPY_FLOAT64;
  case TG_DTYPE_F16:
    return NPY_FLOAT16;
  case TG_DTYPE_I1:
    return NPY_BOOL;
  case TG_DTYPE_I32:
    return NPY_INT32;
  case TG_DTYPE_I64:
    return NPY_INT64;
  default:
    return -1;
  }
}

/// Whether every element of `args` is an ndarray the kernel can read in
/// place; fills `views` with their TgTensors.
bool viewArguments(PyObject *args, std::vector<TgTensor> &views) {
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  views.resize(n);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject *object = PyTuple_GET_ITEM(args, i);
    if (!PyArray_CheckExact(object))
      return false;
    auto *array = reinterpret_cast<PyArrayObject *>(object);
    int dtype = tgDTypeOf(array);
    if (dtype < 0 || !PyArray_IS_C_CONTIGUOUS(array))
      return false;
    static_assert(sizeof(npy_intp) == sizeof(int64_t), "64-bit shapes");
    views[i] = {static_cast<TgDType>(dtype), PyArray_NDIM(array),
                reinterpret_cast<const int64_t *>(PyArray_DIMS(array)),
                PyArray_DATA(array)};
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Caller
//===----------------------------------------------------------------------===//

struct ResultType {
  std::vector<npy_intp> shape;
  TgDType tgDType;
  int numpyType;
  size_t bytes;
};

struct Caller {
  PyObject_HEAD
  const TgFunction *function;
  RunFn run;
  ErrorMessageFn errorMessage;
  ErrorDestroyFn errorDestroy;
  PyObject *errorType;
  std::vector<ResultType> *results;
  /// Results at least this large are kept and handed out again once nobody
  /// else holds them, so that big buffers are not page-faulted in per call.
  std::vector<PyObject *> *pool;
  size_t poolMinBytes;
};

void callerDealloc(Caller *self) {
  if (self->pool)
    for (PyObject *p : *self->pool)
      Py_XDECREF(p);
  delete self->pool;
  delete self->results;
  Py_XDECREF(self->errorType);
  PyTypeObject *type = Py_TYPE(self);
  type->tp_free(reinterpret_cast<PyObject *>(self));
  Py_DECREF(type);
}

/// Reads an integer address passed from ctypes.
template <typename T>
bool addressOf(PyObject *object, T &out) {
  void *p = PyLong_AsVoidPtr(object);
  if (!p) {
    if (!PyErr_Occurred())
      PyErr_SetString(PyExc_ValueError, "tg._tgfast: null function address");
    return false;
  }
  out = reinterpret_cast<T>(p);
  return true;
}

int callerInit(Caller *self, PyObject *args, PyObject *) {
  PyObject *function, *run, *message, *destroy, *types, *errorType;
  Py_ssize_t poolMinBytes;
  if (!PyArg_ParseTuple(args, "OOOOOOn", &function, &run, &message, &destroy,
                        &types, &errorType, &poolMinBytes))
    return -1;
  if (!addressOf(function, self->function) || !addressOf(run, self->run) ||
      !addressOf(message, self->errorMessage) ||
      !addressOf(destroy, self->errorDestroy))
    return -1;
  // `types`: a sequence of (shape tuple, tg dtype code).
  PyObject *seq = PySequence_Fast(types, "tg._tgfast: result types");
  if (!seq)
    return -1;
  auto results = new std::vector<ResultType>();
  for (Py_ssize_t i = 0, e = PySequence_Fast_GET_SIZE(seq); i < e; ++i) {
    PyObject *shape;
    int dtype;
    if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "Oi", &shape, &dtype))
      break;
    ResultType type{{}, static_cast<TgDType>(dtype), numpyTypeOf(dtype), 0};
    PyObject *dims = PySequence_Fast(shape, "tg._tgfast: result shape");
    if (!dims)
      break;
    size_t elements = 1;
    for (Py_ssize_t d = 0, r = PySequence_Fast_GET_SIZE(dims); d < r; ++d) {
      npy_intp size = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(dims, d));
      type.shape.push_back(size);
      elements *= static_cast<size_t>(size);
    }
    Py_DECREF(dims);
    if (PyErr_Occurred())
      break;
    if (type.numpyType < 0) {
      PyErr_Format(PyExc_ValueError, "tg._tgfast: no numpy type for dtype %d",
                   dtype);
      break;
    }
    PyArray_Descr *descr = PyArray_DescrFromType(type.numpyType);
    type.bytes = elements * descr->elsize;
    Py_DECREF(descr);
    results->push_back(std::move(type));
  }
  Py_DECREF(seq);
  if (PyErr_Occurred()) {
    delete results;
    return -1;
  }
  delete self->results;
  self->results = results;
  if (self->pool)
    for (PyObject *p : *self->pool)
      Py_XDECREF(p);
  delete self->pool;
  self->pool = new std::vector<PyObject *>(results->size(), nullptr);
  self->poolMinBytes = static_cast<size_t>(poolMinBytes);
  Py_INCREF(errorType);
  Py_XSETREF(self->errorType, errorType);
  return 0;
}

/// A result array: the pooled one if only the pool holds it, else new.
PyObject *resultArray(Caller *self, size_t i) {
  PyObject *&pooled = (*self->pool)[i];
  if (pooled && Py_REFCNT(pooled) == 1) {
    Py_INCREF(pooled);
    return pooled;
  }
  const ResultType &type = (*self->results)[i];
  PyObject *array = PyArray_EMPTY(static_cast<int>(type.shape.size()),
                                  const_cast<npy_intp *>(type.shape.data()),
                                  type.numpyType, 0);
  if (array && type.bytes >= self->poolMinBytes) {
    Py_INCREF(array);
    Py_XSETREF(pooled, array);
  }
  return array;
}

/// Runs the function on `args` (a tuple); a new list of results, nullptr
/// with an exception set, or NotImplemented.
PyObject *callerRun(Caller *self, PyObject *args) {
  std::vector<TgTensor> views;
  if (!viewArguments(args, views))
    Py_RETURN_NOTIMPLEMENTED;
  size_t n = self->results->size();
  PyObject *list = PyList_New(static_cast<Py_ssize_t>(n));
  if (!list)
    return nullptr;
  std::vector<TgTensor> outs(n);
  for (size_t i = 0; i < n; ++i) {
    PyObject *array = resultArray(self, i);
    if (!array) {
      Py_DECREF(list);
      return nullptr;
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), array);
    auto *a = reinterpret_cast<PyArrayObject *>(array);
    outs[i] = {(*self->results)[i].tgDType, PyArray_NDIM(a),
               reinterpret_cast<const int64_t *>(PyArray_DIMS(a)),
               PyArray_DATA(a)};
  }
  TgError *error = nullptr;
  int failed;
  // The arguments and results stay referenced by `args` and `list`, so the
  // kernel may run without the GIL.
  Py_BEGIN_ALLOW_THREADS
  failed = self->run(self->function, views.data(),
                     static_cast<int64_t>(views.size()), outs.data(),
                     static_cast<int64_t>(n), &error);
  Py_END_ALLOW_THREADS
  if (failed) {
    Py_DECREF(list);
    const char *message = error ? self->errorMessage(error) : "tg: run failed";
    size_t length = std::strlen(message);
    while (length && (message[length - 1] == '\n' || message[length - 1] == ' '))
      --length;
    PyObject *text = PyUnicode_FromStringAndSize(message, length);
    if (error)
      self->errorDestroy(error);
    if (text) {
      PyErr_SetObject(self->errorType, text);
      Py_DECREF(text);
    }
    return nullptr;
  }
  return list;
}

PyObject *callerCall(Caller *self, PyObject *args, PyObject *kwargs) {
  if (kwargs && PyDict_GET_SIZE(kwargs)) {
    PyErr_SetString(PyExc_TypeError, "tg: compiled graphs take no keywords");
    return nullptr;
  }
  return callerRun(self, args);
}

/// Set when the module is initialized.
PyTypeObject *callerType;

//===----------------------------------------------------------------------===//
// Dispatcher
//===----------------------------------------------------------------------===//

struct Entry {
  /// Per argument: tg dtype, rank, then the sizes.
  std::vector<int64_t> signature;
  PyObject *caller;
  bool single;
};

struct Dispatcher {
  PyObject_HEAD
  std::vector<Entry> *entries;
};

/// The signature of `args`, or false if one is not a usable ndarray.
bool signatureOf(PyObject *args, std::vector<int64_t> &signature) {
  signature.clear();
  for (Py_ssize_t i = 0, e = PyTuple_GET_SIZE(args); i < e; ++i) {
    PyObject *object = PyTuple_GET_ITEM(args, i);
    if (!PyArray_CheckExact(object))
      return false;
    auto *array = reinterpret_cast<PyArrayObject *>(object);
    int dtype = tgDTypeOf(array);
    if (dtype < 0)
      return false;
    signature.push_back(dtype);
    signature.push_back(PyArray_NDIM(array));
    for (int d = 0; d < PyArray_NDIM(array); ++d)
      signature.push_back(PyArray_DIM(array, d));
  }
  return true;
}

/// Whether `args` have the shapes and dtypes of `signature`; compares in
/// place, without building the signature of `args`.
bool matches(const std::vector<int64_t> &signature, PyObject *args) {
  const int64_t *s = signature.data(), *end = s + signature.size();
  for (Py_ssize_t i = 0, n = PyTuple_GET_SIZE(args); i < n; ++i) {
    PyObject *object = PyTuple_GET_ITEM(args, i);
    if (s == end || !PyArray_CheckExact(object))
      return false;
    auto *array = reinterpret_cast<PyArrayObject *>(object);
    int rank = PyArray_NDIM(array);
    if (s[0] != tgDTypeOf(array) || s[1] != rank || end - s < 2 + rank)
      return false;
    for (int d = 0; d < rank; ++d)
      if (s[2 + d] != PyArray_DIM(array, d))
        return false;
    s += 2 + rank;
  }
  return s == end;
}

void dispatcherDealloc(Dispatcher *self) {
  if (self->entries)
    for (Entry &e : *self->entries)
      Py_DECREF(e.caller);
  delete self->entries;
  PyTypeObject *type = Py_TYPE(self);
  type->tp_free(reinterpret_cast<PyObject *>(self));
  Py_DECREF(type);
}

int dispatcherInit(Dispatcher *self, PyObject *args, PyObject *) {
  if (!PyArg_ParseTuple(args, ""))
    return -1;
  if (!self->entries)
    self->entries = new std::vector<Entry>();
  return 0;
}

PyObject *dispatcherAdd(Dispatcher *self, PyObject *args) {
  PyObject *arrays, *caller;
  int single;
  if (!PyArg_ParseTuple(args, "O!O!p", &PyTuple_Type, &arrays, callerType,
                        &caller, &single))
    return nullptr;
  std::vector<int64_t> signature;
  if (!signatureOf(arrays, signature)) {
    PyErr_SetString(PyExc_ValueError,
                    "tg._tgfast: a signature needs ndarrays of tg dtypes");
    return nullptr;
  }
  Py_INCREF(caller);
  self->entries->push_back({std::move(signature), caller, single != 0});
  Py_RETURN_NONE;
}

PyObject *dispatcherCall(Dispatcher *self, PyObject *args, PyObject *kwargs) {
  if (kwargs && PyDict_GET_SIZE(kwargs))
    Py_RETURN_NOTIMPLEMENTED;
  for (const Entry &entry : *self->entries) {
    if (!matches(entry.signature, args))
      continue;
    PyObject *list = callerRun(reinterpret_cast<Caller *>(entry.caller), args);
    if (!list || list == Py_NotImplemented)
      return list;
    PyObject *result;
    if (entry.single) {
      result = PyList_GET_ITEM(list, 0);
      Py_INCREF(result);
    } else {
      result = PyList_AsTuple(list);
    }
    Py_DECREF(list);
    return result;
  }
  Py_RETURN_NOTIMPLEMENTED;
}

PyObject *dispatcherLen(Dispatcher *self, PyObject *) {
  return PyLong_FromSize_t(self->entries->size());
}

PyMethodDef dispatcherMethods[] = {
    {"add", reinterpret_cast<PyCFunction>(dispatcherAdd), METH_VARARGS,
     "add(arrays, caller, single): run `caller` for arguments shaped like "
     "`arrays`"},
    {"size", reinterpret_cast<PyCFunction>(dispatcherLen), METH_NOARGS,
     "the number of registered signatures"},
    {nullptr, nullptr, 0, nullptr}};

PyType_Slot callerSlots[] = {
    {Py_tp_doc, const_cast<char *>("Runs one compiled entry point on ndarrays.")},
    {Py_tp_new, reinterpret_cast<void *>(PyType_GenericNew)},
    {Py_tp_init, reinterpret_cast<void *>(callerInit)},
    {Py_tp_dealloc, reinterpret_cast<void *>(callerDealloc)},
    {Py_tp_call, reinterpret_cast<void *>(callerCall)},
    {0, nullptr}};
PyType_Spec callerSpec = {"tg._tgfast.Caller", sizeof(Caller), 0,
                          Py_TPFLAGS_DEFAULT, callerSlots};

PyType_Slot dispatcherSlots[] = {
    {Py_tp_doc,
     const_cast<char *>("Finds the compiled caller for argument shapes.")},
    {Py_tp_new, reinterpret_cast<void *>(PyType_GenericNew)},
    {Py_tp_init, reinterpret_cast<void *>(dispatcherInit)},
    {Py_tp_dealloc, reinterpret_cast<void *>(dispatcherDealloc)},
    {Py_tp_call, reinterpret_cast<void *>(dispatcherCall)},
    {Py_tp_methods, dispatcherMethods},
    {0, nullptr}};
PyType_Spec dispatcherSpec = {"tg._tgfast.Dispatcher", sizeof(Dispatcher), 0,
                              Py_TPFLAGS_DEFAULT, dispatcherSlots};

PyModuleDef moduleDef = {PyModuleDef_HEAD_INIT,
                         "tg._tgfast",
                         "The per-call path of compiled tg graphs.",
                         -1,
                         nullptr,
                         nullptr,
                         nullptr,
                         nullptr,
                         nullptr};

} // namespace

PyMODINIT_FUNC PyInit__tgfast() {
  import_array();

  PyObject *module = PyModule_Create(&moduleDef);
  if (!module)
    return nullptr;
  PyObject *caller = PyType_FromSpec(&callerSpec);
  PyObject *dispatcher = PyType_FromSpec(&dispatcherSpec);
  // PyModule_AddObject steals the references on success only.
  if (!caller || PyModule_AddObject(module, "Caller", caller) < 0) {
    Py_XDECREF(caller);
    Py_XDECREF(dispatcher);
    Py_DECREF(module);
    return nullptr;
  }
  callerType = reinterpret_cast<PyTypeObject *>(caller);
  if (!dispatcher || PyModule_AddObject(module, "Dispatcher", dispatcher) < 0) {
    Py_XDECREF(dispatcher);
    Py_DECREF(module);
    return nullptr;
  }
  return module;
}
