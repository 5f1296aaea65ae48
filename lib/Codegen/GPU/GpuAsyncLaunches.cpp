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

/// The device allocation `-tg-host-shared-allocs` writes, starting at
/// `wait`: `%w = gpu.wait async; %m, %t = gpu.alloc async [%w] ();
/// gpu.wait [%t]` (the only form `-gpu-to-llvm` lowers), or null.
static gpu::AllocOp allocationAt(gpu::WaitOp wait) {
  if (!wait.getAsyncToken() || !wait.getAsyncDependencies().empty() ||
      !wait.getAsyncToken().hasOneUse())
    return {};
  auto alloc = dyn_cast<gpu::AllocOp>(*wait.getAsyncToken().getUsers().begin());
  if (!alloc || !alloc.getAsyncToken() || !alloc.getAsyncToken().hasOneUse() ||
      alloc.getAsyncDependencies().size() != 1)
    return {};
  auto done = dyn_cast<gpu::WaitOp>(*alloc.getAsyncToken().getUsers().begin());
  if (!done || done.getAsyncToken())
    return {};
  return alloc;
}

/// Chains the synchronous launches of `block` (not of nested blocks).
static void chainLaunches(Block &block) {
  Type tokenType = gpu::AsyncTokenType::get(block.getParentOp()->getContext());
  Value token;
  for (Operation &op : llvm::make_early_inc_range(block)) {
    // A device allocation in the middle of a chain joins it: the runtime
    // allocates on the host at once (mgpuMemAlloc), and the buffer is ready
    // for the launches after it. Its own stream and wait would end the
    // chain.
    if (auto wait = dyn_cast<gpu::WaitOp>(&op); wait && token) {
      if (gpu::AllocOp alloc = allocationAt(wait)) {
        Operation *done = *alloc.getAsyncToken().getUsers().begin();
        alloc.getAsyncDependenciesMutable().assign(token);
        token = alloc.getAsyncToken();
        done->erase();
        wait.erase();
        continue;
      }
    }
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
