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

#include "tg/Codegen/Common/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGPREPARECPUMATMULSPASS
#include "tg/Codegen/Common/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
struct Conv2DToMatmul : OpRewritePattern<linalg::Conv2DNhwcHwcfOp> {
  Conv2DToMatmul(MLIRContext *ctx, int64_t tileBytes)
      : OpRewritePattern(ctx), tileBytes(tileBytes) {}
  int64_t tileBytes;
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

    int64_t f = outType.getDimSize(3), k = kh * kw * c;
    // A 1x1 convolution at stride 1 is one matmul of the pixels by the
    // filter: no patches to gather.
    if (kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1 &&
        inType.getDimSize(1) == oh && inType.getDimSize(2) == ow) {
      SmallVector<ReassociationIndices> pixels{{0, 1, 2}, {3}};
      Value lhs = tensor::CollapseShapeOp::create(rewriter, loc, input, pixels);
      Value rhs = tensor::CollapseShapeOp::create(
          rewriter, loc, filter, SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
      Value acc = tensor::CollapseShapeOp::create(rewriter, loc, init, pixels);
      auto matmul = linalg::MatmulOp::create(rewriter, loc, acc.getType(),
                                             ValueRange{lhs, rhs}, ValueRange{acc});
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, outType, matmul.getResult(0), pixels);
      return success();
    }
    // Output rows per tile: the largest divisor of oh whose patches fit in
    // tileBytes, so that a tile's patches are written and read back in L2
    // instead of going through memory (7 MB for a 56x56x64 3x3 conv).
    int64_t rowsPerTile = std::clamp<int64_t>(
        tileBytes / std::max<int64_t>(1, ow * k * elem.getIntOrFloatBitWidth() / 8),
        1, oh);
    while (oh % rowsPerTile)
      --rowsPerTile;
    // Small images (a whole image's patches in one tile): several images
    // per tile, so that the matmul has rows enough to amortize packing the
    // filter (64 images of 4x4 outputs were 64 matmuls of 16 rows), up to
    // 512 rows, which leaves tiles for several threads.
    int64_t imagesPerTile = 1;
    if (rowsPerTile == oh) {
      int64_t patchBytes =
          std::max<int64_t>(1, oh * ow * k * elem.getIntOrFloatBitWidth() / 8);
      // At least 64 rows even past tileBytes: a filter gradient computed
      // as a convolution has tiny images (kh x kw outputs) and huge
      // patches, and 9-row matmuls ran at a third of the FMA peak.
      int64_t pixels = std::max<int64_t>(1, oh * ow);
      imagesPerTile = std::clamp<int64_t>(
          std::min(std::max<int64_t>(tileBytes / patchBytes,
                                     llvm::divideCeil(64, pixels)),
                   512 / pixels),
          1, n);
      while (n % imagesPerTile)
        --imagesPerTile;
    }
    int64_t inRows = (rowsPerTile - 1) * strides[0] + (kh - 1) * dilations[0] + 1;
    int64_t width = inType.getDimSize(2);

