//===- tg-run.cpp - The tg JIT runner -------------------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Compiles a module (tg, linalg on tensors or LLVM dialect) for the host CPU,
// runs one entry point on .npy inputs, and prints or saves the results. Bad
// input of any kind ends in one diagnostic on stderr and exit status 1, with
// no output file left behind.
//
//===----------------------------------------------------------------------===//

#include "tg-c/Runtime.h"
#include "tg/Support/FlagValue.h"
#include "tg/Support/Npy.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

using namespace llvm;

static const char usage[] =
    "usage: tg-run FILE.mlir|SAVED_DIR [-e NAME] [--input=FILE.npy ...] "
    "[--output-dir=DIR] [--print]\n"
    "              [--target=cpu|gpu|gpu-emulated] [--host-buffers] [--tf32] "
    "[--threads=N] [--cpu=CPU]\n"
    "              [--repeat=N] [--no-optimize]\n"
    "              [--profile=FILE.json] [--profile-summary] "
    "[--report-memory]\n"
    "\n"
    "  SAVED_DIR          a saved model (tg.saved_model.save): its object is\n"
    "                     loaded and run, nothing is compiled\n"
    "  -e NAME            entry function (default: main; a saved model's own)\n"
    "  --input=FILE.npy   one argument, given once per argument in order\n"
    "  --output-dir=DIR   write result0.npy, result1.npy, ... into DIR\n"
    "  --print            print each result: its type, then its values\n"
    "  --target=T         where to run: cpu (default), gpu, or gpu-emulated\n"
    "                     (the GPU pipeline's kernels run on this CPU, one\n"
    "                     thread per GPU thread: GPU code tested without one)\n"
    "  --host-buffers     GPU targets: pass host memory to every call (copied\n"
    "                     through managed memory) instead of copying the\n"
    "                     inputs into device buffers once\n"
    "  --tf32             GPU targets: f32 matmuls and convolutions on tensor\n"
    "                     cores, operands reduced to TF32 (~1e-3 relative)\n"
    "  --threads=N        worker threads, 0 for all cores (default: 0)\n"
    "  --cpu=CPU          compile for this CPU (clang's -march names; default:\n"
    "                     this machine's); it must be one this machine runs\n"
    "  --repeat=N         time N calls after one warm-up\n"
    "  --no-optimize      skip -tg-optimize before lowering\n"
    "  --profile=FILE     time every kernel; write a Chrome trace / Perfetto\n"
    "                     JSON file: kernels, their tg ops and source lines,\n"
    "                     FLOP and byte estimates\n"
    "  --profile-summary  time every kernel; print a table of the kernels\n"
    "  --report-memory    print the peak bytes of intermediates of each entry\n"
    "                     function: its arena next to the lower bound\n"
    "                     (-tg-plan-memory)\n"
    "  --check-grad       compare the gradients of the entry's tg.grad with\n"
    "                     central finite differences in f64; exit 1 past the\n"
    "                     tolerance\n"
    "  --grad-tolerance=X max relative error allowed (default: 1e-3)\n";

/// The command line. Parsed by hand: LLVM's global option registry, which
/// libLLVM and libMLIR share with every tool, already owns names such as
/// `threads`.
struct Options {
  std::string inputFile;
  std::string entryName = "main";
  bool entryGiven = false;
  std::string cpu;
  std::vector<std::string> inputs;
  std::string outputDir;
  bool print = false;
  std::string target = "cpu";
  unsigned threads = 0;
  bool threadsGiven = false;
  unsigned repeat = 0;
  bool optimize = true;
  bool checkGrad = false;
  bool reportMemory = false;
  std::string profile;
  bool profileSummary = false;
  bool hostBuffers = false;
  bool tf32 = false;
  double gradTolerance = 1e-3;
};

static bool parseUnsigned(StringRef text, unsigned &out) {
  return !text.empty() && !text.getAsInteger(10, out);
}

