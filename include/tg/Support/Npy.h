//===- Npy.h - numpy .npy files ---------------------------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Reading and writing numpy's .npy format (versions 1.0, 2.0 and 3.0; C
// order, little-endian) for the dtypes tg supports. Reading checks every
// field of the header and the data size, so a corrupt or truncated file is an
// error with a message, never undefined behaviour.
//
//===----------------------------------------------------------------------===//

#ifndef TG_SUPPORT_NPY_H
#define TG_SUPPORT_NPY_H

#include "tg-c/Runtime.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>
#include <vector>

namespace tg {

/// A tensor that owns its row-major data.
struct HostTensor {
  TgDType dtype = TG_DTYPE_F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  int64_t numElements() const;
  /// A non-owning view for the C API.
  TgTensor view();
};

/// The numpy descr of a dtype ("<f4", "|b1", ...). bf16, which numpy lacks,
/// is written as raw 2-byte void ("<V2"), as ml_dtypes' arrays are.
std::string npyDescr(TgDType dtype);

/// Parses .npy bytes. `name` is used in error messages.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef bytes, llvm::StringRef name);
/// Reads a .npy file.
llvm::Expected<HostTensor> readNpyFile(llvm::StringRef path);
/// Serializes to .npy (version 1.0).
std::string serializeNpy(TgDType dtype, llvm::ArrayRef<int64_t> shape,
                         const void *data);
/// Writes a .npy file, atomically (through a temporary file and a rename).
llvm::Error writeNpyFile(llvm::StringRef path, TgDType dtype,
                         llvm::ArrayRef<int64_t> shape, const void *data);

} // namespace tg

#endif // TG_SUPPORT_NPY_H
