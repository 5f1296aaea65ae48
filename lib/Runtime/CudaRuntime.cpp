//===- CudaRuntime.cpp - The mgpu* functions over the CUDA driver API -----===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The runtime functions that MLIR's GPU-to-LLVM lowering calls from host code
// (mgpuModuleLoad, mgpuLaunchKernel, mgpuMemAlloc, ...), implemented over the
// CUDA driver API. libcuda.so.1 is opened lazily with dlopen on first use, so
// that tools linking this library start on machines without a GPU driver;
// tgCudaInitialize reports why a GPU cannot be used. Upstream ships
// libmlir_cuda_runtime only with CUDA-enabled LLVM builds, which Debian's is
// not, hence this small library of our own. It only needs cuda.h's types.
//
//===----------------------------------------------------------------------===//

#include <cuda.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace {

/// The driver entry points, resolved from libcuda.so.1. The versioned names
/// are those cuda.h maps the plain names to.
struct Driver {
#define TG_CU(name) decltype(&::name) name = nullptr;
#include "CudaFunctions.def"
#undef TG_CU
  CUcontext context = nullptr;
  CUdevice device = 0;
  std::string error;
};

Driver &driver() {
  static Driver d;
  static std::once_flag once;
  std::call_once(once, [] {
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      d.error = std::string("cannot load the CUDA driver (libcuda.so.1): ") +
                dlerror();
      return;
    }
#define TG_CU(name)                                                            \
  d.name = reinterpret_cast<decltype(d.name)>(dlsym(lib, #name));             \
  if (!d.name) {                                                               \
    d.error = "the CUDA driver lacks " #name;                                  \
    return;                                                                    \
  }
#include "CudaFunctions.def"
#undef TG_CU
    CUresult r = d.cuInit(0);
    int count = 0;
    if (r == CUDA_SUCCESS)
      r = d.cuDeviceGetCount(&count);
    if (r != CUDA_SUCCESS || count == 0) {
      const char *msg = nullptr;
      if (r != CUDA_SUCCESS)
        d.cuGetErrorString(r, &msg);
      d.error = std::string("no CUDA device is available") +
                (msg ? std::string(": ") + msg : "");
      return;
    }
    // In an MPI job, process i of a machine uses GPU i % count (the
    // launcher tells the local rank): one GPU per process where there are
    // enough of them.
    int ordinal = 0;
    for (const char *name :
         {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "PMI_LOCAL_RANK",
          "SLURM_LOCALID"})
      if (const char *value = std::getenv(name)) {
        ordinal = std::max(0, std::atoi(value)) % count;
        break;
      }
    if ((r = d.cuDeviceGet(&d.device, ordinal)) != CUDA_SUCCESS ||
        (r = d.cuDevicePrimaryCtxRetain(&d.context, d.device)) != CUDA_SUCCESS) {
      const char *msg = nullptr;
      d.cuGetErrorString(r, &msg);
      d.error = std::string("cannot create a CUDA context: ") +
                (msg ? msg : "unknown error");
    }
  });
  if (d.error.empty())
    d.cuCtxSetCurrent(d.context);
  return d;
}

/// Reports a failed driver call; compiled code cannot unwind, so this prints
/// the failure (as upstream's runtime wrappers do) and carries on.
void check(CUresult result, const char *what) {
  if (result == CUDA_SUCCESS)
    return;
  const char *msg = nullptr;
  driver().cuGetErrorString(result, &msg);
  fprintf(stderr, "tg: CUDA error in %s: %s\n", what, msg ? msg : "unknown");
}

} // namespace

#define CU(call) check(driver().call, #call)

namespace {
/// The stream of the tgFunctionRunDevice call on this thread, if it gave
/// one: the compiled code's launches go on it instead of streams of their
/// own, ordered after the copies queued there.
thread_local CUstream callStream = nullptr;
/// Otherwise one stream per thread, made once: the compiled code asks for a
/// stream per launch chain and per allocation or free (gpu.wait async), and
/// creating and destroying each cost more than a small kernel. Ordering on
/// one stream is never weaker than on several.
thread_local CUstream threadStream = nullptr;

/// 0, or 1 with the reason for `result` in `message`.
int report(CUresult result, const char *what, char *message, size_t size) {
  if (result == CUDA_SUCCESS)
    return 0;
  const char *msg = nullptr;
  driver().cuGetErrorString(result, &msg);
  if (message && size)
    snprintf(message, size, "%s failed: %s", what, msg ? msg : "unknown error");
  return 1;
}
} // namespace