/// Parses argv into `options`, or returns the error message.
static std::optional<std::string> parseArgs(int argc, char **argv,
                                            Options &options) {
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    // --flag=value, or --flag value for the flags that take one.
    auto value = [&](StringRef flag, std::string &out) {
      return mlir::tg::flagValue(argc, argv, i, flag, out);
    };
    std::string v;
    auto missing = [&](StringRef flag) {
      return std::optional<std::string>("error: " + flag.str() +
                                        " needs a value");
    };
    if (arg == "-h" || arg == "--help" || arg == "-help")
      return std::string();
    if (auto r = value("e", v)) {
      if (!*r) return missing("-e");
      options.entryName = v;
      options.entryGiven = true;
    } else if (auto r = value("input", v)) {
      if (!*r) return missing("--input");
      options.inputs.push_back(v);
    } else if (auto r = value("output-dir", v)) {
      if (!*r) return missing("--output-dir");
      options.outputDir = v;
    } else if (auto r = value("target", v)) {
      if (!*r) return missing("--target");
      options.target = v;
    } else if (auto r = value("cpu", v)) {
      if (!*r || v.empty()) return missing("--cpu");
      options.cpu = v;
    } else if (auto r = value("threads", v)) {
      if (!*r || !parseUnsigned(v, options.threads))
        return std::string("error: --threads expects a non-negative integer");
      options.threadsGiven = true;
    } else if (auto r = value("repeat", v)) {
      if (!*r || !parseUnsigned(v, options.repeat))
        return std::string("error: --repeat expects a non-negative integer");
    } else if (auto r = value("profile", v)) {
      if (!*r || v.empty()) return missing("--profile");
      options.profile = v;
    } else if (arg == "--profile-summary" || arg == "-profile-summary") {
      options.profileSummary = true;
    } else if (auto r = value("grad-tolerance", v)) {
      if (!*r || StringRef(v).getAsDouble(options.gradTolerance) ||
          !(options.gradTolerance > 0))
        return std::string("error: --grad-tolerance expects a positive number");
    } else if (arg == "--check-grad" || arg == "-check-grad") {
      options.checkGrad = true;
    } else if (arg == "--report-memory" || arg == "-report-memory") {
      options.reportMemory = true;
    } else if (arg == "--tf32" || arg == "-tf32") {
      options.tf32 = true;
    } else if (arg == "--host-buffers" || arg == "-host-buffers") {
      options.hostBuffers = true;
    } else if (arg == "--print" || arg == "-print") {
      options.print = true;
    } else if (arg == "--no-optimize" || arg == "-no-optimize") {
      options.optimize = false;
    } else if (arg.starts_with("-") && arg != "-") {
      return "error: unknown option '" + arg.str() + "'";
    } else if (options.inputFile.empty()) {
      options.inputFile = arg.str();
    } else {
      return "error: more than one input file ('" + options.inputFile +
             "' and '" + arg.str() + "')";
    }
  }
  if (options.inputFile.empty())
    return std::string("error: no input file");
  return std::nullopt;
}

/// Prints `message` (which may hold several diagnostics) and fails.
static int fail(const std::string &message) {
  // Whatever was reported on stdout comes first.
  outs().flush();
  errs() << message;
  if (!message.empty() && message.back() != '\n')
    errs() << "\n";
  return 1;
}

static std::string typeString(TgDType dtype, ArrayRef<int64_t> shape) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + tgDTypeName(dtype) + ">";
}

static double halfToDouble(uint16_t h) {
  int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0)
    return sign * std::ldexp(mantissa, -24);
  if (exponent == 31)
    return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

