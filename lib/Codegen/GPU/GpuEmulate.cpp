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
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
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

/// Slots per thread in the scratch of emulated mma.sync: 8 of A, 4 of B.
constexpr int64_t kMmaSlots = 12;

/// A warp-wide `nvgpu.mma.sync` (m16n8k16 on f16, m16n8k8 on TF32) as
/// what the warp's lanes do together, through `scratch` (a block's
/// threads x kMmaSlots f32 buffer): each thread stores its A and B
/// fragments, the block synchronizes, each thread computes its four
/// accumulators from the fragments of its warp's lanes, read back in PTX's
/// layouts, and the block synchronizes again before the scratch is reused.
/// Every thread of the block must reach it (the kernels call it
/// unconditionally). TF32 operands are truncated to 10 mantissa bits (the
/// low 13 bits of an f32 that tensor cores ignore).
LogicalResult emulateMma(nvgpu::MmaSyncOp mma, Value scratch, Value tid) {
  Location loc = mma.getLoc();
  OpBuilder b(mma);
  std::array<int64_t, 3> shape = mma.getMmaShapeAsArray();
  auto aType = cast<VectorType>(mma.getMatrixA().getType());
  Type element = aType.getElementType();
  bool f16 = element.isF16();
  bool tf32 = element.isF32() && mma.getTf32Enabled();
  if (shape != std::array<int64_t, 3>{16, 8, f16 ? 16 : 8} || (!f16 && !tf32))
    return mma.emitError("-tg-gpu-emulate: only m16n8k16 f16 and m16n8k8 "
                         "TF32 mma.sync are emulated");
  int64_t depth = shape[2], perRegister = f16 ? 2 : 1;
  auto idx = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  auto toF32 = [&](Value v) -> Value {
    if (f16)
      return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
    Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), v);
    Value mask = arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                              static_cast<int32_t>(0xFFFFE000));
    return arith::BitcastOp::create(b, loc, b.getF32Type(),
                                    arith::AndIOp::create(b, loc, bits, mask));
  };
  // This thread's fragments into its slots.
  auto spill = [&](Value fragment, int64_t registers, int64_t firstSlot) {
    for (int64_t r = 0; r < registers; ++r)
      for (int64_t e = 0; e < perRegister; ++e) {
        Value v = vector::ExtractOp::create(b, loc, fragment,
                                            ArrayRef<int64_t>{r, e});
        memref::StoreOp::create(b, loc, toF32(v), scratch,
                                ValueRange{tid, idx(firstSlot + r * perRegister + e)});
      }
  };
  spill(mma.getMatrixA(), 4, 0);
  spill(mma.getMatrixB(), 2, 8);
  gpu::BarrierOp::create(b, loc);
  Value lane = arith::RemUIOp::create(b, loc, tid, idx(32));
  Value warpBase = arith::SubIOp::create(b, loc, tid, lane);
  Value group = arith::DivUIOp::create(b, loc, lane, idx(4));
  Value inGroup = arith::RemUIOp::create(b, loc, lane, idx(4));
  auto slot = [&](Value laneOfWarp, int64_t s) -> Value {
    Value thread = arith::AddIOp::create(b, loc, warpBase, laneOfWarp);
    return memref::LoadOp::create(b, loc, scratch, ValueRange{thread, idx(s)});
  };
  // Lane offset of k within a group of 4 lanes.
  auto kLane = [&](int64_t k) { return f16 ? (k % 8) / 2 : k % 4; };
  SmallVector<Value> sums;
  for (int64_t r = 0; r < 4; ++r) {
    // Accumulator r: row group + 8 * (r / 2), column 2 * inGroup + r % 2.
    Value sum = vector::ExtractOp::create(b, loc, mma.getMatrixC(),
                                          ArrayRef<int64_t>{r / 2, r % 2});
    Value column = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, inGroup, idx(2)), idx(r % 2));
    for (int64_t k = 0; k < depth; ++k) {
      int64_t high = k >= depth / 2, e = f16 ? k % 2 : 0;
      // A(row, k): register (row >= 8) + 2 * high of lane row % 8 * 4 + ...
      Value aLane = arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, group, idx(4)), idx(kLane(k)));
      Value a = slot(aLane, ((r / 2) + 2 * high) * perRegister + e);
      // B(k, column): register `high` of lane column * 4 + ...
      Value bLane = arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, column, idx(4)), idx(kLane(k)));
      Value bv = slot(bLane, 8 + high * perRegister + e);
      sum = math::FmaOp::create(b, loc, a, bv, sum);
    }
    sums.push_back(sum);
  }
  gpu::BarrierOp::create(b, loc);
  Value result = vector::FromElementsOp::create(
      b, loc, cast<VectorType>(mma.getType()), sums);
  mma.replaceAllUsesWith(result);
  mma.erase();
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
  // Warp-wide tensor-core instructions exchange fragments through a
  // scratch buffer of the block.
  SmallVector<nvgpu::MmaSyncOp> mmas;
  launch.getBody().walk([&](nvgpu::MmaSyncOp op) { mmas.push_back(op); });
  if (!mmas.empty()) {
    std::optional<int64_t> x = getConstantIntValue(block.x),
                           y = getConstantIntValue(block.y),
                           z = getConstantIntValue(block.z);
    if (!x || !y || !z || (*x * *y * *z) % 32)
      return launch.emitError("-tg-gpu-emulate: mma.sync needs a block of "
                              "whole warps, of constant size");
    Value scratch;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(team);
      scratch = memref::AllocaOp::create(
          b, loc, MemRefType::get({*x * *y * *z, kMmaSlots}, b.getF32Type()));
    }
    for (nvgpu::MmaSyncOp mma : mmas)
      if (failed(emulateMma(mma, scratch, tid)))
        return failure();
  }
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
