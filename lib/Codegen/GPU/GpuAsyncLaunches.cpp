//===- GpuAsyncLaunches.cpp - Kernel launches chained on one stream -------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td (-tg-gpu-async-launches). The MLP training step launches
// some twenty kernels; synchronous, each paid for a stream of its own and a
// host wait. Chained, the host waits once per block, where it reads or
// frees memory the kernels may still be writing.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGGPUASYNCLAUNCHESPASS
#include "tg/Codegen/GPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

/// Whether the host may run `op` while kernels launched before it still
/// run: it has no memory effects, or only allocates.
static bool overlapsKernels(Operation *op) {
  if (op->hasTrait<OpTrait::IsTerminator>() || op->getNumRegions())
    return isMemoryEffectFree(op) && !op->hasTrait<OpTrait::IsTerminator>();
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return isMemoryEffectFree(op);
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::all_of(instances, [](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Allocate>(e.getEffect());
  });
}

/// Chains the synchronous launches of `block` (not of nested blocks).
static void chainLaunches(Block &block) {
  Type tokenType = gpu::AsyncTokenType::get(block.getParentOp()->getContext());
  Value token;
  for (Operation &op : llvm::make_early_inc_range(block)) {
    auto launch = dyn_cast<gpu::LaunchFuncOp>(&op);
    if (launch && !launch.getAsyncToken() &&
        launch.getAsyncDependencies().empty() && !launch.getAsyncObject()) {
      OpBuilder b(launch);
      Location loc = launch.getLoc();
      if (!token)
        token = gpu::WaitOp::create(b, loc, tokenType, ValueRange{})
                    .getAsyncToken();
      std::optional<gpu::KernelDim3> cluster;
      if (launch.hasClusterSize())
        cluster = launch.getClusterSizeOperandValues();
      auto chained = gpu::LaunchFuncOp::create(
          b, loc, launch.getKernel(), launch.getGridSizeOperandValues(),
          launch.getBlockSizeOperandValues(),
          launch.getDynamicSharedMemorySize(), launch.getKernelOperands(),
          tokenType, ValueRange{token}, cluster);
      // Discardable attributes (the profiler's kernel ids) stay.
      for (NamedAttribute attr : launch->getDiscardableAttrs())
        chained->setAttr(attr.getName(), attr.getValue());
      token = chained.getAsyncToken();
      launch.erase();
      continue;
    }
    if (token && !overlapsKernels(&op)) {
      OpBuilder b(&op);
      gpu::WaitOp::create(b, op.getLoc(), Type(), ValueRange{token});
      token = nullptr;
    }
  }
}

namespace {
struct TgGpuAsyncLaunchesPass
    : tg::impl::TgGpuAsyncLaunchesPassBase<TgGpuAsyncLaunchesPass> {
  void runOnOperation() override {
    SmallVector<Block *> blocks;
    getOperation().walk([&](Block *block) { blocks.push_back(block); });
    for (Block *block : blocks)
      chainLaunches(*block);
  }
};
} // namespace
