//===- TgShapes.cpp - Shape rules of the tg ops ---------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Implements the IR-free shape arithmetic declared in TgShapes.h.
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/IR/TgShapes.h"

#include "llvm/ADT/SmallBitVector.h"
#include <algorithm>

using namespace mlir::tg;

std::optional<Shape> mlir::tg::broadcastShapes(llvm::ArrayRef<int64_t> a,
                                               llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  Shape result(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    // Walk from the right: position i counts from the last dimension.
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    result[rank - 1 - i] = da == 1 ? db : da;
  }
  return result;
}

bool mlir::tg::isBroadcastableTo(llvm::ArrayRef<int64_t> from,
                                 llvm::ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  size_t offset = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[offset + i])
      return false;
  return true;
}

int64_t mlir::tg::getNumElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

bool mlir::tg::areValidAxes(llvm::ArrayRef<int64_t> axes, int64_t rank) {
  if (rank < 0)
    return false;
  llvm::SmallBitVector seen(rank);
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= rank || seen.test(axis))
      return false;
    seen.set(axis);
  }
  return true;
}

Shape mlir::tg::getReducedShape(llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<int64_t> axes, bool keepDims) {
  Shape result;
  for (int64_t i = 0, e = shape.size(); i < e; ++i) {
    bool reduced = llvm::is_contained(axes, i);
    if (!reduced)
      result.push_back(shape[i]);
    else if (keepDims)
      result.push_back(1);
  }
  return result;
}

bool mlir::tg::isPermutation(llvm::ArrayRef<int64_t> perm, int64_t rank) {
  return static_cast<int64_t>(perm.size()) == rank && areValidAxes(perm, rank);
}

Shape mlir::tg::permuteShape(llvm::ArrayRef<int64_t> shape,
                             llvm::ArrayRef<int64_t> perm) {
  Shape result;
  for (int64_t p : perm)
    result.push_back(shape[p]);
  return result;
}

std::optional<Shape> mlir::tg::matmulShape(llvm::ArrayRef<int64_t> lhs,
                                           llvm::ArrayRef<int64_t> rhs) {
  if (lhs.size() < 2 || rhs.size() < 2)
    return std::nullopt;
  if (lhs[lhs.size() - 1] != rhs[rhs.size() - 2])
    return std::nullopt;
  std::optional<Shape> batch =
      broadcastShapes(lhs.drop_back(2), rhs.drop_back(2));
  if (!batch)
    return std::nullopt;
  batch->push_back(lhs[lhs.size() - 2]);
  batch->push_back(rhs[rhs.size() - 1]);
  return batch;
}

std::optional<int64_t> mlir::tg::sliceLength(int64_t dim, int64_t start,
                                             int64_t limit, int64_t stride) {
  if (start < 0 || start > limit || limit > dim || stride < 1)
    return std::nullopt;
  return (limit - start + stride - 1) / stride;
}

std::optional<int64_t> mlir::tg::convOutputSize(int64_t in, int64_t kernel,
                                                int64_t padLo, int64_t padHi,
                                                int64_t stride,
                                                int64_t dilation) {
  if (stride < 1 || dilation < 1 || padLo < 0 || padHi < 0 || kernel < 1)
    return std::nullopt;
  int64_t window = dilation * (kernel - 1) + 1;
  int64_t padded = in + padLo + padHi;
  if (window > padded)
    return std::nullopt;
  return (padded - window) / stride + 1;
}
