//===- InterleaveLoops.cpp - Interleave hints for long vector loops -------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. Loop metadata is the only per-loop handle on LLVM's
// vectorizer; MLIR carries it as #llvm.loop_annotation on the latch branch.
// The loops are found with MLIR's CFGLoopInfo on each region of the function
// (OpenMP regions included).
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/CPU/Passes.h"

#include "mlir/Analysis/CFGLoopInfo.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Dominance.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGINTERLEAVELOOPSPASS
#include "tg/Codegen/CPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

/// The number of floating-point ops in the blocks of `loop`, or -1 if one
/// of them has a vector value (code that is vectorized already).
static int64_t floatOpsIn(CFGLoop *loop) {
  int64_t count = 0;
  for (Block *block : loop->getBlocks()) {
    for (Operation &op : *block) {
      auto isVector = [](Type t) { return isa<VectorType>(t); };
      if (llvm::any_of(op.getResultTypes(), isVector) ||
          llvm::any_of(op.getOperandTypes(), isVector))
        return -1;
      if (op.getNumResults() == 1 && isa<FloatType>(op.getResult(0).getType()) &&
          !isa<LLVM::LoadOp, LLVM::ConstantOp>(op))
        ++count;
    }
  }
  return count;
}

namespace {
struct TgInterleaveLoopsPass
    : tg::impl::TgInterleaveLoopsPassBase<TgInterleaveLoopsPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    auto annotation = LLVM::LoopAnnotationAttr::get(
        ctx, /*disableNonforced=*/{}, /*vectorize=*/{},
        LLVM::LoopInterleaveAttr::get(ctx, IntegerAttr::get(
                                               IntegerType::get(ctx, 32), count)),
        /*unroll=*/{}, /*unrollAndJam=*/{}, /*licm=*/{}, /*distribute=*/{},
        /*pipeline=*/{}, /*peeled=*/{}, /*unswitch=*/{}, /*mustProgress=*/{},
        /*isVectorized=*/{}, /*startLoc=*/{}, /*endLoc=*/{},
        /*parallelAccesses=*/{});
    DominanceInfo dominance(getOperation());
    getOperation()->walk([&](Operation *op) {
      for (Region &region : op->getRegions()) {
        if (region.empty() || region.hasOneBlock())
          continue;
        CFGLoopInfo loops(dominance.getDomTree(&region));
        for (CFGLoop *loop : loops.getLoopsInPreorder()) {
          int64_t ops = loop->isInnermost() ? floatOpsIn(loop) : -1;
          if (ops < int64_t(minOps) || ops > int64_t(maxOps))
            continue;
          Block *latch = loop->getLoopLatch();
          if (!latch)
            continue;
          Operation *terminator = latch->getTerminator();
          if (auto br = dyn_cast<LLVM::BrOp>(terminator))
            br.setLoopAnnotationAttr(annotation);
          else if (auto condBr = dyn_cast<LLVM::CondBrOp>(terminator))
            condBr.setLoopAnnotationAttr(annotation);
        }
      }
    });
  }
};
} // namespace
