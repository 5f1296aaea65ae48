//===- Device.cpp - Device buffers, streams and runs on them --------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// tgDeviceBuffer*, tgStream* and tgFunctionRunDevice (tg-c/Runtime.h):
// tensors that stay in GPU memory from one call to the next, so that a
// training loop copies its data in once and reads back only what it looks
// at. tgFunctionRun's managed-memory path (copy in, run, copy out on every
// call) stays for callers that hold host arrays.
//
// Every call has two implementations behind one small table (`Device`):
// the GPU's, over the CUDA driver (lib/Runtime/CudaRuntime.cpp), and the
// emulated GPU's, over host memory, whose code is the GPU pipeline's kernels
// run on the CPU (TG_TARGET_GPU_EMULATED). Everything above the table
// (checks, staging, ordering) is the same code for both, which is what lets
// the tests without a GPU cover it.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#ifdef TG_HAS_CUDA_RUNTIME
// From libtg_cuda_runtime (lib/Runtime/CudaRuntime.cpp).
extern "C" {
int tgCudaAlloc(void **ptr, size_t bytes, int managed, char *message,
                size_t size);
void tgCudaFree(void *ptr);
int tgCudaCopy(void *dst, const void *src, size_t bytes, void *stream,
               char *message, size_t size);
int tgCudaStreamCreate(void **stream, char *message, size_t size);
int tgCudaStreamSynchronize(void *stream, char *message, size_t size);
void tgCudaStreamDestroy(void *stream);
void tgCudaSetCallStream(void *stream);
}
#endif

using tgcapi::setError;

namespace {
/// The memory operations of one target. Each fallible one returns an
/// empty string, or the reason it failed.
struct Device {
  std::string (*alloc)(void **ptr, size_t bytes, bool managed);
  void (*free)(void *ptr);
  std::string (*copy)(void *dst, const void *src, size_t bytes, void *stream);
  std::string (*streamCreate)(void **stream);
  std::string (*streamSynchronize)(void *stream);
  void (*streamDestroy)(void *stream);
  /// Makes compiled code launch on `stream` (null: streams of its own).
  void (*setCallStream)(void *stream);
};

/// The emulated GPU: its memory is host memory, its copies are done when
/// queued, its streams have nothing to wait for.
const Device emulatedDevice = {
    [](void **ptr, size_t bytes, bool) -> std::string {
      // 64-byte aligned, as compiled code's own allocations.
      *ptr = std::aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
      return *ptr ? "" : "out of memory (" + std::to_string(bytes) + " bytes)";
    },
    [](void *ptr) { std::free(ptr); },
    [](void *dst, const void *src, size_t bytes, void *) -> std::string {
      if (bytes)
        std::memmove(dst, src, bytes);
      return "";
    },
    [](void **stream) -> std::string {
      // Any distinct non-null handle: nothing is ever queued on it.
      *stream = std::malloc(1);
      return *stream ? "" : "out of memory";
    },
    [](void *) -> std::string { return ""; },
    [](void *stream) { std::free(stream); },
    [](void *) {},
};

#ifdef TG_HAS_CUDA_RUNTIME
template <typename Call> std::string cudaCall(Call call) {
  char message[512] = {};
  return call(message, sizeof(message)) ? std::string(message) : "";
}

const Device gpuDevice = {
    [](void **ptr, size_t bytes, bool managed) {
      return cudaCall([&](char *m, size_t n) {
        return tgCudaAlloc(ptr, bytes, managed, m, n);
      });
    },
    [](void *ptr) { tgCudaFree(ptr); },
    [](void *dst, const void *src, size_t bytes, void *stream) {
      return cudaCall([&](char *m, size_t n) {
        return tgCudaCopy(dst, src, bytes, stream, m, n);
      });
    },
    [](void **stream) {
      return cudaCall(
          [&](char *m, size_t n) { return tgCudaStreamCreate(stream, m, n); });
    },
    [](void *stream) {
      return cudaCall([&](char *m, size_t n) {
        return tgCudaStreamSynchronize(stream, m, n);
      });
    },
    [](void *stream) { tgCudaStreamDestroy(stream); },
    [](void *stream) { tgCudaSetCallStream(stream); },
};
#endif

/// The operations of `target`, or null with `*error` set.
const Device *deviceOf(int target, TgError **error) {
  if (target == TG_TARGET_GPU_EMULATED)
    return &emulatedDevice;
  if (target == TG_TARGET_GPU) {
#ifdef TG_HAS_CUDA_RUNTIME
    return &gpuDevice;
#else
    setError(error, "error: this tg was built without the GPU runtime (the "
                    "CUDA toolkit's cuda.h was not found)\n");
    return nullptr;
#endif
  }
  setError(error, "error: device buffers live on TG_TARGET_GPU or "
                  "TG_TARGET_GPU_EMULATED, not on target " +
                      std::to_string(target) + "\n");
  return nullptr;
}

const char *targetName(int target) {
  switch (target) {
  case TG_TARGET_CPU:
    return "the CPU";
  case TG_TARGET_GPU:
    return "the GPU";
  default:
    return "the emulated GPU";
  }
}
} // namespace

