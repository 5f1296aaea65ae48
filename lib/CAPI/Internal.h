//===- Internal.h - Shared pieces of the C API implementation ---*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// What Runtime.cpp and GradientCheck.cpp share: the error object and the
// context set-up.
//
//===----------------------------------------------------------------------===//

#ifndef TG_LIB_CAPI_INTERNAL_H
#define TG_LIB_CAPI_INTERNAL_H

#include "tg-c/Runtime.h"

#include "mlir/IR/DialectRegistry.h"
#include <string>

struct TgError {
  std::string message;
};

namespace tgcapi {
/// Stores a new error with `message` in `*error` (if error is non-null).
void setError(TgError **error, std::string message);
/// The dialects, extensions and LLVM translations every compilation needs.
void registerCompilerDialects(mlir::DialectRegistry &registry);
} // namespace tgcapi

#endif // TG_LIB_CAPI_INTERNAL_H
