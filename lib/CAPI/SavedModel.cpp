//===- SavedModel.cpp - Ahead-of-time export and saved models --------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// tgExport compiles one entry point into an object file that a C program
// links with nothing but libc and libm, a header declaring it, and the tg
// module as MLIR bytecode; with a signature path, the directory is a saved
// model that tgLoadSavedModel (tg-run DIR, tg.saved_model.load) runs
// without compiling anything.
//
// The exported code is the JIT's: the same pipeline and emitter
// (ObjectCode.cpp), for the CPU named instead of this one. What differs is
// the boundary: a C function of plain pointers, every other symbol internal,
// and no runtime of tg's behind it (allocation goes to libc's malloc).
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "ObjectCode.h"
#include "tg/Pipelines/Pipelines.h"
#include "tg/Support/InputLimits.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Bytecode/Encoding.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Host.h"

#include <atomic>
#include <cstdio>
#include <dlfcn.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

using namespace mlir;
using namespace tgcapi;
using tgcapi::setError;

/// Exported code runs on any x86-64 CPU from 2013 on (Haswell, Zen 1):
/// AVX2 and FMA. `native` is never assumed for a file that travels.
static constexpr const char *kDefaultCPU = "x86-64-v3";

static const char *cTypeOf(TgDType dtype) {
  switch (dtype) {
  case TG_DTYPE_F32: return "float";
  case TG_DTYPE_F64: return "double";
  case TG_DTYPE_F16: case TG_DTYPE_BF16: return "uint16_t";
  case TG_DTYPE_I1: return "bool";
  case TG_DTYPE_I32: return "int32_t";
  case TG_DTYPE_I64: return "int64_t";
  }
  return "void";
}

static std::string shapeText(const TensorABI &t) {
  std::string s;
  for (int64_t d : t.shape)
    s += "[" + std::to_string(d) + "]";
  return s.empty() ? "(a scalar)" : s;
}

/// Whether `name` is a C identifier that is not a keyword.
/// Whether `name` is a C identifier that is neither a keyword (C89 to C23)
/// nor reserved (a leading underscore and a capital, or two).
static bool isCIdentifier(llvm::StringRef name) {
  static const char *keywords[] = {
      "auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if",
      "inline", "int", "long", "register", "restrict", "return", "short",
      "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while", "bool", "true", "false",
      "alignas", "alignof", "constexpr", "nullptr", "static_assert",
      "thread_local", "typeof", "typeof_unqual"};
  if (name.empty() || !(llvm::isAlpha(name[0]) || name[0] == '_'))
    return false;
  for (char c : name)
    if (!(llvm::isAlnum(c) || c == '_'))
      return false;
  for (const char *k : keywords)
    if (name == k)
      return false;
  return !(name.size() > 1 && name[0] == '_' &&
           (name[1] == '_' || llvm::isUpper(name[1])));
}

/// The C libraries an exported object links with: the names they define
/// are not free for an exported function, and the object may call them.
static llvm::ArrayRef<void *> cLibraries() {
  static void *libraries[] = {dlopen("libc.so.6", RTLD_LAZY),
                              dlopen("libm.so.6", RTLD_LAZY),
                              dlopen("libgcc_s.so.1", RTLD_LAZY)};
  return libraries;
}

static bool definedByCLibraries(llvm::StringRef name) {
  for (void *library : cLibraries())
    if (library && dlsym(library, name.str().c_str()))
      return true;
  return false;
}

/// `name` as text inside a C comment: printable ASCII, with no "*/" (it
/// would end the comment) and no "/*" (-Wcomment).
static std::string commentSafe(llvm::StringRef name) {
  std::string out;
  for (char c : name)
    out += (c >= 32 && c < 127) ? c : '?';
  for (size_t at; (at = out.find("*/")) != std::string::npos;)
    out.replace(at, 2, "*?");
  for (size_t at; (at = out.find("/*")) != std::string::npos;)
    out.replace(at, 2, "/?");
  return out;
}

