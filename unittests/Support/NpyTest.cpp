//===- NpyTest.cpp - Unit tests of the .npy reader and writer -------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Round trips for every dtype, the exact header numpy writes, and one test
// per way a file can be corrupt. The reference bytes are what numpy 1.24's
// np.save produces.
//
//===----------------------------------------------------------------------===//

#include "tg/Support/Npy.h"

#include "gtest/gtest.h"
#include <cstring>

using namespace tg;

namespace {

std::string errorOf(llvm::Expected<HostTensor> result) {
  if (result)
    return "";
  return llvm::toString(result.takeError());
}

TEST(Npy, HeaderMatchesNumpy) {
  float data[6] = {0, 1, 2, 3, 4, 5};
  int64_t shape[2] = {2, 3};
  std::string bytes = serializeNpy(TG_DTYPE_F32, shape, data);
  // np.save of np.arange(6, dtype=np.float32).reshape(2, 3):
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  ASSERT_EQ(bytes.substr(0, 6), std::string("\x93NUMPY", 6));
  EXPECT_EQ(bytes[6], 1);
  EXPECT_EQ(bytes.substr(10, header.size()), header);
  // Data starts at a multiple of 64 and the header ends with a newline.
  size_t dataStart = bytes.size() - sizeof(data);
  EXPECT_EQ(dataStart % 64, 0u);
  EXPECT_EQ(bytes[dataStart - 1], '\n');
  EXPECT_EQ(std::memcmp(bytes.data() + dataStart, data, sizeof(data)), 0);
}

TEST(Npy, ShapeTuples) {
  double x = 1;
  std::string scalar = serializeNpy(TG_DTYPE_F64, {}, &x);
  EXPECT_NE(scalar.find("'shape': ()"), std::string::npos);
  int64_t one[1] = {1};
  std::string vec = serializeNpy(TG_DTYPE_F64, one, &x);
  EXPECT_NE(vec.find("'shape': (1,)"), std::string::npos);
}

TEST(Npy, RoundTripEveryDType) {
  for (TgDType dtype : {TG_DTYPE_F32, TG_DTYPE_F64, TG_DTYPE_F16, TG_DTYPE_BF16,
                        TG_DTYPE_I1, TG_DTYPE_I32, TG_DTYPE_I64}) {
    std::vector<int64_t> shape{2, 1, 3};
    std::vector<uint8_t> data(6 * tgDTypeSize(dtype));
    for (size_t i = 0; i < data.size(); ++i)
      data[i] = dtype == TG_DTYPE_I1 ? i % 2 : uint8_t(i * 37 + 1);
    std::string bytes = serializeNpy(dtype, shape, data.data());
    auto parsed = parseNpy(bytes, "mem.npy");
    ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
    EXPECT_EQ(parsed->dtype, dtype);
    EXPECT_EQ(parsed->shape, shape);
    EXPECT_EQ(parsed->data, data);
  }
}

TEST(Npy, AcceptsVersion2AndNativeByteOrder) {
  std::string dict = "{'descr': '=i4', 'fortran_order': False, 'shape': (2,), }";
  std::string bytes("\x93NUMPY\x02\x00", 8);
  uint32_t len = dict.size();
  bytes.append(reinterpret_cast<const char *>(&len), 4);
  bytes += dict;
  int32_t values[2] = {7, -7};
  bytes.append(reinterpret_cast<const char *>(values), 8);
  auto parsed = parseNpy(bytes, "v2.npy");
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->dtype, TG_DTYPE_I32);
  EXPECT_EQ(parsed->numElements(), 2);
}

std::string withHeader(const std::string &dict, size_t dataBytes) {
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += char(dict.size() & 0xff);
  bytes += char(dict.size() >> 8);
  return bytes + dict + std::string(dataBytes, '\0');
}

TEST(Npy, Corruptions) {
  EXPECT_NE(errorOf(parseNpy("hello world", "a.npy")).find("a.npy: error: not a .npy file"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(std::string("\x93NUMPY\x01", 7), "a.npy")).find("truncated .npy header"),
            std::string::npos);
  std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
  EXPECT_EQ(errorOf(parseNpy(withHeader(ok, 12), "a.npy")), "");
  EXPECT_NE(errorOf(parseNpy(withHeader(ok, 8), "a.npy")).find("truncated data: expected 12"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(withHeader(ok, 16), "a.npy")).find("size mismatch"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(withHeader(ok, 12).substr(0, 30), "a.npy")).find("truncated .npy header"),
            std::string::npos);
  auto bad = [&](const std::string &dict) {
    return errorOf(parseNpy(withHeader(dict, 12), "a.npy"));
  };
  EXPECT_NE(bad("{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }").find("Fortran-order"),
            std::string::npos);
  EXPECT_NE(bad("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }").find("big-endian"),
            std::string::npos);
  EXPECT_NE(bad("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }").find("unsupported dtype '<c8'"),
            std::string::npos);
  EXPECT_NE(bad("{'descr': '<f4', 'shape': (3,), }").find("are all required"),
            std::string::npos);
  EXPECT_NE(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}").find("unknown key 'x'"),
            std::string::npos);
  EXPECT_NE(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (3,, }").find("bad 'shape'"),
            std::string::npos);
  EXPECT_NE(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }").find("bad 'shape'"),
            std::string::npos);
  EXPECT_NE(bad("['descr']").find("expected a dict"), std::string::npos);
  EXPECT_NE(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }").find("too large"),
            std::string::npos);
  std::string boolDict = "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }";
  std::string bools = withHeader(boolDict, 0) + std::string("\x01\x07", 2);
  EXPECT_NE(errorOf(parseNpy(bools, "a.npy")).find("invalid boolean byte 7"),
            std::string::npos);
}

TEST(Npy, FileErrorsAndAtomicWrite) {
  EXPECT_NE(errorOf(readNpyFile("/nonexistent/x.npy")).find("cannot read file"),
            std::string::npos);
  float v = 2.5f;
  llvm::Error e = writeNpyFile("/nonexistent/dir/x.npy", TG_DTYPE_F32, {}, &v);
  ASSERT_TRUE(bool(e));
  EXPECT_NE(llvm::toString(std::move(e)).find("cannot write file"), std::string::npos);
}

} // namespace
