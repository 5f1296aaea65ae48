/*===- tg-c/Runtime.h - The tg C API: compile and run ------------*- C -*-===*\
|*                                                                            *|
|* Part of the tg project.                                                    *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* A plain C interface to compile a tg module (tg, linalg on tensors, or the  *|
|* LLVM dialect) into an executable, look up its entry points, and run them   *|
|* on caller-owned buffers. tg-run and the Python package use only this.      *|
|*                                                                            *|
|* Every fallible call takes a `TgError **` and, on failure, stores an error  *|
|* whose message holds the located diagnostics; free it with tgErrorDestroy.  *|
|* Pointers passed in stay owned by the caller.                               *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef TG_C_RUNTIME_H
#define TG_C_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Element types of tg tensors. Storage: IEEE floats, bf16 as the upper 16
/// bits of an f32, i1 as one byte (0 or 1), integers two's complement; all
/// little-endian.
typedef enum TgDType {
  TG_DTYPE_F32 = 0,
  TG_DTYPE_F64 = 1,
  TG_DTYPE_F16 = 2,
  TG_DTYPE_BF16 = 3,
  TG_DTYPE_I1 = 4,
  TG_DTYPE_I32 = 5,
  TG_DTYPE_I64 = 6,
} TgDType;

/// The size of one element in bytes.
size_t tgDTypeSize(TgDType dtype);
/// The MLIR spelling: "f32", "i1", ...
const char *tgDTypeName(TgDType dtype);

/// A dense row-major tensor in caller memory.
typedef struct TgTensor {
  TgDType dtype;
  int64_t rank;
  const int64_t *shape; /* rank entries */
  void *data;           /* product(shape) * tgDTypeSize(dtype) bytes */
} TgTensor;

/// The type of an argument or result: a view into the executable.
typedef struct TgTensorType {
  TgDType dtype;
  int64_t rank;
  const int64_t *shape;
} TgTensorType;

typedef struct TgError TgError;
typedef struct TgExecutable TgExecutable;
typedef struct TgFunction TgFunction;

/// The message of an error (diagnostics with their locations).
const char *tgErrorMessage(const TgError *error);
void tgErrorDestroy(TgError *error);

/// Compilation options; zero-initialize, then set what you need.
typedef struct TgCompileOptions {
  /// Run -tg-optimize before lowering (non-zero: yes).
  int optimize;
  /// Worker threads for parallel loops; 0 means every core.
  int threads;
  /// Non-zero: print the IR after lowering to stderr (debugging).
  int dumpLLVMDialect;
  /// If non-NULL, only this public function is compiled as an entry point
  /// (the others become private and, when unused, are dropped).
  const char *entry;
  /// TG_TARGET_CPU (default), TG_TARGET_GPU (NVIDIA, through CUDA) or
  /// TG_TARGET_GPU_EMULATED (the GPU pipeline's kernels run on this CPU,
  /// one OpenMP thread per GPU thread: for testing GPU code without a GPU).
  int target;
  /// The GPU architecture for TG_TARGET_GPU; NULL means "sm_90".
  const char *chip;
  /// Non-zero: time every kernel while the profiler records (see
  /// tgProfilerStart). Zero inserts nothing: an unprofiled executable pays
  /// nothing for profiling.
  int profile;
  /// If non-NULL, the name profiles give the entry point and its kernels
  /// (Python gives the function's name; the entry is always @main there).
  const char *profileName;
  /// The CPU to compile for, as clang's -march spells it ("x86-64-v3",
  /// "skylake-avx512", ...); NULL or "native" means this machine's. It
  /// must be one this machine can run.
  const char *cpu;
  /// GPU targets: non-zero runs f32 matmuls and convolutions on tensor
  /// cores with their operands reduced to TF32 (the low 13 mantissa bits
  /// dropped, leaving a 10-bit mantissa: about
  /// 1e-3 relative error; TF's enable_tensor_float_32_execution). Zero (the
  /// default) keeps f32 products exact to f32. f16 ones always use tensor
  /// cores (sm_80 and later), accumulating in f32.
  int tensorFloat32;
} TgCompileOptions;

enum { TG_TARGET_CPU = 0, TG_TARGET_GPU = 1, TG_TARGET_GPU_EMULATED = 2 };

/// Default options: optimize, all cores.
TgCompileOptions tgDefaultCompileOptions(void);

