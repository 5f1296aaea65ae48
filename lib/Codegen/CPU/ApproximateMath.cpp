//===- ApproximateMath.cpp - Vectorizable f32 math functions --------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. Upstream MLIR 22 has the polynomial approximation patterns
// but registers no pass for them outside its test passes.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGAPPROXIMATEMATHPASS
#include "tg/Codegen/CPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
struct TgApproximateMathPass
    : tg::impl::TgApproximateMathPassBase<TgApproximateMathPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // f16 and bf16 are computed in f32 already (by -convert-tg-to-linalg);
    // f64 keeps libm's correctly rounded functions. sin and cos stay with
    // libm too: the polynomial's range reduction loses ~6e-6 absolute at
    // |x| ~ 100, i.e. millions of ulp near the zeros.
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return name != "math.sin" && name != "math.cos";
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