static std::string headerText(const EntryABI &entry, llvm::StringRef symbol,
                              llvm::StringRef cpu, int threads,
                              llvm::StringRef source,
                              llvm::ArrayRef<std::string> argNames,
                              llvm::ArrayRef<std::string> resultNames) {
  std::string upper = llvm::StringRef(symbol).upper();
  // The symbol as it is: C symbols that differ in case are different.
  std::string guard = "TG_EXPORTED_" + symbol.str() + "_H";
  std::ostringstream h;
  h << "/* Generated by tg " TG_VERSION " from " << commentSafe(source)
    << ". Do not edit.\n"
    << " *\n"
    << " * int " << symbol.str()
    << "(arguments..., results...) runs the graph and returns 0.\n"
    << " * Every buffer is C-contiguous (row-major) and allocated by the\n"
    << " * caller with the element count below; results must not overlap\n"
    << " * arguments. The function keeps no global state: several threads\n"
    << " * may call it at once. Link " << symbol.str()
    << ".o with libc and libm (-lm"
    << (threads > 1 ? " -lpthread; the thread runtime also uses libgcc's\n"
                      " * __emutls_get_address, which C compilers link "
                      "by default"
                    : "")
    << ").\n"
    << " * Intermediate tensors are allocated with malloc, unchecked:\n"
    << " * a failed allocation is not reported.\n";
  if (threads > 1)
    h << " * Each call runs its parallel loops on " << threads
      << " threads: the caller's and " << threads - 1
      << " it starts and joins\n * before returning.\n";
  h
    << " * Compiled for the CPU '" << cpu.str()
    << "': it runs on that CPU and newer ones.\n"
    << " */\n"
    << "#ifndef " << guard << "\n#define " << guard << "\n\n"
    << "#include <stdbool.h>\n#include <stdint.h>\n\n"
    << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  auto describe = [&](const char *what, const char *macro, size_t i,
                      const TensorABI &t, llvm::ArrayRef<std::string> names) {
    h << "/* " << what << " " << i;
    if (i < names.size() && !names[i].empty())
      h << " (" << commentSafe(names[i]) << ")";
    h << ": " << tgDTypeName(t.dtype) << " " << shapeText(t) << " */\n"
      << "#define " << upper << "_" << macro << i << "_SIZE " << t.elements()
      << "\n";
  };
  for (auto [i, t] : llvm::enumerate(entry.args))
    describe("argument", "ARG", i, t, argNames);
  for (auto [i, t] : llvm::enumerate(entry.results))
    describe("result", "RESULT", i, t, resultNames);
  h << "\nint " << symbol.str() << "(";
  bool first = true;
  for (auto [i, t] : llvm::enumerate(entry.args)) {
    h << (first ? "" : ", ") << "const " << cTypeOf(t.dtype) << " *arg" << i;
    first = false;
  }
  for (auto [i, t] : llvm::enumerate(entry.results)) {
    h << (first ? "" : ", ") << cTypeOf(t.dtype) << " *result" << i;
    first = false;
  }
  if (first)
    h << "void";
  h << ");\n\n"
    << "/* tg's loader calls this one: the same pointers in an array. */\n"
    << "int " << packedSymbol(symbol) << "(void **buffers);\n\n"
    << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return h.str();
}

/// The undefined symbols of `object` that libc, libm and libgcc (which
/// every C compiler links) do not define: what a program linking it would
/// miss.
static std::vector<std::string>
missingSymbols(llvm::ArrayRef<char> object) {
  std::vector<std::string> missing;
  auto file = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(llvm::StringRef(object.data(), object.size()),
                            "object"));
  if (!file) {
    llvm::consumeError(file.takeError());
    return {"(the object file could not be read back)"};
  }
  for (const llvm::object::SymbolRef &symbol : (*file)->symbols()) {
    auto flags = symbol.getFlags();
    auto name = symbol.getName();
    if (!flags || !name) {
      if (!flags)
        llvm::consumeError(flags.takeError());
      if (!name)
        llvm::consumeError(name.takeError());
      continue;
    }
    if (!(*flags & llvm::object::SymbolRef::SF_Undefined) || name->empty())
      continue;
    if (!definedByCLibraries(*name))
      missing.push_back(name->str());
  }
  return missing;
}

