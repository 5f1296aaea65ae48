//===- FuzzCompile.cpp - Fuzz the whole CPU pipeline and the JIT ----------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// libFuzzer target (b): small programs through tgCompileSource (parse, the
// CPU pipeline, the JIT), then, when @main exists, takes and returns small
// tensors and has no loops (whose trip counts could be endless), one run on
// zero-filled inputs. Failures must be diagnostics; crashes, sanitizer
// reports and leaks are bugs.
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include "tg-c/Runtime.h"

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Small programs: compile time grows with size, and small inputs reach
  // the same passes.
  if (size > 4096)
    return 0;
  std::string source(reinterpret_cast<const char *>(data), size);
  if (hasKnownUpstreamCrash(source))
    return 0;
  TgCompileOptions options = tgDefaultCompileOptions();
  options.threads = 1;
  TgError *error = nullptr;
  TgExecutable *exe =
      tgCompileSource(source.data(), source.size(), "fuzz", &options, &error);
  if (!exe) {
    tgErrorDestroy(error);
    return 0;
  }
  const TgFunction *fn = tgExecutableLookup(exe, "main", &error);
  bool loops = source.find("scf.while") != std::string::npos ||
               source.find("scf.for") != std::string::npos ||
               source.find("cf.br") != std::string::npos ||
               source.find("cf.cond_br") != std::string::npos;
  if (!fn) {
    tgErrorDestroy(error);
  } else if (!loops) {
    // Buffers for every argument and result, zero-filled, if small.
    std::vector<std::vector<uint8_t>> buffers;
    std::vector<TgTensor> args, results;
    int64_t total = 0;
    auto add = [&](TgTensorType t, std::vector<TgTensor> &out) {
      int64_t n = 1;
      for (int64_t i = 0; i < t.rank; ++i)
        n *= t.shape[i];
      total += n;
      if (total > (1 << 16))
        return false;
      buffers.emplace_back(n * tgDTypeSize(t.dtype) + 1, 0);
      out.push_back({t.dtype, t.rank, t.shape, buffers.back().data()});
      return true;
    };
    bool small = true;
    buffers.reserve(tgFunctionNumArgs(fn) + tgFunctionNumResults(fn));
    for (int64_t i = 0; small && i < tgFunctionNumArgs(fn); ++i)
      small = add(tgFunctionArgType(fn, i), args);
    for (int64_t i = 0; small && i < tgFunctionNumResults(fn); ++i)
      small = add(tgFunctionResultType(fn, i), results);
    if (small &&
        tgFunctionRun(fn, args.data(), args.size(), results.data(),
                      results.size(), &error))
      tgErrorDestroy(error);
  }
  tgExecutableDestroy(exe);
  return 0;
}
