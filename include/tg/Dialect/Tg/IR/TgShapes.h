//===- TgShapes.h - Shape rules of the tg ops -------------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The shape arithmetic behind the tg verifiers, type inference, folders and
// lowerings: numpy broadcasting, reductions, matmul batch dimensions, slices
// and convolutions. Plain functions over shapes, free of IR, so that they are
// unit-tested on their own and shared by every layer.
//
//===----------------------------------------------------------------------===//

#ifndef TG_DIALECT_TG_IR_TGSHAPES_H
#define TG_DIALECT_TG_IR_TGSHAPES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>

namespace mlir {
namespace tg {

using Shape = llvm::SmallVector<int64_t, 4>;

/// The numpy broadcast of two shapes: aligned from the right, each pair equal
/// or one of them 1. std::nullopt when they are incompatible.
std::optional<Shape> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                     llvm::ArrayRef<int64_t> b);

/// True when `from` broadcasts to exactly `to` (numpy.broadcast_to).
bool isBroadcastableTo(llvm::ArrayRef<int64_t> from, llvm::ArrayRef<int64_t> to);

/// The number of elements of a static shape (1 for rank 0).
int64_t getNumElements(llvm::ArrayRef<int64_t> shape);

/// True when `axes` are in [0, rank) and unique.
bool areValidAxes(llvm::ArrayRef<int64_t> axes, int64_t rank);

/// The shape left by reducing `axes` (assumed valid); with `keepDims` the
/// reduced dimensions become 1, otherwise they are dropped.
Shape getReducedShape(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> axes,
                      bool keepDims);

/// True when `perm` is a permutation of [0, rank).
bool isPermutation(llvm::ArrayRef<int64_t> perm, int64_t rank);

/// `result[i] = shape[perm[i]]` (perm assumed valid).
Shape permuteShape(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> perm);

/// numpy.matmul's result shape for operands of rank >= 2: the batch
/// dimensions broadcast, the contraction dimensions must agree. std::nullopt
/// when they do not.
std::optional<Shape> matmulShape(llvm::ArrayRef<int64_t> lhs,
                                 llvm::ArrayRef<int64_t> rhs);

/// The length of `start:limit:stride` over a dimension of size `dim`, or
/// std::nullopt unless 0 <= start <= limit <= dim and stride >= 1.
std::optional<int64_t> sliceLength(int64_t dim, int64_t start, int64_t limit,
                                   int64_t stride);

/// The output size of one convolution dimension, or std::nullopt when the
/// parameters are invalid (non-positive stride or dilation, negative padding,
/// a window larger than the padded input).
std::optional<int64_t> convOutputSize(int64_t in, int64_t kernel, int64_t padLo,
                                      int64_t padHi, int64_t stride,
                                      int64_t dilation);

} // namespace tg
} // namespace mlir

#endif // TG_DIALECT_TG_IR_TGSHAPES_H
