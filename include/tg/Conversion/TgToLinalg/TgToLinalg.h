//===- TgToLinalg.h - tg to linalg conversion -------------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Patterns that lower tg ops to linalg/tensor/arith/math on tensors.
//
//===----------------------------------------------------------------------===//

#ifndef TG_CONVERSION_TGTOLINALG_TGTOLINALG_H
#define TG_CONVERSION_TGTOLINALG_TGTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace tg {

/// Adds the patterns that lower every tg op but tg.grad/tg.tape/tg.yield.
void populateTgToLinalgConversionPatterns(RewritePatternSet &patterns);

} // namespace tg
} // namespace mlir

#endif // TG_CONVERSION_TGTOLINALG_TGTOLINALG_H
