//===- Internal.h - Shared pieces of the C API implementation ---*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// What Runtime.cpp and GradientCheck.cpp share: the error object and the
// context set-up.
//
//===----------------------------------------------------------------------===//

#ifndef TG_LIB_CAPI_INTERNAL_H
#define TG_LIB_CAPI_INTERNAL_H

#include "tg-c/Runtime.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/ExecutionEngine/Orc/CoreContainers.h"
#include "ObjectCode.h"
#include "TensorABI.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"

#include <memory>
#include <optional>

#include <string>
#include <vector>

struct TgError {
  std::string message;
};

struct TgFunction {
  std::string name;
  /// The name profiles record its calls under.
  std::string profileName;
  /// Runs on the GPU: arguments and results go through managed memory.
  bool gpu = false;
  /// TG_TARGET_CPU, TG_TARGET_GPU or TG_TARGET_GPU_EMULATED.
  int target = TG_TARGET_CPU;
  /// The packed entry's buffers (arguments, then results) that the host
  /// code touches itself (-tg-gpu-mark-host-accessed-args): device buffers
  /// passed there are staged through managed memory.
  std::vector<bool> hostAccessed;
  std::vector<tgcapi::TensorABI> args, results;
  /// Why this public function cannot be called, or empty.
  std::string unusable;
  /// tgcapi::packedSymbol: the data pointers of the arguments, then of
  /// the results.
  int32_t (*packed)(void **) = nullptr;
  /// From the function's tg.memory_plan attribute (-tg-plan-memory).
  std::optional<TgMemoryPlan> memoryPlan;
};

struct TgExecutable {
  std::unique_ptr<tgcapi::LoadedObject> code;
  /// Every public function of the source, for error messages.
  std::vector<std::string> publicNames;
  llvm::StringMap<std::unique_ptr<TgFunction>> functions;
  /// A saved model's signature.json, as tgLoadSavedModel verified it.
  std::string savedSignature;
};

namespace mlir {
class Attribute;
}

namespace tgcapi {
/// What each C API entry point that reads a module sets up: a context with
/// the compiler's dialects, one diagnostic per problem (no IR dumped), and
/// diagnostics with their source lines appended to `diagnostics`.
class CompilerSession {
public:
  explicit CompilerSession(std::string &diagnostics);
  mlir::MLIRContext &context() { return ctx; }
  /// Parses `buffer` (tensor sizes checked); null on failure, the
  /// diagnostics saying why.
  mlir::OwningOpRef<mlir::ModuleOp>
  parse(std::unique_ptr<llvm::MemoryBuffer> buffer);

private:
  static mlir::DialectRegistry makeRegistry();
  mlir::MLIRContext ctx;
  llvm::raw_string_ostream stream;
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler;
};

/// Stores a new error with `message` in `*error` (if error is non-null).
void setError(TgError **error, std::string message);
/// The dialects, extensions and LLVM translations every compilation needs.
void registerCompilerDialects(mlir::DialectRegistry &registry);

// The profiler (Profiler.cpp).
/// The first id of a module's kernels, unique in the process.
int64_t reserveKernelIds();
/// Describes the kernels of a module's tg.kernels attribute.
/// `displayName`, if not empty, replaces the name of function `entry` in
/// them.
void registerKernels(mlir::Attribute table, bool gpu, int threads,
                     const std::string &entry, const std::string &displayName);
/// tg_profile_begin and tg_profile_end, for the JIT.
llvm::orc::SymbolMap profilerSymbols(llvm::orc::MangleAndInterner interner);
/// Non-zero while recording: the recording's number.
uint64_t profilerRecording();
uint64_t profilerNow();
/// Records a call of `function` that began at `startNs` during recording
/// `recording` and ends now (if that recording still goes on).
void recordCall(const std::string &function, uint64_t startNs,
                uint64_t recording);
/// Forgets this thread's kernels begun in a run that was abandoned (a
/// failed allocation longjmps out of compiled code).
void profilerAbandonRun();
// Collectives (Distributed.cpp).
/// tg_all_reduce_*, tg_broadcast_*, tg_process_rank, for the JIT.
llvm::orc::SymbolMap distributedSymbols(llvm::orc::MangleAndInterner interner);
int jobRank();
int jobSize();
/// Ends the tgFunctionRun running compiled code on this thread with the
/// error set before (from a runtime function the code called): a
/// longjmp, which skips the caller's destructors, so the message is handed
/// over first, in a statement of its own.
void setRunFailure(std::string message);
[[noreturn]] void abandonRun();
/// "tensor<2x3xf32>": how errors spell a tensor type.
std::string typeString(TgDType dtype, llvm::ArrayRef<int64_t> shape);
/// Why a call of `fn` with these arrays (of arguments and results) cannot
/// be made: wrong counts, or a null array with a count; empty if it can.
std::string checkCallArrays(const TgFunction &fn, int64_t numArgs,
                            const void *args, int64_t numResults,
                            const void *results);
/// Calls `fn`'s packed entry on `buffers` (arguments, then results),
/// recording the call for the profiler. False, with `*error` set, when the
/// run failed (an allocation, or a runtime function through abandonRun).
bool invokeEntry(const TgFunction *fn, void **buffers, TgError **error);
/// Waits for the GPU's kernels when this process compiled any (the
/// runtime then reads and writes their managed buffers from the host).
void synchronizeDevice();

/// Adds `fn` to `symbols` as the definition of `name` for JIT-linked code.
template <typename Fn>
void defineSymbol(llvm::orc::SymbolMap &symbols,
                  llvm::orc::MangleAndInterner &interner, const char *name,
                  Fn *fn) {
  symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn),
                             llvm::JITSymbolFlags::Exported};
}

/// malloc, calloc and aligned_alloc that report failure to the
/// tgFunctionRun running the code, and memrefCopy, for the JIT.
llvm::orc::SymbolMap allocationSymbols(llvm::orc::MangleAndInterner interner);

/// Fills `args` and `results` from the tensor types of an entry point's
/// signature; empty, or why it cannot be an entry point.
std::string describeSignature(mlir::FunctionType type,
                              std::vector<TensorABI> &args,
                              std::vector<TensorABI> &results);

/// The SHA-256 of `data` in lower-case hex (cache entries, saved models).
std::string sha256Hex(llvm::StringRef data);

/// The format of saved models' signature.json that this tg writes and
/// reads.
constexpr int64_t kSavedModelFormat = 1;

/// A copy of `text` that tgStringDestroy frees.
char *copyString(const std::string &text);
} // namespace tgcapi

#endif // TG_LIB_CAPI_INTERNAL_H
