//===- Passes.h - tg conversion passes --------------------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Declarations of the conversion passes in Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef TG_CONVERSION_PASSES_H
#define TG_CONVERSION_PASSES_H

#include "tg/Conversion/TgToLinalg/TgToLinalg.h"

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace tg {

#define GEN_PASS_DECL
#include "tg/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tg/Conversion/Passes.h.inc"

} // namespace tg
} // namespace mlir

#endif // TG_CONVERSION_PASSES_H
