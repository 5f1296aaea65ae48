//===- CollapseElementwiseDims.cpp - Flat loops for elementwise code ------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. The rewrite is upstream's (linalg::populateCollapseDimensions,
// which also checks that every indexing map survives the collapse); this pass
// only decides which generics to collapse: the all-parallel ones over
// contiguous buffers. Upstream registers no pass for it.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGCOLLAPSEELEMENTWISEDIMSPASS
#include "tg/Codegen/CPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

/// All loop dimensions of `op` as one group, if it is an elementwise generic
/// on whole contiguous buffers (and scalars); nothing otherwise.
static SmallVector<ReassociationIndices> collapsibleDims(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || !generic.hasPureBufferSemantics() ||
      generic.getNumLoops() < 2 ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return {};
  // Every operand is whole (identity map) or a scalar. Upstream's legality
  // check lets a broadcast such as (d0, d1) -> (d1) through and then builds
  // a generic that fails to verify, so broadcasts keep their loops.
  for (AffineMap map : generic.getIndexingMapsArray())
    if (!map.isIdentity() && map.getNumResults() != 0)
      return {};
  // memref.collapse_shape needs contiguous dimensions; the identity layout
  // guarantees that (subviews and strided function arguments keep their
  // loops).
  for (OpOperand &operand : generic->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (type && !type.getLayout().isIdentity())
      return {};
  }
  ReassociationIndices all;
  for (int64_t d = 0, e = generic.getNumLoops(); d < e; ++d)
    all.push_back(d);
  return {all};
}

namespace {
struct TgCollapseElementwiseDimsPass
    : tg::impl::TgCollapseElementwiseDimsPassBase<
          TgCollapseElementwiseDimsPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateCollapseDimensions(patterns, collapsibleDims);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
