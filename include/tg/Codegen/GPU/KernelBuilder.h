//===- KernelBuilder.h - Building GPU kernels out of linalg ops -*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// What the passes that write gpu.launch bodies themselves share
// (-tg-gpu-matmul-kernels, -tg-gpu-block-reductions, and the test for ops
// already inside a kernel that -tg-gpu-flatten-parallel-loops uses): index
// arithmetic over groups of a linalg op's loops (flattened into one linear
// index and delinearized where an operand is read), operand indices through
// indexing maps, guarded loads, workgroup buffers and the launch itself.
//
//===----------------------------------------------------------------------===//

#ifndef TG_CODEGEN_GPU_KERNELBUILDER_H
#define TG_CODEGEN_GPU_KERNELBUILDER_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace mlir {
namespace tg {
namespace kernels {

/// The index constant `v`.
Value cst(OpBuilder &b, Location loc, int64_t v);

/// Whether `op` already runs in a kernel or a parallel loop (where another
/// kernel cannot be launched).
bool inKernelOrParallelLoop(Operation *op);

/// Whether host code (anything outside a gpu.launch) reads or writes the
/// memory of `buffer`, directly or through views; freeing it does not
/// count. Unknown uses count as reads (MarkHostAccessedArgs.cpp).
bool touchedOnHost(Value buffer);

/// The product of the static sizes of the loops `dims` among `ranges`
/// (`LinalgOp::getStaticLoopRanges`), if none is dynamic.
std::optional<int64_t> staticGroupSize(ArrayRef<int64_t> ranges,
                                       ArrayRef<unsigned> dims);

/// The sizes of `op`'s loops, as index values computed before the launch.
SmallVector<Value> loopSizes(OpBuilder &b, linalg::LinalgOp op);

/// The product of the sizes of the loops in `dims`.
Value groupSize(OpBuilder &b, Location loc, ArrayRef<Value> sizes,
                ArrayRef<unsigned> dims);

/// Sets `ivs[dims[i]]` to the i-th coordinate of `linear` in the row-major
/// space of the loops `dims` (the last one varies fastest).
void delinearize(OpBuilder &b, Location loc, Value linear,
                 ArrayRef<Value> sizes, ArrayRef<unsigned> dims,
                 MutableArrayRef<Value> ivs);

/// The indices of an operand with indexing map `map` at the loop point `ivs`.
SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ArrayRef<Value> ivs);

/// Whether `i < n`, unsigned (a negative index is out of bounds too).
Value inBounds(OpBuilder &b, Location loc, Value i, Value n);

/// `memref[indices]` where `cond` holds, zero elsewhere.
Value guardedLoad(OpBuilder &b, Location loc, Value cond, Value memref,
                  ValueRange indices, Type elementType);

/// A memref type of `shape` in workgroup (shared) memory.
MemRefType workgroupBuffer(ArrayRef<int64_t> shape, Type elementType);

/// A launch of `grid` x `block` threads with the given workgroup buffers;
/// the builder is left at the start of its body, before the terminator.
gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, ArrayRef<Value> grid,
                           ArrayRef<int64_t> block,
                           TypeRange workgroupBuffers);

} // namespace kernels
} // namespace tg
} // namespace mlir

#endif // TG_CODEGEN_GPU_KERNELBUILDER_H
