//===- ObjectCode.cpp - Lowered modules as object files --------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Why not MLIR's ExecutionEngine: it compiles a module it is given and keeps
// the object to itself. tg needs the object: to store it in the compile
// cache and load it in a later process without compiling anything, and to
// export it for a C program. So code generation (LLVM's TargetMachine) and
// loading (ORC's LLJIT, which links object files) are done here, with the
// same -O2 pipeline the engine ran (mlir::makeOptimizingTransformer).
//
//===----------------------------------------------------------------------===//

#include "ObjectCode.h"
#include "Internal.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

#include <dlfcn.h>
#include <mutex>

using namespace mlir;
using namespace tgcapi;

std::string tgcapi::packedSymbol(llvm::StringRef name) {
  return ("__tg_packed_" + name).str();
}

static void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

std::unique_ptr<llvm::TargetMachine>
tgcapi::createTargetMachine(llvm::StringRef cpu, std::string &error) {
  initializeTargets();
  llvm::orc::JITTargetMachineBuilder builder{
      llvm::Triple(llvm::sys::getProcessTriple())};
  if (cpu.empty() || cpu == "native") {
    // This machine's CPU name and features: without them LLVM would emit
    // generic x86-64 code.
    auto host = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!host) {
      error = llvm::toString(host.takeError());
      return nullptr;
    }
    builder = std::move(*host);
  } else {
    std::string lookupError;
    const llvm::Target *target =
        llvm::TargetRegistry::lookupTarget(builder.getTargetTriple(),
                                           lookupError);
    if (!target) {
      error = lookupError;
      return nullptr;
    }
    // Asked of a generic subtarget: one made for an unknown CPU prints a
    // warning of LLVM's own.
    std::unique_ptr<llvm::MCSubtargetInfo> info(
        target->createMCSubtargetInfo(builder.getTargetTriple(), "", ""));
    if (!info || !info->isCPUStringValid(cpu)) {
      error = "unknown CPU '" + cpu.str() + "' for " +
              builder.getTargetTriple().str() +
              " (try native, x86-64-v2, x86-64-v3, x86-64-v4, skylake-avx512, "
              "znver4, ...)";
      return nullptr;
    }
    // A 32-bit CPU (i686, pentium4, ...) would be a fatal error of LLVM's
    // when the target machine is made for x86-64.
    std::unique_ptr<llvm::MCSubtargetInfo> named(
        target->createMCSubtargetInfo(builder.getTargetTriple(), cpu, ""));
    if (!named || !named->checkFeatures("+64bit")) {
      error = "the CPU '" + cpu.str() +
              "' has no 64-bit mode; tg compiles for x86-64";
      return nullptr;
    }
    builder.setCPU(cpu.str());
  }
  builder.setRelocationModel(llvm::Reloc::PIC_);
  builder.setCodeModel(llvm::CodeModel::Small);
  builder.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = builder.createTargetMachine();
  if (!tm) {
    error = llvm::toString(tm.takeError());
    return nullptr;
  }
  return std::move(*tm);
}

mlir::tg::VectorISA tgcapi::vectorISAOf(const llvm::TargetMachine &tm) {
  const llvm::MCSubtargetInfo *info = tm.getMCSubtargetInfo();
  if (info->checkFeatures("+avx512f"))
    return mlir::tg::VectorISA::AVX512;
  if (info->checkFeatures("+avx2,+fma"))
    return mlir::tg::VectorISA::AVX2;
  return mlir::tg::VectorISA::None;
}

std::string tgcapi::targetFeatures(const llvm::TargetMachine &tm) {
  if (!tm.getTargetFeatureString().empty())
    return tm.getTargetFeatureString().str();
  const llvm::MCSubtargetInfo *info = tm.getMCSubtargetInfo();
  std::string features;
  for (const llvm::SubtargetFeatureKV &kv : info->getAllProcessorFeatures())
    if (info->checkFeatures(std::string("+") + kv.Key))
      features += (features.empty() ? "+" : ",+") + std::string(kv.Key);
  return features;
}