extern "C" {

/// 0 when a GPU is usable; otherwise writes the reason into `message`.
int tgCudaInitialize(char *message, size_t size) {
  const std::string &error = driver().error;
  if (error.empty())
    return 0;
  if (message && size)
    snprintf(message, size, "%s", error.c_str());
  return 1;
}

CUmodule mgpuModuleLoad(void *data, size_t /*size*/) {
  CUmodule module = nullptr;
  CU(cuModuleLoadData(&module, data));
  return module;
}

CUmodule mgpuModuleLoadJIT(void *data, int optLevel) {
  CUmodule module = nullptr;
  char log[4096] = {};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                            CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {log, reinterpret_cast<void *>(sizeof(log)),
                    reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
  CUresult r = driver().cuModuleLoadDataEx(&module, data, 3, options, values);
  if (r != CUDA_SUCCESS)
    fprintf(stderr, "tg: PTX JIT failed:\n%s\n", log);
  check(r, "cuModuleLoadDataEx");
  return module;
}

void mgpuModuleUnload(CUmodule module) { CU(cuModuleUnload(module)); }

CUfunction mgpuModuleGetFunction(CUmodule module, const char *name) {
  CUfunction function = nullptr;
  CU(cuModuleGetFunction(&function, module, name));
  return function;
}

void mgpuLaunchKernel(CUfunction function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, CUstream stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  // A tensor with a zero dimension gives an empty grid, which the driver
  // rejects as an invalid value; there is nothing to compute.
  if (gridX == 0 || gridY == 0 || gridZ == 0)
    return;
  CU(cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                    smem, stream, params, extra));
}

CUstream mgpuStreamCreate() {
  if (callStream)
    return callStream;
  if (threadStream)
    return threadStream;
  CU(cuStreamCreate(&threadStream, CU_STREAM_NON_BLOCKING));
  return threadStream;
}
void mgpuStreamDestroy(CUstream stream) {
  if (stream != callStream && stream != threadStream)
    CU(cuStreamDestroy_v2(stream));
}
void mgpuStreamSynchronize(CUstream stream) { CU(cuStreamSynchronize(stream)); }
void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  CU(cuStreamWaitEvent(stream, event, 0));
}

CUevent mgpuEventCreate() {
  CUevent event = nullptr;
  CU(cuEventCreate(&event, CU_EVENT_DISABLE_TIMING));
  return event;
}
void mgpuEventDestroy(CUevent event) { CU(cuEventDestroy_v2(event)); }
void mgpuEventSynchronize(CUevent event) { CU(cuEventSynchronize(event)); }
void mgpuEventRecord(CUevent event, CUstream stream) {
  CU(cuEventRecord(event, stream));
}

} // extern "C"

namespace {
/// Set by the C API: called when an allocation fails, so that a run of
/// compiled code (which cannot check) ends with an error instead of
/// launching kernels on a null buffer. It returns when no run is going on.
void (*failureHandler)(const char *message) = nullptr;

/// Compiled code allocates its intermediates and frees them at every call;
/// cuMemAllocManaged and cuMemFree each cost tens of microseconds (and
/// cuMemFree synchronizes the device), more than a small kernel. Freed
/// buffers are kept, by rounded size and kind, and handed out again, as
/// PyTorch's caching allocator does, up to kPoolCap bytes. Reuse is safe:
/// the compiled code frees a buffer only after waiting for the kernels that
/// use it (-tg-host-shared-allocs, -tg-gpu-async-launches).
struct Pool {
  std::mutex mutex;
  /// Buffers handed out: their rounded size and whether managed.
  std::unordered_map<void *, std::pair<uint64_t, bool>> live;
  std::multimap<std::pair<bool, uint64_t>, void *> idle;
  uint64_t idleBytes = 0;
};
constexpr uint64_t kPoolCap = uint64_t(1) << 30;

Pool &pool() {
  static Pool *p = new Pool; // never destroyed: frees may come at exit
  return *p;
}
} // namespace

extern "C" {

/// Host-shared allocations are managed memory: the compiled host code and
/// the kernels both touch them.
void *mgpuMemAlloc(uint64_t size, CUstream /*stream*/, bool isHostShared) {
  if (size == 0)
    return nullptr;
  uint64_t rounded = (size + 511) / 512 * 512;
  Pool &p = pool();
  std::unique_lock<std::mutex> lock(p.mutex);
  void *result = nullptr;
  auto it = p.idle.find({isHostShared, rounded});
  if (it != p.idle.end()) {
    result = it->second;
    p.idle.erase(it);
    p.idleBytes -= rounded;
  } else {
    auto allocate = [&] {
      CUdeviceptr ptr = 0;
      Driver &d = driver();
      CUresult r = isHostShared
                       ? d.cuMemAllocManaged(&ptr, rounded, CU_MEM_ATTACH_GLOBAL)
                       : d.cuMemAlloc_v2(&ptr, rounded);
      return r == CUDA_SUCCESS ? reinterpret_cast<void *>(ptr) : nullptr;
    };
    result = allocate();
    if (!result && !p.idle.empty()) {
      // Out of memory with buffers kept: give them back and try again.
      for (auto &entry : p.idle)
        CU(cuMemFree_v2(reinterpret_cast<CUdeviceptr>(entry.second)));
      p.idle.clear();
      p.idleBytes = 0;
      result = allocate();
    }
    if (!result) {
      lock.unlock();
      char message[160];
      snprintf(message, sizeof(message),
               "out of memory: the GPU could not allocate %llu bytes for an "
               "intermediate tensor (%s)",
               static_cast<unsigned long long>(rounded),
               isHostShared ? "managed memory" : "device memory");
      // Inside a run of compiled code, the C API ends the run with an
      // error (the handler does not return); elsewhere the caller checks.
      if (failureHandler)
        failureHandler(message);
      return nullptr;
    }
  }
  p.live[result] = {rounded, isHostShared};
  return result;
}

void mgpuMemFree(void *ptr, CUstream /*stream*/) {
  if (!ptr)
    return;
  Pool &p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  auto it = p.live.find(ptr);
  if (it != p.live.end()) {
    auto [rounded, managed] = it->second;
    p.live.erase(it);
    if (p.idleBytes + rounded <= kPoolCap) {
      p.idle.insert({{managed, rounded}, ptr});
      p.idleBytes += rounded;
      return;
    }
  }
  CU(cuMemFree_v2(reinterpret_cast<CUdeviceptr>(ptr)));
}

void mgpuMemcpy(void *dst, void *src, size_t size, CUstream stream) {
  CU(cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                   reinterpret_cast<CUdeviceptr>(src), size, stream));
}

