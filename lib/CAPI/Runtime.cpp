//===- Runtime.cpp - The tg C API: compile and run ------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Compiles a module with the tg CPU pipeline into an object file that
// ObjectCode.cpp loads, and calls its entry points through their packed
// wrappers. The pipeline turns
// results into out-parameters, so every buffer crossing the boundary belongs
// to the caller and nothing is freed here but the executable itself.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "CompileCache.h"
#include "ObjectCode.h"
#include "tg/Dialect/Tg/IR/TgDialect.h"
#include "tg/Dialect/Tg/IR/TgOps.h"
#include "tg/Pipelines/Pipelines.h"
#include "tg/Support/InputLimits.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SHA256.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <atomic>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

using namespace mlir;

using tgcapi::TensorABI;

static TgTensorType view(const TensorABI &t) {
  return {t.dtype, static_cast<int64_t>(t.shape.size()), t.shape.data()};
}

#ifdef TG_HAS_CUDA_RUNTIME
// From libtg_cuda_runtime (lib/Runtime/CudaRuntime.cpp).
extern "C" {
int tgCudaInitialize(char *message, size_t size);
void tgCudaSynchronize();
void tgCudaSetFailureHandler(void (*handler)(const char *message));
void *mgpuMemAlloc(uint64_t size, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
}
#endif

/// The memory plan -tg-plan-memory recorded on `func`, if any.
static std::optional<TgMemoryPlan> readMemoryPlan(Operation *func) {
  auto plan = func->getAttrOfType<DictionaryAttr>("tg.memory_plan");
  if (!plan)
    return std::nullopt;
  auto get = [&](StringRef name) -> int64_t {
    auto v = plan.getAs<IntegerAttr>(name);
    return v ? v.getInt() : 0;
  };
  return TgMemoryPlan{get("arena_bytes"), get("lower_bound_bytes"),
                      get("separate_bytes"), get("buffers"),
                      get("unplanned_bytes")};
}

std::string tgcapi::sha256Hex(llvm::StringRef data) {
  llvm::SHA256 hash;
  hash.update(data);
  return llvm::toHex(hash.final(), /*LowerCase=*/true);
}

char *tgcapi::copyString(const std::string &text) {
  char *copy = static_cast<char *>(std::malloc(text.size() + 1));
  if (copy)
    std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

void tgcapi::setError(TgError **error, std::string message) {
  if (error)
    *error = new TgError{std::move(message)};
}

void tgcapi::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<tg::TgDialect>();
  tg::registerLinearLoopBufferization(registry);
}

DialectRegistry tgcapi::CompilerSession::makeRegistry() {
  DialectRegistry registry;
  registerCompilerDialects(registry);
  return registry;
}

tgcapi::CompilerSession::CompilerSession(std::string &diagnostics)
    : ctx(makeRegistry()), stream(diagnostics),
      handler(sourceMgr, &ctx, stream) {
  // One diagnostic per problem: no "see current operation" note dumping IR.
  ctx.printOpOnDiagnostic(false);
}

OwningOpRef<ModuleOp>
tgcapi::CompilerSession::parse(std::unique_ptr<llvm::MemoryBuffer> buffer) {
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &ctx);
  // tg ops check their tensors' sizes; values of other dialects (function
  // signatures, linalg-level input) are checked here.
  if (module && failed(tg::verifyAllTensorSizes(*module)))
    return nullptr;
  return module;
}

using tgcapi::setError;

extern "C" {

size_t tgDTypeSize(TgDType dtype) {
  switch (dtype) {
  case TG_DTYPE_F32: case TG_DTYPE_I32: return 4;
  case TG_DTYPE_F64: case TG_DTYPE_I64: return 8;
  case TG_DTYPE_F16: case TG_DTYPE_BF16: return 2;
  case TG_DTYPE_I1: return 1;
  }
  return 0;
}

const char *tgDTypeName(TgDType dtype) {
  switch (dtype) {
  case TG_DTYPE_F32: return "f32";
  case TG_DTYPE_F64: return "f64";
  case TG_DTYPE_F16: return "f16";
  case TG_DTYPE_BF16: return "bf16";
  case TG_DTYPE_I1: return "i1";
  case TG_DTYPE_I32: return "i32";
  case TG_DTYPE_I64: return "i64";
  }
  return "?";
}

const char *tgErrorMessage(const TgError *error) {
  return error ? error->message.c_str() : "";
}
void tgErrorDestroy(TgError *error) { delete error; }

TgCompileOptions tgDefaultCompileOptions(void) {
  TgCompileOptions options{};
  options.optimize = 1;
  return options;
}

} // extern "C"

