//===- FuzzNpy.cpp - Fuzz the .npy reader ---------------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// libFuzzer target (c): any bytes as a .npy file. What parses must
// serialize and parse back to the same tensor; everything else must be an
// error, never a crash or an out-of-bounds read.
//
//===----------------------------------------------------------------------===//

#include "tg/Support/Npy.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  auto tensor = tg::parseNpy(bytes, "fuzz.npy");
  if (!tensor) {
    llvm::consumeError(tensor.takeError());
    return 0;
  }
  std::string again =
      tg::serializeNpy(tensor->dtype, tensor->shape, tensor->data.data());
  auto reparsed = tg::parseNpy(again, "again.npy");
  if (!reparsed) {
    llvm::consumeError(reparsed.takeError());
    abort(); // what tg writes, tg must read
  }
  if (reparsed->dtype != tensor->dtype || reparsed->shape != tensor->shape ||
      reparsed->data != tensor->data)
    abort();
  return 0;
}
