//===- MatmulFusion.h - What a matmul kernel can take over ------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The analyses the CPU micro-kernels (-tg-matmul-microkernels) and the GPU
// matmul kernels (-tg-gpu-matmul-kernels) share to fold the ops around a
// linalg.matmul on buffers into the matmul's own kernel: the zero fill of
// its output, the transposes that materialize its operands, its elementwise
// consumer (computed on the result tile before it is stored). With them,
// the facts about buffers those analyses and the CPU memory passes share
// (views, roots, sizes, writers).
//
//===----------------------------------------------------------------------===//

#ifndef TG_CODEGEN_COMMON_MATMULFUSION_H
#define TG_CODEGEN_COMMON_MATMULFUSION_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Dominance.h"

namespace mlir {
namespace tg {

/// An elementwise consumer of the matmul result, computed on the result
/// tile before it is stored: `out = body(C, other inputs...)`.
struct MatmulEpilogue {
  linalg::GenericOp op;
  Value out;
};

/// The result of an affine expression of an epilogue operand's map: the row
/// dimension, the column dimension or the constant 0 (broadcast).
enum class EpilogueIndex { Row, Col, Zero };

/// The kinds of `map`'s results, or nothing if one is another expression or
/// the column dimension is not innermost.
std::optional<SmallVector<EpilogueIndex>> classifyEpilogueMap(AffineMap map);

/// The bytes of a buffer of this type: static shape, identity layout,
/// default memory space, elements of 1, 8, 16, 32 or 64 bits (others' size
/// depends on the data layout); -1 otherwise.
int64_t staticBytes(MemRefType type);

/// Ops whose memref result is a view of their first memref operand (the
/// same bytes). Any other op with a memref result (a clone, a realloc)
/// makes a buffer of its own.
bool makesView(Operation *op);

/// The buffer a view is taken of (following the ops that make views to
/// their source).
Value rootBuffer(Value v);

/// The one user of `buffer` that is neither a deallocation nor `ignored`;
/// null when there is none or more than one (a user with two uses of it
/// counts twice).
Operation *soleOtherUser(Value buffer,
                         function_ref<bool(Operation *)> ignored);

/// A 2-D-or-more memref of static shape whose innermost stride is 1.
bool isStaticUnitStride(Value v);

/// Whether no op between `from` and `to` (exclusive) conflicts with reading
/// `reads` and writing `writes` at `from` instead of at `to`.
bool safeToHoist(Operation *from, Operation *to, ArrayRef<Value> reads,
                 ArrayRef<Value> writes);

/// Whether `op` or an op in its regions may write `buffer` (any view of the
/// buffer `buffer` is a view of), or has effects it cannot say. Only a
/// buffer that is a function argument or an allocation can be told apart
/// from others: for any other buffer (a region's result or block
/// argument), and for writes to one, the answer is yes.
bool mayWrite(Operation *op, Value buffer);

/// What a matmul's kernel takes over: the zero fill of C (the tile starts
/// from zero), the transposes producing A or B (their sources are read) and
/// the elementwise consumer of C (computed on the tile).
struct MatmulFusions {
  linalg::FillOp zeroFill;
  std::optional<MatmulEpilogue> epilogue;
  linalg::TransposeOp aTranspose, bTranspose;
};

/// The fusions around `matmul`; an epilogue only when C has a static shape.
/// May move the epilogue's output allocation above the matmul.
MatmulFusions findMatmulFusions(linalg::MatmulOp matmul, DominanceInfo &dom);

/// Erases `kernelOp` (the op a kernel now computes) and the ops of `fused`,
/// then the views among the kernel op's operands that nothing else uses and
/// the private buffers they view or it read that nothing reads any more,
/// with their deallocations.
void eraseMatmulAndFusions(Operation *kernelOp, MatmulFusions fused);

} // namespace tg
} // namespace mlir

#endif // TG_CODEGEN_COMMON_MATMULFUSION_H