//===----------------------------------------------------------------------===//
// Allocation in compiled code
//===----------------------------------------------------------------------===//

// Compiled code allocates its intermediates with malloc and never checks the
// result: a tensor within tg's size limit that this machine cannot hold made
// it write through a null pointer. The JIT links these instead: a failed
// allocation returns to the tgFunctionRun on the same thread, which reports
// it; on any other thread (an OpenMP worker) it is reported and the process
// exits with status 1.
// Runtime functions the code calls fail the same way (tgcapi::abandonRun).
namespace {
thread_local std::jmp_buf *allocationFailureTarget = nullptr;
thread_local size_t failedAllocationBytes = 0;
/// Set by setRunFailure: the error of the run (empty: an allocation failed).
thread_local std::string runFailure;
} // namespace

[[noreturn]] static void allocationFailed(size_t bytes) {
  if (std::jmp_buf *target = allocationFailureTarget) {
    failedAllocationBytes = bytes;
    runFailure.clear();
    std::longjmp(*target, 1);
  }
  std::fprintf(stderr,
               "error: out of memory: compiled code could not allocate %zu "
               "bytes\n",
               bytes);
  std::_Exit(1);
}

/// Whether this process compiled GPU code (whose kernels run
/// asynchronously to the host code that calls the runtime).
static std::atomic<bool> gpuCodeCompiled{false};

void tgcapi::synchronizeDevice() {
#ifdef TG_HAS_CUDA_RUNTIME
  if (gpuCodeCompiled.load(std::memory_order_relaxed))
    tgCudaSynchronize();
#endif
}

#ifdef TG_HAS_CUDA_RUNTIME
/// A failed GPU allocation in compiled code ends the run with its message;
/// outside a run (the C API's own allocations, which check) it returns.
static void gpuAllocationFailed(const char *message) {
  if (!allocationFailureTarget)
    return;
  tgcapi::setRunFailure(message);
  tgcapi::abandonRun();
}
#endif

void tgcapi::setRunFailure(std::string message) {
  runFailure = std::move(message);
}

[[noreturn]] void tgcapi::abandonRun() {
  if (std::jmp_buf *target = allocationFailureTarget)
    std::longjmp(*target, 1);
  std::fprintf(stderr, "error: %s\n", runFailure.c_str());
  std::_Exit(1);
}

static void *checkedMalloc(size_t bytes) {
  void *p = std::malloc(bytes);
  if (!p && bytes)
    allocationFailed(bytes);
  return p;
}

static void *checkedCalloc(size_t count, size_t size) {
  void *p = std::calloc(count, size);
  if (!p && count && size)
    allocationFailed(count * size);
  return p;
}

static void *checkedAlignedAlloc(size_t alignment, size_t bytes) {
  void *p = std::aligned_alloc(alignment, bytes);
  if (!p && bytes)
    allocationFailed(bytes);
  return p;
}

// Strided copies that -tg-strided-copies-to-loops leaves (from MLIR's C
// runner utilities, which this library links).
extern "C" void memrefCopy(int64_t elementSize, void *source, void *target);

llvm::orc::SymbolMap
tgcapi::allocationSymbols(llvm::orc::MangleAndInterner interner) {
  llvm::orc::SymbolMap symbols;
  auto define = [&](const char *name, auto *fn) {
    defineSymbol(symbols, interner, name, fn);
  };
  define("malloc", &checkedMalloc);
  define("calloc", &checkedCalloc);
  define("aligned_alloc", &checkedAlignedAlloc);
  define("memrefCopy", &memrefCopy);
  return symbols;
}

//===----------------------------------------------------------------------===//
// Compilation
//===----------------------------------------------------------------------===//

static std::optional<TgDType> toDType(Type t) {
  if (t.isF32()) return TG_DTYPE_F32;
  if (t.isF64()) return TG_DTYPE_F64;
  if (t.isF16()) return TG_DTYPE_F16;
  if (t.isBF16()) return TG_DTYPE_BF16;
  if (t.isInteger(1)) return TG_DTYPE_I1;
  if (t.isInteger(32)) return TG_DTYPE_I32;
  if (t.isInteger(64)) return TG_DTYPE_I64;
  return std::nullopt;
}

