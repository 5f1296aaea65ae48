//===- ExpandArith.cpp - arith-expand that keeps min/max reductions -------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. Upstream's -arith-expand turns every arith.maximumf and
// minimumf into compares and selects; LLVM's vectorizer recognizes a
// reduction over llvm.maximum/minimum but not over that select chain, so a
// row maximum (softmax's first pass) ran as a scalar loop at ~1.6 ns per
// element. This pass applies the same upstream expansions except for the
// min/max ops marked `reassoc` (reduction steps, see convert-tg-to-linalg).
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGEXPANDARITHPASS
#include "tg/Codegen/Common/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
/// maximumf/minimumf (NaN-propagating) as compare and select, unless the op
/// may be reassociated: `select(a > b or isnan(a), a, b)`, then NaN in b.
template <typename OpTy, arith::CmpFPredicate Pred>
struct ExpandMinMax : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (bitEnumContainsAll(op.getFastmath(), arith::FastMathFlags::reassoc))
      return failure();
    Location loc = op.getLoc();
    Value a = op.getLhs(), b = op.getRhs();
    Value pick = arith::CmpFOp::create(rewriter, loc, Pred, a, b);
    Value chosen = arith::SelectOp::create(rewriter, loc, pick, a, b);
    Value bIsNan =
        arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::UNO, b, b);
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, bIsNan, b, chosen);
    return success();
  }
};

struct TgExpandArithPass
    : tg::impl::TgExpandArithPassBase<TgExpandArithPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    arith::populateCeilFloorDivExpandOpsPatterns(patterns);
    arith::populateExpandBFloat16Patterns(patterns);
    arith::populateExpandScalingExtTruncPatterns(patterns);
    patterns.add<ExpandMinMax<arith::MaximumFOp, arith::CmpFPredicate::UGT>,
                 ExpandMinMax<arith::MinimumFOp, arith::CmpFPredicate::ULT>>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
