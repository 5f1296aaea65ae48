//===- StridedCopiesToLoops.cpp - Strided memref copies as linalg.copy ----===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. finalize-memref-to-llvm turns a memref.copy between
// buffers that are not both contiguous into a call of the C runner's
// generic memrefCopy, which walks the elements one at a time through their
// strides (it was the biggest cost of a padded convolution: tensor.pad
// bufferizes into such a copy). As linalg.copy it becomes a loop nest that
// LLVM vectorizes along the innermost, unit-stride dimension. Upstream's
// bufferization can be told to emit linalg.copy only through the transform
// dialect's one_shot_bufferize, not through the pass tg runs.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGSTRIDEDCOPIESTOLOOPSPASS
#include "tg/Codegen/CPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

/// `v` with the reshapes that produced it stripped: the buffer whose
/// elements, in row-major order, are v's.
static Value stripReshapes(Value v) {
  while (Operation *op = v.getDefiningOp()) {
    if (!isa<memref::CollapseShapeOp, memref::ExpandShapeOp>(op))
      break;
    v = op->getOperand(0);
  }
  return v;
}

/// Whether `copy` copies each element onto itself: its source and target
/// are reshapes of one buffer with the same shape (bufferization leaves such
/// a copy where a tile computed through a collapsed view of its slice is
/// inserted back into that slice).
static bool isSelfCopy(memref::CopyOp copy) {
  auto source = dyn_cast<MemRefType>(copy.getSource().getType());
  auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
  return source && target && source.getShape() == target.getShape() &&
         stripReshapes(copy.getSource()) == stripReshapes(copy.getTarget());
}

namespace {
struct TgStridedCopiesToLoopsPass
    : tg::impl::TgStridedCopiesToLoopsPassBase<TgStridedCopiesToLoopsPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies, selfCopies;
    getOperation().walk([&](memref::CopyOp copy) {
      if (isSelfCopy(copy))
        return selfCopies.push_back(copy);
      auto source = dyn_cast<MemRefType>(copy.getSource().getType());
      auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
      // Contiguous copies stay memcpy; unranked ones have no loop nest.
      if (source && target && source.getRank() > 0 &&
          !(source.getLayout().isIdentity() && target.getLayout().isIdentity()))
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
    for (memref::CopyOp copy : selfCopies)
      copy.erase();
  }
};
} // namespace
