//===- TensorABI.h - The tensors of an entry point -------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//

#ifndef TG_LIB_CAPI_TENSORABI_H
#define TG_LIB_CAPI_TENSORABI_H

#include "tg-c/Runtime.h"

#include <cstdint>
#include <vector>

namespace tgcapi {

/// The dtype and shape of one argument or result.
struct TensorABI {
  TgDType dtype;
  std::vector<int64_t> shape;
  int64_t elements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

} // namespace tgcapi

#endif // TG_LIB_CAPI_TENSORABI_H
