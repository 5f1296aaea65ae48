//===- GpuBlockReductions.cpp - Reductions as one GPU block per output ---===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td (-tg-gpu-block-reductions). Turns a reduction along the
// innermost loop into one gpu.launch with a block per output element, written
// out here: the parallel-loop mapping would put each row's reduction on one
// thread. Operands are indexed through the op's indexing maps, the reduction
// loops flattened into one linear index and delinearized where an operand is
// read (KernelBuilder.h).
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/GPU/Passes.h"

#include "tg/Codegen/GPU/KernelBuilder.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <numeric>

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGGPUBLOCKREDUCTIONSPASS
#include "tg/Codegen/GPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;
using namespace mlir::tg::kernels;

namespace {

struct Reduction {
  Operation *combiner;
  TypedAttr neutral;
};

/// Whether `op` is a reduction this kernel computes: one output, innermost
/// loop a reduction, one associative combiner with a neutral element.
FailureOr<Reduction> matchBlockReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() == 0 ||
      op.getIteratorTypesArray().back() != utils::IteratorType::reduction)
    return failure();
  if (inKernelOrParallelLoop(op))
    return failure();
  // The output is indexed by parallel loops only.
  for (AffineExpr e : op.getIndexingMapsArray().back().getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d ||
        op.getIteratorTypesArray()[d.getPosition()] != utils::IteratorType::parallel)
      return failure();
  }
  SmallVector<Operation *> combiners;
  if (!matchReduction(op.getRegionOutputArgs(), 0, combiners) ||
      combiners.size() != 1 || combiners[0]->getNumOperands() != 2 ||
      !combiners[0]->hasTrait<OpTrait::IsCommutative>())
    return failure();
  std::optional<TypedAttr> neutral = arith::getNeutralElement(combiners[0]);
  if (!neutral)
    return failure();
  return Reduction{combiners[0], *neutral};
}

/// Whether `op` is a reduction on buffers with a reduction loop outside a
/// parallel one (a column sum).
bool isColumnReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || inKernelOrParallelLoop(op))
    return false;
  bool seenReduction = false;
  for (utils::IteratorType it : op.getIteratorTypesArray()) {
    if (it == utils::IteratorType::reduction)
      seenReduction = true;
    else if (seenReduction)
      return true;
  }
  return false;
}

/// The atomic read-modify-write that applies `combiner`, if LLVM has one.
/// (memref.generic_atomic_rmw would take any combiner, but upstream lowers
/// it to an llvm.cmpxchg on floats, which LLVM rejects.)
std::optional<arith::AtomicRMWKind> atomicKind(Operation *combiner) {
  using K = arith::AtomicRMWKind;
  return llvm::TypeSwitch<Operation *, std::optional<K>>(combiner)
      .Case([](arith::AddFOp) { return K::addf; })
      .Case([](arith::AddIOp) { return K::addi; })
      .Case([](arith::MaximumFOp) { return K::maximumf; })
      .Case([](arith::MinimumFOp) { return K::minimumf; })
      .Case([](arith::MaxNumFOp) { return K::maxnumf; })
      .Case([](arith::MinNumFOp) { return K::minnumf; })
      .Case([](arith::MaxSIOp) { return K::maxs; })
      .Case([](arith::MaxUIOp) { return K::maxu; })
      .Case([](arith::MinSIOp) { return K::mins; })
      .Case([](arith::MinUIOp) { return K::minu; })
      .Case([](arith::OrIOp) { return K::ori; })
      .Case([](arith::AndIOp) { return K::andi; })
      .Default([](Operation *) { return std::nullopt; });
}

/// `combiner` applied to `x` and `y`.
Value combine(OpBuilder &b, Operation *combiner, Value x, Value y) {
  IRMapping map;
  map.map(combiner->getOperand(0), x);
  map.map(combiner->getOperand(1), y);
  return b.clone(*combiner, map)->getResult(0);
}

