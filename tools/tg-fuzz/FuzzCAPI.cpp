//===- FuzzCAPI.cpp - Fuzz the C API's argument checks --------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// libFuzzer target (d): calls of a compiled function with argument and
// result descriptors decoded from the input (counts, dtypes, including
// values outside the enum, ranks, shapes of any int64), entry names and
// dtype queries. Within the C API's contract (a shape array of `rank`
// entries, data of the size the descriptor announces) every mismatch must
// be an error; matching calls run.
//
//===----------------------------------------------------------------------===//

#include "tg-c/Runtime.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static const char kSource[] = R"mlir(
func.func @main(%x: tensor<2x3xf32>, %n: tensor<i32>) -> (tensor<3xf32>, tensor<i32>) {
  %s = tg.reduce_sum %x [0] : tensor<2x3xf32> -> tensor<3xf32>
  %m = tg.mul %n, %n : (tensor<i32>, tensor<i32>) -> tensor<i32>
  return %s, %m : tensor<3xf32>, tensor<i32>
}
)mlir";

namespace {
/// Reads the fuzzer's bytes as a stream of small integers (zeros at the end).
struct Reader {
  const uint8_t *data;
  size_t size, pos = 0;
  uint8_t byte() { return pos < size ? data[pos++] : 0; }
  int64_t int64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v = v << 8 | byte();
    return static_cast<int64_t>(v);
  }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static TgExecutable *exe = [] {
    TgCompileOptions options = tgDefaultCompileOptions();
    options.threads = 1;
    TgError *error = nullptr;
    TgExecutable *e =
        tgCompileSource(kSource, sizeof(kSource) - 1, "capi", &options, &error);
    if (!e)
      abort();
    return e;
  }();
  Reader in{data, size};
  // An entry name: the first byte says how long.
  std::string name;
  for (int n = in.byte() % 8; n > 0; --n)
    name.push_back(static_cast<char>(in.byte() % 2 ? 'm' + in.byte() % 3 : 'a' + in.byte() % 26));
  if (name.empty())
    name = "main";
  TgError *error = nullptr;
  const TgFunction *fn = tgExecutableLookup(exe, name.c_str(), &error);
  (void)tgDTypeSize(static_cast<TgDType>(in.byte() % 10));
  (void)tgDTypeName(static_cast<TgDType>(in.byte() % 10));
  if (!fn) {
    tgErrorDestroy(error);
    return 0;
  }
  // Descriptors: counts 0-4; dtypes 0-9 (7-9 are outside the enum); ranks
  // 0-5; each dimension either the expected one or any int64.
  int64_t numArgs = in.byte() % 5, numResults = in.byte() % 5;
  std::vector<std::vector<int64_t>> shapes;
  std::vector<std::vector<uint8_t>> buffers;
  shapes.reserve(numArgs + numResults);
  buffers.reserve(numArgs + numResults);
  auto decode = [&](int64_t i, bool isArg) {
    bool known = isArg ? i < tgFunctionNumArgs(fn) : i < tgFunctionNumResults(fn);
    TgTensorType expected{};
    if (known)
      expected = isArg ? tgFunctionArgType(fn, i) : tgFunctionResultType(fn, i);
    uint8_t mode = in.byte();
    TgTensor t;
    t.dtype = (mode & 1) && known ? expected.dtype
                                  : static_cast<TgDType>(in.byte() % 10);
    t.rank = (mode & 2) && known ? expected.rank : in.byte() % 6;
    shapes.emplace_back(t.rank);
    for (int64_t d = 0; d < t.rank; ++d)
      shapes.back()[d] = (mode & 4) && known && d < expected.rank
                             ? expected.shape[d]
                             : in.int64();
    t.shape = shapes.back().data();
    // Enough data for the expected type: a call whose descriptor matches
    // reads and writes exactly that much.
    size_t bytes = 64;
    if (known) {
      int64_t n = 1;
      for (int64_t d = 0; d < expected.rank; ++d)
        n *= expected.shape[d];
      bytes = n * tgDTypeSize(expected.dtype) + 64;
    }
    buffers.emplace_back(bytes, 0);
    t.data = buffers.back().data();
    return t;
  };
  std::vector<TgTensor> args, results;
  for (int64_t i = 0; i < numArgs; ++i)
    args.push_back(decode(i, true));
  for (int64_t i = 0; i < numResults; ++i)
    results.push_back(decode(i, false));
  if (tgFunctionRun(fn, args.data(), numArgs, results.data(), numResults,
                    &error))
    tgErrorDestroy(error);
  return 0;
}
