//===- tg-compile.cpp - Ahead-of-time compilation to an object file -------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// tg-compile FILE.mlir [-e ENTRY] [--name=SYMBOL] -o OUT.o --header OUT.h
//            [--cpu=CPU] [--threads=N]
// compiles one entry point into an object file that a C program links with
// libc and libm only, and the header declaring it (tgExport in the C API).
// Bad input: one diagnostic, exit status 1, no file written.
//
//===----------------------------------------------------------------------===//

#include "tg-c/Runtime.h"
#include "tg/Support/FlagValue.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

using namespace llvm;

static const char usage[] =
    "usage: tg-compile FILE.mlir [-e ENTRY] [--name=SYMBOL] -o OUT.o "
    "--header OUT.h\n"
    "                  [--mlirbc OUT.mlirbc] [--cpu=CPU] [--threads=N] "
    "[--no-optimize]\n"
    "\n"
    "  -e ENTRY         the public function to export (default: main)\n"
    "  --name=SYMBOL    the C function's name (default: the entry's; 'main'\n"
    "                   is refused)\n"
    "  -o OUT.o         the object file: int SYMBOL(const T *arg0, ...,\n"
    "                   T *result0, ...), linked with libc and libm only\n"
    "  --header OUT.h   the C header: the declaration, each buffer's dtype,\n"
    "                   shape and SYMBOL_ARGi_SIZE / SYMBOL_RESULTi_SIZE\n"
    "  --mlirbc FILE    also write the module as MLIR bytecode\n"
    "  --cpu=CPU        target CPU as clang's -march spells it (x86-64-v3,\n"
    "                   x86-64-v4, skylake-avx512, znver4, ..., or native);\n"
    "                   default x86-64-v3 (AVX2 and FMA)\n"
    "  --threads=N      threads of each call (default 1): the caller's and\n"
    "                   N - 1 that each call starts and joins (link with\n"
    "                   -lpthread)\n"
    "  --no-optimize    skip -tg-optimize before lowering\n";

static int fail(const std::string &message) {
  errs() << message;
  if (message.empty() || message.back() != '\n')
    errs() << "\n";
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  std::string input, entry = "main", name, object, header, mlirbc, cpu;
  int threads = 1, optimize = 1;
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    auto value = [&](StringRef flag, std::string &out) {
      return mlir::tg::flagValue(argc, argv, i, flag, out);
    };
    std::string v;
    auto missing = [&](StringRef flag) {
      return fail("error: " + flag.str() + " needs a value\n" + usage);
    };
    if (arg == "-h" || arg == "--help") {
      outs() << usage;
      return 0;
    }
    if (auto r = value("e", v)) {
      if (!*r) return missing("-e");
      entry = v;
    } else if (auto r = value("name", v)) {
      if (!*r || v.empty()) return missing("--name");
      name = v;
    } else if (auto r = value("o", v)) {
      if (!*r || v.empty()) return missing("-o");
      object = v;
    } else if (auto r = value("header", v)) {
      if (!*r || v.empty()) return missing("--header");
      header = v;
    } else if (auto r = value("mlirbc", v)) {
      if (!*r || v.empty()) return missing("--mlirbc");
      mlirbc = v;
    } else if (auto r = value("cpu", v)) {
      if (!*r || v.empty()) return missing("--cpu");
      cpu = v;
    } else if (auto r = value("threads", v)) {
      if (!*r || StringRef(v).getAsInteger(10, threads) || threads < 1 ||
          threads > 256)
        return fail("error: --threads expects 1 to 256 (each call starts "
                    "its own threads)\n" +
                    std::string(usage));
    } else if (arg == "--no-optimize") {
      optimize = 0;
    } else if (arg.starts_with("-") && arg != "-") {
      return fail("error: unknown option '" + arg.str() + "'\n" + usage);
    } else if (input.empty()) {
      input = arg.str();
    } else {
      return fail("error: more than one input file ('" + input + "', '" +
                  arg.str() + "')\n" + usage);
    }
  }
  if (input.empty())
    return fail("error: no input file\n" + std::string(usage));
  if (object.empty() || header.empty())
    return fail("error: -o OUT.o and --header OUT.h are both required\n" +
                std::string(usage));

  auto buffer = MemoryBuffer::getFileOrSTDIN(input, /*IsText=*/true);
  if (!buffer)
    return fail(input + ": error: cannot open file: " +
                buffer.getError().message());
  TgExportOptions options = tgDefaultExportOptions();
  options.entry = entry.c_str();
  options.symbol = name.empty() ? nullptr : name.c_str();
  options.cpu = cpu.empty() ? nullptr : cpu.c_str();
  options.threads = threads;
  options.optimize = optimize;
  TgExportPaths paths{};
  paths.object = object.c_str();
  paths.header = header.c_str();
  paths.bytecode = mlirbc.empty() ? nullptr : mlirbc.c_str();
  TgError *error = nullptr;
  StringRef text = (*buffer)->getBuffer();
  if (tgExport(text.data(), text.size(), input.c_str(), &options, &paths,
               &error)) {
    std::string message = tgErrorMessage(error);
    tgErrorDestroy(error);
    return fail(message);
  }
  return 0;
}