std::string tgcapi::describeSignature(FunctionType type,
                                      std::vector<TensorABI> &args,
                                      std::vector<TensorABI> &results) {
  std::string unusable;
  auto convert = [&](TypeRange types, std::vector<TensorABI> &out,
                     const char *what) {
    for (auto [i, t] : llvm::enumerate(types)) {
      auto tensor = dyn_cast<RankedTensorType>(t);
      std::optional<TgDType> dtype =
          tensor ? toDType(tensor.getElementType()) : std::nullopt;
      if (!tensor || !tensor.hasStaticShape() || !dtype) {
        llvm::raw_string_ostream os(unusable);
        os << what << " #" << i << " has type " << t
           << "; entry points take and return statically shaped tensors of "
              "f32, f64, f16, bf16, i1, i32 or i64";
        return;
      }
      out.push_back({*dtype, std::vector<int64_t>(tensor.getShape().begin(),
                                                  tensor.getShape().end())});
    }
  };
  convert(type.getInputs(), args, "argument");
  if (unusable.empty())
    convert(type.getResults(), results, "result");
  return unusable;
}

/// Fills `fn` from a tensor-level function type, or says why it cannot be
/// an entry point.
static void describeSignature(TgFunction &fn, FunctionType type) {
  fn.unusable = tgcapi::describeSignature(type, fn.args, fn.results);
}

static bool isLLVMDialectModule(ModuleOp module) {
  bool onlyLLVM = true;
  module.getBody()->walk([&](Operation *op) {
    // OpenMP regions stay omp ops until translation to LLVM IR.
    if (!isa<LLVM::LLVMDialect, omp::OpenMPDialect>(op->getDialect()))
      onlyLLVM = false;
  });
  return onlyLLVM;
}

/// What loading the object needs besides it (stored next to it in the
/// compile cache): the memory plan of each entry point of the lowered
/// `module` and whether the code runs OpenMP loops. (The entry points
/// themselves come from the module, whose text is in the key.)
static std::string describeCompiled(ModuleOp module,
                                    const TgExecutable &executable,
                                    bool openmp) {
  llvm::json::Object plans;
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    if (executable.functions.count(func.getName()))
      if (std::optional<TgMemoryPlan> plan = readMemoryPlan(func))
        plans[func.getName()] = llvm::json::Array{
            plan->arenaBytes, plan->lowerBoundBytes, plan->separateBytes,
            plan->buffers, plan->unplannedBytes};
  std::string text;
  llvm::raw_string_ostream(text) << llvm::json::Value(llvm::json::Object{
      {"openmp", openmp}, {"memory_plans", std::move(plans)}});
  return text;
}

/// Loads the object of `compiled` into `executable` and finds its entry
/// points. False (with `*error` set, if given) when it cannot be loaded: a
/// cache entry that fails so is compiled again.
static bool loadCompiled(TgExecutable &executable,
                         const tgcapi::CacheEntry &compiled,
                         const TgCompileOptions &opts,
                         TgError **error = nullptr) {
  auto metadata = llvm::json::parse(compiled.metadata);
  const llvm::json::Object *root = metadata ? metadata->getAsObject() : nullptr;
  if (!root) {
    if (!metadata)
      llvm::consumeError(metadata.takeError());
    setError(error, "error: the compiled code's description is corrupt\n");
    return false;
  }
  auto code = tgcapi::loadObject(
      llvm::MemoryBuffer::getMemBufferCopy(compiled.object, "tg-object"),
      root->getBoolean("openmp").value_or(true));
  if (!code) {
    setError(error, "error: loading the compiled code failed: " +
                        llvm::toString(code.takeError()) + "\n");
    return false;
  }
  // Every entry found before anything is changed: a cache entry that fails
  // here leaves the executable as it was, to be compiled instead.
  llvm::StringMap<void *> packed;
  for (auto &entry : executable.functions) {
    if (!entry.second->unusable.empty())
      continue;
    auto address =
        (*code)->lookupOrError(tgcapi::packedSymbol(entry.second->name));
    if (!address) {
      setError(error, "error: loading the compiled code failed: " +
                          llvm::toString(address.takeError()) + "\n");
      return false;
    }
    packed[entry.first()] = *address;
  }
  executable.code = std::move(*code);
  const llvm::json::Object *plans = root->getObject("memory_plans");
  for (auto &entry : executable.functions) {
    TgFunction &fn = *entry.second;
    if (const llvm::json::Array *plan =
            plans ? plans->getArray(entry.first()) : nullptr;
        plan && plan->size() == 5) {
      int64_t v[5];
      for (int i = 0; i < 5; ++i)
        v[i] = (*plan)[i].getAsInteger().value_or(0);
      fn.memoryPlan = TgMemoryPlan{v[0], v[1], v[2], v[3], v[4]};
    }
    if (!fn.unusable.empty())
      continue;
    fn.packed = reinterpret_cast<int32_t (*)(void **)>(packed[entry.first()]);
    // The display name stands for the one entry point compiled.
    if (opts.profileName && opts.entry)
      fn.profileName = opts.profileName;
  }
  return true;
}