/// Whether compiled code may use instructions of `feature`: vector and
/// bit-manipulation instruction sets. System features (pku, mwaitx,
/// wbnoinvd, ...) that virtual machines often hide are never emitted by
/// the pipeline, and a CPU's own name must not be refused for them.
static bool isCodeFeature(llvm::StringRef feature) {
  static const char *prefixes[] = {"sse",    "ssse",  "avx",  "amx",  "fma",
                                   "f16c",   "bmi",   "lzcnt", "popcnt",
                                   "movbe",  "adx",   "aes",  "pclmul", "sha",
                                   "vpclmulqdq", "gfni", "vaes", "evex512",
                                   "cx16",   "sahf",  "fxsr", "mmx", "x87",
                                   "cmov",   "cx8",   "xsave", "prfchw",
                                   "tbm",    "xop",   "sse4a"};
  for (const char *prefix : prefixes)
    if (feature.starts_with(prefix))
      return true;
  return false;
}

std::string tgcapi::featuresMissingHere(llvm::StringRef features) {
  llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
  std::string lacking;
  llvm::SmallVector<llvm::StringRef> list;
  features.split(list, ',', -1, false);
  for (llvm::StringRef f : list) {
    if (!f.consume_front("+") || !isCodeFeature(f))
      continue;
    auto it = host.find(f);
    if (it != host.end() && !it->second)
      lacking += (lacking.empty() ? "" : ", ") + f.str();
  }
  return lacking;
}

/// The values that pass `tensor` (data at `data`) to a lowered function:
/// its memref descriptor expanded (allocated and aligned pointers, offset,
/// sizes, strides).
static void appendDescriptor(llvm::IRBuilder<> &b, llvm::Value *data,
                             const TensorABI &tensor,
                             llvm::SmallVectorImpl<llvm::Value *> &out) {
  out.push_back(data);
  out.push_back(data);
  out.push_back(b.getInt64(0));
  for (int64_t size : tensor.shape)
    out.push_back(b.getInt64(size));
  int64_t rank = tensor.shape.size();
  llvm::SmallVector<int64_t> strides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * tensor.shape[i + 1];
  for (int64_t stride : strides)
    out.push_back(b.getInt64(stride));
}

/// Calls the lowered `entry` with the data pointers `buffers` (arguments,
/// then results) from the function being built, and returns 0.
static llvm::Error callEntry(llvm::IRBuilder<> &b, llvm::Module &module,
                             const EntryABI &entry,
                             llvm::ArrayRef<llvm::Value *> buffers) {
  llvm::Function *callee = module.getFunction(entry.name);
  if (!callee)
    return llvm::createStringError("the lowered module has no function @" +
                                   entry.name);
  llvm::SmallVector<llvm::Value *> operands;
  size_t i = 0;
  for (const TensorABI &t : entry.args)
    appendDescriptor(b, buffers[i++], t, operands);
  for (const TensorABI &t : entry.results)
    appendDescriptor(b, buffers[i++], t, operands);
  if (operands.size() != callee->arg_size())
    return llvm::createStringError(
        "@" + entry.name + " takes " + std::to_string(callee->arg_size()) +
        " lowered operands, its tensor signature gives " +
        std::to_string(operands.size()));
  b.CreateCall(callee, operands);
  b.CreateRet(b.getInt32(0));
  return llvm::Error::success();
}

/// Adds `int32_t symbol(void **buffers)` calling `entry`.
static llvm::Error addPackedEntry(llvm::Module &module, const EntryABI &entry,
                                  llvm::StringRef symbol) {
  llvm::LLVMContext &ctx = module.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  auto *type = llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx), {ptr},
                                       /*isVarArg=*/false);
  auto *fn = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                    symbol, module);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  llvm::SmallVector<llvm::Value *> buffers;
  size_t count = entry.args.size() + entry.results.size();
  for (size_t i = 0; i < count; ++i)
    buffers.push_back(b.CreateLoad(
        ptr, b.CreateConstInBoundsGEP1_64(ptr, fn->getArg(0), i)));
  return callEntry(b, module, entry, buffers);
}

