//===- GpuHostOpsToKernels.cpp - Host ops of the GPU pipeline as kernels --===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td (-tg-gpu-host-ops-to-kernels). Copies and scalar linalg ops
// left in host code would touch managed buffers the kernels use, moving
// their pages to the CPU and back; as kernels they stay on the device.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGGPUHOSTOPSTOKERNELSPASS
#include "tg/Codegen/GPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
struct TgGpuHostOpsToKernelsPass
    : tg::impl::TgGpuHostOpsToKernelsPassBase<TgGpuHostOpsToKernelsPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    SmallVector<linalg::LinalgOp> scalarOps;
    getOperation().walk([&](Operation *op) {
      if (op->getParentOfType<gpu::LaunchOp>() ||
          op->getParentOfType<scf::ParallelOp>())
        return;
      auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
      if (linalgOp && linalgOp.getNumLoops() == 0 &&
          linalgOp.hasPureBufferSemantics())
        scalarOps.push_back(linalgOp);
      else if (auto c = dyn_cast<memref::CopyOp>(op))
        copies.push_back(c);
    });
    // linalg.copy becomes a parallel loop, hence a kernel.
    for (memref::CopyOp c : copies) {
      OpBuilder b(c);
      linalg::CopyOp::create(b, c.getLoc(), c.getSource(), c.getTarget());
      c.erase();
    }
    // A parallel loop of one iteration: a kernel of one thread.
    for (linalg::LinalgOp op : scalarOps) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto loop = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                          ValueRange{one}, ValueRange{one});
      op->moveBefore(loop.getBody()->getTerminator());
    }
  }
};
} // namespace
