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
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGPREPARECPUMATMULSPASS
#include "tg/Codegen/Common/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

/// The im2col copy of `input` [imgs, rows, width, c] for a convolution
/// tile: patches[b, y, x, i, j, ch] = input[b, y*sh + i*dh, x*sw + j*dw, ch]
/// of type `patchesType` [imgs, oh, ow, kh, kw, c], returned as the
/// [imgs*oh*ow, kh*kw*c] matrix of the receptive fields' rows.
static Value im2col(OpBuilder &b, Location loc, Value input,
                    RankedTensorType patchesType, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> dilations) {
  SmallVector<AffineExpr> d;
  for (unsigned i = 0; i < 6; ++i)
    d.push_back(getAffineDimExpr(i, b.getContext()));
  AffineMap inputMap = AffineMap::get(
      6, 0,
      {d[0], d[1] * strides[0] + d[3] * dilations[0],
       d[2] * strides[1] + d[4] * dilations[1], d[5]},
      b.getContext());
  Type elem = patchesType.getElementType();
  Value empty = tensor::EmptyOp::create(b, loc, patchesType.getShape(), elem);
  auto copy = linalg::GenericOp::create(
      b, loc, patchesType, ValueRange{input}, ValueRange{empty},
      ArrayRef<AffineMap>{inputMap, b.getMultiDimIdentityMap(6)},
      SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
      [](OpBuilder &nb, Location nl, ValueRange a) {
        linalg::YieldOp::create(nb, nl, a[0]);
      });
  return tensor::CollapseShapeOp::create(
      b, loc, copy.getResult(0),
      SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
}

/// The largest divisor of `n` that is at most `limit` (at least 1).
static int64_t largestDivisorAtMost(int64_t n, int64_t limit) {
  int64_t v = std::clamp<int64_t>(limit, 1, n);
  while (n % v)
    --v;
  return v;
}

/// A convolution input `[n, h, w, c]` with the zero padding of its rows and
/// columns kept apart: the convolutions read their tiles' rows from the
/// unpadded source and pad each tile on its own (tileRows), so that no
/// padded copy of the whole input is written and read back through memory
/// (1.4 ms of a 56 ms 3x3 conv step at 1 thread) nor kept live.
struct PaddedInput {
  Value source;
  int64_t low[2] = {0, 0}, high[2] = {0, 0}; // rows, columns
};

/// A single image's padding, as unit-dimension folding leaves it: `[1, h,
/// w, c]` collapsed to `[h, w, c]`, padded, expanded back to one image.
/// Its source and the pad (whose dimensions are then rows, columns,
/// channels), or nulls.
static std::pair<Value, tensor::PadOp> unitBatchPadding(Value input) {
  auto expand = input.getDefiningOp<tensor::ExpandShapeOp>();
  auto pad = expand ? expand.getSrc().getDefiningOp<tensor::PadOp>()
                    : tensor::PadOp();
  auto collapse = pad ? pad.getSource().getDefiningOp<tensor::CollapseShapeOp>()
                      : tensor::CollapseShapeOp();
  SmallVector<ReassociationIndices> batchIntoRows{{0, 1}, {2}, {3}};
  // Both ends one image: the pad may not have padded the batch (an expand
  // to [3, 1, w, c] would be three images of one row).
  if (!collapse || expand.getReassociationIndices() != batchIntoRows ||
      collapse.getReassociationIndices() != batchIntoRows ||
      collapse.getSrcType().getDimSize(0) != 1 ||
      expand.getResultType().getDimSize(0) != 1)
    return {};
  return {collapse.getSrc(), pad};
}

/// `input` as its unpadded source and padding when it is a tensor.pad of
/// rows and columns only, with zeros, by static amounts.
static PaddedInput stripZeroPadding(Value input) {
  PaddedInput in;
  in.source = input;
  // The pad's dimension of rows (columns follow).
  unsigned rowsDim = 1;
  Value source;
  auto pad = input.getDefiningOp<tensor::PadOp>();
  if (pad) {
    source = pad.getSource();
  } else {
    std::tie(source, pad) = unitBatchPadding(input);
    rowsDim = 0;
  }
  if (!pad)
    return in;
  Value value = pad.getConstantPaddingValue();
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  unsigned rank = rowsDim + 3;
  if (!value || !(matchPattern(value, m_AnyZeroFloat()) ||
                  matchPattern(value, m_Zero())) ||
      low.size() != rank || ShapedType::isDynamicShape(low) ||
      ShapedType::isDynamicShape(high) || low[rank - 1] || high[rank - 1] ||
      (rowsDim == 1 && (low[0] || high[0])))
    return in;
  in.source = source;
  in.low[0] = low[rowsDim];
  in.low[1] = low[rowsDim + 1];
  in.high[0] = high[rowsDim];
  in.high[1] = high[rowsDim + 1];
  return in;
}

/// Rows [top, top + rows) and columns [0, cols) of images [batch, batch +
/// imgs) of the padded input: a slice of the source, zero-padded where the
/// tile reaches into the padding (a tile-sized tensor.pad, in L2).
static Value tileRows(OpBuilder &b, Location l, const PaddedInput &in,
                      Value batch, int64_t imgs, Value top, int64_t rows,
                      int64_t cols) {
  auto type = cast<RankedTensorType>(in.source.getType());
  int64_t h = type.getDimSize(1), w = type.getDimSize(2),
          c = type.getDimSize(3);
  auto index = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  OpFoldResult zero = index(0), one = index(1);
  SmallVector<OpFoldResult> unit(4, one);
  if (!in.low[0] && !in.high[0] && !in.low[1] && !in.high[1])
    return tensor::ExtractSliceOp::create(
        b, l, in.source, ArrayRef<OpFoldResult>{batch, top, zero, zero},
        ArrayRef<OpFoldResult>{index(imgs), index(rows), index(cols),
                               index(c)},
        unit);
  // Columns: the same for every tile.
  int64_t validCols = std::max<int64_t>(
      0, std::min<int64_t>(w, cols - in.low[1]));
  // (At most cols - 1: the bufferized tensor.pad copies into a subview at
  // the low padding, whose offset must be within the tile even when the
  // copy is empty.)
  int64_t colsLow = std::min(in.low[1], std::max<int64_t>(cols - 1, 0));
  int64_t colsHigh = cols - colsLow - validCols;
  // Rows: the source rows [top - low, top - low + rows) within [0, h).
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, l, v);
  };
  Value first = arith::SubIOp::create(b, l, top, cst(in.low[0]));
  Value start = arith::MaxSIOp::create(b, l, first, cst(0));
  Value end = arith::MinSIOp::create(
      b, l, arith::AddIOp::create(b, l, first, cst(rows)), cst(h));
  Value count = arith::MaxSIOp::create(
      b, l, arith::SubIOp::create(b, l, end, start), cst(0));
  Value rowsLow = arith::MaxSIOp::create(
      b, l, arith::SubIOp::create(b, l, start, first), cst(0));
  // A tile wholly in the bottom padding reads no row: its (empty) slice
  // starts at the last row, as a slice's offset must be within the
  // dimension even when it is empty.
  start = arith::MinSIOp::create(b, l, start,
                                 cst(std::max<int64_t>(h - 1, 0)));
  rowsLow = arith::MinSIOp::create(b, l, rowsLow,
                                   cst(std::max<int64_t>(rows - 1, 0)));
  Value rowsHigh = arith::SubIOp::create(
      b, l, arith::SubIOp::create(b, l, cst(rows), rowsLow), count);
  Value slice = tensor::ExtractSliceOp::create(
      b, l, in.source, ArrayRef<OpFoldResult>{batch, start, zero, zero},
      ArrayRef<OpFoldResult>{index(imgs), count, index(validCols), index(c)},
      unit);
  Type elem = type.getElementType();
  Value padValue =
      arith::ConstantOp::create(b, l, elem, b.getZeroAttr(elem));
  return tensor::PadOp::create(
      b, l, RankedTensorType::get({imgs, rows, cols, c}, elem), slice,
      ArrayRef<OpFoldResult>{zero, rowsLow, index(colsLow), zero},
      ArrayRef<OpFoldResult>{zero, rowsHigh, index(colsHigh), zero},
      padValue);
}

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
    int64_t elemBytes = std::max<int64_t>(1, elem.getIntOrFloatBitWidth() / 8);
    // The im2col of a whole receptive field goes through L2 one tile of
    // output rows at a time. When even a tile of 64 rows (what the
    // micro-kernels need to amortize packing the filter) is past tileBytes
    // -- a filter gradient computed as a convolution has kh x kw outputs per
    // image and a receptive field as large as the forward pass's output --
    // the reduction is sliced by filter rows instead: each tile loops over
    // the kh rows, copying a [rows, kw*c] slice of patches and adding its
    // product with the filter row's [kw*c, f] into the tile. Whole patches
    // made the filter gradient of a 3x3 conv of 8x56x56x64 images copy
    // 58 MB of patches through memory and pack its 6.4 MB right operand for
    // every 72-row tile (74 GFLOP/s against the forward pass's 98).
    int64_t minRows = std::min<int64_t>(
        n * oh * ow, std::max<int64_t>(64, ow));
    bool sliceRows = kh > 1 && minRows * k * elemBytes > tileBytes;
    int64_t sliceK = sliceRows ? kw * c : k;
    // Output rows per tile: the largest divisor of oh whose patches fit in
    // tileBytes, so that a tile's patches are written and read back in L2
    // instead of going through memory (7 MB for a 56x56x64 3x3 conv).
    int64_t rowsPerTile = largestDivisorAtMost(
        oh, tileBytes / std::max<int64_t>(1, ow * sliceK * elemBytes));
    // Small images (a whole image's patches in one tile): several images
    // per tile, so that the matmul has rows enough to amortize packing the
    // filter (64 images of 4x4 outputs were 64 matmuls of 16 rows), up to
    // 256 rows, which leaves tiles for several threads. 512-row tiles ran
    // no faster in the digits CNN step (0.47 ms at 1 thread either way) and
    // their patches were a quarter of its peak memory.
    int64_t imagesPerTile = 1;
    if (rowsPerTile == oh) {
      int64_t patchBytes = std::max<int64_t>(1, oh * ow * sliceK * elemBytes);
      // At least 64 rows even past tileBytes (9-row matmuls ran at a third
      // of the FMA peak).
      int64_t pixels = std::max<int64_t>(1, oh * ow);
      imagesPerTile = largestDivisorAtMost(
          n, std::min(std::max<int64_t>(tileBytes / patchBytes,
                                        llvm::divideCeil(64, pixels)),
                      256 / pixels));
    }
    // Filter rows per slice of the reduction, and the input rows a slice
    // reads.
    int64_t sliceH = sliceRows ? 1 : kh;
    int64_t inRows =
        (rowsPerTile - 1) * strides[0] + (sliceH - 1) * dilations[0] + 1;
    int64_t width = inType.getDimSize(2);
    PaddedInput padded = stripZeroPadding(input);

    auto patchesType = RankedTensorType::get(
        {imagesPerTile, rowsPerTile, ow, sliceH, kw, c}, elem);
    SmallVector<ReassociationIndices> outRows{{0, 1, 2}, {3}};
    SmallVector<ReassociationIndices> filterRows{{0, 1, 2}, {3}};
    auto index = [&](int64_t v) -> OpFoldResult {
      return rewriter.getIndexAttr(v);
    };
    // [kh*kw*c, f], the filter as the matmul's right operand (sliced:
    // [kw*c, f], filter row by filter row).
    Value rhs;
    if (!sliceRows)
      rhs = tensor::CollapseShapeOp::create(rewriter, loc, filter, filterRows);
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
          // The product of the patches of input rows from `top` (sliceH
          // filter rows of them) by `weights` [sliceH*kw*c, f], added to
          // `acc`.
          auto multiply = [&](OpBuilder &b, Location l, Value top,
                              Value weights, Value acc) -> Value {
            Value slice = tileRows(b, l, padded, batch, imagesPerTile, top,
                                   inRows, width);
            Value lhs = im2col(b, l, slice, patchesType, strides, dilations);
            return linalg::MatmulOp::create(b, l, acc.getType(),
                                            ValueRange{lhs, weights},
                                            ValueRange{acc})
                .getResult(0);
          };
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
          Value product;
          if (!sliceRows) {
            product = multiply(b, l, inY, rhs, acc);
          } else {
            auto loop = scf::ForOp::create(
                b, l, arith::ConstantIndexOp::create(b, l, 0),
                arith::ConstantIndexOp::create(b, l, kh),
                arith::ConstantIndexOp::create(b, l, 1), ValueRange{acc},
                [&](OpBuilder &fb, Location fl, Value i, ValueRange iter) {
                  Value top = arith::AddIOp::create(
                      fb, fl, inY,
                      arith::MulIOp::create(
                          fb, fl, i,
                          arith::ConstantIndexOp::create(fb, fl,
                                                         dilations[0])));
                  Value row = tensor::ExtractSliceOp::create(
                      fb, fl, filter,
                      ArrayRef<OpFoldResult>{i, zero, zero, zero},
                      ArrayRef<OpFoldResult>{one, index(kw), index(c),
                                             index(f)},
                      unit);
                  Value weights = tensor::CollapseShapeOp::create(
                      fb, fl, row, filterRows);
                  scf::YieldOp::create(
                      fb, fl, multiply(fb, fl, top, weights, iter[0]));
                });
            product = loop.getResult(0);
          }
          Value result = tensor::ExpandShapeOp::create(
              b, l, accTile.getType(), product, outRows);
          auto terminator = scf::InParallelOp::create(b, l);
          b.setInsertionPointToStart(terminator.getBody());
          tensor::ParallelInsertSliceOp::create(b, l, result, out, outOffsets,
                                                outSizes, unit);
        });
    rewriter.replaceOp(op, forall.getResult(0));
    return success();
  }
};