void buildReductionKernel(linalg::GenericOp op, const Reduction &red,
                          int64_t maxThreads, int64_t minBlocks,
                          int64_t minBlockLength) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  Value out = op.getDpsInitOperand(0)->get();
  Type t = getElementTypeOrSelf(out.getType());
  SmallVector<unsigned> parallel, reduction;
  for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray()))
    (it == utils::IteratorType::parallel ? parallel : reduction).push_back(i);
  SmallVector<Value> sizes = loopSizes(b, op);
  Value outputs = groupSize(b, loc, sizes, parallel);
  Value length = groupSize(b, loc, sizes, reduction);
  // Short reductions get fewer threads, down to a warp.
  int64_t threads = maxThreads;
  std::optional<int64_t> staticLength = getConstantIntValue(length);
  if (staticLength)
    threads = std::clamp<int64_t>(llvm::PowerOf2Ceil(*staticLength), 32,
                                  maxThreads);
  // Too few outputs to fill the GPU (a loss summed to a scalar): each
  // output's reduction is split over `splits` blocks, which combine their
  // totals into it atomically.
  int64_t splits = 1;
  std::optional<int64_t> staticOutputs = getConstantIntValue(outputs);
  std::optional<arith::AtomicRMWKind> kind = atomicKind(red.combiner);
  if (kind && staticLength && staticOutputs && *staticOutputs < minBlocks)
    splits = std::clamp<int64_t>(
        std::min<int64_t>(llvm::divideCeil(minBlocks, *staticOutputs),
                 *staticLength / minBlockLength),
        1, 65535);
  gpu::LaunchOp launch =
      createLaunch(b, loc, {outputs, cst(b, loc, splits), cst(b, loc, 1)},
                   {threads, 1, 1}, {workgroupBuffer({threads}, t)});
  Value scratch = launch.getWorkgroupAttributions()[0];
  Value tx = launch.getThreadIds().x;
  // Block y of an output folds the points y * threads + tx, then every
  // threads * splits further: a block's threads read consecutive addresses.
  Value start = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().y,
                            cst(b, loc, threads)),
      tx);
  SmallVector<Value> base(op.getNumLoops(), cst(b, loc, 0));
  delinearize(b, loc, launch.getBlockIds().x, sizes, parallel, base);

  // Each thread folds its loop points of the reduction, computing the
  // generic's body with its partial as the output.
  Value neutral = arith::ConstantOp::create(b, loc, red.neutral);
  auto loop = scf::ForOp::create(b, loc, start, length,
                                 cst(b, loc, threads * splits),
                                 ValueRange{neutral});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> ivs = base;
    delinearize(b, loc, loop.getInductionVar(), sizes, reduction, ivs);
    IRMapping map;
    Block *body = op.getBlock();
    for (OpOperand *in : op.getDpsInputOperands()) {
      Value arg = body->getArgument(in->getOperandNumber());
      if (!isa<ShapedType>(in->get().getType())) {
        map.map(arg, in->get());
        continue;
      }
      map.map(arg, memref::LoadOp::create(
                       b, loc, in->get(),
                       applyMap(b, loc, op.getMatchingIndexingMap(in), ivs)));
    }
    map.map(op.getRegionOutputArgs()[0], loop.getRegionIterArgs()[0]);
    for (Operation &inner : body->without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
        map.map(index.getResult(), ivs[index.getDim()]);
        continue;
      }
      b.clone(inner, map);
    }
    scf::YieldOp::create(
        b, loc, map.lookup(body->getTerminator()->getOperand(0)));
  }
  // The block's partials combined in a tree through workgroup memory.
  memref::StoreOp::create(b, loc, loop.getResult(0), scratch, ValueRange{tx});
  gpu::BarrierOp::create(b, loc);
  for (int64_t s = threads / 2; s > 0; s /= 2) {
    Value active = inBounds(b, loc, tx, cst(b, loc, s));
    auto ifOp = scf::IfOp::create(b, loc, active, /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value other = arith::AddIOp::create(b, loc, tx, cst(b, loc, s));
      Value x = memref::LoadOp::create(b, loc, scratch, ValueRange{tx});
      Value y = memref::LoadOp::create(b, loc, scratch, ValueRange{other});
      memref::StoreOp::create(b, loc, combine(b, red.combiner, x, y), scratch,
                              ValueRange{tx});
    }
    gpu::BarrierOp::create(b, loc);
  }
  auto first = scf::IfOp::create(b, loc, inBounds(b, loc, tx, cst(b, loc, 1)),
                                 /*withElseRegion=*/false);
  b.setInsertionPointToStart(first.thenBlock());
  SmallVector<Value> indices =
      applyMap(b, loc, op.getIndexingMapsArray().back(), base);
  Value total = memref::LoadOp::create(b, loc, scratch,
                                       ValueRange{cst(b, loc, 0)});
  if (splits == 1) {
    Value old = memref::LoadOp::create(b, loc, out, indices);
    memref::StoreOp::create(b, loc, combine(b, red.combiner, old, total), out,
                            indices);
  } else {
    memref::AtomicRMWOp::create(b, loc, *kind, total, out, indices);
  }
  op->erase();
}

struct TgGpuBlockReductionsPass
    : tg::impl::TgGpuBlockReductionsPassBase<TgGpuBlockReductionsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (minBlocks < 1 || minBlockLength < 1) {
      getOperation().emitError() << "-tg-gpu-block-reductions: min-blocks and "
                                    "min-block-length must be positive";
      return signalPassFailure();
    }
    if (blockSize < 32 || blockSize > 1024 || !llvm::isPowerOf2_64(blockSize)) {
      getOperation().emitError() << "-tg-gpu-block-reductions: block-size must "
                                    "be a power of two from 32 to 1024";
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::GenericOp, Reduction>> work;
    SmallVector<linalg::GenericOp> columnReductions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (auto red = matchBlockReduction(op); succeeded(red))
        work.emplace_back(op, *red);
      else if (isColumnReduction(op))
        columnReductions.push_back(op);
    });
    // Parallel loops outermost: the parallel-loop mapping then makes one
    // kernel whose threads each loop over the reduction, instead of one
    // kernel per step of an outer reduction loop.
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : columnReductions) {
      SmallVector<unsigned> order;
      for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray()))
        if (it == utils::IteratorType::parallel)
          order.push_back(i);
      for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray()))
        if (it != utils::IteratorType::parallel)
          order.push_back(i);
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, order)))
        return signalPassFailure();
    }
    for (auto &[op, red] : work)
      buildReductionKernel(op, red, blockSize, minBlocks, minBlockLength);
  }
};

} // namespace
