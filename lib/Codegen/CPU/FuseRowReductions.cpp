//===- FuseRowReductions.cpp - Row-wise fusion of reduction chains --------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. The tiling and the fusion are upstream's
// (scf::tileConsumerAndFuseProducersUsingSCF); this pass picks the chains and
// the tile: elementwise consumers of innermost-dimension reductions (softmax,
// log-softmax, normalizations), tiled along their outer dimensions, with
// every producer that nothing outside the chain uses fused into the tile.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGFUSEROWREDUCTIONSPASS
#include "tg/Codegen/CPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

/// Whether `map` reads whole rows of a `rank`-dimensional iteration space
/// (the identity), one value per row (the outer dimensions, as a reduction
/// along the innermost one produces), or a scalar.
static bool isRowCompatible(AffineMap map, unsigned rank) {
  if (map.getNumResults() == 0 || map.isIdentity())
    return true;
  if (map.getNumResults() != rank - 1)
    return false;
  for (unsigned i = 0; i + 1 < rank; ++i)
    if (map.getResult(i) != getAffineDimExpr(i, map.getContext()))
      return false;
  return true;
}

/// A linalg op on tensors that row tiles of a `rank`-dimensional elementwise
/// consumer can compute: a fill, an elementwise generic over the same space,
/// or a reduction along its innermost dimension only.
static bool isRowOp(Operation *op, unsigned rank) {
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.hasPureTensorSemantics();
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || !generic.hasPureTensorSemantics() ||
      generic.getNumLoops() != rank || generic.getNumResults() != 1)
    return false;
  SmallVector<utils::IteratorType> iterators =
      generic.getIteratorTypesArray();
  for (unsigned i = 0; i + 1 < rank; ++i)
    if (iterators[i] != utils::IteratorType::parallel)
      return false;
  return llvm::all_of(generic.getIndexingMapsArray(), [&](AffineMap map) {
    return isRowCompatible(map, rank);
  });
}

static bool isReduction(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  return generic && generic.getNumReductionLoops() == 1;
}

/// The producers of `root` that its row tiles can compute and that nothing
/// outside the chain uses; empty unless the chain holds a reduction.
static llvm::SetVector<Operation *> chainOf(linalg::GenericOp root,
                                            unsigned rank) {
  llvm::SetVector<Operation *> chain;
  chain.insert(root);
  // Producers come before their users in the block: walk back from the
  // root, admitting an op once every user of its result is in the chain.
  for (Operation *op = root->getPrevNode(); op; op = op->getPrevNode()) {
    if (!isRowOp(op, rank))
      continue;
    if (llvm::all_of(op->getUsers(),
                     [&](Operation *user) { return chain.contains(user); }) &&
        !op->use_empty())
      chain.insert(op);
  }
  if (!llvm::any_of(chain, isReduction))
    return {};
  return chain;
}

namespace {
struct TgFuseRowReductionsPass
    : tg::impl::TgFuseRowReductionsPassBase<TgFuseRowReductionsPass> {
  using Base::Base;
  void runOnOperation() override {
    // Roots: all-parallel generics of rank >= 2 that read a reduction's
    // result, last in their chain (no user is itself a root candidate).
    SmallVector<linalg::GenericOp> roots;
    getOperation()->walk([&](linalg::GenericOp op) {
      unsigned rank = op.getNumLoops();
      if (rank < 2 || op.getNumReductionLoops() != 0 || !isRowOp(op, rank))
        return;
      bool readsReduction = llvm::any_of(op.getDpsInputs(), [](Value v) {
        Operation *def = v.getDefiningOp();
        return def && isReduction(def);
      });
      if (readsReduction)
        roots.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> tileLoops;
    // The producers computed inside tiles, users before producers (chains
    // list them so, and later roots' chains come first).
    SmallVector<Operation *> fused;
    for (linalg::GenericOp root : llvm::reverse(roots)) {
      if (!root->getBlock())
        continue; // fused into a later root's tile already
      unsigned rank = root.getNumLoops();
      llvm::SetVector<Operation *> chain = chainOf(root, rank);
      if (chain.empty())
        continue;
      // Rows per tile: about `tile-bytes` of the widest row.
      auto type = cast<RankedTensorType>(root.getResult(0).getType());
      // An empty tensor has no rows to tile (and no tile size divides 0).
      if (!type.hasStaticShape() || type.getNumElements() == 0)
        continue;
      int64_t rowBytes = type.getDimSize(rank - 1) *
                         (type.getElementTypeBitWidth() / 8);
      // The largest divisor of the row count within that: every tile, and
      // so every temporary, keeps a static shape.
      int64_t total = type.getDimSize(rank - 2);
      int64_t rows = std::clamp<int64_t>(
          tileBytes / std::max<int64_t>(1, rowBytes), 1, total);
      while (total % rows)
        --rows;
      SmallVector<OpFoldResult> sizes(rank - 2, rewriter.getIndexAttr(1));
      sizes.push_back(rewriter.getIndexAttr(rows));
      sizes.push_back(rewriter.getIndexAttr(0));

      scf::SCFTileAndFuseOptions options;
      options.tilingOptions.setTileSizes(sizes).setLoopType(
          scf::SCFTilingOptions::LoopType::ForallOp);
      options.setFusionControlFn(
          [&](tensor::ExtractSliceOp, OpResult producer, bool)
              -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
            if (!chain.contains(producer.getOwner()))
              return std::nullopt;
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          });
      rewriter.setInsertionPoint(root);
      FailureOr<scf::SCFTileAndFuseResult> result =
          scf::tileConsumerAndFuseProducersUsingSCF(
              rewriter, cast<TilingInterface>(root.getOperation()), options);
      if (failed(result))
        continue;
      for (LoopLikeOpInterface loop : result->loops)
        tileLoops.push_back(loop);
      rewriter.replaceAllUsesWith(root.getResult(0),
                                  result->replacements.lookup(root.getResult(0)));
      rewriter.eraseOp(root);
      // Erased once the tile's dead slices of them are gone (below).
      llvm::append_range(fused, chain.getArrayRef().drop_front());
    }
    // Each fusion along a slice computes its producer anew: a value read
    // twice in the tile (softmax's exponentials) is computed twice until
    // CSE merges the copies. Slices of tensor.empty become tile-sized
    // empties, so temporaries are allocated per tile, not whole. Both only
    // inside the new loops: the rest of the function is left as it was.
    DominanceInfo dominance(getOperation());
    RewritePatternSet patterns(&getContext());
    tensor::populateFoldTensorEmptyPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (Operation *loop : tileLoops) {
      eliminateCommonSubExpressions(rewriter, dominance, loop);
      if (failed(applyPatternsGreedily(loop->getRegion(0), frozen)))
        return signalPassFailure();
    }
    // Nothing outside the tiles reads the fused producers any more, and
    // the whole-size empties whose slices were folded are dead.
    for (Operation *op : fused)
      if (op->use_empty())
        rewriter.eraseOp(op);
    getOperation()->walk([&](tensor::EmptyOp empty) {
      if (empty->use_empty())
        rewriter.eraseOp(empty);
    });
  }
};
} // namespace
