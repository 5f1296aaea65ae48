//===- MergeEquivalentSlices.cpp - One extract_slice per window -----------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. Upstream's CSE would do the same for these ops, and more
// than wanted right before bufferization; the pass only compares slices with
// static offsets, sizes and strides within one block, the first of which
// dominates the others.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/Common/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGMERGEEQUIVALENTSLICESPASS
#include "tg/Codegen/Common/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
struct TgMergeEquivalentSlicesPass
    : tg::impl::TgMergeEquivalentSlicesPassBase<TgMergeEquivalentSlicesPass> {
  void runOnOperation() override {
    getOperation().walk([](Block *block) {
      DenseMap<Value, SmallVector<tensor::ExtractSliceOp>> bySource;
      for (Operation &op : llvm::make_early_inc_range(*block)) {
        auto slice = dyn_cast<tensor::ExtractSliceOp>(op);
        if (!slice || !slice.getOffsets().empty() ||
            !slice.getSizes().empty() || !slice.getStrides().empty())
          continue;
        SmallVector<tensor::ExtractSliceOp> &earlier =
            bySource[slice.getSource()];
        auto same = llvm::find_if(earlier, [&](tensor::ExtractSliceOp e) {
          return e.getType() == slice.getType() &&
                 e.getStaticOffsets() == slice.getStaticOffsets() &&
                 e.getStaticSizes() == slice.getStaticSizes() &&
                 e.getStaticStrides() == slice.getStaticStrides();
        });
        if (same == earlier.end()) {
          earlier.push_back(slice);
          continue;
        }
        slice.replaceAllUsesWith(same->getResult());
        slice.erase();
      }
    });
  }
};
} // namespace
