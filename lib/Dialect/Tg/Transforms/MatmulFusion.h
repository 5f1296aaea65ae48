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
// consumer (computed on the result tile before it is stored).
//
//===----------------------------------------------------------------------===//

#ifndef TG_LIB_DIALECT_TG_TRANSFORMS_MATMULFUSION_H
#define TG_LIB_DIALECT_TG_TRANSFORMS_MATMULFUSION_H

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

/// A 2-D-or-more memref of static shape whose innermost stride is 1.
bool isStaticUnitStride(Value v);

/// The buffer a view is taken of (following view-like ops to their source).
Value rootBuffer(Value v);

/// Whether `c` is `buffer` reshaped (so a fill of `buffer` fills all of c).
bool fillsAllOf(Value buffer, Value c);

/// Whether a scalar element type can be loaded and stored as a vector.
bool isVectorizableElement(Type t);

/// Whether no op between `from` and `to` (exclusive) conflicts with reading
/// `reads` and writing `writes` at `from` instead of at `to`.
bool safeToHoist(Operation *from, Operation *to, ArrayRef<Value> reads,
                 ArrayRef<Value> writes);

/// The zero fill of all of `c` before `matmul` in its block, with nothing
/// reading or writing `c` in between; null if there is none.
linalg::FillOp findZeroFill(linalg::MatmulOp matmul, Value c);

/// The elementwise consumer of `c` (an m x n private buffer of `matmul`)
/// that can run on the result tile. May move the consumer's output
/// allocation above the matmul.
std::optional<MatmulEpilogue> findEpilogue(linalg::MatmulOp matmul, Value c,
                                           int64_t m, int64_t n,
                                           DominanceInfo &dom);

/// The 2-D transpose that writes `operand`, a private buffer of the matmul,
/// when its source is not written between it and the matmul; null if none.
linalg::TransposeOp findTransposeProducer(linalg::MatmulOp matmul,
                                          Value operand);

/// Erases the allocations among `buffers` that only deallocations use any
/// more, with those deallocations.
void eraseDeadPrivateBuffers(ValueRange buffers);

} // namespace tg
} // namespace mlir

#endif // TG_LIB_DIALECT_TG_TRANSFORMS_MATMULFUSION_H
