//===- Passes.h - tg graph-level passes -------------------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Declarations of the passes in Passes.td (graph passes and autodiff).
//
//===----------------------------------------------------------------------===//

#ifndef TG_DIALECT_TG_TRANSFORMS_PASSES_H
#define TG_DIALECT_TG_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace tg {

#define GEN_PASS_DECL
#include "tg/Dialect/Tg/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tg/Dialect/Tg/Transforms/Passes.h.inc"

} // namespace tg
} // namespace mlir

#endif // TG_DIALECT_TG_TRANSFORMS_PASSES_H
