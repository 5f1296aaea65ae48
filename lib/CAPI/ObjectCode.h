//===- ObjectCode.h - Lowered modules as object files ----------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Every compiled module goes through an object file: the JIT loads one it
// has just emitted or found in the compile cache (CompileCache.cpp), and
// export (SavedModel.cpp) writes one that a C program links. One emitter, so
// that the three run the same machine code for the same target CPU.
//
//===----------------------------------------------------------------------===//

#ifndef TG_LIB_CAPI_OBJECTCODE_H
#define TG_LIB_CAPI_OBJECTCODE_H

#include "TensorABI.h"
#include "tg/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm::orc {
class LLJIT;
} // namespace llvm::orc

namespace tgcapi {

/// An entry point: the lowered function `name` (memref descriptors
/// expanded, results as out-parameters after the arguments).
struct EntryABI {
  std::string name;
  std::vector<TensorABI> args, results;
};

/// The symbol through which tg calls entry `name`:
/// `int32_t sym(void **buffers)`, one data pointer per argument then per
/// result, every buffer C-contiguous.
std::string packedSymbol(llvm::StringRef name);

/// A target machine for `cpu` (empty or "native": this machine's CPU with
/// its features), position-independent code, -O2 code generation. Null with
/// `error` set for a CPU LLVM does not know.
std::unique_ptr<llvm::TargetMachine> createTargetMachine(llvm::StringRef cpu,
                                                         std::string &error);

/// The widest vector ISA `tm` has: the shape of the matmul micro-kernels
/// (-tg-cpu-pipeline's vector-isa).
mlir::tg::VectorISA vectorISAOf(const llvm::TargetMachine &tm);

/// The features code for `tm` may use, as LLVM spells them ("+avx2,+fma,
/// ..."): for a named CPU, those of its definition (its TargetMachine's own
/// feature string is empty then).
std::string targetFeatures(const llvm::TargetMachine &tm);

/// The features of `features` (targetFeatures) this machine lacks,
/// comma-separated: empty when it can run the code. Features this
/// machine's CPU detection does not know of (tuning flags) are not
/// instruction sets and are not counted.
std::string featuresMissingHere(llvm::StringRef features);

/// What export adds to the object: the C function `symbol` with one pointer
/// per argument and result, every other symbol internal; with `threads` >
/// 1, the thread runtime of ExportRuntime.c, which each call starts a team
/// of that many threads with.
struct ExportABI {
  std::string symbol;
  int threads = 1;
  /// Stored in the object's section kDescriptionSection (saved models'
  /// signature.json without the files' checksums); none when empty.
  std::string description;
};

/// The section of an exported object that holds its description.
constexpr const char *kDescriptionSection = ".tg.description";

/// The description export stored in `object`, or nullopt.
std::optional<std::string> readDescription(llvm::MemoryBufferRef object);

/// Translates `lowered` (LLVM dialect) to LLVM IR, adds the packed entry of
/// each of `entries` (and the C function of `exportABI`), turns global
/// constructors and destructors into `__tg_init`/`__tg_fini` (object files
/// loaded by the JIT have no platform running them), optimizes at -O2 and
/// emits an object file for `tm`.
llvm::Expected<llvm::SmallVector<char, 0>>
emitObject(mlir::ModuleOp lowered, llvm::ArrayRef<EntryABI> entries,
           llvm::TargetMachine &tm, const ExportABI *exportABI = nullptr);

/// An object file linked into this process by LLVM's ORC JIT; runs
/// `__tg_fini` when destroyed.
class LoadedObject {
public:
  ~LoadedObject();
  /// The address of `symbol`, or null.
  void *lookup(llvm::StringRef symbol);
  /// The address of `symbol`, or why it cannot be had (a symbol the object
  /// needs that nothing defines).
  llvm::Expected<void *> lookupOrError(llvm::StringRef symbol);

private:
  friend llvm::Expected<std::unique_ptr<LoadedObject>>
  loadObject(std::unique_ptr<llvm::MemoryBuffer>, bool, bool);
  /// What the JIT reported while linking (a symbol nothing defines).
  /// Before `jit`: the JIT reports to it while it is destroyed.
  std::string linkErrors;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  void (*fini)() = nullptr;
};

/// Links `object` into this process: its calls go to the profiler,
/// collectives, libc, libm and (with `openmp`) LLVM's OpenMP runtime, and
/// with `checkedAllocation` its malloc and friends to tg's, which end the
/// run with an error when they fail (a longjmp to tgFunctionRun: not for
/// code that must unwind its own state, like the thread runtime of
/// exported objects). Runs its `__tg_init`. An error if it needs a symbol
/// nothing defines.
llvm::Expected<std::unique_ptr<LoadedObject>>
loadObject(std::unique_ptr<llvm::MemoryBuffer> object, bool openmp,
           bool checkedAllocation = true);

/// The directory of LLVM's libraries in this process (where libMLIR.so was
/// loaded from), for the OpenMP runtime: found at run time, so that the
/// installed tg works wherever it is moved.
std::string llvmLibraryDir();

} // namespace tgcapi

#endif // TG_LIB_CAPI_OBJECTCODE_H