namespace {
/// Files written aside and renamed into place together: an export that
/// fails leaves nothing behind (a rename failing half-way removes the
/// files renamed before it).
class FileSet {
public:
  ~FileSet() {
    for (auto &f : files)
      ::unlink(f.first.c_str());
  }
  bool add(const std::string &path, llvm::StringRef data, std::string &error) {
    if (llvm::sys::fs::is_directory(path)) {
      error = path + ": error: cannot write: it is a directory";
      return false;
    }
    // The same file however it is spelled (./a.o, dir/../a.o).
    llvm::SmallString<256> normal(path);
    llvm::sys::fs::make_absolute(normal);
    llvm::sys::path::remove_dots(normal, /*remove_dot_dot=*/true);
    for (auto &f : normalized)
      if (f == normal) {
        error = path + ": error: given for two of the files to write";
        return false;
      }
    normalized.push_back(normal.str().str());
    // Unique per process and call: two exports to one path at once do not
    // write into each other's temporary files.
    static std::atomic<uint64_t> counter{0};
    std::string temporary = path + ".tmp-" + std::to_string(::getpid()) +
                            "-" + std::to_string(counter++);
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(data.data(), data.size());
    out.close();
    files.push_back({temporary, path});
    if (!out) {
      error = path + ": error: cannot write: " + std::strerror(errno);
      return false;
    }
    return true;
  }
  bool commit(std::string &error) {
    for (size_t i = 0; i < files.size(); ++i)
      if (::rename(files[i].first.c_str(), files[i].second.c_str()) != 0) {
        error = files[i].second + ": error: cannot write: " +
                std::strerror(errno);
        for (size_t j = 0; j < i; ++j)
          ::unlink(files[j].second.c_str());
        files.erase(files.begin(), files.begin() + i);
        return false;
      }
    files.clear();
    return true;
  }

private:
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> normalized;
};
} // namespace

