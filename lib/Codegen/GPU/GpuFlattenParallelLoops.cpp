//===- GpuFlattenParallelLoops.cpp - Flat parallel loops for the GPU -----===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td (-tg-gpu-flatten-parallel-loops): multi-dimensional
// scf.parallel loops as one flat dimension, so that the parallel-loop mapping
// gives consecutive threads consecutive elements.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/GPU/Passes.h"

#include "tg/Codegen/GPU/KernelBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"

#include <numeric>

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGGPUFLATTENPARALLELLOOPSPASS
#include "tg/Codegen/GPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;
using namespace mlir::tg::kernels;

namespace {

struct TgGpuFlattenParallelLoopsPass
    : tg::impl::TgGpuFlattenParallelLoopsPassBase<
          TgGpuFlattenParallelLoopsPass> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp op) {
      if (op.getNumLoops() > 1 && !inKernelOrParallelLoop(op))
        loops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp op : loops) {
      std::vector<unsigned> all(op.getNumLoops());
      std::iota(all.begin(), all.end(), 0);
      rewriter.setInsertionPoint(op);
      collapseParallelLoops(rewriter, op, {all});
    }
  }
};

} // namespace