static TgExecutable *compileHere(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                 const TgCompileOptions *options,
                                 std::string &diagnostics, TgError **error) {
  TgCompileOptions opts = options ? *options : tgDefaultCompileOptions();
  // The pipelines are built from create...Pass calls: no pass registry is
  // needed, only the dialects and translations the session registers.
  tgcapi::CompilerSession session(diagnostics);
  MLIRContext &context = session.context();
  OwningOpRef<ModuleOp> module = session.parse(std::move(buffer));
  if (!module) {
    setError(error, diagnostics);
    return nullptr;
  }

  if (opts.target != TG_TARGET_CPU && opts.target != TG_TARGET_GPU &&
      opts.target != TG_TARGET_GPU_EMULATED) {
    setError(error, "error: unknown target " + std::to_string(opts.target) +
                        " (TG_TARGET_CPU, TG_TARGET_GPU or "
                        "TG_TARGET_GPU_EMULATED)\n");
    return nullptr;
  }
  if (opts.target == TG_TARGET_GPU) {
#ifdef TG_HAS_CUDA_RUNTIME
    char reason[512];
    if (tgCudaInitialize(reason, sizeof(reason))) {
      setError(error, std::string("error: the GPU target is unavailable: ") +
                          reason + "\n");
      return nullptr;
    }
#else
    setError(error, "error: this tg was built without the GPU runtime (the "
                    "CUDA toolkit's cuda.h was not found)\n");
    return nullptr;
#endif
  }
  std::string targetError;
  std::unique_ptr<llvm::TargetMachine> tm =
      tgcapi::createTargetMachine(opts.cpu ? opts.cpu : "", targetError);
  if (!tm) {
    setError(error, "error: cannot create a target machine: " + targetError +
                        "\n");
    return nullptr;
  }
  // Code this machine cannot run would die of an illegal instruction.
  std::string features = tgcapi::targetFeatures(*tm);
  if (std::string lacking = tgcapi::featuresMissingHere(features);
      !lacking.empty()) {
    setError(error, "error: this machine cannot run code for the CPU '" +
                        tm->getTargetCPU().str() + "': it lacks " + lacking +
                        "\n");
    return nullptr;
  }
  tg::VectorISA vectorISA = tgcapi::vectorISAOf(*tm);
  auto executable = std::make_unique<TgExecutable>();
  bool lowered = isLLVMDialectModule(*module);
  if (lowered) {
    // Already lowered: entry points carry their tensor signature.
    for (auto func : module->getOps<LLVM::LLVMFuncOp>()) {
      if (func.isExternal() || func.getName().starts_with("_mlir_ciface_"))
        continue;
      auto fn = std::make_unique<TgFunction>();
      fn->name = func.getName().str();
      executable->publicNames.push_back(fn->name);
      auto signature = func->getAttrOfType<TypeAttr>("tg.signature");
      auto type = signature ? dyn_cast<FunctionType>(signature.getValue())
                            : FunctionType();
      if (!type || !func->hasAttr("llvm.emit_c_interface"))
        fn->unusable = "this LLVM-dialect function lacks the 'tg.signature' "
                       "and 'llvm.emit_c_interface' attributes that "
                       "-tg-cpu-pipeline records; lower it with tg-opt "
                       "-tg-cpu-pipeline";
      else
        describeSignature(*fn, type);
      executable->functions[fn->name] = std::move(fn);
    }
  } else {
    for (auto func : module->getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      executable->publicNames.push_back(func.getName().str());
      if (opts.entry && func.getName() != opts.entry) {
        func.setPrivate();
        continue;
      }
      auto fn = std::make_unique<TgFunction>();
      fn->name = func.getName().str();
      describeSignature(*fn, func.getFunctionType());
      executable->functions[fn->name] = std::move(fn);
    }
  }

  // The persistent cache holds CPU code that does not time itself (kernel
  // ids of profiles are numbered per process).
  bool cached = tgcapi::cacheEnabled() && opts.target == TG_TARGET_CPU &&
                !opts.profile && !opts.dumpLLVMDialect;
  std::string key;
  if (cached) {
    std::string text, options;
    llvm::raw_string_ostream os(text);
    module->print(os, OpPrintingFlags().enableDebugInfo().printGenericOpForm());
    llvm::raw_string_ostream(options)
        << "optimize=" << opts.optimize << " threads=" << opts.threads
        << " isa=" << static_cast<int>(vectorISA);
    key = tgcapi::cacheKey(text, options, tm->getTargetCPU(), features);
    if (std::optional<tgcapi::CacheEntry> entry = tgcapi::cacheLoad(key)) {
      if (loadCompiled(*executable, *entry, opts))
        return executable.release();
      tgcapi::cacheLoadFailed();
    }
  }
  tgcapi::countCompilation();

  if (!lowered) {
    PassManager pm(&context, ModuleOp::getOperationName());
    int64_t profileIdBase = opts.profile ? tgcapi::reserveKernelIds() : 0;
    if (opts.target != TG_TARGET_CPU) {
      tg::TgGpuPipelineOptions gpuOptions;
      gpuOptions.optimize = opts.optimize != 0;
      gpuOptions.chip = opts.chip ? opts.chip : "sm_90";
      gpuOptions.profile = opts.profile != 0;
      gpuOptions.profileIdBase = profileIdBase;
      gpuOptions.emulate = opts.target == TG_TARGET_GPU_EMULATED;
      gpuOptions.tf32 = opts.tensorFloat32 != 0;
      // cubin inside a fatbin when ptxas is at hand, else PTX that the
      // driver compiles when the module is loaded.
      if (llvm::sys::findProgramByName("ptxas", {"/usr/local/cuda/bin"}))
        gpuOptions.format = "fatbin";
      tg::buildTgGpuPipeline(pm, gpuOptions);
    } else {
      tg::TgCpuPipelineOptions pipelineOptions;
      pipelineOptions.optimize = opts.optimize != 0;
      pipelineOptions.threads = opts.threads;
      pipelineOptions.profile = opts.profile != 0;
      pipelineOptions.profileIdBase = profileIdBase;
      pipelineOptions.vectorISA = vectorISA;
      tg::buildTgCpuPipeline(pm, pipelineOptions);
    }
    if (failed(pm.run(*module))) {
      setError(error, diagnostics.empty() ? "error: lowering failed\n"
                                          : diagnostics);
      return nullptr;
    }
    if (opts.dumpLLVMDialect)
      module->print(llvm::errs());
  }
  // GPU code (compiled here, or lowered by tg-opt -tg-gpu-pipeline): where
  // it runs, and which buffers its host code reads itself.
  if (opts.target != TG_TARGET_CPU) {
#ifdef TG_HAS_CUDA_RUNTIME
    if (opts.target == TG_TARGET_GPU) {
      gpuCodeCompiled = true;
      tgCudaSetFailureHandler(&gpuAllocationFailed);
    }
#endif
    for (auto &entry : executable->functions) {
      TgFunction &fn = *entry.second;
      fn.gpu = opts.target == TG_TARGET_GPU;
      fn.target = opts.target;
      // Without the pass's list (code lowered before it existed), every
      // buffer counts as read by the host code: staged, never wrong.
      fn.hostAccessed.assign(fn.args.size() + fn.results.size(), true);
    }
    for (auto func : module->getOps<LLVM::LLVMFuncOp>()) {
      auto it = executable->functions.find(func.getName());
      auto accessed =
          func->getAttrOfType<DenseI64ArrayAttr>("tg.host_accessed_args");
      if (it == executable->functions.end() || !accessed)
        continue;
      TgFunction &fn = *it->second;
      fn.hostAccessed.assign(fn.args.size() + fn.results.size(), false);
      for (int64_t i : accessed.asArrayRef())
        if (i >= 0 && i < static_cast<int64_t>(fn.hostAccessed.size()))
          fn.hostAccessed[i] = true;
    }
  }
  // The kernels that time themselves (TgCompileOptions::profile, or input
  // lowered by tg-opt with profile=1).
  tgcapi::registerKernels((*module)->getAttr("tg.kernels"),
                          opts.target == TG_TARGET_GPU, opts.threads,
                          opts.entry ? opts.entry : "",
                          opts.entry && opts.profileName ? opts.profileName
                                                         : "");

  std::vector<tgcapi::EntryABI> entries;
  for (auto &entry : executable->functions)
    if (entry.second->unusable.empty())
      entries.push_back(
          {entry.second->name, entry.second->args, entry.second->results});
  // Parallel loops run on LLVM's OpenMP runtime.
  bool openmp = false;
  module->walk([&](Operation *op) {
    if (isa<omp::OpenMPDialect>(op->getDialect()))
      openmp = true;
  });
  auto object = tgcapi::emitObject(*module, entries, *tm);
  if (!object) {
    // The translation to LLVM IR reports the op it failed on, located; the
    // error then only repeats it, unlocated. One or the other.
    std::string reason = llvm::toString(object.takeError());
    setError(error, !diagnostics.empty()
                        ? diagnostics
                        : "error: JIT compilation failed: " + reason + "\n");
    return nullptr;
  }
  tgcapi::CacheEntry entry{describeCompiled(*module, *executable, openmp),
                           std::string(object->data(), object->size())};
  if (!loadCompiled(*executable, entry, opts, error))
    return nullptr;
  if (cached)
    tgcapi::cacheStore(key, entry);
  return executable.release();
}