    // patches[0, y, x, i, j, ch] = slice[0, y*sh + i*dh, x*sw + j*dw, ch]
    SmallVector<AffineExpr> d;
    for (unsigned i = 0; i < 6; ++i)
      d.push_back(getAffineDimExpr(i, ctx));
    AffineMap inputMap = AffineMap::get(
        6, 0,
        {d[0], d[1] * strides[0] + d[3] * dilations[0],
         d[2] * strides[1] + d[4] * dilations[1], d[5]},
        ctx);
    auto patchesType =
        RankedTensorType::get({imagesPerTile, rowsPerTile, ow, kh, kw, c}, elem);
    // [kh*kw*c, f], the filter as the matmul's right operand.
    Value rhs = tensor::CollapseShapeOp::create(
        rewriter, loc, filter, SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
    SmallVector<ReassociationIndices> rows{{0, 1, 2}, {3, 4, 5}};
    SmallVector<ReassociationIndices> outRows{{0, 1, 2}, {3}};
    auto index = [&](int64_t v) -> OpFoldResult {
      return rewriter.getIndexAttr(v);
    };
    // A fill of the whole init becomes a fill of each tile (below), so the
    // loop starts from the fill's destination.
    auto initFill = init.getDefiningOp<linalg::FillOp>();
    Value loopInit = initFill ? initFill.getOutputs()[0] : init;
    auto forall = scf::ForallOp::create(
        rewriter, loc,
        ArrayRef<OpFoldResult>{index(n / imagesPerTile), index(oh / rowsPerTile)},
        ValueRange{loopInit}, std::nullopt,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value tile = args[1], out = args[2];
          Value batch = arith::MulIOp::create(
              b, l, args[0], arith::ConstantIndexOp::create(b, l, imagesPerTile));
          Value y0 = arith::MulIOp::create(
              b, l, tile, arith::ConstantIndexOp::create(b, l, rowsPerTile));
          Value inY = arith::MulIOp::create(
              b, l, y0, arith::ConstantIndexOp::create(b, l, strides[0]));
          OpFoldResult one = index(1), zero = index(0);
          SmallVector<OpFoldResult> unit(4, one);
          Value slice = tensor::ExtractSliceOp::create(
              b, l, input, ArrayRef<OpFoldResult>{batch, inY, zero, zero},
              ArrayRef<OpFoldResult>{index(imagesPerTile), index(inRows),
                                     index(width), index(c)},
              unit);
          Value empty = tensor::EmptyOp::create(b, l, patchesType.getShape(), elem);
          auto im2col = linalg::GenericOp::create(
              b, l, patchesType, ValueRange{slice}, ValueRange{empty},
              ArrayRef<AffineMap>{inputMap, b.getMultiDimIdentityMap(6)},
              SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
              [](OpBuilder &nb, Location nl, ValueRange a) {
                linalg::YieldOp::create(nb, nl, a[0]);
              });
          Value lhs = tensor::CollapseShapeOp::create(b, l, im2col.getResult(0),
                                                      rows);
          SmallVector<OpFoldResult> outOffsets{batch, y0, zero, zero};
          SmallVector<OpFoldResult> outSizes{index(imagesPerTile),
                                             index(rowsPerTile), index(ow),
                                             index(f)};
          Value accTile = tensor::ExtractSliceOp::create(b, l, out, outOffsets,
                                                         outSizes, unit);
          if (initFill)
            accTile = linalg::FillOp::create(b, l, initFill.getInputs()[0],
                                             accTile)
                          .getResult(0);
          Value acc = tensor::CollapseShapeOp::create(b, l, accTile, outRows);
          auto matmul = linalg::MatmulOp::create(
              b, l, acc.getType(), ValueRange{lhs, rhs}, ValueRange{acc});
          Value result = tensor::ExpandShapeOp::create(
              b, l, accTile.getType(), matmul.getResult(0), outRows);
          auto terminator = scf::InParallelOp::create(b, l);
          b.setInsertionPointToStart(terminator.getBody());
          tensor::ParallelInsertSliceOp::create(b, l, result, out, outOffsets,
                                                outSizes, unit);
        });
    rewriter.replaceOp(op, forall.getResult(0));
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

/// Gives `op` a clone of the tensor.empty behind its `init` operand when
/// that empty has other users, so that bufferization allocates `op` a
/// buffer of its own.
static LogicalResult privatizeEmptyInit(Operation *op, OpOperand &init,
                                        PatternRewriter &rewriter) {
  auto empty = init.get().getDefiningOp<tensor::EmptyOp>();
  if (!empty || empty->hasOneUse())
    return failure();
  rewriter.setInsertionPoint(op);
  Operation *newEmpty = rewriter.clone(*empty);
  rewriter.modifyOpInPlace(op, [&] { init.set(newEmpty->getResult(0)); });
  return success();
}

/// The elementwise consumer of a matmul (the micro-kernels' epilogue) gets a
/// tensor.empty of its own as its init: on a shared one, bufferization may
/// write it into a buffer that ops between the matmul and the consumer
/// still read, and then the consumer cannot run on the tile at the matmul.
struct PrivateEpilogueInit : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
        op.getNumLoops() != op.getNumParallelLoops() ||
        !llvm::any_of(op.getDpsInputs(), [](Value v) {
          auto matmul = v.getDefiningOp<linalg::MatmulOp>();
          return matmul && matmul->hasOneUse();
        }))
      return failure();
    return privatizeEmptyInit(op, op.getDpsInitsMutable()[0], rewriter);
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
    return privatizeEmptyInit(op, op.getInitMutable(), rewriter);
  }
};

/// The batch dimension `expr` of an operand map reads: its loop dimension,
/// or -1 for a broadcast (the constant 0); nullopt for anything else.
static std::optional<int64_t> batchDimOf(AffineExpr expr, int64_t batch) {
  if (auto c = dyn_cast<AffineConstantExpr>(expr))
    return c.getValue() == 0 ? std::optional<int64_t>(-1) : std::nullopt;
  if (auto d = dyn_cast<AffineDimExpr>(expr))
    if (d.getPosition() < batch)
      return d.getPosition();
  return std::nullopt;
}