/// Adds `int32_t symbol(const T *arg0, ..., T *result0, ...)` calling the
/// packed function `packed` with the same pointers in an array.
static llvm::Error addCFunction(llvm::Module &module, const EntryABI &entry,
                                llvm::StringRef symbol,
                                llvm::Function *packed) {
  llvm::LLVMContext &ctx = module.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  size_t count = entry.args.size() + entry.results.size();
  auto *type =
      llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx),
                              llvm::SmallVector<llvm::Type *>(count, ptr),
                              /*isVarArg=*/false);
  if (llvm::GlobalValue *clash = module.getNamedValue(symbol)) {
    // A function of the module (soon internal) may take another name; a
    // function the code calls (from libc) may not.
    if (clash->isDeclaration())
      return llvm::createStringError(
          "the compiled code calls '" + symbol.str() +
          "' itself; choose another name for the exported function");
    clash->setName(symbol + ".tg");
  }
  auto *fn = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                    symbol, module);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  llvm::Value *array = b.CreateAlloca(ptr, b.getInt64(std::max<size_t>(count, 1)));
  for (auto [i, arg] : llvm::enumerate(fn->args()))
    b.CreateStore(&arg, b.CreateConstInBoundsGEP1_64(ptr, array, i));
  b.CreateRet(b.CreateCall(packed, {array}));
  return llvm::Error::success();
}

// The thread runtime of exported code, as LLVM bitcode (ExportRuntime.c,
// compiled when tg is built).
static const unsigned char exportRuntime[] = {
#include "ExportRuntime.inc"
};

/// Links the thread runtime into `module`; its functions become internal
/// with the rest.
static llvm::Error linkExportRuntime(llvm::Module &module) {
  auto runtime = llvm::parseBitcodeFile(
      llvm::MemoryBufferRef(
          llvm::StringRef(reinterpret_cast<const char *>(exportRuntime),
                          sizeof(exportRuntime)),
          "tg-export-runtime"),
      module.getContext());
  if (!runtime)
    return runtime.takeError();
  (*runtime)->setDataLayout(module.getDataLayout());
  (*runtime)->setTargetTriple(module.getTargetTriple());
  if (llvm::Linker::linkModules(module, std::move(*runtime)))
    return llvm::createStringError("linking the thread runtime failed");
  return llvm::Error::success();
}

/// Adds `int32_t symbol(void **buffers)` that runs `body` on a team of
/// `threads` threads (__tg_rt_run, ExportRuntime.c).
static llvm::Function *addTeamEntry(llvm::Module &module, llvm::StringRef symbol,
                                    llvm::Function *body, int threads) {
  llvm::LLVMContext &ctx = module.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *type = llvm::FunctionType::get(i32, {ptr}, false);
  auto *fn = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                    symbol, module);
  llvm::FunctionCallee run = module.getOrInsertFunction(
      "__tg_rt_run", llvm::FunctionType::get(i32, {i32, ptr, ptr}, false));
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  b.CreateRet(b.CreateCall(run, {b.getInt32(threads), body, fn->getArg(0)}));
  return fn;
}

/// Replaces `llvm.global_ctors`/`llvm.global_dtors` by a function `name`
/// calling them in order (none when there are none).
static void lowerStructors(llvm::Module &module, llvm::StringRef global,
                           llvm::StringRef name, bool reverse) {
  llvm::GlobalVariable *list = module.getGlobalVariable(global);
  if (!list)
    return;
  llvm::SmallVector<std::pair<uint64_t, llvm::Function *>> calls;
  if (auto *init = dyn_cast<llvm::ConstantArray>(list->getInitializer()))
    for (llvm::Value *element : init->operands()) {
      auto *entry = cast<llvm::ConstantStruct>(element);
      auto *priority = cast<llvm::ConstantInt>(entry->getOperand(0));
      if (auto *fn = dyn_cast<llvm::Function>(entry->getOperand(1)))
        calls.push_back({priority->getZExtValue(), fn});
    }
  list->eraseFromParent();
  llvm::stable_sort(calls, [](auto &a, auto &b) { return a.first < b.first; });
  if (reverse)
    std::reverse(calls.begin(), calls.end());
  llvm::LLVMContext &ctx = module.getContext();
  auto *fn = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false),
      llvm::GlobalValue::ExternalLinkage, name, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  for (auto &call : calls)
    b.CreateCall(call.second);
  b.CreateRetVoid();
}