/// Compiles `source` (MLIR text, `length` bytes; `bufferName` names it in
/// diagnostics). Returns NULL and sets `*error` on failure.
TgExecutable *tgCompileSource(const char *source, size_t length,
                              const char *bufferName,
                              const TgCompileOptions *options, TgError **error);
/// Compiles the file at `path`; a directory is a saved model, loaded with
/// tgLoadSavedModel (`options` do not apply).
TgExecutable *tgCompileFile(const char *path, const TgCompileOptions *options,
                            TgError **error);
void tgExecutableDestroy(TgExecutable *executable);

/// How many entry points `executable` compiled (with TgCompileOptions'
/// `entry` set, one), and the name of the `index`-th, in source order
/// (NULL out of range). Valid as long as the executable.
int64_t tgExecutableNumFunctions(const TgExecutable *executable);
const char *tgExecutableFunctionName(const TgExecutable *executable,
                                     int64_t index);

/// The entry point `name` (a public function of the module), or NULL with
/// `*error` set. Valid as long as the executable.
const TgFunction *tgExecutableLookup(const TgExecutable *executable,
                                     const char *name, TgError **error);

int64_t tgFunctionNumArgs(const TgFunction *function);
int64_t tgFunctionNumResults(const TgFunction *function);
TgTensorType tgFunctionArgType(const TgFunction *function, int64_t index);
TgTensorType tgFunctionResultType(const TgFunction *function, int64_t index);

/// Runs `function` on `args`, writing into `results`, which the caller
/// allocated with the result types. Checks the count, dtype and shape of
/// every tensor first. Returns 0 on success, non-zero with `*error` set.
int tgFunctionRun(const TgFunction *function, const TgTensor *args,
                  int64_t numArgs, TgTensor *results, int64_t numResults,
                  TgError **error);

/*===--------------------------------------------------------------------===*\
|* Device buffers: tensors that stay on the GPU between calls                 *|
\*===--------------------------------------------------------------------===*/

/// A tensor in a device's memory: GPU global memory for TG_TARGET_GPU;
/// host memory standing for it for TG_TARGET_GPU_EMULATED (same calls, so
/// that code using device buffers is tested without a GPU).
typedef struct TgDeviceBuffer TgDeviceBuffer;
/// An ordered queue of device work (a CUDA stream); NULL in the calls
/// below means "synchronous".
typedef struct TgStream TgStream;

/// The target functions compiled by `function` run on (TG_TARGET_*).
int tgFunctionTarget(const TgFunction *function);

/// A buffer for a tensor of the given dtype and shape on `target`'s device
/// (TG_TARGET_GPU or TG_TARGET_GPU_EMULATED); its contents are undefined.
/// NULL with `*error` set when the device is unavailable or out of memory.
TgDeviceBuffer *tgDeviceBufferCreate(int target, TgDType dtype, int64_t rank,
                                     const int64_t *shape, TgError **error);
/// Frees the buffer (NULL is ignored). Work that uses it must be finished.
void tgDeviceBufferDestroy(TgDeviceBuffer *buffer);
/// Its type (valid as long as the buffer), target and size in bytes.
TgTensorType tgDeviceBufferType(const TgDeviceBuffer *buffer);
int tgDeviceBufferTarget(const TgDeviceBuffer *buffer);
size_t tgDeviceBufferBytes(const TgDeviceBuffer *buffer);

/// Copies `bytes` bytes (exactly tgDeviceBufferBytes) between host memory
/// and the buffer. With a stream the copy is queued on it and the host
/// memory must stay valid (and, copying out, unread) until the stream is
/// synchronized; with NULL it is done when the call returns. Returns 0, or
/// non-zero with `*error` set.
int tgDeviceBufferCopyFromHost(TgDeviceBuffer *buffer, const void *data,
                               size_t bytes, TgStream *stream,
                               TgError **error);
int tgDeviceBufferCopyToHost(const TgDeviceBuffer *buffer, void *data,
                             size_t bytes, TgStream *stream, TgError **error);

/// A stream of `target`'s device; NULL with `*error` set on failure.
TgStream *tgStreamCreate(int target, TgError **error);
/// Waits until the work queued on `stream` is done: 0, or non-zero with
/// `*error` set.
int tgStreamSynchronize(TgStream *stream, TgError **error);
void tgStreamDestroy(TgStream *stream);