/// Compiles on a thread with a large stack, after bounding the input's
/// nesting (tg/Support/InputLimits.h): deeply nested input is an error,
/// never a stack overflow, whatever stack the caller's thread has; a crash
/// while compiling is recovered from and reported with the diagnostics
/// printed before it.
static TgExecutable *compile(std::unique_ptr<llvm::MemoryBuffer> buffer,
                             const TgCompileOptions *options,
                             TgError **error) {
  if (auto where = tg::findNestingBeyond(buffer->getBuffer())) {
    setError(error,
             tg::nestingError(buffer->getBufferIdentifier(), *where));
    return nullptr;
  }
  TgExecutable *executable = nullptr;
  // Diagnostics live out here: they are the report if the compile crashes.
  std::string diagnostics, name = buffer->getBufferIdentifier().str();
  if (!tg::runWithCompileStack([&] {
        executable =
            compileHere(std::move(buffer), options, diagnostics, error);
      })) {
    setError(error, diagnostics.empty() ? tg::crashError(name) : diagnostics);
    return nullptr;
  }
  return executable;
}

extern "C" {

TgExecutable *tgCompileSource(const char *source, size_t length,
                              const char *bufferName,
                              const TgCompileOptions *options,
                              TgError **error) {
  return compile(llvm::MemoryBuffer::getMemBufferCopy(
                     llvm::StringRef(source, length),
                     bufferName ? bufferName : "<source>"),
                 options, error);
}

TgExecutable *tgCompileFile(const char *path, const TgCompileOptions *options,
                            TgError **error) {
  // A saved model's directory: loaded, nothing compiled; options that
  // would compile it otherwise are refused.
  if (llvm::sys::fs::is_directory(path)) {
    if (options && (options->target != TG_TARGET_CPU || options->profile ||
                    (options->cpu && *options->cpu))) {
      setError(error, std::string(path) +
                          ": error: a saved model runs as it was compiled "
                          "(the GPU target, profiling and a CPU need a .mlir "
                          "file, or the saved graph NAME.mlirbc)\n");
      return nullptr;
    }
    return tgLoadSavedModel(path, error);
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    setError(error, std::string(path) + ": error: cannot open file: " +
                        buffer.getError().message() + "\n");
    return nullptr;
  }
  return compile(std::move(*buffer), options, error);
}

void tgExecutableDestroy(TgExecutable *executable) { delete executable; }

int64_t tgExecutableNumFunctions(const TgExecutable *executable) {
  int64_t count = 0;
  for (const std::string &name : executable->publicNames)
    count += executable->functions.count(name);
  return count;
}

const char *tgExecutableFunctionName(const TgExecutable *executable,
                                     int64_t index) {
  // The compiled ones among the public names, which are in source order.
  for (const std::string &name : executable->publicNames)
    if (executable->functions.count(name) && index-- == 0)
      return name.c_str();
  return nullptr;
}

const TgFunction *tgExecutableLookup(const TgExecutable *executable,
                                     const char *name, TgError **error) {
  auto it = executable->functions.find(name);
  if (it == executable->functions.end()) {
    std::string known;
    for (const std::string &name : executable->publicNames)
      known += (known.empty() ? "@" : ", @") + name;
    setError(error, "error: no public function @" + std::string(name) +
                        " in the module" +
                        (known.empty() ? "" : " (entry points: " + known + ")") +
                        "\n");
    return nullptr;
  }
  const TgFunction &fn = *it->second;
  if (!fn.unusable.empty()) {
    setError(error, "error: @" + fn.name + " cannot be called: " +
                        fn.unusable + "\n");
    return nullptr;
  }
  return &fn;
}

int tgFunctionMemoryPlan(const TgFunction *fn, TgMemoryPlan *plan) {
  if (!fn || !plan || !fn->memoryPlan)
    return 1;
  *plan = *fn->memoryPlan;
  return 0;
}

int64_t tgFunctionNumArgs(const TgFunction *fn) { return fn->args.size(); }
int64_t tgFunctionNumResults(const TgFunction *fn) {
  return fn->results.size();
}
TgTensorType tgFunctionArgType(const TgFunction *fn, int64_t i) {
  return view(fn->args[i]);
}
TgTensorType tgFunctionResultType(const TgFunction *fn, int64_t i) {
  return view(fn->results[i]);
}

} // extern "C"

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

