//===- CAPITest.cpp - Unit tests of the tg C API --------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Compiles small modules from text and runs them on caller buffers through
// the C API alone, and checks that every misuse is an error with a message.
//
//===----------------------------------------------------------------------===//

#include "tg-c/Runtime.h"

#include "gtest/gtest.h"
#include <cmath>
#include <cstdint>
#include <string>

namespace {

const char *kModule = R"mlir(
func.func @main(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<f32>) {
  %s = tg.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %m = tg.reduce_max %s [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %s, %m : tensor<2x3xf32>, tensor<f32>
}
func.func private @hidden(%a: tensor<3xf32>) -> tensor<3xf32> {
  return %a : tensor<3xf32>
}
)mlir";

struct Compiled {
  TgExecutable *exe = nullptr;
  std::string error;
  explicit Compiled(const std::string &source, int target = TG_TARGET_CPU) {
    TgError *err = nullptr;
    TgCompileOptions options = tgDefaultCompileOptions();
    options.target = target;
    exe = tgCompileSource(source.data(), source.size(), "test.mlir", &options,
                          &err);
    if (!exe) {
      error = tgErrorMessage(err);
      tgErrorDestroy(err);
    }
  }
  ~Compiled() { tgExecutableDestroy(exe); }
};

TEST(CAPI, CompileLookupRun) {
  Compiled c(kModule);
  ASSERT_NE(c.exe, nullptr) << c.error;
  TgError *err = nullptr;
  const TgFunction *fn = tgExecutableLookup(c.exe, "main", &err);
  ASSERT_NE(fn, nullptr);
  ASSERT_EQ(tgFunctionNumArgs(fn), 2);
  ASSERT_EQ(tgFunctionNumResults(fn), 2);
  TgTensorType t0 = tgFunctionArgType(fn, 0);
  EXPECT_EQ(t0.dtype, TG_DTYPE_F32);
  ASSERT_EQ(t0.rank, 2);
  EXPECT_EQ(t0.shape[0], 2);
  EXPECT_EQ(t0.shape[1], 3);
  EXPECT_EQ(tgFunctionResultType(fn, 1).rank, 0);

  float a[6] = {1, 2, 3, 4, 5, 6}, b[3] = {10, 20, 30}, s[6] = {}, m = 0;
  int64_t sa[2] = {2, 3}, sb[1] = {3};
  TgTensor args[2] = {{TG_DTYPE_F32, 2, sa, a}, {TG_DTYPE_F32, 1, sb, b}};
  TgTensor results[2] = {{TG_DTYPE_F32, 2, sa, s}, {TG_DTYPE_F32, 0, nullptr, &m}};
  ASSERT_EQ(tgFunctionRun(fn, args, 2, results, 2, &err), 0);
  float expected[6] = {11, 22, 33, 14, 25, 36};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(s[i], expected[i]);
  EXPECT_EQ(m, 36);
  // Running again reuses the executable.
  b[2] = 100;
  ASSERT_EQ(tgFunctionRun(fn, args, 2, results, 2, &err), 0);
  EXPECT_EQ(m, 106);
}

TEST(CAPI, EntryPointsAndMemoryPlans) {
  const std::string source = R"mlir(
func.func @first(%a: tensor<64xf32>) -> tensor<f32> {
  %e = tg.exp %a : tensor<64xf32>
  %t = tg.tanh %e : tensor<64xf32>
  %p = tg.mul %e, %t : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %s = tg.reduce_sum %p [0] : tensor<64xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func private @hidden(%a: tensor<3xf32>) -> tensor<3xf32> {
  return %a : tensor<3xf32>
}
func.func @second(%a: tensor<3xf32>) -> tensor<3xf32> {
  return %a : tensor<3xf32>
}
)mlir";
  Compiled c(source);
  ASSERT_NE(c.exe, nullptr) << c.error;
  // The public functions, in source order; nothing past the end.
  ASSERT_EQ(tgExecutableNumFunctions(c.exe), 2);
  EXPECT_STREQ(tgExecutableFunctionName(c.exe, 0), "first");
  EXPECT_STREQ(tgExecutableFunctionName(c.exe, 1), "second");
  EXPECT_EQ(tgExecutableFunctionName(c.exe, 2), nullptr);
  EXPECT_EQ(tgExecutableFunctionName(c.exe, -1), nullptr);
  TgError *err = nullptr;
  const TgFunction *first = tgExecutableLookup(c.exe, "first", &err);
  ASSERT_NE(first, nullptr);
  TgMemoryPlan plan;
  ASSERT_EQ(tgFunctionMemoryPlan(first, &plan), 0);
  EXPECT_LE(plan.lowerBoundBytes, plan.arenaBytes);
  EXPECT_LE(plan.arenaBytes, plan.separateBytes);
  EXPECT_EQ(tgFunctionMemoryPlan(first, nullptr), 1);
  EXPECT_EQ(tgFunctionMemoryPlan(nullptr, &plan), 1);

  // Compiled for one entry: only that one.
  TgCompileOptions options = tgDefaultCompileOptions();
  options.entry = "second";
  TgExecutable *one = tgCompileSource(source.data(), source.size(), "test.mlir",
                                      &options, &err);
  ASSERT_NE(one, nullptr);
  ASSERT_EQ(tgExecutableNumFunctions(one), 1);
  EXPECT_STREQ(tgExecutableFunctionName(one, 0), "second");
  tgExecutableDestroy(one);
}

TEST(CAPI, RunChecksEveryTensor) {
  Compiled c(kModule);
  ASSERT_NE(c.exe, nullptr) << c.error;
  TgError *err = nullptr;
  const TgFunction *fn = tgExecutableLookup(c.exe, "main", &err);
  float a[6], b[4], s[6], m;
  int64_t sa[2] = {2, 3}, sb[1] = {4};
  TgTensor args[2] = {{TG_DTYPE_F32, 2, sa, a}, {TG_DTYPE_F32, 1, sb, b}};
  TgTensor results[2] = {{TG_DTYPE_F32, 2, sa, s}, {TG_DTYPE_F32, 0, nullptr, &m}};
  ASSERT_NE(tgFunctionRun(fn, args, 2, results, 2, &err), 0);
  EXPECT_STREQ(tgErrorMessage(err), "error: argument #1 of @main expects "
                                    "tensor<3xf32>, got tensor<4xf32>\n");
  tgErrorDestroy(err);

  sb[0] = 3;
  args[0].dtype = TG_DTYPE_F64;
  ASSERT_NE(tgFunctionRun(fn, args, 2, results, 2, &err), 0);
  EXPECT_NE(std::string(tgErrorMessage(err)).find("got tensor<2x3xf64>"),
            std::string::npos);
  tgErrorDestroy(err);

  ASSERT_NE(tgFunctionRun(fn, args, 1, results, 2, &err), 0);
  EXPECT_NE(std::string(tgErrorMessage(err)).find("takes 2 arguments and 2 results, got 1 and 2"),
            std::string::npos);
  tgErrorDestroy(err);
}

TEST(CAPI, Errors) {
  Compiled parse("func.func @main( {");
  EXPECT_EQ(parse.exe, nullptr);
  EXPECT_NE(parse.error.find("test.mlir:1:"), std::string::npos) << parse.error;

  Compiled verify(R"mlir(func.func @main(%a: tensor<3xf32>) -> tensor<3xf32> {
  %0 = tg.matmul %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
})mlir");
  EXPECT_EQ(verify.exe, nullptr);
  EXPECT_NE(verify.error.find("test.mlir:2:8: error: 'tg.matmul' op operands must have rank 2 or more"),
            std::string::npos)
      << verify.error;