/// Runs `function` (compiled for TG_TARGET_GPU or TG_TARGET_GPU_EMULATED)
/// on device buffers, without copies through the host, except for the
/// arguments its host code reads (below). The arguments are
/// read and the results, caller-created buffers of the result types, are
/// written. A result buffer may not also be an argument or another result.
/// The kernels are queued on `stream` after the work already on it (NULL:
/// synchronous); the call returns when the results are computed, with the
/// stream idle. Arguments the compiled host code reads itself (the scalar
/// condition of a loop or a branch) are staged through managed memory.
/// Returns 0, or non-zero with `*error` set.
int tgFunctionRunDevice(const TgFunction *function,
                        TgDeviceBuffer *const *args, int64_t numArgs,
                        TgDeviceBuffer *const *results, int64_t numResults,
                        TgStream *stream, TgError **error);

/// The plan of a function's intermediate buffers (-tg-plan-memory): one
/// arena per call.
typedef struct TgMemoryPlan {
  /// Bytes of the arena allocated at each call.
  int64_t arenaBytes;
  /// The largest sum of bytes of buffers live at one point: no plan of
  /// these buffers can use less.
  int64_t lowerBoundBytes;
  /// What the planned buffers would take allocated one by one.
  int64_t separateBytes;
  /// How many buffers the arena holds.
  int64_t buffers;
  /// Bytes of static intermediate buffers left with an allocation of their
  /// own (inside parallel loops, or escaping their block).
  int64_t unplannedBytes;
} TgMemoryPlan;

/// Fills `*plan` for `function` and returns 0; returns non-zero when the
/// function has no plan (compiled for the GPU, or from LLVM-dialect input
/// lowered without -tg-plan-memory).
int tgFunctionMemoryPlan(const TgFunction *function, TgMemoryPlan *plan);

/// The result of checking one differentiated argument.
typedef struct TgGradientCheck {
  /// The argument's index in the entry point's argument list.
  int64_t entryArgument;
  /// max_j |analytic_j - numeric_j| / max(max_j |numeric_j|, 1e-2).
  double maxRelativeError;
} TgGradientCheck;

/// Checks the gradients computed by the tg.grad in entry `entry` of the
/// module at `path`: the tg.grad's operands must be entry arguments. The
/// analytic gradients (the compiled gradient code, at the arguments' own
/// precision) are compared with central finite differences of the
/// differentiated function compiled in f64 (the sum of its result, as
/// tg.grad differentiates). Fills `checks` (one per wrt index, at most
/// `maxChecks`) and `*numChecks`; returns 0, or non-zero with `*error`.
int tgCheckGradients(const char *path, const char *entry, const TgTensor *args,
                     int64_t numArgs, TgGradientCheck *checks,
                     int64_t maxChecks, int64_t *numChecks, TgError **error);

/*===--------------------------------------------------------------------===*\
|* Profiling (tg-run --profile, tg.profiler.trace)                           *|
\*===--------------------------------------------------------------------===*/

/// Starts recording, dropping what was recorded before: every call of
/// tgFunctionRun, and every kernel of executables compiled with `profile`.
void tgProfilerStart(void);
/// Stops recording; what was recorded stays until the next start.
void tgProfilerStop(void);
/// Writes what was recorded as a Chrome trace / Perfetto JSON file: one
/// event per call and per kernel, with the kernel's tg ops, their source
/// lines, FLOP and byte estimates and the share of the machine's peak.
/// The file appears whole or not at all. Returns 0, or non-zero with
/// `*error` set.
int tgProfilerWriteTrace(const char *path, TgError **error);
/// The recorded kernels as a table (calls, time, % of the total, rates,
/// source lines), one line per kernel. Free it with tgStringDestroy.
char *tgProfilerSummary(void);
/// Whether `path` can be written (an existing directory, permissions):
/// 0, or non-zero with `*error` saying why not. Creates nothing.
int tgProfilerCheckPath(const char *path, TgError **error);

/// Draws the graph of a module (MLIR text) at `stage`: "tg" (as written),
/// "optimized" (differentiated and optimized) or "fused" (its ops grouped
/// into the kernels they are fused into), as Graphviz DOT (`format` "dot")
/// or SVG ("svg", through Graphviz's dot program). Returns a string to free
/// with tgStringDestroy, or NULL with `*error` set.
char *tgDrawGraph(const char *source, size_t length, const char *bufferName,
                  const char *stage, const char *format, TgError **error);

void tgStringDestroy(char *string);

/*===--------------------------------------------------------------------===*\
|* Distribution (tg.all_reduce over MPI)                                     *|
\*===--------------------------------------------------------------------===*/