/// A batched f32 matmul (the linalg.generic -convert-tg-to-linalg builds for
/// tg.matmul with batch dimensions, broadcasts included) becomes a loop nest
/// over the batch of 2-D linalg.matmul on slices, which the micro-kernels
/// then run; slices of contiguous buffers keep a unit inner stride.
struct BatchedMatmulToLoops : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    int64_t loops = op.getNumLoops(), batch = loops - 3;
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || batch < 1 ||
        op.getNumReductionLoops() != 1 ||
        op.getIteratorTypesArray().back() != utils::IteratorType::reduction)
      return failure();
    auto outType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
    if (!outType || !outType.hasStaticShape() || !outType.getElementType().isF32())
      return failure();
    for (OpOperand *in : op.getDpsInputOperands()) {
      auto t = dyn_cast<RankedTensorType>(in->get().getType());
      if (!t || !t.hasStaticShape() || !t.getElementType().isF32())
        return failure();
    }
    // Body: out + in0 * in1.
    Block *body = op.getBody();
    auto yield = cast<linalg::YieldOp>(body->getTerminator());
    auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
    if (!add || body->getOperations().size() != 3)
      return failure();
    Value acc = body->getArgument(2);
    Value prod = add.getLhs() == acc ? add.getRhs() : add.getLhs();
    auto mul = prod.getDefiningOp<arith::MulFOp>();
    if (!mul || (add.getLhs() != acc && add.getRhs() != acc) ||
        !((mul.getLhs() == body->getArgument(0) &&
           mul.getRhs() == body->getArgument(1)) ||
          (mul.getLhs() == body->getArgument(1) &&
           mul.getRhs() == body->getArgument(0))))
      return failure();
    // Maps: lhs (batch..., m, k), rhs (batch..., k, n), out (batch..., m, n).
    MLIRContext *ctx = op.getContext();
    AffineExpr m = getAffineDimExpr(batch, ctx),
               n = getAffineDimExpr(batch + 1, ctx),
               k = getAffineDimExpr(batch + 2, ctx);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < batch + 2; ++d)
      outExprs.push_back(getAffineDimExpr(d, ctx));
    if (maps[2] != AffineMap::get(loops, 0, outExprs, ctx))
      return failure();
    SmallVector<SmallVector<int64_t>> batchDims(2);
    for (int i = 0; i < 2; ++i) {
      ArrayRef<AffineExpr> r = maps[i].getResults();
      if (r.size() < 2 || r[r.size() - 2] != (i == 0 ? m : k) ||
          r.back() != (i == 0 ? k : n))
        return failure();
      for (AffineExpr e : r.drop_back(2)) {
        std::optional<int64_t> dim = batchDimOf(e, batch);
        if (!dim)
          return failure();
        batchDims[i].push_back(*dim);
      }
    }

    Location loc = op.getLoc();
    auto zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    auto one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> lbs(batch, zero), steps(batch, one), ubs;
    for (int64_t d = 0; d < batch; ++d)
      ubs.push_back(arith::ConstantIndexOp::create(rewriter, loc,
                                                   outType.getDimSize(d)));
    // A 2-D slice of `v` (its trailing dims) at the batch position `ivs`.
    auto slice = [&](OpBuilder &b, Value v, ArrayRef<int64_t> dims,
                     ValueRange ivs) {
      auto type = cast<RankedTensorType>(v.getType());
      int64_t rank = type.getRank();
      SmallVector<OpFoldResult> offsets, sizes, strides(rank, b.getIndexAttr(1));
      for (int64_t dim : dims) {
        offsets.push_back(dim < 0 ? OpFoldResult(b.getIndexAttr(0))
                                  : OpFoldResult(ivs[dim]));
        sizes.push_back(b.getIndexAttr(1));
      }
      for (int64_t d = rank - 2; d < rank; ++d) {
        offsets.push_back(b.getIndexAttr(0));
        sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
      }
      auto sliceType = RankedTensorType::get(type.getShape().take_back(2),
                                             type.getElementType());
      return tensor::ExtractSliceOp::create(b, loc, sliceType, v, offsets,
                                            sizes, strides);
    };
    SmallVector<int64_t> outDims;
    for (int64_t d = 0; d < batch; ++d)
      outDims.push_back(d);
    Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, ValueRange{op.getDpsInits()[0]},
        [&](OpBuilder &b, Location, ValueRange ivs, ValueRange args) {
          Value a = slice(b, lhs, batchDims[0], ivs);
          Value bm = slice(b, rhs, batchDims[1], ivs);
          auto c = slice(b, args[0], outDims, ivs);
          Value product = linalg::MatmulOp::create(b, loc, c.getType(),
                                                   ValueRange{a, bm},
                                                   ValueRange{c.getResult()})
                              .getResult(0);
          Value updated = tensor::InsertSliceOp::create(
              b, loc, product, args[0], c.getMixedOffsets(), c.getMixedSizes(),
              c.getMixedStrides());
          return scf::ValueVector{updated};
        });
    rewriter.replaceOp(op, nest.results);
    return success();
  }
};

struct TgPrepareCpuMatmulsPass
    : tg::impl::TgPrepareCpuMatmulsPassBase<TgPrepareCpuMatmulsPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PrivateMatmulInit, PrivateEpilogueInit, PrivateTransposeInit>(
        &getContext());
    if (!privateInitsOnly) {
      patterns.add<BatchedMatmulToLoops>(&getContext());
      patterns.add<Conv2DToMatmul>(&getContext(), im2colTileBytes);
    }
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
