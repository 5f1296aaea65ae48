//===- FoldConstants.cpp - Constant folding pass --------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Folds ops whose operands are all constants, and nothing else: identities
// such as `x * 1` with a non-constant `x` are -tg-simplify's. The greedy
// pattern driver would run every folder on every op, so this pass walks the
// IR itself and hands only all-constant ops to the OperationFolder (which
// also materializes and deduplicates the new constants).
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/FoldUtils.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGFOLDCONSTANTSPASS
#include "tg/Dialect/Tg/Transforms/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

static bool hasOnlyConstantOperands(Operation *op) {
  return op->getNumOperands() > 0 &&
         llvm::all_of(op->getOperands(),
                      [](Value v) { return matchPattern(v, m_Constant()); });
}

namespace {
struct TgFoldConstantsPass
    : tg::impl::TgFoldConstantsPassBase<TgFoldConstantsPass> {
  void runOnOperation() override {
    OperationFolder folder(&getContext());
    llvm::SetVector<Operation *> consumedConstants;
    // Ops are visited in order, so a chain of foldable ops folds in one
    // sweep: each producer is a constant by the time its users are seen.
    getOperation()->walk([&](Operation *op) {
      if (op->hasTrait<OpTrait::ConstantLike>() || !hasOnlyConstantOperands(op))
        return;
      for (Value operand : op->getOperands())
        consumedConstants.insert(operand.getDefiningOp());
      (void)folder.tryToFold(op);
    });
    // The constants the folded ops consumed may now be unused.
    for (Operation *constant : consumedConstants) {
      if (isOpTriviallyDead(constant)) {
        folder.notifyRemoval(constant);
        constant->erase();
      }
    }
  }
};
} // namespace