static bool exportHere(std::unique_ptr<llvm::MemoryBuffer> buffer,
                       const TgExportOptions &opts,
                       const TgExportPaths &paths, std::string &diagnostics,
                       TgError **error) {
  std::string bufferName = buffer->getBufferIdentifier().str();
  CompilerSession session(diagnostics);
  OwningOpRef<ModuleOp> module = session.parse(std::move(buffer));
  if (!module) {
    setError(error, diagnostics);
    return false;
  }
  std::string entryName = opts.entry ? opts.entry : "main";
  auto entry = module->lookupSymbol<func::FuncOp>(entryName);
  if (!entry || entry.isPrivate() || entry.isExternal()) {
    std::string known;
    for (auto func : module->getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        known += (known.empty() ? "@" : ", @") + func.getName().str();
    setError(error, bufferName + ": error: no public function @" + entryName +
                        " to export" +
                        (known.empty() ? "" : " (entry points: " + known + ")") +
                        "\n");
    return false;
  }
  std::string symbol = opts.symbol ? opts.symbol : entryName;
  if (symbol == "main") {
    setError(error, "error: 'main' cannot be the exported C symbol (it is "
                    "the C program's own main); name it (tg-compile "
                    "--name=SYMBOL, or the name= of tg.saved_model.save)\n");
    return false;
  }
  if (!isCIdentifier(symbol)) {
    setError(error, "error: '" + symbol +
                        "' is not a valid C symbol (letters, digits and _, "
                        "not starting with a digit, not a C keyword, not "
                        "starting with __ or _ and a capital letter)\n");
    return false;
  }
  if (definedByCLibraries(symbol)) {
    setError(error, "error: '" + symbol +
                        "' is a function of the C library; exported under "
                        "that name it would replace it in the program; "
                        "choose another name\n");
    return false;
  }
  EntryABI abi;
  abi.name = "__tg_entry_" + symbol;
  if (std::string unusable =
          describeSignature(entry.getFunctionType(), abi.args, abi.results);
      !unusable.empty()) {
    setError(error, bufferName + ": error: @" + entryName +
                        " cannot be exported: " + unusable + "\n");
    return false;
  }
  // The graph as written, before lowering: the saved form.
  std::string bytecode;
  {
    llvm::raw_string_ostream os(bytecode);
    BytecodeWriterConfig config("tg " TG_VERSION);
    if (failed(writeBytecodeToFile(*module, os, config))) {
      setError(error, "error: the module could not be written as bytecode\n");
      return false;
    }
  }

  for (auto func : module->getOps<func::FuncOp>())
    if (func != entry && !func.isExternal())
      func.setPrivate();
  // Collectives need MPI, which exported code does not link.
  WalkResult collective = module->walk([&](Operation *op) {
    StringRef name = op->getName().getStringRef();
    if (name == "tg.all_reduce" || name == "tg.broadcast_from" ||
        name == "tg.process_rank") {
      op->emitError() << "'" << name
                      << "' cannot be exported: exported code runs without "
                         "MPI (run the program with tg-run or Python)";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (collective.wasInterrupted()) {
    setError(error, diagnostics);
    return false;
  }

  std::string cpu = opts.cpu && *opts.cpu ? opts.cpu : kDefaultCPU;
  if (opts.threads < 1 || opts.threads > 256) {
    setError(error, "error: an exported function runs on 1 to 256 threads "
                    "(each call starts its own; 0, every core, is not known "
                    "until the object runs), got " +
                        std::to_string(opts.threads) + "\n");
    return false;
  }
  std::string targetError;
  std::unique_ptr<llvm::TargetMachine> tm =
      createTargetMachine(cpu, targetError);
  if (!tm) {
    setError(error, "error: " + targetError + "\n");
    return false;
  }
  std::string resolvedCPU = tm->getTargetCPU().str();

  if (failed(SymbolTable::replaceAllSymbolUses(
          entry, StringAttr::get(module->getContext(), abi.name), *module))) {
    setError(error, "error: the entry point could not be renamed\n");
    return false;
  }
  entry.setName(abi.name);
  PassManager pm(&session.context(), ModuleOp::getOperationName());
  tg::TgCpuPipelineOptions pipeline;
  pipeline.optimize = opts.optimize != 0;
  pipeline.threads = opts.threads;
  pipeline.vectorISA = vectorISAOf(*tm);
  tg::buildTgCpuPipeline(pm, pipeline);
  if (failed(pm.run(*module))) {
    setError(error, diagnostics.empty() ? "error: lowering failed\n"
                                        : diagnostics);
    return false;
  }
  std::vector<std::string> argNames, resultNames;
  for (size_t i = 0; opts.argNames && i < abi.args.size(); ++i)
    argNames.push_back(opts.argNames[i] ? opts.argNames[i] : "");
  for (size_t i = 0; opts.resultNames && i < abi.results.size(); ++i)
    resultNames.push_back(opts.resultNames[i] ? opts.resultNames[i] : "");
  // The saved model's description (signature.json without its files'
  // checksums), also inside the object: the loader compares the two, and
  // a description edited since (shapes, CPU features, Variables) is
  // refused rather than believed.
  auto tensors = [&](const std::vector<TensorABI> &list,
                     const std::vector<std::string> &names) {
    llvm::json::Array out;
    for (auto [i, t] : llvm::enumerate(list)) {
      llvm::json::Array shape;
      for (int64_t d : t.shape)
        shape.push_back(d);
      out.push_back(llvm::json::Object{
          {"name", i < names.size() ? names[i] : ""},
          {"dtype", tgDTypeName(t.dtype)},
          {"shape", std::move(shape)}});
    }
    return out;
  };
  llvm::json::Value signature = llvm::json::Object{
      {"format", kSavedModelFormat},
      {"producer", "tg " TG_VERSION},
      {"symbol", symbol},
      {"entry", entryName},
      {"cpu", resolvedCPU},
      {"features", targetFeatures(*tm)},
      {"threads", opts.threads},
      {"mlir_bytecode_version", static_cast<int64_t>(bytecode::kVersion)},
      {"args", tensors(abi.args, argNames)},
      {"results", tensors(abi.results, resultNames)}};
  if (opts.extraJSON && *opts.extraJSON) {
    auto extra = llvm::json::parse(opts.extraJSON);
    if (!extra) {
      setError(error, "error: the extra signature fields are not JSON: " +
                          llvm::toString(extra.takeError()) + "\n");
      return false;
    }
    (*signature.getAsObject())["extra"] = std::move(*extra);
  }
  ExportABI exportABI{symbol, opts.threads};
  llvm::raw_string_ostream(exportABI.description) << signature;
  auto object = emitObject(*module, {abi}, *tm, &exportABI);
  if (!object) {
    std::string reason = llvm::toString(object.takeError());
    setError(error, !diagnostics.empty() ? diagnostics
                                         : "error: " + reason + "\n");
    return false;
  }
  std::vector<std::string> missing = missingSymbols(*object);
  if (!missing.empty()) {
    setError(error, "error: the exported code would need '" +
                        llvm::join(missing, "', '") +
                        "', which libc and libm do not define\n");
    return false;
  }

  std::string header =
      headerText(abi, symbol, resolvedCPU, opts.threads,
                 llvm::sys::path::filename(bufferName), argNames, resultNames);
  llvm::StringRef objectText(object->data(), object->size());

  FileSet files;
  std::string writeError;
  auto write = [&](const char *path, llvm::StringRef data) {
    return !path || files.add(path, data, writeError);
  };
  if (!write(paths.object, objectText) || !write(paths.header, header) ||
      !write(paths.bytecode, bytecode)) {
    setError(error, writeError + "\n");
    return false;
  }
  if (paths.signature) {
    // The description, then a checksum of each file (the object's own
    // included, so the description inside it cannot list them).
    llvm::json::Object root = *signature.getAsObject();
    llvm::json::Object checksums;
    auto record = [&](const char *path, llvm::StringRef data) {
      if (path)
        checksums[llvm::sys::path::filename(path)] = sha256Hex(data);
    };
    record(paths.object, objectText);
    record(paths.header, header);
    record(paths.bytecode, bytecode);
    root["files"] = std::move(checksums);
    std::string text;
    llvm::raw_string_ostream(text)
        << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
    if (!write(paths.signature, text)) {
      setError(error, writeError + "\n");
      return false;
    }
  }
  if (!files.commit(writeError)) {
    setError(error, writeError + "\n");
    return false;
  }
  return true;
}

extern "C" {

TgExportOptions tgDefaultExportOptions(void) {
  TgExportOptions options{};
  options.optimize = 1;
  options.threads = 1;
  return options;
}

int tgExport(const char *source, size_t length, const char *bufferName,
             const TgExportOptions *options, const TgExportPaths *paths,
             TgError **error) {
  TgExportOptions opts = options ? *options : tgDefaultExportOptions();
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(source, length), bufferName ? bufferName : "<source>");
  if (auto where = tg::findNestingBeyond(buffer->getBuffer())) {
    setError(error, tg::nestingError(buffer->getBufferIdentifier(), *where));
    return 1;
  }
  std::string diagnostics, name = buffer->getBufferIdentifier().str();
  bool ok = false;
  if (!tg::runWithCompileStack([&] {
        ok = exportHere(std::move(buffer), opts, *paths, diagnostics, error);
      })) {
    setError(error, diagnostics.empty() ? tg::crashError(name) : diagnostics);
    return 1;
  }
  return ok ? 0 : 1;
}

} // extern "C"

//===----------------------------------------------------------------------===//
// Loading saved models
//===----------------------------------------------------------------------===//

static std::optional<TgDType> dtypeNamed(llvm::StringRef name) {
  for (TgDType d : {TG_DTYPE_F32, TG_DTYPE_F64, TG_DTYPE_F16, TG_DTYPE_BF16,
                    TG_DTYPE_I1, TG_DTYPE_I32, TG_DTYPE_I64})
    if (name == tgDTypeName(d))
      return d;
  return std::nullopt;
}

/// Reads the tensors of a signature.json list; false if malformed.
static bool readTensors(const llvm::json::Array *list,
                        std::vector<TensorABI> &out) {
  if (!list)
    return false;
  for (const llvm::json::Value &v : *list) {
    const llvm::json::Object *t = v.getAsObject();
    std::optional<llvm::StringRef> dtypeName =
        t ? t->getString("dtype") : std::nullopt;
    const llvm::json::Array *shape = t ? t->getArray("shape") : nullptr;
    std::optional<TgDType> dtype =
        dtypeName ? dtypeNamed(*dtypeName) : std::nullopt;
    if (!dtype || !shape)
      return false;
    TensorABI abi{*dtype, {}};
    for (const llvm::json::Value &d : *shape) {
      std::optional<int64_t> size = d.getAsInteger();
      if (!size || *size < 0)
        return false;
      abi.shape.push_back(*size);
    }
    out.push_back(std::move(abi));
  }
  return true;
}

extern "C" TgExecutable *tgLoadSavedModel(const char *directory,
                                          TgError **error) {
  std::string dir = directory;
  auto fail = [&](const std::string &what) -> TgExecutable * {
    setError(error, what + "\n");
    return nullptr;
  };
  // The files are read under the directory's lock, shared: a save into it
  // (tg.saved_model.save takes it exclusively) is not read half-way.
  struct DirectoryLock {
    int fd;
    explicit DirectoryLock(const std::string &path)
        : fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
      if (fd >= 0)
        ::flock(fd, LOCK_SH);
    }
    ~DirectoryLock() {
      if (fd >= 0)
        ::close(fd);
    }
  } lock(dir);
  std::string signaturePath = dir + "/signature.json";
  auto signatureText = llvm::MemoryBuffer::getFile(signaturePath);
  if (!signatureText)
    return fail(dir + ": error: not a saved model: cannot read signature.json (" +
                signatureText.getError().message() + ")");
  auto signature = llvm::json::parse((*signatureText)->getBuffer());
  if (!signature)
    return fail(signaturePath + ": error: not valid JSON: " +
                llvm::toString(signature.takeError()));
  const llvm::json::Object *root = signature->getAsObject();
  std::optional<int64_t> format = root ? root->getInteger("format") : std::nullopt;
  if (!format)
    return fail(signaturePath + ": error: not a tg saved model signature");
  if (*format != kSavedModelFormat)
    return fail(signaturePath + ": error: saved model format " +
                std::to_string(*format) + " is not the one this tg reads (" +
                std::to_string(kSavedModelFormat) +
                "); save it again with this tg");
  std::optional<llvm::StringRef> symbol = root->getString("symbol");
  auto fn = std::make_unique<TgFunction>();
  const llvm::json::Object *files = root->getObject("files");
  if (!symbol || !files || !readTensors(root->getArray("args"), fn->args) ||
      !readTensors(root->getArray("results"), fn->results))
    return fail(signaturePath +
                ": error: malformed signature (symbol, args, results and files "
                "are required)");
  std::string objectName = symbol->str() + ".o";
  if (!files->get(objectName))
    return fail(signaturePath + ": error: lists no " + objectName);
  std::unique_ptr<llvm::MemoryBuffer> object;
  for (const auto &file : *files) {
    std::string path = dir + "/" + file.first.str();
    std::optional<llvm::StringRef> expected = file.second.getAsString();
    auto data = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
    if (!data)
      return fail(path + ": error: missing from the saved model (" +
                  data.getError().message() + ")");
    if (!expected || sha256Hex((*data)->getBuffer()) != *expected)
      return fail(path + ": error: altered since the model was saved (its "
                         "checksum differs from signature.json's)");
    if (file.first == objectName)
      object = std::move(*data);
  }
  // signature.json is believed only where it says what the object says of
  // itself: buffers sized from edited shapes would be overrun, and code for
  // CPU features edited away would die of an illegal instruction.
  std::optional<std::string> description =
      object ? readDescription(object->getMemBufferRef()) : std::nullopt;
  auto embedded =
      description ? llvm::json::parse(*description)
                  : llvm::Expected<llvm::json::Value>(llvm::json::Value(nullptr));
  if (!embedded)
    llvm::consumeError(embedded.takeError());
  llvm::json::Object described = *root;
  described.erase("files");
  if (!embedded || *embedded != llvm::json::Value(std::move(described)))
    return fail(signaturePath + ": error: differs from the description inside " +
                objectName + ": the file was edited (save the model again)");
  // An object for a CPU this one is not would die of an illegal
  // instruction: say which features are missing instead.
  std::string lacking =
      tgcapi::featuresMissingHere(root->getString("features").value_or(""));
  if (!lacking.empty())
    return fail(dir + ": error: " + objectName + " was compiled for the CPU '" +
                root->getString("cpu").value_or("?").str() +
                "', and this machine lacks its " + lacking +
                "; export it again for an older CPU (cpu=...)");
  // tg's checked malloc ends a failed run with a longjmp, which would skip
  // the thread runtime's own clean-up in a multithreaded object: there,
  // libc's.
  auto code = tgcapi::loadObject(std::move(object), /*openmp=*/false,
                                 root->getInteger("threads").value_or(1) <= 1);
  if (!code)
    return fail(dir + ": error: cannot load " + objectName + ": " +
                llvm::toString(code.takeError()));
  auto packed = (*code)->lookupOrError(tgcapi::packedSymbol(*symbol));
  if (!packed)
    return fail(dir + ": error: cannot load " + objectName + ": " +
                llvm::toString(packed.takeError()));
  auto executable = std::make_unique<TgExecutable>();
  executable->code = std::move(*code);
  executable->savedSignature = (*signatureText)->getBuffer().str();
  fn->name = symbol->str();
  fn->packed = reinterpret_cast<int32_t (*)(void **)>(*packed);
  executable->publicNames.push_back(fn->name);
  executable->functions[fn->name] = std::move(fn);
  return executable.release();
}

extern "C" const char *tgExecutableSavedSignature(const TgExecutable *executable) {
  return executable->savedSignature.empty()
             ? nullptr
             : executable->savedSignature.c_str();
}
