//===- SplitReductions.cpp - Reductions as trees of partial results ------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. A float reduction over many elements is split into blocks
// whose partial results are reduced in turn (the pattern applies again to
// that reduction), so that no accumulator sums more than a block: the error
// of a sum of n float32 values grows with the longest chain of additions,
// and LLVM's vectorizer keeps one chain per vector lane for the whole loop
// nest.
//
// Upstream's linalg::splitReduction splits one dimension by a ratio that
// must divide it and keeps the other reduction dimensions reducing into
// each partial; here any size splits (the remainder is a reduction of its
// own, into the combined result), and the reduction dimensions outside the
// split one become parallel, so that each partial covers one block.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/CPU/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGSPLITREDUCTIONSPASS
#include "tg/Codegen/CPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {

/// The single combiner of a one-output float reduction generic, or null.
Operation *getCombiner(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return nullptr;
  BlockArgument out = op.getMatchingBlockArgument(op.getDpsInitOperand(0));
  if (!isa<FloatType>(out.getType()))
    return nullptr;
  // The positions are those of the yielded values: the output arguments.
  SmallVector<Operation *> combiners;
  if (!matchReduction(op.getRegionOutputArgs(), 0, combiners) ||
      combiners.size() != 1 || combiners[0]->getNumOperands() != 2 ||
      !arith::getNeutralElement(combiners[0]))
    return nullptr;
  return combiners[0];
}

/// A copy of `combiner` at `b` that combines `acc` (in place of the
/// generic's output argument `out`) with `x` (in place of the other operand).
Value combineWith(OpBuilder &b, Operation *combiner, BlockArgument out,
                  Value acc, Value x) {
  IRMapping map;
  for (Value operand : combiner->getOperands())
    map.map(operand, operand == out ? acc : x);
  return b.clone(*combiner, map)->getResult(0);
}

struct SplitReduction : OpRewritePattern<linalg::GenericOp> {
  SplitReduction(MLIRContext *ctx, int64_t vectorBlock, int64_t sequentialBlock,
                 int64_t minVectorExtent)
      : OpRewritePattern(ctx), vectorBlock(vectorBlock),
        sequentialBlock(sequentialBlock), minVectorExtent(minVectorExtent) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    // Matmul-shaped contractions (rows and columns on both sides: batched
    // matmuls become loops of micro-kernel matmuls) and convolutions keep
    // their kernels, whose reductions are register tiles over k. A dot
    // product or matrix-vector product (sum(x * y)) is split like any sum.
    auto linalgOp = cast<linalg::LinalgOp>(op.getOperation());
    if (linalg::isaConvolutionOpInterface(linalgOp))
      return failure();
    if (linalg::isaContractionOpInterface(linalgOp))
      if (FailureOr<linalg::ContractionDimensions> dims =
              linalg::inferContractionDims(linalgOp);
          succeeded(dims) && !dims->m.empty() && !dims->n.empty())
        return failure();
    Operation *combiner = getCombiner(op);
    if (!combiner || !op.getBody()->getOps<linalg::IndexOp>().empty())
      return failure();
    for (Value v : op->getOperands())
      if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
        return failure();
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    int64_t numLoops = op.getNumLoops();
    SmallVector<unsigned> reductionDims;
    op.getReductionDims(reductionDims);
    int64_t total = 1;
    for (unsigned r : reductionDims)
      total *= ranges[r];
    // The innermost loop (loops run in dimension order) is what LLVM
    // vectorizes: along a long reduction each lane holds a chain of its
    // own. A short one (a few elements) is summed and added to one running
    // total per outer iteration: a sequential chain, like a parallel
    // innermost loop's.
    int64_t block = iterators[numLoops - 1] == utils::IteratorType::reduction &&
                            ranges[numLoops - 1] >= minVectorExtent
                        ? vectorBlock
                        : sequentialBlock;
    if (total <= block)
      return failure();
    // The dimension to split: the outermost one that, with the reduction
    // dimensions inside it, spans more than a block.
    int64_t inner = 1, d = -1;
    for (unsigned r : llvm::reverse(reductionDims)) {
      if (inner * ranges[r] > block) {
        d = r;
        break;
      }
      inner *= ranges[r];
    }
    int64_t b = std::max<int64_t>(1, block / inner);
    // A block size down to half of that which divides d leaves no
    // remainder (a second pass over the tails of the rows).
    for (int64_t c = b; c > 0 && 2 * c >= b; --c)
      if (ranges[d] % c == 0) {
        b = c;
        break;
      }
    int64_t q = ranges[d] / b, rem = ranges[d] - q * b;

