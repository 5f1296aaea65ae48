//===- KernelBuilder.cpp - Building GPU kernels out of linalg ops ---------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See KernelBuilder.h.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/GPU/KernelBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace mlir {
namespace tg {
namespace kernels {

Value cst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// Whether `op` already runs in a kernel or a parallel loop (where another
/// kernel cannot be launched).
bool inKernelOrParallelLoop(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() ||
         op->getParentOfType<scf::ParallelOp>();
}

/// The product of the static sizes of the loops `dims` among `ranges`
/// (`LinalgOp::getStaticLoopRanges`), if none is dynamic.
std::optional<int64_t> staticGroupSize(ArrayRef<int64_t> ranges,
                                       ArrayRef<unsigned> dims) {
  int64_t n = 1;
  for (unsigned d : dims) {
    if (ShapedType::isDynamic(ranges[d]))
      return std::nullopt;
    n *= ranges[d];
  }
  return n;
}

/// The sizes of `op`'s loops, as index values computed before the launch.
SmallVector<Value> loopSizes(OpBuilder &b, linalg::LinalgOp op) {
  SmallVector<Value> sizes;
  for (Range r : op.createLoopRanges(b, op.getLoc()))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, op.getLoc(), r.size));
  return sizes;
}

/// The product of the sizes of the loops in `dims`.
Value groupSize(OpBuilder &b, Location loc, ArrayRef<Value> sizes,
                ArrayRef<unsigned> dims) {
  Value n = cst(b, loc, 1);
  for (unsigned d : dims)
    n = b.createOrFold<arith::MulIOp>(loc, n, sizes[d]);
  return n;
}

/// Sets `ivs[dims[i]]` to the i-th coordinate of `linear` in the row-major
/// space of the loops `dims` (the last one varies fastest).
void delinearize(OpBuilder &b, Location loc, Value linear,
                 ArrayRef<Value> sizes, ArrayRef<unsigned> dims,
                 MutableArrayRef<Value> ivs) {
  if (dims.empty())
    return;
  for (unsigned d : llvm::reverse(dims.drop_front())) {
    ivs[d] = arith::RemUIOp::create(b, loc, linear, sizes[d]);
    linear = arith::DivUIOp::create(b, loc, linear, sizes[d]);
  }
  ivs[dims.front()] = linear;
}

/// The indices of an operand with indexing map `map` at the loop point `ivs`.
SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ArrayRef<Value> ivs) {
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      indices.push_back(ivs[d.getPosition()]);
    else if (auto c = dyn_cast<AffineConstantExpr>(e))
      indices.push_back(cst(b, loc, c.getValue()));
    else
      indices.push_back(affine::AffineApplyOp::create(
          b, loc, AffineMap::get(map.getNumDims(), 0, e), ivs));
  }
  return indices;
}

Value inBounds(OpBuilder &b, Location loc, Value i, Value n) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, i, n);
}

/// `memref[indices]` where `cond` holds, zero elsewhere.
Value guardedLoad(OpBuilder &b, Location loc, Value cond, Value memref,
                  ValueRange indices, Type elementType) {
  auto ifOp = scf::IfOp::create(
      b, loc, cond,
      [&](OpBuilder &b, Location loc) {
        scf::YieldOp::create(
            b, loc, Value(memref::LoadOp::create(b, loc, memref, indices)));
      },
      [&](OpBuilder &b, Location loc) {
        scf::YieldOp::create(
            b, loc,
            Value(arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType))));
      });
  return ifOp.getResult(0);
}

MemRefType workgroupBuffer(ArrayRef<int64_t> shape, Type elementType) {
  MLIRContext *ctx = elementType.getContext();
  return MemRefType::get(
      shape, elementType, MemRefLayoutAttrInterface{},
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup));
}

/// A launch of `grid` x `block` threads with the given workgroup buffers;
/// the builder is left at the start of its body, before the terminator.
gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, ArrayRef<Value> grid,
                           ArrayRef<int64_t> block,
                           TypeRange workgroupBuffers) {
  auto launch = gpu::LaunchOp::create(
      b, loc, grid[0], grid[1], grid[2], cst(b, loc, block[0]),
      cst(b, loc, block[1]), cst(b, loc, block[2]),
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      ValueRange{}, workgroupBuffers);
  Block &body = launch.getBody().front();
  b.setInsertionPointToEnd(&body);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&body);
  return launch;
}

} // namespace kernels
} // namespace tg
} // namespace mlir