/// This process's index in the job and the job's number of processes: 0
/// and 1 outside an MPI job (one started by mpirun). The first call in a
/// job initializes MPI (finalized at exit); so does the first collective.
int tgDistributedRank(void);
int tgDistributedSize(void);
/// Ends the whole job (MPI_Abort) with `status`, or this process outside
/// a job: for a process that fails while the others may wait for it in a
/// collective (Python's tg.distribute does it on an uncaught exception).
void tgDistributedAbort(int status);

/*===--------------------------------------------------------------------===*\
|* The compile cache and deployment (spec section 7)                         *|
\*===--------------------------------------------------------------------===*/

/// The persistent compile cache: compiled CPU code on disk in
/// $TG_CACHE_DIR (default $XDG_CACHE_HOME/tg, else ~/.cache/tg), keyed by
/// the module, the options, the target CPU and the builds of tg and LLVM.
/// TG_CACHE=0 turns it off; TG_CACHE_MAX_BYTES caps its size (default
/// 1 GiB, least recently used entries go first).
typedef struct TgCacheInfo {
  /// Non-zero when the cache is on.
  int enabled;
  /// This process: compilations found in the cache, and not found.
  int64_t hits;
  int64_t misses;
  /// This process: modules compiled (misses, and compilations the cache
  /// does not hold: GPU code, profiled code, TG_CACHE=0).
  int64_t compilations;
  /// This process: entries that could not be stored (an unwritable or
  /// full directory); the code ran all the same.
  int64_t storeFailures;
  /// On disk now: entries and their bytes, and the cap.
  int64_t entries;
  int64_t bytes;
  int64_t maxBytes;
  /// The cache's directory.
  char directory[4096];
} TgCacheInfo;
void tgCacheInfo(TgCacheInfo *info);

/// What tgExport compiles, and for which CPU.
typedef struct TgExportOptions {
  /// The public function to export; NULL means "main".
  const char *entry;
  /// The C symbol; NULL means the entry's name ("main" is refused: it is
  /// the C program's own).
  const char *symbol;
  /// The target CPU, as clang's -march spells it ("x86-64-v3",
  /// "skylake-avx512", "znver4", ... or "native" for this machine's); NULL
  /// means "x86-64-v3" (AVX2 and FMA: x86-64 CPUs from 2013 on).
  const char *cpu;
  /// Threads of each call, 1 to 256: the caller's and threads - 1 that
  /// each call starts and joins (the object then links with -lpthread).
  int threads;
  /// Run -tg-optimize before lowering (non-zero: yes).
  int optimize;
  /// Optional names of the arguments and results (NULL, or one string
  /// per argument/result): documented in the header and the signature.
  const char *const *argNames;
  const char *const *resultNames;
  /// Optional JSON stored under "extra" in signature.json (Python's
  /// description of the function: Variables, output structure).
  const char *extraJSON;
} TgExportOptions;

/// Default options: entry "main", CPU x86-64-v3, one thread, optimize.
TgExportOptions tgDefaultExportOptions(void);

/// Where tgExport writes; each NULL path is not written.
typedef struct TgExportPaths {
  /// The object file: `int SYMBOL(const T *arg0, ..., T *result0, ...)`.
  const char *object;
  /// The C header declaring it, with each buffer's element count.
  const char *header;
  /// The module as written (before lowering), as MLIR bytecode.
  const char *bytecode;
  /// signature.json: the entry's tensors, the CPU, and a checksum of each
  /// file written; with it, the directory is a saved model.
  const char *signature;
} TgExportPaths;

/// Compiles the entry point of `source` ahead of time for the CPU of
/// `options` and writes the files of `paths`, all of them or none. The
/// object links with libc and libm only. Returns 0, or non-zero with
/// `*error` set.
int tgExport(const char *source, size_t length, const char *bufferName,
             const TgExportOptions *options, const TgExportPaths *paths,
             TgError **error);

/// Loads the saved model in `directory` (signature.json and the files it
/// lists, checksums verified) into an executable with one entry point,
/// named after its C symbol, without compiling anything. NULL with
/// `*error` set for a missing or altered file, or an object this CPU
/// cannot run.
TgExecutable *tgLoadSavedModel(const char *directory, TgError **error);

/// The signature.json of a loaded saved model, as the loader read and
/// verified it (against the description inside the object): read it from
/// here, not from the file, which may have changed since. NULL for an
/// executable that was compiled.
const char *tgExecutableSavedSignature(const TgExecutable *executable);

#ifdef __cplusplus
}
#endif

#endif /* TG_C_RUNTIME_H */