  Compiled ok(kModule);
  ASSERT_NE(ok.exe, nullptr);
  TgError *err = nullptr;
  EXPECT_EQ(tgExecutableLookup(ok.exe, "hidden", &err), nullptr);
  EXPECT_NE(std::string(tgErrorMessage(err)).find("no public function @hidden"),
            std::string::npos);
  tgErrorDestroy(err);

  TgCompileOptions options = tgDefaultCompileOptions();
  EXPECT_EQ(tgCompileFile("/nonexistent.mlir", &options, &err), nullptr);
  EXPECT_NE(std::string(tgErrorMessage(err)).find("cannot open file"),
            std::string::npos);
  tgErrorDestroy(err);
}

TEST(CAPI, DTypes) {
  EXPECT_EQ(tgDTypeSize(TG_DTYPE_BF16), 2u);
  EXPECT_EQ(tgDTypeSize(TG_DTYPE_I1), 1u);
  EXPECT_STREQ(tgDTypeName(TG_DTYPE_I64), "i64");
}

} // namespace

namespace {

// Issue 14: what used to kill the caller's process through the C API.

TEST(CAPIReliability, IntegerDivisionNeverTraps) {
  Compiled c(R"mlir(
func.func @main(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  %q = tg.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %f = tg.floordiv %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %m = tg.mod %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %q, %f, %m : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}
)mlir");
  ASSERT_NE(c.exe, nullptr) << c.error;
  TgError *err = nullptr;
  const TgFunction *fn = tgExecutableLookup(c.exe, "main", &err);
  ASSERT_NE(fn, nullptr);
  int32_t a[4] = {7, -7, INT32_MIN, 5}, b[4] = {0, 2, -1, -3};
  int32_t q[4] = {}, f[4] = {}, m[4] = {};
  int64_t shape[1] = {4};
  TgTensor args[2] = {{TG_DTYPE_I32, 1, shape, a}, {TG_DTYPE_I32, 1, shape, b}};
  TgTensor results[3] = {{TG_DTYPE_I32, 1, shape, q},
                         {TG_DTYPE_I32, 1, shape, f},
                         {TG_DTYPE_I32, 1, shape, m}};
  ASSERT_EQ(tgFunctionRun(fn, args, 2, results, 3, &err), 0);
  // numpy: a // b == [0, -4, INT_MIN, -2], a % b == [0, 1, 0, -1].
  int32_t wantQ[4] = {0, -3, INT32_MIN, -1}, wantF[4] = {0, -4, INT32_MIN, -2},
          wantM[4] = {0, 1, 0, -1};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(q[i], wantQ[i]) << i;
    EXPECT_EQ(f[i], wantF[i]) << i;
    EXPECT_EQ(m[i], wantM[i]) << i;
  }
}