std::string tgcapi::typeString(TgDType dtype, llvm::ArrayRef<int64_t> shape) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + tgDTypeName(dtype) + ">";
}

std::string tgcapi::checkCallArrays(const TgFunction &fn, int64_t numArgs,
                                    const void *args, int64_t numResults,
                                    const void *results) {
  if (numArgs != static_cast<int64_t>(fn.args.size()) ||
      numResults != static_cast<int64_t>(fn.results.size()))
    return "@" + fn.name + " takes " + std::to_string(fn.args.size()) +
           " arguments and " + std::to_string(fn.results.size()) +
           " results, got " + std::to_string(numArgs) + " and " +
           std::to_string(numResults);
  if ((numArgs && !args) || (numResults && !results))
    return "@" + fn.name + ": the " +
           (numArgs && !args ? "argument" : "result") + " array is null";
  return "";
}

/// Checks that `tensor` has type `expected`, or describes the mismatch.
/// An error message if `tensor` does not have the dtype and shape of
/// `expected`; `what()` names it. Empty (and no strings built) when it does:
/// this runs on every call.
template <typename What>
static std::string checkTensor(const TgTensor &tensor,
                               const TensorABI &expected, What what) {
  bool same = tensor.dtype == expected.dtype &&
              tensor.rank == static_cast<int64_t>(expected.shape.size()) &&
              (tensor.rank == 0 ||
               std::equal(expected.shape.begin(), expected.shape.end(),
                          tensor.shape));
  if (same)
    return "";
  return what() + " expects " +
         tgcapi::typeString(expected.dtype, expected.shape) + ", got " +
         tgcapi::typeString(tensor.dtype,
                            llvm::ArrayRef<int64_t>(tensor.shape, tensor.rank));
}

