//===- GpuEmulate.cpp - gpu.launch on the CPU, a thread per GPU thread ----===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. The development machines and CI have no GPU; this lets the
// GPU pipeline's kernels (their indexing, workgroup memory and barriers) run
// and be compared with numpy there. Upstream has no CPU lowering of
// gpu.launch: its CPU routes start from scf.parallel, before kernels exist,
// so they would test nothing of the kernels. A barrier needs every thread of
// a block live at once, hence a real thread per GPU thread (an OpenMP team)
// rather than loops.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGGPUEMULATEPASS
#include "tg/Codegen/GPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {

constexpr StringLiteral kThreadNum = "omp_get_thread_num";

MemRefType withoutMemorySpace(Type type) {
  auto memref = cast<MemRefType>(type);
  return MemRefType::get(memref.getShape(), memref.getElementType(),
                         memref.getLayout());
}

/// Replaces the uses of the attribution `arg` with `buffer`, which has no
/// memory space; only loads and stores may use it.
LogicalResult replaceAttribution(BlockArgument arg, Value buffer) {
  for (Operation *user : arg.getUsers())
    if (!isa<memref::LoadOp, memref::StoreOp>(user))
      return user->emitError("-tg-gpu-emulate: workgroup or private memory "
                             "may only be loaded and stored, not used by ")
             << user->getName();
  arg.replaceAllUsesWith(buffer);
  return success();
}

LogicalResult emulate(gpu::LaunchOp launch, func::FuncOp threadNum) {
  Location loc = launch.getLoc();
  if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
      launch.hasClusterSize() || launch.getDynamicSharedMemorySize() ||
      !launch.getBody().hasOneBlock())
    return launch.emitError("-tg-gpu-emulate: only synchronous launches of "
                            "one block, without clusters or dynamic shared "
                            "memory, are emulated");
  OpBuilder b(launch);
  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  // The grid, block by block (z outermost).
  SmallVector<Value> blockIds(3);
  Value zero = idx(0), one = idx(1);
  Value gridDims[3] = {grid.x, grid.y, grid.z};
  for (int d = 2; d >= 0; --d) {
    auto loop = scf::ForOp::create(b, loc, zero, gridDims[d], one);
    blockIds[d] = loop.getInductionVar();
    b.setInsertionPoint(loop.getBody()->getTerminator());
  }
  // Workgroup memory: one buffer per block, shared by its team.
  for (BlockArgument arg : launch.getWorkgroupAttributions()) {
    Value buffer =
        memref::AllocaOp::create(b, loc, withoutMemorySpace(arg.getType()));
    if (failed(replaceAttribution(arg, buffer)))
      return failure();
  }
  Value xy = arith::MulIOp::create(b, loc, block.x, block.y);
  Value threads = arith::IndexCastOp::create(
      b, loc, b.getI32Type(), arith::MulIOp::create(b, loc, xy, block.z));
  omp::ParallelOperands clauses;
  clauses.numThreads = threads;
  auto team = omp::ParallelOp::create(b, loc, clauses);
  Block *teamBody = b.createBlock(&team.getRegion());
  b.setInsertionPointToStart(teamBody);
  Value tid = arith::IndexCastOp::create(
      b, loc, b.getIndexType(),
      func::CallOp::create(b, loc, threadNum, ValueRange{}).getResult(0));
  Value threadIds[3] = {
      arith::RemUIOp::create(b, loc, tid, block.x),
      arith::RemUIOp::create(
          b, loc, arith::DivUIOp::create(b, loc, tid, block.x), block.y),
      arith::DivUIOp::create(b, loc, tid, xy)};
  for (BlockArgument arg : launch.getPrivateAttributions()) {
    Value buffer =
        memref::AllocaOp::create(b, loc, withoutMemorySpace(arg.getType()));
    if (failed(replaceAttribution(arg, buffer)))
      return failure();
  }
  // The body's configuration arguments, then its ops, moved into the team.
  Block &body = launch.getBody().front();
  gpu::KernelDim3 ids[4] = {launch.getBlockIds(), launch.getThreadIds(),
                            launch.getGridSize(), launch.getBlockSize()};
  Value values[4][3] = {{blockIds[0], blockIds[1], blockIds[2]},
                        {threadIds[0], threadIds[1], threadIds[2]},
                        {grid.x, grid.y, grid.z},
                        {block.x, block.y, block.z}};
  for (int i = 0; i < 4; ++i) {
    ids[i].x.replaceAllUsesWith(values[i][0]);
    ids[i].y.replaceAllUsesWith(values[i][1]);
    ids[i].z.replaceAllUsesWith(values[i][2]);
  }
  auto pick = [&](int which, gpu::Dimension dim) {
    return values[which][static_cast<int>(dim)];
  };
  SmallVector<Operation *> toErase;
  WalkResult walk = body.walk([&](Operation *op) {
    Value v;
    if (auto o = dyn_cast<gpu::BlockIdOp>(op))
      v = pick(0, o.getDimension());
    else if (auto o = dyn_cast<gpu::ThreadIdOp>(op))
      v = pick(1, o.getDimension());
    else if (auto o = dyn_cast<gpu::GridDimOp>(op))
      v = pick(2, o.getDimension());
    else if (auto o = dyn_cast<gpu::BlockDimOp>(op))
      v = pick(3, o.getDimension());
    else if (isa<gpu::BarrierOp>(op)) {
      OpBuilder at(op);
      omp::BarrierOp::create(at, op->getLoc());
      toErase.push_back(op);
      return WalkResult::advance();
    } else if (op->getDialect() == launch->getDialect() &&
               !isa<gpu::TerminatorOp>(op)) {
      op->emitError("-tg-gpu-emulate: no CPU emulation of ") << op->getName();
      return WalkResult::interrupt();
    }
    if (v) {
      op->getResult(0).replaceAllUsesWith(v);
      toErase.push_back(op);
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  for (Operation *op : toErase)
    op->erase();
  Operation *terminator = body.getTerminator();
  OpBuilder at(terminator);
  omp::TerminatorOp::create(at, terminator->getLoc());
  terminator->erase();
  teamBody->getOperations().splice(teamBody->end(), body.getOperations());
  launch->erase();
  return success();
}

struct TgGpuEmulatePass : tg::impl::TgGpuEmulatePassBase<TgGpuEmulatePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::LaunchOp> launches;
    module.walk([&](gpu::LaunchOp l) { launches.push_back(l); });
    if (launches.empty())
      return;
    auto threadNum = module.lookupSymbol<func::FuncOp>(kThreadNum);
    if (!threadNum) {
      OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
      threadNum = func::FuncOp::create(
          b, module.getLoc(), kThreadNum,
          b.getFunctionType({}, {b.getI32Type()}));
      threadNum.setPrivate();
    }
    for (gpu::LaunchOp launch : launches)
      if (failed(emulate(launch, threadNum)))
        return signalPassFailure();
  }
};

} // namespace