static double bf16ToDouble(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// One element as text: 6 significant digits for floats, as numpy prints.
static std::string formatElement(TgDType dtype, const uint8_t *p) {
  char buf[64];
  auto real = [&](double v) {
    snprintf(buf, sizeof(buf), "%.6g", v);
    return std::string(buf);
  };
  switch (dtype) {
  case TG_DTYPE_F32: { float v; std::memcpy(&v, p, 4); return real(v); }
  case TG_DTYPE_F64: { double v; std::memcpy(&v, p, 8); return real(v); }
  case TG_DTYPE_F16: { uint16_t v; std::memcpy(&v, p, 2); return real(halfToDouble(v)); }
  case TG_DTYPE_BF16: { uint16_t v; std::memcpy(&v, p, 2); return real(bf16ToDouble(v)); }
  case TG_DTYPE_I1: return *p ? "true" : "false";
  case TG_DTYPE_I32: { int32_t v; std::memcpy(&v, p, 4); return std::to_string(v); }
  case TG_DTYPE_I64: { int64_t v; std::memcpy(&v, p, 8); return std::to_string(v); }
  }
  return "?";
}

/// Prints the nested-bracket form of a row-major tensor.
static void printTensor(raw_ostream &os, const tg::HostTensor &t) {
  size_t item = tgDTypeSize(t.dtype);
  int64_t index = 0;
  std::function<void(size_t)> rec = [&](size_t dim) {
    if (dim == t.shape.size()) {
      os << formatElement(t.dtype, t.data.data() + item * index++);
      return;
    }
    os << "[";
    for (int64_t i = 0; i < t.shape[dim]; ++i) {
      if (i)
        os << ", ";
      rec(dim + 1);
    }
    os << "]";
  };
  rec(0);
  os << "\n";
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  Options opt;
  if (std::optional<std::string> problem = parseArgs(argc, argv, opt)) {
    if (problem->empty()) {
      outs() << usage;
      return 0;
    }
    errs() << *problem << "\n" << usage;
    return 1;
  }
  const std::string &inputFile = opt.inputFile, &target = opt.target,
                    &outputDir = opt.outputDir;
  std::string &entryName = opt.entryName;
  // A saved model (tg.saved_model.save, or tgExport with a signature):
  // loaded, not compiled.
  bool saved = sys::fs::is_directory(inputFile);
  if (saved && (target != "cpu" || opt.checkGrad || opt.reportMemory ||
                !opt.profile.empty() || opt.profileSummary || opt.threadsGiven ||
                !opt.cpu.empty() || !opt.optimize))
    return fail(inputFile + ": error: a saved model runs as it was compiled: "
                            "--target, --threads, --cpu, --no-optimize, "
                            "--check-grad, --report-memory and --profile need "
                            "a .mlir file (or its saved graph, NAME.mlirbc)");
  const std::vector<std::string> &inputs = opt.inputs;
  unsigned repeat = opt.repeat;

  if (target != "cpu" && target != "gpu" && target != "gpu-emulated")
    return fail("error: unknown --target '" + target +
                "' (expected cpu, gpu or gpu-emulated)");
  if ((opt.hostBuffers || opt.tf32) && target == "cpu")
    return fail(std::string("error: ") +
                (opt.hostBuffers ? "--host-buffers" : "--tf32") +
                " is for --target=gpu or gpu-emulated (the CPU target runs "
                "on host memory, with f32 arithmetic)");

  bool profiling = !opt.profile.empty() || opt.profileSummary;
  TgError *error = nullptr;
  // An unwritable profile is reported before anything is compiled or run.
  if (!opt.profile.empty() && tgProfilerCheckPath(opt.profile.c_str(), &error)) {
    std::string message = tgErrorMessage(error);
    tgErrorDestroy(error);
    return fail(message);
  }

  TgCompileOptions options = tgDefaultCompileOptions();
  options.optimize = opt.optimize;
  options.profile = profiling;
  options.threads = opt.threads;
  options.tensorFloat32 = opt.tf32;
  options.cpu = opt.cpu.empty() ? nullptr : opt.cpu.c_str();
  // Compile only what the entry needs; everything for --report-memory,
  // which reports each entry function.
  options.entry = opt.reportMemory ? nullptr : entryName.c_str();
  options.target = target == "gpu"            ? TG_TARGET_GPU
                   : target == "gpu-emulated" ? TG_TARGET_GPU_EMULATED
                                              : TG_TARGET_CPU;
  std::unique_ptr<TgExecutable, void (*)(TgExecutable *)> exe(
      saved ? tgLoadSavedModel(inputFile.c_str(), &error)
            : tgCompileFile(inputFile.c_str(), &options, &error),
      tgExecutableDestroy);
  if (!exe) {
    std::string message = tgErrorMessage(error);
    tgErrorDestroy(error);
    return fail(message);
  }
  // A saved model has one entry point: its C symbol.
  if (saved && !opt.entryGiven)
    entryName = tgExecutableFunctionName(exe.get(), 0);
  const TgFunction *fn = tgExecutableLookup(exe.get(), entryName.c_str(), &error);
  if (!fn) {
    std::string message = inputFile + ": " + tgErrorMessage(error);
    tgErrorDestroy(error);
    return fail(message);
  }

  int64_t numArgs = tgFunctionNumArgs(fn), numResults = tgFunctionNumResults(fn);
  auto argTypeString = [&](int64_t i) {
    TgTensorType t = tgFunctionArgType(fn, i);
    return typeString(t.dtype, ArrayRef<int64_t>(t.shape, t.rank));
  };
  if (static_cast<int64_t>(inputs.size()) != numArgs) {
    std::string message = inputFile + ": error: @" + entryName + " takes " +
                          std::to_string(numArgs) + " argument(s), " +
                          std::to_string(inputs.size()) +
                          " given with --input";
    if (static_cast<int64_t>(inputs.size()) < numArgs) {
      message += "; missing:";
      for (int64_t i = inputs.size(); i < numArgs; ++i)
        message += " #" + std::to_string(i) + " (" + argTypeString(i) + ")";
    }
    return fail(message);
  }

  std::vector<tg::HostTensor> args;
  for (auto [i, path] : llvm::enumerate(inputs)) {
    auto tensor = tg::readNpyFile(path);
    if (!tensor)
      return fail(toString(tensor.takeError()));
    TgTensorType expected = tgFunctionArgType(fn, i);
    ArrayRef<int64_t> expectedShape(expected.shape, expected.rank);
    if (tensor->dtype != expected.dtype ||
        ArrayRef<int64_t>(tensor->shape) != expectedShape)
      return fail(path + ": error: argument #" + std::to_string(i) + " of @" +
                  entryName + " expects " +
                  typeString(expected.dtype, expectedShape) +
                  ", the file holds " +
                  typeString(tensor->dtype, tensor->shape));
    args.push_back(std::move(*tensor));
  }

  std::vector<tg::HostTensor> results(numResults);
  for (int64_t i = 0; i < numResults; ++i) {
    TgTensorType t = tgFunctionResultType(fn, i);
    results[i].dtype = t.dtype;
    results[i].shape.assign(t.shape, t.shape + t.rank);
    size_t bytes = results[i].numElements() * tgDTypeSize(t.dtype);
    // A result this process cannot hold is an error, not an abort inside
    // std::vector (built without exceptions). The probe is volatile: an
    // unused malloc/free pair may be removed, as if it had succeeded.
    void *volatile probe = std::malloc(bytes);
    bool allocated = probe != nullptr;
    std::free(probe);
    if (!allocated && bytes)
      return fail(inputFile + ": error: out of memory: cannot allocate " +
                  std::to_string(bytes) + " bytes for result #" +
                  std::to_string(i) + " (" +
                  typeString(t.dtype, results[i].shape) + ")");
    results[i].data.resize(bytes);
  }
  std::vector<TgTensor> argViews, resultViews;
  for (auto &a : args)
    argViews.push_back(a.view());
  for (auto &r : results)
    resultViews.push_back(r.view());

  auto failWith = [&](TgError *e) {
    std::string message = tgErrorMessage(e);
    tgErrorDestroy(e);
    return fail(message);
  };
  // On a GPU target the inputs are copied into device buffers once, every
  // call (--repeat) runs on them, and the results are copied out at the end.
  bool onDevice = options.target != TG_TARGET_CPU && !opt.hostBuffers;
  using DeviceBuffer =
      std::unique_ptr<TgDeviceBuffer, void (*)(TgDeviceBuffer *)>;
  std::vector<DeviceBuffer> deviceArgs, deviceResults;
  std::vector<TgDeviceBuffer *> deviceArgPtrs, deviceResultPtrs;
  if (onDevice) {
    auto create = [&](const TgTensor &t, std::vector<DeviceBuffer> &out,
                      std::vector<TgDeviceBuffer *> &ptrs) {
      out.emplace_back(tgDeviceBufferCreate(options.target, t.dtype, t.rank,
                                            t.shape, &error),
                       tgDeviceBufferDestroy);
      ptrs.push_back(out.back().get());
      return out.back() != nullptr;
    };
    for (const TgTensor &a : argViews) {
      if (!create(a, deviceArgs, deviceArgPtrs))
        return failWith(error);
      size_t bytes = tgDeviceBufferBytes(deviceArgPtrs.back());
      if (tgDeviceBufferCopyFromHost(deviceArgPtrs.back(), a.data, bytes,
                                     nullptr, &error))
        return failWith(error);
    }
    for (const TgTensor &r : resultViews)
      if (!create(r, deviceResults, deviceResultPtrs))
        return failWith(error);
  }
  auto run = [&]() -> bool {
    if (onDevice ? tgFunctionRunDevice(fn, deviceArgPtrs.data(), numArgs,
                                       deviceResultPtrs.data(), numResults,
                                       nullptr, &error)
                 : tgFunctionRun(fn, argViews.data(), numArgs,
                                 resultViews.data(), numResults, &error)) {
      failWith(error);
      return false;
    }
    return true;
  };
  // Every call is recorded, the warm-up included.
  if (profiling)
    tgProfilerStart();
  if (!run())
    return 1;
  if (repeat > 0) {
    std::vector<double> ms;
    for (unsigned i = 0; i < repeat; ++i) {
      auto start = std::chrono::steady_clock::now();
      if (!run())
        return 1;
      auto end = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(ms.begin(), ms.end());
    outs() << format("@%s: %u calls: min %.4f ms, median %.4f ms, max %.4f ms\n",
                     entryName.c_str(), repeat, ms.front(),
                     ms[ms.size() / 2], ms.back());
  }

  for (int64_t i = 0; onDevice && i < numResults; ++i)
    if (tgDeviceBufferCopyToHost(deviceResultPtrs[i], resultViews[i].data,
                                 tgDeviceBufferBytes(deviceResultPtrs[i]),
                                 nullptr, &error))
      return failWith(error);

  if (profiling) {
    tgProfilerStop();
    if (opt.profileSummary) {
      char *table = tgProfilerSummary();
      outs() << table;
      tgStringDestroy(table);
    }
  }

  if (opt.reportMemory) {
    auto mb = [](int64_t bytes) { return double(bytes) / (1 << 20); };
    for (int64_t i = 0, e = tgExecutableNumFunctions(exe.get()); i < e; ++i) {
      const char *name = tgExecutableFunctionName(exe.get(), i);
      TgError *lookupError = nullptr;
      const TgFunction *f = tgExecutableLookup(exe.get(), name, &lookupError);
      TgMemoryPlan plan;
      if (!f || tgFunctionMemoryPlan(f, &plan)) {
        tgErrorDestroy(lookupError);
        outs() << "@" << name << ": no memory plan (the GPU target, or "
               << "LLVM-dialect input)\n";
        continue;
      }
      // The peak: the arena, plus buffers left out of it (at most).
      outs() << format("@%s: peak bytes of intermediates %lld (%.3f MiB): an "
                       "arena of %lld buffers, %lld bytes (lower bound %lld, "
                       "the most bytes live at once; %.3f MiB allocated one "
                       "by one), and %lld bytes left unplanned\n",
                       name, (long long)(plan.arenaBytes + plan.unplannedBytes),
                       mb(plan.arenaBytes + plan.unplannedBytes),
                       (long long)plan.buffers, (long long)plan.arenaBytes,
                       (long long)plan.lowerBoundBytes, mb(plan.separateBytes),
                       (long long)plan.unplannedBytes);
    }
  }

  if (opt.print)
    for (auto &r : results) {
      outs() << typeString(r.dtype, r.shape) << "\n";
      printTensor(outs(), r);
    }

  if (opt.checkGrad) {
    std::vector<TgGradientCheck> checks(64);
    int64_t numChecks = 0;
    if (tgCheckGradients(inputFile.c_str(), entryName.c_str(), argViews.data(),
                         numArgs, checks.data(), checks.size(), &numChecks,
                         &error)) {
      std::string message = tgErrorMessage(error);
      tgErrorDestroy(error);
      return fail(message);
    }
    bool ok = true;
    for (int64_t i = 0; i < numChecks; ++i) {
      bool pass = checks[i].maxRelativeError <= opt.gradTolerance;
      ok &= pass;
      outs() << format("gradient check: argument #%lld (%s): max relative "
                       "error %.3g (tolerance %.3g): %s\n",
                       (long long)checks[i].entryArgument,
                       argTypeString(checks[i].entryArgument).c_str(),
                       checks[i].maxRelativeError, opt.gradTolerance,
                       pass ? "ok" : "FAILED");
    }
    if (!ok)
      return fail(inputFile + ": error: gradient check failed: an analytic "
                  "gradient differs from finite differences by more than "
                  "the tolerance");
  }

  // Results first, the profile last; a failure of either leaves neither.
  std::vector<std::string> written;
  if (!outputDir.empty()) {
    if (std::error_code ec = sys::fs::create_directories(outputDir))
      return fail(outputDir + ": error: cannot create directory: " +
                  ec.message());
    for (auto [i, r] : llvm::enumerate(results)) {
      SmallString<256> path(outputDir);
      sys::path::append(path, "result" + std::to_string(i) + ".npy");
      if (Error e = tg::writeNpyFile(path, r.dtype, r.shape, r.data.data())) {
        // Nothing partial: remove what this run already wrote.
        for (auto &w : written)
          sys::fs::remove(w);
        return fail(toString(std::move(e)));
      }
      written.push_back(path.str().str());
    }
  }
  if (!opt.profile.empty() &&
      tgProfilerWriteTrace(opt.profile.c_str(), &error)) {
    std::string message = tgErrorMessage(error);
    tgErrorDestroy(error);
    for (auto &w : written)
      sys::fs::remove(w);
    return fail(message);
  }
  return 0;
}