using tgcapi::typeString;

struct TgDeviceBuffer {
  int target;
  const Device *device;
  TgDType dtype;
  std::vector<int64_t> shape;
  size_t bytes;
  void *data;
};

struct TgStream {
  int target;
  const Device *device;
  void *handle;
};

extern "C" {

int tgFunctionTarget(const TgFunction *function) { return function->target; }

TgDeviceBuffer *tgDeviceBufferCreate(int target, TgDType dtype, int64_t rank,
                                     const int64_t *shape, TgError **error) {
  const Device *device = deviceOf(target, error);
  if (!device)
    return nullptr;
  if (static_cast<unsigned>(dtype) > TG_DTYPE_I64 || rank < 0 ||
      (rank > 0 && !shape)) {
    setError(error, "error: tgDeviceBufferCreate: invalid dtype or shape\n");
    return nullptr;
  }
  // The element count, refusing sizes that overflow (as tensor types do).
  size_t bytes = tgDTypeSize(dtype);
  for (int64_t i = 0; i < rank; ++i) {
    if (shape[i] < 0 ||
        (shape[i] && bytes > (size_t(1) << 62) / static_cast<size_t>(shape[i]))) {
      setError(error, "error: tgDeviceBufferCreate: invalid shape (dimension " +
                          std::to_string(i) + " is " +
                          std::to_string(shape[i]) + ")\n");
      return nullptr;
    }
    bytes *= static_cast<size_t>(shape[i]);
  }
  void *data = nullptr;
  if (std::string failed = device->alloc(&data, bytes, false); !failed.empty()) {
    setError(error, "error: cannot allocate a device buffer of " +
                        std::to_string(bytes) + " bytes on " +
                        targetName(target) + ": " + failed + "\n");
    return nullptr;
  }
  return new TgDeviceBuffer{target, device, dtype,
                            std::vector<int64_t>(shape, shape + rank), bytes,
                            data};
}

void tgDeviceBufferDestroy(TgDeviceBuffer *buffer) {
  if (!buffer)
    return;
  buffer->device->free(buffer->data);
  delete buffer;
}

TgTensorType tgDeviceBufferType(const TgDeviceBuffer *buffer) {
  return {buffer->dtype, static_cast<int64_t>(buffer->shape.size()),
          buffer->shape.data()};
}

int tgDeviceBufferTarget(const TgDeviceBuffer *buffer) {
  return buffer->target;
}

size_t tgDeviceBufferBytes(const TgDeviceBuffer *buffer) {
  return buffer->bytes;
}

} // extern "C"

/// Checks a copy's size and stream; empty, or the error.
static std::string checkCopy(const TgDeviceBuffer *buffer, const void *data,
                             size_t bytes, const TgStream *stream,
                             const char *what) {
  if (!buffer)
    return std::string(what) + ": no buffer";
  if (bytes != buffer->bytes)
    return std::string(what) + ": the buffer holds " +
           std::to_string(buffer->bytes) + " bytes (" +
           typeString(buffer->dtype, buffer->shape) + "), not " +
           std::to_string(bytes);
  if (!data && bytes)
    return std::string(what) + ": no host memory";
  if (stream && stream->target != buffer->target)
    return std::string(what) + ": the stream is on " +
           targetName(stream->target) + ", the buffer on " +
           targetName(buffer->target);
  return "";
}