bool tgcapi::invokeEntry(const TgFunction *fn, void **buffers,
                         TgError **error) {
  // A failed allocation in compiled code returns here (see checkedMalloc).
  std::jmp_buf allocationFailure;
  if (setjmp(allocationFailure)) {
    allocationFailureTarget = nullptr;
    tgcapi::profilerAbandonRun();
    if (!runFailure.empty()) {
      setError(error, "error: @" + fn->name + ": " + runFailure + "\n");
      runFailure.clear();
      return false;
    }
    setError(error, "error: out of memory: @" + fn->name +
                        " could not allocate " +
                        std::to_string(failedAllocationBytes) +
                        " bytes for an intermediate tensor\n");
    return false;
  }
  allocationFailureTarget = &allocationFailure;
  uint64_t recording = tgcapi::profilerRecording();
  uint64_t started = recording ? tgcapi::profilerNow() : 0;
  fn->packed(buffers);
  allocationFailureTarget = nullptr;
  if (recording)
    tgcapi::recordCall(fn->profileName.empty() ? fn->name : fn->profileName,
                       started, recording);
  return true;
}

extern "C" int tgFunctionRun(const TgFunction *fn, const TgTensor *args,
                             int64_t numArgs, TgTensor *results,
                             int64_t numResults, TgError **error) {
  if (std::string wrong =
          tgcapi::checkCallArrays(*fn, numArgs, args, numResults, results);
      !wrong.empty()) {
    setError(error, "error: " + wrong + "\n");
    return 1;
  }
  // The packed entry takes the data pointers, arguments then results (it
  // builds the memref descriptors from the shapes it was compiled for).
  llvm::SmallVector<void *, 16> buffers;
  for (int64_t i = 0; i < numArgs; ++i) {
    std::string mismatch = checkTensor(args[i], fn->args[i], [&] {
      return "argument #" + std::to_string(i) + " of @" + fn->name;
    });
    if (!mismatch.empty()) {
      setError(error, "error: " + mismatch + "\n");
      return 1;
    }
    buffers.push_back(args[i].data);
  }
  for (int64_t i = 0; i < numResults; ++i) {
    std::string mismatch = checkTensor(results[i], fn->results[i], [&] {
      return "result #" + std::to_string(i) + " of @" + fn->name;
    });
    if (!mismatch.empty()) {
      setError(error, "error: " + mismatch + "\n");
      return 1;
    }
    buffers.push_back(results[i].data);
  }
#ifdef TG_HAS_CUDA_RUNTIME
  // GPU code reads and writes managed buffers: copy the arguments in and
  // pass the copies; copy the results back afterwards.
  std::vector<void *> managed;
  auto bytesOf = [](const TgTensor &t) {
    int64_t n = 1;
    for (int64_t i = 0; i < t.rank; ++i)
      n *= t.shape[i];
    return static_cast<size_t>(n) * tgDTypeSize(t.dtype);
  };
  if (fn->gpu) {
    for (int64_t i = 0; i < numArgs + numResults; ++i) {
      const TgTensor &t = i < numArgs ? args[i] : results[i - numArgs];
      size_t bytes = bytesOf(t);
      void *buffer = mgpuMemAlloc(bytes, nullptr, /*isHostShared=*/true);
      if (!buffer && bytes) {
        for (void *b : managed)
          mgpuMemFree(b, nullptr);
        setError(error, "error: out of memory: @" + fn->name +
                            " could not allocate " + std::to_string(bytes) +
                            " bytes of GPU-visible memory for " +
                            (i < numArgs ? "argument #" + std::to_string(i)
                                         : "result #" +
                                               std::to_string(i - numArgs)) +
                            "\n");
        return 1;
      }
      if (i < numArgs && bytes)
        std::memcpy(buffer, t.data, bytes);
      buffers[i] = buffer;
      managed.push_back(buffer);
    }
  }
#endif
  bool ok = tgcapi::invokeEntry(fn, buffers.data(), error);
#ifdef TG_HAS_CUDA_RUNTIME
  if (!ok) {
    // Kernels of the abandoned run may still use the copies.
    if (fn->gpu)
      tgCudaSynchronize();
    for (void *buffer : managed)
      mgpuMemFree(buffer, nullptr);
    return 1;
  }
#else
  if (!ok)
    return 1;
#endif
#ifdef TG_HAS_CUDA_RUNTIME
  if (fn->gpu) {
    tgCudaSynchronize();
    for (int64_t i = 0; i < numResults; ++i)
      if (size_t bytes = bytesOf(results[i]))
        std::memcpy(results[i].data, managed[numArgs + i], bytes);
    for (void *buffer : managed)
      mgpuMemFree(buffer, nullptr);
  }
#endif
  return 0;
}