TEST(CAPIReliability, DeepNestingIsAnError) {
  std::string source = "func.func @main() attributes {a = ";
  source += std::string(20000, '[') + std::string(20000, ']');
  source += "} {\n  return\n}\n";
  Compiled c(source);
  EXPECT_EQ(c.exe, nullptr);
  EXPECT_NE(c.error.find("test.mlir:1:1034: error: input nested more than "
                         "1000 levels deep"),
            std::string::npos)
      << c.error;
}

TEST(CAPIReliability, RecursionIsAnError) {
  Compiled c(R"mlir(
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = call @main(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
)mlir");
  EXPECT_EQ(c.exe, nullptr);
  EXPECT_NE(c.error.find("'func.call' op is recursive: @main -> @main"),
            std::string::npos)
      << c.error;
}

TEST(CAPIReliability, OversizedTensorIsAnError) {
  Compiled c(R"mlir(
func.func @main(%x: tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32> {
  return %x : tensor<4294967296x4294967296xf32>
}
)mlir");
  EXPECT_EQ(c.exe, nullptr);
  EXPECT_NE(c.error.find("larger than tg's limit of 2^32 elements"),
            std::string::npos)
      << c.error;
}


//===----------------------------------------------------------------------===//
// Device buffers, on the emulated GPU (the same calls as on a GPU)
//===----------------------------------------------------------------------===//

/// The message of `*err`, which is then freed.
std::string take(TgError *&err) {
  std::string message = err ? tgErrorMessage(err) : "";
  tgErrorDestroy(err);
  err = nullptr;
  return message;
}

const char *kStep = R"mlir(
func.func @main(%x: tensor<4xf32>, %k: tensor<f32>) -> tensor<4xf32> {
  %y = tg.mul %x, %k : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %z = tg.add %y, %k : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %z : tensor<4xf32>
}
)mlir";

TEST(CAPIDevice, BuffersCopyAndRunResident) {
  Compiled c(kStep, TG_TARGET_GPU_EMULATED);
  ASSERT_NE(c.exe, nullptr) << c.error;
  TgError *err = nullptr;
  const TgFunction *fn = tgExecutableLookup(c.exe, "main", &err);
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(tgFunctionTarget(fn), TG_TARGET_GPU_EMULATED);

  int64_t shape[1] = {4};
  TgDeviceBuffer *x = tgDeviceBufferCreate(TG_TARGET_GPU_EMULATED, TG_DTYPE_F32,
                                           1, shape, &err);
  TgDeviceBuffer *y = tgDeviceBufferCreate(TG_TARGET_GPU_EMULATED, TG_DTYPE_F32,
                                           1, shape, &err);
  TgDeviceBuffer *k = tgDeviceBufferCreate(TG_TARGET_GPU_EMULATED, TG_DTYPE_F32,
                                           0, nullptr, &err);
  ASSERT_TRUE(x && y && k) << take(err);
  EXPECT_EQ(tgDeviceBufferBytes(x), 16u);
  EXPECT_EQ(tgDeviceBufferTarget(x), TG_TARGET_GPU_EMULATED);
  EXPECT_EQ(tgDeviceBufferType(k).rank, 0);
  EXPECT_EQ(tgDeviceBufferType(x).shape[0], 4);

  TgStream *stream = tgStreamCreate(TG_TARGET_GPU_EMULATED, &err);
  ASSERT_NE(stream, nullptr) << take(err);
  float host[4] = {1, 2, 3, 4}, two = 2;
  ASSERT_EQ(tgDeviceBufferCopyFromHost(x, host, 16, stream, &err), 0);
  ASSERT_EQ(tgDeviceBufferCopyFromHost(k, &two, 4, nullptr, &err), 0);
  // Three steps, each result the next step's argument: x -> 2x + 2.
  for (int step = 0; step < 3; ++step) {
    TgDeviceBuffer *args[2] = {x, k}, *results[1] = {y};
    ASSERT_EQ(tgFunctionRunDevice(fn, args, 2, results, 1, stream, &err), 0)
        << take(err);
    std::swap(x, y);
  }
  float out[4] = {};
  ASSERT_EQ(tgDeviceBufferCopyToHost(x, out, 16, stream, &err), 0);
  ASSERT_EQ(tgStreamSynchronize(stream, &err), 0);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(out[i], ((host[i] * 2 + 2) * 2 + 2) * 2 + 2);

  // The host path runs the same code.
  int64_t none[1] = {0};
  TgTensor hostArgs[2] = {{TG_DTYPE_F32, 1, shape, host},
                          {TG_DTYPE_F32, 0, none, &two}};
  TgTensor hostResult = {TG_DTYPE_F32, 1, shape, out};
  ASSERT_EQ(tgFunctionRun(fn, hostArgs, 2, &hostResult, 1, &err), 0);
  EXPECT_EQ(out[3], 10);

  tgStreamDestroy(stream);
  tgDeviceBufferDestroy(x);
  tgDeviceBufferDestroy(y);
  tgDeviceBufferDestroy(k);
}

TEST(CAPIDevice, MisuseIsAnError) {
  Compiled c(kStep, TG_TARGET_GPU_EMULATED);
  Compiled cpu(kStep);
  ASSERT_TRUE(c.exe && cpu.exe) << c.error << cpu.error;
  TgError *err = nullptr;
  const TgFunction *fn = tgExecutableLookup(c.exe, "main", &err);
  const TgFunction *cpuFn = tgExecutableLookup(cpu.exe, "main", &err);
  int64_t four[1] = {4}, five[1] = {5};
  auto make = [&](TgDType dtype, int64_t rank, const int64_t *shape) {
    TgDeviceBuffer *b = tgDeviceBufferCreate(TG_TARGET_GPU_EMULATED, dtype,
                                             rank, shape, &err);
    EXPECT_NE(b, nullptr) << take(err);
    return b;
  };
  TgDeviceBuffer *x = make(TG_DTYPE_F32, 1, four), *k = make(TG_DTYPE_F32, 0, nullptr),
                 *y = make(TG_DTYPE_F32, 1, four), *bad = make(TG_DTYPE_F32, 1, five),
                 *wrongType = make(TG_DTYPE_F64, 1, four);

  // Device buffers are not on the CPU.
  EXPECT_EQ(tgDeviceBufferCreate(TG_TARGET_CPU, TG_DTYPE_F32, 1, four, &err), nullptr);
  EXPECT_NE(take(err).find("not on target 0"), std::string::npos);
  int64_t negative[1] = {-1};
  EXPECT_EQ(tgDeviceBufferCreate(TG_TARGET_GPU_EMULATED, TG_DTYPE_F32, 1, negative, &err), nullptr);
  EXPECT_NE(take(err).find("invalid shape (dimension 0 is -1)"), std::string::npos);

  float host[5] = {};
  EXPECT_NE(tgDeviceBufferCopyFromHost(x, host, 20, nullptr, &err), 0);
  EXPECT_EQ(take(err), "error: tgDeviceBufferCopyFromHost: the buffer holds 16 "
                       "bytes (tensor<4xf32>), not 20\n");
  EXPECT_NE(tgDeviceBufferCopyToHost(x, nullptr, 16, nullptr, &err), 0);
  EXPECT_NE(take(err).find("no host memory"), std::string::npos);

  TgDeviceBuffer *args[2] = {x, k}, *results[1] = {y};
  EXPECT_NE(tgFunctionRunDevice(cpuFn, args, 2, results, 1, nullptr, &err), 0);
  EXPECT_NE(take(err).find("was compiled for the CPU"), std::string::npos);
  EXPECT_NE(tgFunctionRunDevice(fn, args, 1, results, 1, nullptr, &err), 0);
  EXPECT_NE(take(err).find("takes 2 arguments and 1 results, got 1 and 1"),
            std::string::npos);
  TgDeviceBuffer *badArgs[2] = {bad, k};
  EXPECT_NE(tgFunctionRunDevice(fn, badArgs, 2, results, 1, nullptr, &err), 0);
  EXPECT_EQ(take(err), "error: argument #0 of @main expects tensor<4xf32>, "
                       "got tensor<5xf32>\n");
  TgDeviceBuffer *typedResults[1] = {wrongType};
  EXPECT_NE(tgFunctionRunDevice(fn, args, 2, typedResults, 1, nullptr, &err), 0);
  EXPECT_NE(take(err).find("result #0 of @main expects tensor<4xf32>, got "
                           "tensor<4xf64>"),
            std::string::npos);
  TgDeviceBuffer *aliased[1] = {x};
  EXPECT_NE(tgFunctionRunDevice(fn, args, 2, aliased, 1, nullptr, &err), 0);
  EXPECT_NE(take(err).find("result #0 of @main is the same buffer as argument "
                           "#0; a result needs a buffer of its own"),
            std::string::npos);
  EXPECT_NE(tgFunctionRunDevice(fn, nullptr, 2, results, 1, nullptr, &err), 0);
  EXPECT_NE(take(err).find("@main: the argument array is null"), std::string::npos);
  EXPECT_NE(tgFunctionRunDevice(fn, args, 2, nullptr, 1, nullptr, &err), 0);
  EXPECT_NE(take(err).find("@main: the result array is null"), std::string::npos);
  TgTensor none[1];
  EXPECT_NE(tgFunctionRun(fn, nullptr, 2, none, 1, &err), 0);
  EXPECT_NE(take(err).find("@main: the argument array is null"), std::string::npos);
  EXPECT_NE(tgFunctionRun(fn, none, 2, nullptr, 1, &err), 0);
  EXPECT_NE(take(err).find("@main: the result array is null"), std::string::npos);
  TgDeviceBuffer *nullArgs[2] = {x, nullptr};
  EXPECT_NE(tgFunctionRunDevice(fn, nullArgs, 2, results, 1, nullptr, &err), 0);
  EXPECT_NE(take(err).find("argument #1 of @main is a null buffer"),
            std::string::npos);
  // An argument may appear twice (both read).
  Compiled twice(R"mlir(
func.func @main(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %s = tg.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
})mlir", TG_TARGET_GPU_EMULATED);
  const TgFunction *add = tgExecutableLookup(twice.exe, "main", &err);
  ASSERT_NE(add, nullptr);
  float ones[4] = {1, 1, 1, 1}, sum[4] = {};
  ASSERT_EQ(tgDeviceBufferCopyFromHost(x, ones, 16, nullptr, &err), 0);
  TgDeviceBuffer *same[2] = {x, x};
  ASSERT_EQ(tgFunctionRunDevice(add, same, 2, results, 1, nullptr, &err), 0)
      << take(err);
  ASSERT_EQ(tgDeviceBufferCopyToHost(y, sum, 16, nullptr, &err), 0);
  EXPECT_EQ(sum[0], 2);

  for (TgDeviceBuffer *b : {x, k, y, bad, wrongType})
    tgDeviceBufferDestroy(b);
  tgDeviceBufferDestroy(nullptr);
  tgStreamDestroy(nullptr);
}

TEST(CAPIDevice, GpuTargetWithoutAGpuIsAnError) {
  // On a machine with a usable GPU these succeed; elsewhere each call says
  // why the GPU cannot be used, and nothing is left allocated.
  TgError *err = nullptr;
  int64_t shape[1] = {4};
  TgDeviceBuffer *b =
      tgDeviceBufferCreate(TG_TARGET_GPU, TG_DTYPE_F32, 1, shape, &err);
  if (b) {
    tgDeviceBufferDestroy(b);
    return;
  }
  std::string message = take(err);
  EXPECT_TRUE(message.find("cannot allocate a device buffer of 16 bytes on the "
                           "GPU") != std::string::npos ||
              message.find("built without the GPU runtime") != std::string::npos)
      << message;
  EXPECT_EQ(tgStreamCreate(TG_TARGET_GPU, &err), nullptr);
  EXPECT_FALSE(take(err).empty());
  Compiled gpu(kStep, TG_TARGET_GPU);
  EXPECT_EQ(gpu.exe, nullptr);
  EXPECT_NE(gpu.error.find("GPU"), std::string::npos) << gpu.error;
  Compiled unknown(kStep, 7);
  EXPECT_NE(unknown.error.find("error: unknown target 7"), std::string::npos)
      << unknown.error;
}

} // namespace
