//===- PrepareCpuMatmuls.cpp - Matmuls as the CPU micro-kernels want them -===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. Upstream's linalg::rewriteInIm2Col produces a batched
// contraction in linalg.generic form with an unbatched filter, which no
// named op matches; this rewrite produces a plain linalg.matmul (batch and
// output pixels collapsed into rows) so that the CPU matmul micro-kernels
// apply to convolutions too.
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGPREPARECPUMATMULSPASS
#include "tg/Dialect/Tg/Transforms/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
struct Conv2DToMatmul : OpRewritePattern<linalg::Conv2DNhwcHwcfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::Conv2DNhwcHwcfOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "needs tensors");
    Value input = op.getInputs()[0], filter = op.getInputs()[1],
          init = op.getOutputs()[0];
    auto inType = cast<RankedTensorType>(input.getType());
    auto filterType = cast<RankedTensorType>(filter.getType());
    auto outType = cast<RankedTensorType>(init.getType());
    if (!inType.hasStaticShape() || !filterType.hasStaticShape() ||
        !outType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Type elem = outType.getElementType();
    if (inType.getElementType() != elem || filterType.getElementType() != elem)
      return rewriter.notifyMatchFailure(op, "mixed element types");
    int64_t n = outType.getDimSize(0), oh = outType.getDimSize(1),
            ow = outType.getDimSize(2);
    int64_t kh = filterType.getDimSize(0), kw = filterType.getDimSize(1),
            c = filterType.getDimSize(2);
    SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();

    // patches[n, y, x, i, j, ch] = input[n, y*sh + i*dh, x*sw + j*dw, ch]
    SmallVector<AffineExpr> d;
    for (unsigned i = 0; i < 6; ++i)
      d.push_back(getAffineDimExpr(i, ctx));
    AffineMap inputMap = AffineMap::get(
        6, 0,
        {d[0], d[1] * strides[0] + d[3] * dilations[0],
         d[2] * strides[1] + d[4] * dilations[1], d[5]},
        ctx);
    auto patchesType = RankedTensorType::get({n, oh, ow, kh, kw, c}, elem);
    Value empty = tensor::EmptyOp::create(rewriter, loc, patchesType.getShape(),
                                          elem);
    auto im2col = linalg::GenericOp::create(
        rewriter, loc, patchesType, ValueRange{input}, ValueRange{empty},
        ArrayRef<AffineMap>{inputMap, rewriter.getMultiDimIdentityMap(6)},
        SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });

    // [n*oh*ow, kh*kw*c] x [kh*kw*c, f] -> [n*oh*ow, f]
    SmallVector<ReassociationIndices> rows{{0, 1, 2}, {3, 4, 5}};
    Value lhs = tensor::CollapseShapeOp::create(rewriter, loc,
                                                im2col.getResult(0), rows);
    Value rhs = tensor::CollapseShapeOp::create(
        rewriter, loc, filter, SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
    SmallVector<ReassociationIndices> outRows{{0, 1, 2}, {3}};
    Value acc = tensor::CollapseShapeOp::create(rewriter, loc, init, outRows);
    auto matmul = linalg::MatmulOp::create(
        rewriter, loc, acc.getType(), ValueRange{lhs, rhs}, ValueRange{acc});
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, outType, matmul.getResult(0), outRows);
    return success();
  }
};

/// A matmul whose zero-filled init is shared with other ops gets a fill of
/// its own, on a tensor.empty of its own: bufferization would otherwise copy
/// the shared zeros into each matmul's buffer, or write later ops into the
/// matmul's buffer once its result is dead (a second reader of the buffer),
/// and the micro-kernels could no longer start from zero registers nor fuse
/// the matmul's consumer.
struct PrivateMatmulInit : OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    OpOperand &init = op.getOutputsMutable()[0];
    auto fill = init.get().getDefiningOp<linalg::FillOp>();
    if (!fill)
      return failure();
    auto empty = fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
    if (!empty || (fill->hasOneUse() && empty->hasOneUse()))
      return failure();
    if (fill->hasOneUse()) {
      rewriter.setInsertionPoint(fill);
      Operation *newEmpty = rewriter.clone(*empty);
      rewriter.modifyOpInPlace(fill, [&] {
        fill.getOutputsMutable()[0].set(newEmpty->getResult(0));
      });
      return success();
    }
    rewriter.setInsertionPoint(op);
    Operation *newEmpty = rewriter.clone(*empty);
    auto newFill = linalg::FillOp::create(rewriter, fill.getLoc(),
                                          fill.getInputs()[0],
                                          newEmpty->getResult(0));
    rewriter.modifyOpInPlace(op, [&] { init.set(newFill.getResult(0)); });
    return success();
  }
};

/// A transpose feeding a matmul gets a tensor.empty of its own: when two
/// transposes share one, bufferization writes both into one buffer, and the
/// micro-kernels, which read a transposed operand in place from the
/// transpose's source, only do so when the transpose's buffer is private.
struct PrivateTransposeInit : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() ||
        !llvm::any_of(op->getUsers(), llvm::IsaPred<linalg::MatmulOp>))
      return failure();
    OpOperand &init = op.getInitMutable();
    auto empty = init.get().getDefiningOp<tensor::EmptyOp>();
    if (!empty || empty->hasOneUse())
      return failure();
    rewriter.setInsertionPoint(op);
    Operation *newEmpty = rewriter.clone(*empty);
    rewriter.modifyOpInPlace(op, [&] { init.set(newEmpty->getResult(0)); });
    return success();
  }
};

struct TgPrepareCpuMatmulsPass
    : tg::impl::TgPrepareCpuMatmulsPassBase<TgPrepareCpuMatmulsPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<Conv2DToMatmul, PrivateMatmulInit, PrivateTransposeInit>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
