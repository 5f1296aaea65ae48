//===- Simplify.cpp - Algebraic simplification pass -----------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Runs the tg ops' canonicalization patterns alone. Unlike -canonicalize it
// leaves the other dialects' ops untouched, so the tg rewrites can be tested
// and used in isolation.
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/IR/TgDialect.h"
#include "tg/Dialect/Tg/IR/TgOps.h"
#include "tg/Dialect/Tg/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGSIMPLIFYPASS
#include "tg/Dialect/Tg/Transforms/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
struct TgSimplifyPass : tg::impl::TgSimplifyPassBase<TgSimplifyPass> {
  LogicalResult initialize(MLIRContext *context) override {
    RewritePatternSet set(context);
    for (RegisteredOperationName name : context->getRegisteredOperations())
      if (name.getDialectNamespace() == tg::TgDialect::getDialectNamespace())
        name.getCanonicalizationPatterns(set, context);
    patterns = FrozenRewritePatternSet(std::move(set));
    return success();
  }
  void runOnOperation() override {
    // Restrict the driver to tg ops (and the ops it creates), so that the
    // folders of other dialects do not run: this pass is tg's rewrites only.
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<tg::TgDialect>(op->getDialect()))
        ops.push_back(op);
    });
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    // Not converging within the driver's iteration limit is harmless here:
    // the IR is still correct, only less simplified.
    (void)applyOpPatternsGreedily(ops, patterns, config);
  }
  FrozenRewritePatternSet patterns;
};
} // namespace