extern "C" {

int tgDeviceBufferCopyFromHost(TgDeviceBuffer *buffer, const void *data,
                               size_t bytes, TgStream *stream,
                               TgError **error) {
  std::string problem =
      checkCopy(buffer, data, bytes, stream, "tgDeviceBufferCopyFromHost");
  if (problem.empty())
    problem = buffer->device->copy(buffer->data, data, bytes,
                                   stream ? stream->handle : nullptr);
  if (problem.empty())
    return 0;
  setError(error, "error: " + problem + "\n");
  return 1;
}

int tgDeviceBufferCopyToHost(const TgDeviceBuffer *buffer, void *data,
                             size_t bytes, TgStream *stream, TgError **error) {
  std::string problem =
      checkCopy(buffer, data, bytes, stream, "tgDeviceBufferCopyToHost");
  if (problem.empty())
    problem = buffer->device->copy(data, buffer->data, bytes,
                                   stream ? stream->handle : nullptr);
  if (problem.empty())
    return 0;
  setError(error, "error: " + problem + "\n");
  return 1;
}

TgStream *tgStreamCreate(int target, TgError **error) {
  const Device *device = deviceOf(target, error);
  if (!device)
    return nullptr;
  void *handle = nullptr;
  if (std::string failed = device->streamCreate(&handle); !failed.empty()) {
    setError(error, "error: cannot create a stream on " +
                        std::string(targetName(target)) + ": " + failed +
                        "\n");
    return nullptr;
  }
  return new TgStream{target, device, handle};
}

int tgStreamSynchronize(TgStream *stream, TgError **error) {
  if (!stream)
    return 0;
  if (std::string failed = stream->device->streamSynchronize(stream->handle);
      !failed.empty()) {
    setError(error, "error: " + failed + "\n");
    return 1;
  }
  return 0;
}

void tgStreamDestroy(TgStream *stream) {
  if (!stream)
    return;
  stream->device->streamDestroy(stream->handle);
  delete stream;
}

int tgFunctionRunDevice(const TgFunction *fn, TgDeviceBuffer *const *args,
                        int64_t numArgs, TgDeviceBuffer *const *results,
                        int64_t numResults, TgStream *stream,
                        TgError **error) {
  auto fail = [&](const std::string &message) {
    setError(error, "error: " + message + "\n");
    return 1;
  };
  if (fn->target == TG_TARGET_CPU)
    return fail("@" + fn->name +
                " was compiled for the CPU; device buffers need code "
                "compiled for TG_TARGET_GPU or TG_TARGET_GPU_EMULATED "
                "(tgFunctionRun takes host memory)");
  if (std::string wrong =
          tgcapi::checkCallArrays(*fn, numArgs, args, numResults, results);
      !wrong.empty())
    return fail(wrong);
  if (stream && stream->target != fn->target)
    return fail("the stream is on " + std::string(targetName(stream->target)) +
                ", @" + fn->name + " runs on " + targetName(fn->target));
  int64_t total = numArgs + numResults;
  std::vector<TgDeviceBuffer *> buffers(total);
  for (int64_t i = 0; i < total; ++i) {
    bool isArg = i < numArgs;
    int64_t index = isArg ? i : i - numArgs;
    TgDeviceBuffer *buffer = isArg ? args[i] : results[index];
    const tgcapi::TensorABI &expected =
        isArg ? fn->args[index] : fn->results[index];
    std::string what = std::string(isArg ? "argument #" : "result #") +
                       std::to_string(index) + " of @" + fn->name;
    if (!buffer)
      return fail(what + " is a null buffer");
    if (buffer->target != fn->target)
      return fail(what + " is a buffer on " + targetName(buffer->target) +
                  ", but the function runs on " + targetName(fn->target));
    if (buffer->dtype != expected.dtype || buffer->shape != expected.shape)
      return fail(what + " expects " +
                  typeString(expected.dtype, expected.shape) + ", got " +
                  typeString(buffer->dtype, buffer->shape));
    // The code writes a result while it may still read the arguments and
    // the other results: each result needs memory of its own.
    if (!isArg)
      for (int64_t j = 0; j < i; ++j)
        if (buffers[j] == buffer)
          return fail(what + " is the same buffer as " +
                      (j < numArgs ? "argument #" + std::to_string(j)
                                   : "result #" +
                                         std::to_string(j - numArgs)) +
                      "; a result needs a buffer of its own");
    buffers[i] = buffer;
  }

  const Device *known = deviceOf(fn->target, error);
  if (!known)
    return 1;
  const Device &device = *known;
  void *queue = stream ? stream->handle : nullptr;
  // Buffers the host code touches go through managed memory (GPU memory is
  // not addressable from the host): arguments copied in, results out.
  std::vector<void *> pointers(total), staged;
  auto release = [&] {
    for (void *p : staged)
      device.free(p);
  };
  for (int64_t i = 0; i < total; ++i) {
    pointers[i] = buffers[i]->data;
    if (i >= static_cast<int64_t>(fn->hostAccessed.size()) ||
        !fn->hostAccessed[i])
      continue;
    void *copy = nullptr;
    std::string failed = device.alloc(&copy, buffers[i]->bytes, true);
    if (failed.empty()) {
      staged.push_back(copy);
      if (i < numArgs)
        failed = device.copy(copy, buffers[i]->data, buffers[i]->bytes, queue);
    }
    if (!failed.empty()) {
      release();
      return fail("@" + fn->name + ": staging a buffer the host code reads: " +
                  failed);
    }
    pointers[i] = copy;
  }
  // The host code reads staged arguments directly: their copies must have
  // landed (and whatever the caller queued before them).
  if (!staged.empty() && queue)
    if (std::string failed = device.streamSynchronize(queue); !failed.empty()) {
      release();
      return fail(failed);
    }
  device.setCallStream(queue);
  bool ok = tgcapi::invokeEntry(fn, pointers.data(), error);
  device.setCallStream(nullptr);
  // A run abandoned half-way may have kernels in flight on the staged
  // buffers: wait for them before freeing anything.
  if (!ok)
    tgcapi::synchronizeDevice();
  std::string failed;
  if (ok && queue)
    failed = device.streamSynchronize(queue);
  for (int64_t i = numArgs; ok && failed.empty() && i < total; ++i)
    if (pointers[i] != buffers[i]->data)
      failed = device.copy(buffers[i]->data, pointers[i], buffers[i]->bytes,
                           nullptr);
  release();
  if (!ok)
    return 1;
  if (!failed.empty())
    return fail("@" + fn->name + ": " + failed);
  return 0;
}

} // extern "C"
