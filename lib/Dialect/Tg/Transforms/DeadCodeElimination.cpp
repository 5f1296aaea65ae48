//===- DeadCodeElimination.cpp - Remove unused ops and functions ----------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Erases pure ops whose results are unused (bottom-up, so chains of dead ops
// go in one sweep) and private functions that nothing references. Upstream
// -symbol-dce does the second half for any symbol; it is done here too so
// that -tg-optimize needs one pass for both, and because erasing dead ops
// first can drop the last reference to a function.
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Iterators.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGDEADCODEELIMINATIONPASS
#include "tg/Dialect/Tg/Transforms/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

/// Erases trivially dead ops under `root`, innermost and last first.
static void eraseDeadOps(Operation *root) {
  // Post-order and in reverse: an op's users in the same block are visited
  // before it, so erasing them first frees whole dead chains in one sweep.
  root->walk<WalkOrder::PostOrder, ReverseIterator>([&](Operation *op) {
    if (op != root && isOpTriviallyDead(op))
      op->erase();
  });
}

namespace {
struct TgDeadCodeEliminationPass
    : tg::impl::TgDeadCodeEliminationPassBase<TgDeadCodeEliminationPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    eraseDeadOps(module);
    // Erasing a private function can make another one unreferenced: iterate.
    bool changed = true;
    while (changed) {
      changed = false;
      for (auto func :
           llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
        if (!func.isPrivate())
          continue;
        if (SymbolTable::symbolKnownUseEmpty(func, module)) {
          func.erase();
          changed = true;
        }
      }
    }
  }
};
} // namespace