/// sum over g of partials[g, r, c], added into `init` [r, c].
static Value sumPartials(OpBuilder &b, Location loc, Value partials,
                         Value init) {
  MLIRContext *ctx = b.getContext();
  AffineExpr g = getAffineDimExpr(0, ctx), r = getAffineDimExpr(1, ctx),
             col = getAffineDimExpr(2, ctx);
  // The partials added one group after the other (the groups' loop
  // outermost: the adds run along the rows of f).
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{partials},
             ValueRange{init},
             ArrayRef<AffineMap>{AffineMap::get(3, 0, {g, r, col}, ctx),
                                 AffineMap::get(3, 0, {r, col}, ctx)},
             ArrayRef<utils::IteratorType>{utils::IteratorType::reduction,
                                           utils::IteratorType::parallel,
                                           utils::IteratorType::parallel},
             [](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(
                   nb, l, Value(arith::AddFOp::create(nb, l, a[0], a[1])));
             })
      .getResult(0);
}

/// The filter gradient tg's autodiff builds (Conv2DOp::buildAdjoints): a
/// convolution of the forward input P [n, hp, wp, c] with channels and batch
/// swapped (transpose [3, 1, 2, 0]) by the result's adjoint D [n, oh, ow, f]
/// as an oh x ow filter (transpose [1, 2, 0, 3]):
///   G[ch, i, j, f] = sum over b, y, x of
///                    P[b, i*sh + y*dh, j*sw + x*dw, ch] D[b, y, x, f]
/// with (sh, sw) and (dh, dw) the convolution's strides and dilations (the
/// forward pass's dilations and strides). That is patches^T D, where the
/// patches are the forward pass's own im2col of P: this rewrite computes it
/// so, tile of D's rows by tile, reading P and D where they are. Through the
/// transposes, a 3x3 conv of 8x56x56x64 images spent 4 of its 63 ms (1
/// thread) transposing P and D, whose copies were live at once (the CNN
/// step's memory lower bound). The tiles' products are summed into up to 8
/// partial gradients, one per parallel group of tiles, and the partials are
/// added at the end.
struct FilterGradientToMatmul : OpRewritePattern<linalg::Conv2DNhwcHwcfOp> {
  FilterGradientToMatmul(MLIRContext *ctx, int64_t tileBytes)
      : OpRewritePattern(ctx, /*benefit=*/2), tileBytes(tileBytes) {}
  int64_t tileBytes;
  LogicalResult matchAndRewrite(linalg::Conv2DNhwcHwcfOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "needs tensors");
    // The images may be zero-padded in their rows and columns.
    PaddedInput padded = stripZeroPadding(op.getInputs()[0]);
    auto images = padded.source.getDefiningOp<linalg::TransposeOp>();
    auto taps = op.getInputs()[1].getDefiningOp<linalg::TransposeOp>();
    if (!images || !taps ||
        images.getPermutation() != ArrayRef<int64_t>{3, 1, 2, 0} ||
        taps.getPermutation() != ArrayRef<int64_t>{1, 2, 0, 3})
      return rewriter.notifyMatchFailure(op, "not a filter gradient");
    auto fill = op.getOutputs()[0].getDefiningOp<linalg::FillOp>();
    if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
      return rewriter.notifyMatchFailure(op, "needs a zero-filled init");
    Value d = taps.getInput();
    // P, unpadded, in its own layout (the padding is of its rows and
    // columns in both layouts).
    padded.source = images.getInput();
    auto pType = cast<RankedTensorType>(padded.source.getType());
    auto dType = cast<RankedTensorType>(d.getType());
    auto gType = cast<RankedTensorType>(op.getResultTypes()[0]);
    if (!pType.hasStaticShape() || !dType.hasStaticShape() ||
        !gType.hasStaticShape() || !pType.getElementType().isF32() ||
        !dType.getElementType().isF32() || !gType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "needs static f32 shapes");
    int64_t n = pType.getDimSize(0), c = pType.getDimSize(3);
    int64_t oh = dType.getDimSize(1), ow = dType.getDimSize(2),
            f = dType.getDimSize(3);
    int64_t kh = gType.getDimSize(1), kw = gType.getDimSize(2);
    SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
    int64_t m = kh * kw * c;

