//===- RejectNonPositiveSteps.cpp - Reject loops that cannot progress -----===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. A constant step of 0 or less makes an scf.for that never
// ends (or that canonicalization folds to no iterations at all): neither is
// what the program says, so it is a located error, first in the pipelines.
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGREJECTNONPOSITIVESTEPSPASS
#include "tg/Dialect/Tg/Transforms/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
struct TgRejectNonPositiveStepsPass
    : tg::impl::TgRejectNonPositiveStepsPassBase<
          TgRejectNonPositiveStepsPass> {
  void runOnOperation() override {
    WalkResult walk = getOperation()->walk([](scf::ForOp loop) {
      APInt step;
      if (matchPattern(loop.getStep(), m_ConstantInt(&step)) &&
          !step.isStrictlyPositive()) {
        loop.emitOpError("has step ")
            << step.getSExtValue() << "; a loop's step must be positive";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