    // Each operand that reads d must read it as a plain dimension, once.
    MLIRContext *ctx = getContext();
    AffineExpr dExpr = getAffineDimExpr(d, ctx);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    SmallVector<int64_t> positions; // Of d in each input, or -1.
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = maps[input->getOperandNumber()];
      int64_t position = -1;
      for (auto [i, e] : llvm::enumerate(map.getResults())) {
        if (e == dExpr) {
          if (position != -1)
            return failure();
          position = i;
        } else if (e.isFunctionOfDim(d)) {
          return failure();
        }
      }
      positions.push_back(position);
    }
    if (llvm::all_of(positions, [](int64_t p) { return p == -1; }))
      return failure();

    Location loc = op.getLoc();
    Value init = op.getDpsInitOperand(0)->get();
    auto initType = cast<RankedTensorType>(init.getType());
    Type elem = initType.getElementType();
    // Slices [offset, offset + size) of d in each input.
    auto sliceInputs = [&](int64_t offset, int64_t size) {
      SmallVector<Value> sliced;
      for (auto [input, position] :
           llvm::zip_equal(op.getDpsInputOperands(), positions)) {
        Value v = input->get();
        auto type = cast<RankedTensorType>(v.getType());
        if (position == -1 || (offset == 0 && size == type.getDimSize(position))) {
          sliced.push_back(v);
          continue;
        }
        SmallVector<int64_t> shape(type.getShape());
        SmallVector<OpFoldResult> offsets(type.getRank(),
                                          rewriter.getIndexAttr(0));
        SmallVector<OpFoldResult> sizes, strides(type.getRank(),
                                                 rewriter.getIndexAttr(1));
        for (int64_t s : shape)
          sizes.push_back(rewriter.getIndexAttr(s));
        offsets[position] = rewriter.getIndexAttr(offset);
        sizes[position] = rewriter.getIndexAttr(size);
        shape[position] = size;
        sliced.push_back(tensor::ExtractSliceOp::create(
            rewriter, loc, RankedTensorType::get(shape, type.getElementType()),
            v, offsets, sizes, strides));
      }
      return sliced;
    };

    // The blocks: d becomes (dq, db) in place; the reduction dimensions
    // outside d, and dq, are parallel and index the partial results.
    auto shifted = [&](AffineExpr e) {
      return e.shiftDims(numLoops, 1, d + 1);
    };
    AffineExpr dq = getAffineDimExpr(d, ctx), db = getAffineDimExpr(d + 1, ctx);
    SmallVector<Value> blockInputs;
    SmallVector<AffineMap> blockMaps;
    for (auto [input, position, sliced] :
         llvm::zip_equal(op.getDpsInputOperands(), positions,
                         sliceInputs(0, q * b))) {
      AffineMap map = maps[input->getOperandNumber()];
      SmallVector<AffineExpr> exprs;
      for (auto [i, e] : llvm::enumerate(map.getResults())) {
        if (int64_t(i) == position) {
          exprs.push_back(dq);
          exprs.push_back(db);
        } else {
          exprs.push_back(shifted(e));
        }
      }
      blockMaps.push_back(AffineMap::get(numLoops + 1, 0, exprs, ctx));
      if (position == -1) {
        blockInputs.push_back(sliced);
        continue;
      }
      auto type = cast<RankedTensorType>(sliced.getType());
      SmallVector<ReassociationIndices> groups;
      SmallVector<int64_t> shape;
      for (int64_t i = 0; i < type.getRank(); ++i) {
        if (i == position) {
          groups.push_back({int64_t(shape.size()), int64_t(shape.size()) + 1});
          shape.append({q, b});
        } else {
          groups.push_back({int64_t(shape.size())});
          shape.push_back(type.getDimSize(i));
        }
      }
      blockInputs.push_back(tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get(shape, type.getElementType()),
          sliced, groups));
    }
    // The partials are indexed by (outer reduction dims..., dq, output
    // dims...): the output's dimensions innermost, so that a loop along
    // them (a column sum's) reads and writes them contiguously.
    SmallVector<AffineExpr> partialExprs;
    SmallVector<int64_t> partialShape;
    SmallVector<utils::IteratorType> blockIterators;
    for (int64_t i = 0; i < numLoops; ++i) {
      bool outer = iterators[i] == utils::IteratorType::reduction && i < d;
      if (outer) {
        partialExprs.push_back(shifted(getAffineDimExpr(i, ctx)));
        partialShape.push_back(ranges[i]);
      }
      if (i == d) {
        blockIterators.append(
            {utils::IteratorType::parallel, utils::IteratorType::reduction});
        continue;
      }
      blockIterators.push_back(outer ? utils::IteratorType::parallel
                                     : iterators[i]);
    }
    partialExprs.push_back(dq);
    partialShape.push_back(q);
    int64_t numReduced = partialShape.size();
    for (AffineExpr e : maps[op.getDpsInitOperand(0)->getOperandNumber()]
                            .getResults())
      partialExprs.push_back(shifted(e));
    llvm::append_range(partialShape, initType.getShape());
    blockMaps.push_back(AffineMap::get(numLoops + 1, 0, partialExprs, ctx));
    auto partialType = RankedTensorType::get(partialShape, elem);
    Value neutral = arith::ConstantOp::create(
        rewriter, loc, *arith::getNeutralElement(combiner));
    Value partialInit =
        linalg::FillOp::create(
            rewriter, loc, neutral,
            tensor::EmptyOp::create(rewriter, loc, partialShape, elem)
                .getResult())
            .getResult(0);
    auto blocks = linalg::GenericOp::create(
        rewriter, loc, TypeRange{partialType}, blockInputs,
        ValueRange{partialInit}, blockMaps, blockIterators);
    rewriter.cloneRegionBefore(op.getRegion(), blocks.getRegion(),
                               blocks.getRegion().end());

    // The partial results reduced into the original init, with the same
    // combiner (this reduction is split again if it is large).
    int64_t outRank = initType.getRank();
    int64_t partialRank = partialType.getRank();
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = numReduced; i < partialRank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> combineMaps{
        rewriter.getMultiDimIdentityMap(partialRank),
        AffineMap::get(partialRank, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> combineIterators(
        numReduced, utils::IteratorType::reduction);
    combineIterators.append(outRank, utils::IteratorType::parallel);
    BlockArgument oldOut =
        op.getMatchingBlockArgument(op.getDpsInitOperand(0));
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{initType}, blocks.getResult(0), init,
            combineMaps, combineIterators,
            [&](OpBuilder &nb, Location nloc, ValueRange args) {
              linalg::YieldOp::create(
                  nb, nloc, combineWith(nb, combiner, oldOut, args[1], args[0]));
            })
            .getResult(0);

    // The remainder of d: reduced by the original op into a neutral init of
    // its own (a chain from the neutral element, like a block's), then
    // combined with the blocks' result.
    if (rem != 0) {
      Value tailInit =
          linalg::FillOp::create(
              rewriter, loc, neutral,
              tensor::EmptyOp::create(rewriter, loc, initType.getShape(), elem)
                  .getResult())
              .getResult(0);
      auto tail = linalg::GenericOp::create(
          rewriter, loc, TypeRange{initType}, sliceInputs(q * b, rem),
          ValueRange{tailInit}, maps, iterators);
      rewriter.cloneRegionBefore(op.getRegion(), tail.getRegion(),
                                 tail.getRegion().end());
      AffineMap identity = rewriter.getMultiDimIdentityMap(outRank);
      result =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{initType},
              ValueRange{result, tail.getResult(0)},
              tensor::EmptyOp::create(rewriter, loc, initType.getShape(), elem)
                  .getResult(),
              SmallVector<AffineMap>(3, identity),
              SmallVector<utils::IteratorType>(outRank,
                                               utils::IteratorType::parallel),
              [&](OpBuilder &nb, Location nloc, ValueRange args) {
                linalg::YieldOp::create(
                    nb, nloc, combineWith(nb, combiner, oldOut, args[0], args[1]));
              })
              .getResult(0);
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  int64_t vectorBlock, sequentialBlock, minVectorExtent;
};

struct TgSplitReductionsPass
    : tg::impl::TgSplitReductionsPassBase<TgSplitReductionsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (vectorBlock < 2 || sequentialBlock < 2) {
      getOperation().emitError("-tg-split-reductions: block sizes must be at "
                               "least 2");
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<SplitReduction>(&getContext(), vectorBlock, sequentialBlock,
                                 minVectorExtent);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