llvm::Expected<llvm::SmallVector<char, 0>>
tgcapi::emitObject(ModuleOp lowered, llvm::ArrayRef<EntryABI> entries,
                   llvm::TargetMachine &tm, const ExportABI *exportABI) {
  llvm::LLVMContext ctx;
  std::unique_ptr<llvm::Module> module =
      translateModuleToLLVMIR(lowered, ctx, "tg");
  // The translation reports the op it failed on as a located diagnostic.
  if (!module)
    return llvm::createStringError("translation to LLVM IR failed");
  module->setTargetTriple(tm.getTargetTriple());
  module->setDataLayout(tm.createDataLayout());
  if (!exportABI) {
    for (const EntryABI &entry : entries)
      if (llvm::Error e = addPackedEntry(*module, entry, packedSymbol(entry.name)))
        return std::move(e);
    lowerStructors(*module, "llvm.global_ctors", "__tg_init", false);
    lowerStructors(*module, "llvm.global_dtors", "__tg_fini", true);
  } else {
    if (module->getGlobalVariable("llvm.global_ctors"))
      return llvm::createStringError(
          "the module needs initialization at load time (GPU code); only "
          "CPU code exports");
    // The packed entry is named after the C symbol: several exported graphs
    // link into one program. Multithreaded, it runs the body on a team.
    std::string packedName = packedSymbol(exportABI->symbol);
    // (No parallel loop, no team: the call stays on the caller's thread.)
    bool team = exportABI->threads > 1 && module->getFunction("__kmpc_fork_call");
    if (llvm::Error e = addPackedEntry(
            *module, entries.front(),
            team ? "__tg_body_" + exportABI->symbol : packedName))
      return std::move(e);
    llvm::Function *packed = module->getFunction(packedName);
    if (team) {
      if (llvm::Error e = linkExportRuntime(*module))
        return std::move(e);
      packed = addTeamEntry(*module, packedName,
                            module->getFunction("__tg_body_" + exportABI->symbol),
                            exportABI->threads);
    }
    if (llvm::Error e = addCFunction(*module, entries.front(),
                                     exportABI->symbol, packed))
      return std::move(e);
    if (!exportABI->description.empty()) {
      auto *text = llvm::ConstantDataArray::getString(
          module->getContext(), exportABI->description, /*AddNull=*/false);
      auto *description = new llvm::GlobalVariable(
          *module, text->getType(), /*isConstant=*/true,
          llvm::GlobalValue::InternalLinkage, text, "__tg_description");
      description->setSection(kDescriptionSection);
      description->setAlignment(llvm::Align(1));
      llvm::appendToCompilerUsed(*module, {description});
    }
    // Only the two entry symbols are visible: several exported graphs link
    // into one program without clashes.
    for (llvm::GlobalValue &value : module->global_values())
      if (!value.isDeclaration() && value.getName() != exportABI->symbol &&
          value.getName() != packedName &&
          !value.getName().starts_with("llvm."))
        value.setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  // LLVM's -O2 pipeline, not -O3: the code it gets is already tiled and
  // vectorized where it matters (micro-kernels, interleave hints), and -O3
  // took twice as long for nothing measurable here. The MLP training graph
  // compiles in 0.34 s instead of 0.74 s, with the same step time, sgemm,
  // elementwise and softmax figures (benchmarks/suite.py, both ways).
  if (llvm::Error e = makeOptimizingTransformer(/*optLevel=*/2,
                                                /*sizeLevel=*/0, &tm)(
          module.get()))
    return std::move(e);
  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream os(object);
  llvm::legacy::PassManager codegen;
  if (tm.addPassesToEmitFile(codegen, os, nullptr,
                             llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("the target cannot emit object files");
  codegen.run(*module);
  return object;
}

std::optional<std::string>
tgcapi::readDescription(llvm::MemoryBufferRef object) {
  auto file = llvm::object::ObjectFile::createObjectFile(object);
  if (!file) {
    llvm::consumeError(file.takeError());
    return std::nullopt;
  }
  for (const llvm::object::SectionRef &section : (*file)->sections()) {
    auto name = section.getName();
    if (!name) {
      llvm::consumeError(name.takeError());
      continue;
    }
    if (*name != kDescriptionSection)
      continue;
    auto contents = section.getContents();
    if (!contents) {
      llvm::consumeError(contents.takeError());
      return std::nullopt;
    }
    return contents->str();
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

std::string tgcapi::llvmLibraryDir() {
  Dl_info info;
  // A function of libMLIR.so: Debian keeps it next to libomp.so.
  if (dladdr(reinterpret_cast<void *>(&mlir::translateModuleToLLVMIR),
             &info) &&
      info.dli_fname) {
    llvm::SmallString<256> dir(info.dli_fname);
    llvm::sys::path::remove_filename(dir);
    if (!dir.empty())
      return dir.str().str();
  }
  return TG_MLIR_LIB_DIR;
}

LoadedObject::~LoadedObject() {
  if (fini)
    fini();
}

llvm::Expected<void *> LoadedObject::lookupOrError(llvm::StringRef symbol) {
  auto address = jit->lookup(symbol);
  if (!address) {
    // The reason (a symbol not found) went to the error reporter; the
    // lookup's own error only says that it failed.
    std::string reason = llvm::toString(address.takeError());
    return llvm::createStringError(linkErrors.empty() ? reason : linkErrors);
  }
  return address->toPtr<void *>();
}

void *LoadedObject::lookup(llvm::StringRef symbol) {
  auto address = lookupOrError(symbol);
  if (!address) {
    llvm::consumeError(address.takeError());
    return nullptr;
  }
  return *address;
}

llvm::Expected<std::unique_ptr<LoadedObject>>
tgcapi::loadObject(std::unique_ptr<llvm::MemoryBuffer> object, bool openmp,
                   bool checkedAllocation) {
  initializeTargets();
  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit)
    return jit.takeError();
  auto loaded = std::unique_ptr<LoadedObject>(new LoadedObject());
  loaded->jit = std::move(*jit);
  llvm::orc::LLJIT &lljit = *loaded->jit;
  LoadedObject *self = loaded.get();
  lljit.getExecutionSession().setErrorReporter([self](llvm::Error e) {
    self->linkErrors += (self->linkErrors.empty() ? "" : "; ") +
                        llvm::toString(std::move(e));
  });
  llvm::orc::JITDylib &main = lljit.getMainJITDylib();
  llvm::orc::MangleAndInterner mangle(lljit.getExecutionSession(),
                                      lljit.getDataLayout());
  // tg's own first: compiled code allocates through them.
  char prefix = lljit.getDataLayout().getGlobalPrefix();
  std::vector<llvm::orc::SymbolMap> ours = {profilerSymbols(mangle),
                                            distributedSymbols(mangle)};
  if (checkedAllocation)
    ours.push_back(allocationSymbols(mangle));
  for (auto &symbols : ours)
    if (llvm::Error e = main.define(llvm::orc::absoluteSymbols(symbols)))
      return std::move(e);
  if (openmp) {
    std::string path = llvmLibraryDir() + "/libomp.so";
    auto generator =
        llvm::orc::DynamicLibrarySearchGenerator::Load(path.c_str(), prefix);
    if (!generator)
      return generator.takeError();
    main.addGenerator(std::move(*generator));
  }
  // libgcc, which C compilers link into every program, and so exported
  // objects may call: thread-locals are emulated in the objects emitted
  // here (the target machines are JITTargetMachineBuilder's, which emulates
  // TLS, the one form every linker and the JIT handle), and f16
  // conversions without F16C call its __truncsfhf2 and friends.
  auto libgcc =
      llvm::orc::DynamicLibrarySearchGenerator::Load("libgcc_s.so.1", prefix);
  if (!libgcc)
    return libgcc.takeError();
  main.addGenerator(std::move(*libgcc));
  // libc, libm (this library links both) and memrefCopy.
  auto process =
      llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(prefix);
  if (!process)
    return process.takeError();
  main.addGenerator(std::move(*process));
  if (llvm::Error e = lljit.addObjectFile(std::move(object)))
    return std::move(e);
  // The first lookup links the object: a symbol nothing defines fails it
  // (and the reporter says which).
  auto init = loaded->lookupOrError("__tg_init");
  if (!init) {
    if (!loaded->linkErrors.empty())
      return init.takeError();
    llvm::consumeError(init.takeError()); // no constructors: not an error
  } else {
    reinterpret_cast<void (*)()>(*init)();
  }
  loaded->fini = reinterpret_cast<void (*)()>(loaded->lookup("__tg_fini"));
  return loaded;
}