void mgpuMemset32(void *dst, unsigned value, size_t count, CUstream stream) {
  CU(cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value, count, stream));
}

void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  CUstream stream) {
  CU(cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value, count, stream));
}

void mgpuMemHostRegister(void *ptr, uint64_t size) {
  CU(cuMemHostRegister_v2(ptr, size, CU_MEMHOSTREGISTER_PORTABLE));
}

void mgpuMemHostUnregister(void *ptr) { CU(cuMemHostUnregister(ptr)); }

/// The descriptor is {allocated, aligned, offset, sizes[rank], strides[rank]}.
void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                               int64_t elementSize) {
  auto *d = static_cast<int64_t *>(descriptor);
  char *aligned = reinterpret_cast<char *>(d[1]);
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i)
    count *= d[3 + i];
  mgpuMemHostRegister(aligned + d[2] * elementSize, count * elementSize);
}

void mgpuMemHostUnregisterMemRef(int64_t, void *descriptor, int64_t elementSize) {
  auto *d = static_cast<int64_t *>(descriptor);
  mgpuMemHostUnregister(reinterpret_cast<char *>(d[1]) + d[2] * elementSize);
}

void mgpuSetDefaultDevice(int32_t) {}

/// Waits for all work on the device (for timings).
void tgCudaSynchronize() { CU(cuCtxSynchronize()); }

// Device buffers and streams of the C API (tgDeviceBuffer*, tgStream*):
// each returns 0, or 1 with the driver's reason in `message`.

int tgCudaAlloc(void **ptr, size_t bytes, int managed, char *message,
                size_t size) {
  *ptr = nullptr;
  if (int failed = tgCudaInitialize(message, size))
    return failed;
  // Through the pool: buffers of eager results and staging come and go at
  // every call, and the pool gives its idle memory back before failing.
  *ptr = mgpuMemAlloc(bytes ? bytes : 1, nullptr, managed != 0);
  if (*ptr)
    return 0;
  if (message && size)
    snprintf(message, size, "%s failed: out of memory",
             managed ? "cuMemAllocManaged" : "cuMemAlloc");
  return 1;
}

/// Work that uses the buffer must be finished (tgDeviceBufferDestroy's
/// contract): it goes back to the pool.
void tgCudaFree(void *ptr) { mgpuMemFree(ptr, nullptr); }

/// Any direction (unified addressing); queued on `stream`, or done when
/// this returns when `stream` is null.
int tgCudaCopy(void *dst, const void *src, size_t bytes, void *stream,
               char *message, size_t size) {
  if (!bytes)
    return 0;
  auto s = static_cast<CUstream>(stream);
  CUresult r = driver().cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                      reinterpret_cast<CUdeviceptr>(src),
                                      bytes, s);
  if (r == CUDA_SUCCESS && !s)
    r = driver().cuStreamSynchronize(nullptr);
  return report(r, "cuMemcpyAsync", message, size);
}

int tgCudaStreamCreate(void **stream, char *message, size_t size) {
  *stream = nullptr;
  if (int failed = tgCudaInitialize(message, size))
    return failed;
  CUstream s = nullptr;
  CUresult r = driver().cuStreamCreate(&s, CU_STREAM_NON_BLOCKING);
  *stream = s;
  return report(r, "cuStreamCreate", message, size);
}

int tgCudaStreamSynchronize(void *stream, char *message, size_t size) {
  return report(driver().cuStreamSynchronize(static_cast<CUstream>(stream)),
                "cuStreamSynchronize", message, size);
}

void tgCudaStreamDestroy(void *stream) {
  if (stream)
    CU(cuStreamDestroy_v2(static_cast<CUstream>(stream)));
}

void tgCudaSetFailureHandler(void (*handler)(const char *message)) {
  failureHandler = handler;
}

/// The stream compiled code launches on in this thread (null: its own).
void tgCudaSetCallStream(void *stream) {
  callStream = static_cast<CUstream>(stream);
}

} // extern "C"
