//===- TgCanonicalize.cpp - tg canonicalization patterns ------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Canonicalization patterns of the tg ops: the DRR patterns generated from
// TgCanonicalize.td, and C++ patterns that reason about broadcasting.
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/IR/TgOps.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::tg;

namespace {
#include "tg/Dialect/Tg/IR/TgCanonicalize.inc"

/// Drops a tg.broadcast_to feeding a broadcasting op when the op's own
/// broadcasting yields the same result type:
///   %b = tg.broadcast_to %x : tensor<3xf32> -> tensor<4x3xf32>
///   %r = tg.add %b, %y : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
/// becomes tg.add %x, %y. This avoids materializing the broadcast and lets
/// the lowering broadcast through indexing maps.
template <typename OpTy>
struct FoldBroadcastIntoConsumer : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> operands(op->getOperands());
    Type elementType = nullptr;
    if constexpr (std::is_same_v<OpTy, CmpOp>)
      elementType = rewriter.getI1Type();
    bool changed = false;
    for (Value &operand : operands) {
      auto broadcast = operand.getDefiningOp<BroadcastToOp>();
      if (!broadcast)
        continue;
      Value original = operand;
      operand = broadcast.getX();
      FailureOr<RankedTensorType> type = inferBroadcastType(
          ValueRange(operands).getTypes(), elementType, nullptr);
      if (succeeded(type) && *type == op.getType())
        changed = true;
      else
        operand = original;
    }
    if (!changed)
      return failure();
    rewriter.modifyOpInPlace(op, [&] { op->setOperands(operands); });
    return success();
  }
};

/// `x op identity` whose constant broadcasts x to a larger shape becomes a
/// tg.broadcast_to of x (the same-shape case is a fold).
template <typename OpTy>
struct BroadcastPassThroughOperand : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value x = getPassThroughOperand(op);
    if (!x || x.getType() == op.getType())
      return failure();
    rewriter.replaceOpWithNewOp<BroadcastToOp>(op, op.getType(), x);
    return success();
  }
};
} // namespace

template <typename OpTy>
static void addBinaryPatterns(RewritePatternSet &results, MLIRContext *context) {
  results.add<FoldBroadcastIntoConsumer<OpTy>,
              BroadcastPassThroughOperand<OpTy>>(context);
}

void AddOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  addBinaryPatterns<AddOp>(results, context);
}
void SubOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  addBinaryPatterns<SubOp>(results, context);
}
void MulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  addBinaryPatterns<MulOp>(results, context);
}
void DivOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  addBinaryPatterns<DivOp>(results, context);
}
void FloorDivOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<FoldBroadcastIntoConsumer<FloorDivOp>>(context);
}
void ModOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<FoldBroadcastIntoConsumer<ModOp>>(context);
}
void PowOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  addBinaryPatterns<PowOp>(results, context);
}
void MaximumOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FoldBroadcastIntoConsumer<MaximumOp>>(context);
}
void MinimumOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FoldBroadcastIntoConsumer<MinimumOp>>(context);
}
void CmpOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<FoldBroadcastIntoConsumer<CmpOp>>(context);
}
void SelectOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<FoldBroadcastIntoConsumer<SelectOp>>(context);
}
void NegOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<NegNegPattern>(context);
}
void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ReshapeReshapePattern>(context);
}
void BroadcastToOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                MLIRContext *context) {
  results.add<BroadcastBroadcastPattern>(context);
}
void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<TransposeTransposePattern>(context);
}