    // Tiles of D's rows (the reduction): up to 512 of them (the packed
    // right operand stays in L1/L2) whose patches fit in tileBytes.
    int64_t rowLimit = std::min<int64_t>(
        512, tileBytes / std::max<int64_t>(1, m * 4));
    int64_t rowsPerTile = largestDivisorAtMost(oh, rowLimit / ow);
    // Several small images per tile: up to 256 rows, as the forward pass's
    // tiles (a worker's patches and padded rows are its slice of the
    // arena; 512-row tiles made the CNN step's peak at 2 threads).
    int64_t imagesPerTile =
        rowsPerTile == oh
            ? largestDivisorAtMost(n, std::min<int64_t>(rowLimit, 256) /
                                          std::max<int64_t>(1, oh * ow))
            : 1;
    int64_t rowTiles = oh / rowsPerTile;
    int64_t tiles = (n / imagesPerTile) * rowTiles;
    int64_t groups = largestDivisorAtMost(tiles, 8);
    int64_t perGroup = tiles / groups;
    int64_t kTile = imagesPerTile * rowsPerTile * ow;
    int64_t inRows = (rowsPerTile - 1) * dilations[0] + (kh - 1) * strides[0] + 1;
    int64_t inCols = (ow - 1) * dilations[1] + (kw - 1) * strides[1] + 1;

    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    auto index = [&](int64_t v) -> OpFoldResult {
      return rewriter.getIndexAttr(v);
    };
    Value zeroF = arith::ConstantOp::create(rewriter, loc, f32,
                                            rewriter.getZeroAttr(f32));
    auto zeros = [&](OpBuilder &b, Location l, ArrayRef<int64_t> shape) {
      Value empty = tensor::EmptyOp::create(b, l, shape, f32);
      return linalg::FillOp::create(b, l, zeroF, empty).getResult(0);
    };
    auto patchesType = RankedTensorType::get(
        {imagesPerTile, rowsPerTile, ow, kh, kw, c}, f32);
    SmallVector<int64_t> patchStrides{dilations[0], dilations[1]};
    SmallVector<int64_t> patchDilations{strides[0], strides[1]};
    Value partials = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{groups, m, f}, f32);
    auto forall = scf::ForallOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{index(groups)},
        ValueRange{partials}, std::nullopt,
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto cst = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          OpFoldResult zero = index(0), one = index(1);
          SmallVector<OpFoldResult> unit(4, one);
          Value first = arith::MulIOp::create(b, l, args[0], cst(perGroup));
          auto loop = scf::ForOp::create(
              b, l, cst(0), cst(perGroup), cst(1),
              ValueRange{zeros(b, l, {m, f})},
              [&](OpBuilder &fb, Location fl, Value s, ValueRange iter) {
                Value t = arith::AddIOp::create(fb, fl, first, s);
                Value batch = arith::MulIOp::create(
                    fb, fl, arith::DivUIOp::create(fb, fl, t, cst(rowTiles)),
                    cst(imagesPerTile));
                Value y0 = arith::MulIOp::create(
                    fb, fl, arith::RemUIOp::create(fb, fl, t, cst(rowTiles)),
                    cst(rowsPerTile));
                Value top = arith::MulIOp::create(fb, fl, y0, cst(dilations[0]));
                Value slice = tileRows(fb, fl, padded, batch, imagesPerTile,
                                       top, inRows, inCols);
                // [kTile, m]: the rows of the patches are D's pixels.
                Value rows = im2col(fb, fl, slice, patchesType, patchStrides,
                                    patchDilations);
                Value lhs =
                    linalg::TransposeOp::create(
                        fb, fl, rows,
                        tensor::EmptyOp::create(fb, fl,
                                                ArrayRef<int64_t>{m, kTile}, f32),
                        ArrayRef<int64_t>{1, 0})
                        ->getResult(0);
                Value dTile = tensor::ExtractSliceOp::create(
                    fb, fl, d, ArrayRef<OpFoldResult>{batch, y0, zero, zero},
                    ArrayRef<OpFoldResult>{index(imagesPerTile),
                                           index(rowsPerTile), index(ow),
                                           index(f)},
                    unit);
                Value rhs = tensor::CollapseShapeOp::create(
                    fb, fl, dTile,
                    SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
                Value product =
                    linalg::MatmulOp::create(fb, fl, iter[0].getType(),
                                             ValueRange{lhs, rhs}, iter)
                        .getResult(0);
                scf::YieldOp::create(fb, fl, product);
              });
          auto terminator = scf::InParallelOp::create(b, l);
          b.setInsertionPointToStart(terminator.getBody());
          tensor::ParallelInsertSliceOp::create(
              b, l, loop.getResult(0), args[1],
              ArrayRef<OpFoldResult>{args[0], zero, zero},
              ArrayRef<OpFoldResult>{one, index(m), index(f)},
              ArrayRef<OpFoldResult>{one, one, one});
        });
    Value sum = forall.getResult(0);
    if (groups == 1)
      sum = tensor::CollapseShapeOp::create(
          rewriter, loc, sum, SmallVector<ReassociationIndices>{{0, 1}, {2}});
    else
      sum = sumPartials(rewriter, loc, sum, zeros(rewriter, loc, {m, f}));

    Value hwcf = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({kh, kw, c, f}, f32), sum,
        SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
    rewriter.replaceOpWithNewOp<linalg::TransposeOp>(
        op, hwcf, fill.getOutputs()[0], ArrayRef<int64_t>{2, 0, 1, 3});
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
      patterns.add<Conv2DToMatmul, FilterGradientToMatmul>(&getContext(),
                                                           im2colTileBytes);
    }
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
