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
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/TypeUtilities.h"
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

/// f64 -> bf16 (which upstream's bf16 expansion leaves to a
/// __truncdfbf2 libcall that neither the JIT nor libgcc 12 provides) as f64
/// -> f32 rounded to odd, then f32 -> bf16 to nearest even, which the bf16
/// expansion takes: rounding to odd keeps the sticky information, so the
/// two steps round as one (a plain f64 -> f32 -> bf16 would round twice,
/// 1 + 2^-8 + 2^-30 to 1 instead of 1 + 2^-7). Round to odd: the f32 value
/// nearest to x, moved one step toward zero if it lies farther from zero
/// than x, with its lowest bit set when it is not x itself.
struct ExpandF64ToBF16 : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    Type in = getElementTypeOrSelf(op.getIn().getType());
    Type out = getElementTypeOrSelf(op.getType());
    if (!in.isF64() || !out.isBF16() || op.getRoundingmodeAttr())
      return failure();
    Location loc = op.getLoc();
    auto like = [&](Type elem) -> Type {
      if (auto shaped = dyn_cast<ShapedType>(op.getType()))
        return shaped.clone(elem);
      return elem;
    };
    Type f32 = like(rewriter.getF32Type()), i32 = like(rewriter.getI32Type());
    Value x = op.getIn();
    Value nearest = arith::TruncFOp::create(rewriter, loc, f32, x);
    Value back = arith::ExtFOp::create(rewriter, loc, x.getType(), nearest);
    auto cmp = [&](arith::CmpFPredicate p, Value a, Value b) -> Value {
      return arith::CmpFOp::create(rewriter, loc, p, a, b);
    };
    Value zero =
        createScalarOrSplatConstant(rewriter, loc, x.getType(), APFloat(0.0));
    // Inexact: ordered and different (NaN stays as it is).
    Value inexact = cmp(arith::CmpFPredicate::ONE, back, x);
    Value fartherFromZero = arith::SelectOp::create(
        rewriter, loc, cmp(arith::CmpFPredicate::OGT, x, zero),
        cmp(arith::CmpFPredicate::OGT, back, x),
        cmp(arith::CmpFPredicate::OLT, back, x));
    Value one = createScalarOrSplatConstant(rewriter, loc, i32, 1);
    Value bits = arith::BitcastOp::create(rewriter, loc, i32, nearest);
    // Sign and magnitude: one less is one step toward zero (|nearest| > 0
    // whenever it is farther from zero than x).
    Value towardZero = arith::SelectOp::create(
        rewriter, loc, fartherFromZero,
        arith::SubIOp::create(rewriter, loc, bits, one), bits);
    Value odd = arith::SelectOp::create(
        rewriter, loc, inexact,
        arith::OrIOp::create(rewriter, loc, towardZero, one), bits);
    Value rounded = arith::BitcastOp::create(rewriter, loc, f32, odd);
    rewriter.replaceOpWithNewOp<arith::TruncFOp>(op, op.getType(), rounded);
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
                 ExpandMinMax<arith::MinimumFOp, arith::CmpFPredicate::ULT>,
                 ExpandF64ToBF16>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
