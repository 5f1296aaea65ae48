//===- TgOps.h - tg operations ----------------------------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Declares the tg operations generated from TgOps.td and the helpers their
// generated code calls (type inference and verification shared by op classes).
//
//===----------------------------------------------------------------------===//

#ifndef TG_DIALECT_TG_IR_TGOPS_H
#define TG_DIALECT_TG_IR_TGOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "tg/Dialect/Tg/IR/TgDialect.h"
#include "tg/Dialect/Tg/IR/TgEnums.h.inc"
#include "tg/Dialect/Tg/IR/TgInterfaces.h.inc"

namespace mlir {
namespace tg {

/// Reports why a type could not be inferred; null to fail silently (builders
/// on IR that is already verified).
using EmitErrorFn = llvm::function_ref<InFlightDiagnostic()>;

/// The largest tensor tg compiles: 2^32 elements and 2^36 bytes (64 GiB).
/// Beyond them element counts and byte sizes come close to overflowing
/// int64 index arithmetic, and no machine tg targets could hold the data.
constexpr int64_t kMaxTensorElements = int64_t(1) << 32;
constexpr int64_t kMaxTensorBytes = int64_t(1) << 36;

/// Fails with an error at `loc` naming `what` when `type` is a statically
/// shaped tensor or memref beyond kMaxTensorElements or kMaxTensorBytes.
LogicalResult verifyTensorSize(Type type, Location loc, StringRef what);

/// verifyTensorSize for every operand and result of `op`.
LogicalResult verifyTensorSizes(Operation *op);

/// verifyTensorSize for every value (results and block arguments) under
/// `root`, whatever its dialect: what the C API checks before compiling.
LogicalResult verifyAllTensorSizes(Operation *root);

/// The trait behind Tg_BoundedTensors (TgBase.td).
template <typename ConcreteType>
class BoundedTensors : public OpTrait::TraitBase<ConcreteType, BoundedTensors> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return verifyTensorSizes(op);
  }
};

/// The numpy broadcast of the operands' shapes. The element type is
/// `elementType` if given, else that of the last operand (tg.select's first
/// operand is its predicate); the other operands must share it.
FailureOr<RankedTensorType> inferBroadcastType(TypeRange operands,
                                               Type elementType,
                                               EmitErrorFn emitError);
/// numpy.matmul's result for operands of rank >= 2.
FailureOr<RankedTensorType> inferMatmulType(Type lhs, Type rhs,
                                            EmitErrorFn emitError);
/// The transpose of `x` by `permutation`.
FailureOr<RankedTensorType> inferTransposeType(Type x,
                                               ArrayRef<int64_t> permutation,
                                               EmitErrorFn emitError);
/// The concatenation of `inputs` along `axis`.
FailureOr<RankedTensorType> inferConcatType(TypeRange inputs, int64_t axis,
                                            EmitErrorFn emitError);
/// `x` gathered along `axis` by `indices` (tf.gather).
FailureOr<RankedTensorType> inferGatherType(Type x, Type indices, int64_t axis,
                                            EmitErrorFn emitError);
/// The strided slice of `x`.
FailureOr<RankedTensorType> inferSliceType(Type x, ArrayRef<int64_t> start,
                                           ArrayRef<int64_t> limit,
                                           ArrayRef<int64_t> stride,
                                           EmitErrorFn emitError);
/// The NHWC x HWCF convolution's NHWF result.
FailureOr<RankedTensorType>
inferConv2DType(Type input, Type filter, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations,
                EmitErrorFn emitError);

/// Checks `op`'s single result type against `inferred` (whose failure has
/// already been reported).
LogicalResult verifyInferredType(Operation *op,
                                 FailureOr<RankedTensorType> inferred);

/// Checks that `axes` are valid (in range, unique) for a tensor of `rank`.
LogicalResult verifyAxes(Operation *op, int64_t rank, ArrayRef<int64_t> axes);

/// Checks a reduction: valid axes and a result of the reduced shape, with or
/// without the reduced dimensions kept.
LogicalResult verifyReduction(Operation *op, RankedTensorType input,
                              ArrayRef<int64_t> axes, RankedTensorType result);

/// The type left by reducing `axes` of `type`.
RankedTensorType getReducedType(RankedTensorType type, ArrayRef<int64_t> axes,
                                bool keepDims);

/// For `x + -0.0`, `x - 0.0`, `x * 1`, `x / 1` and `x ** 1` (splat constants,
/// either side where the op commutes), returns `x`; null otherwise. The
/// result may be larger than `x` when the constant broadcasts it.
Value getPassThroughOperand(Operation *op);

/// Whether `v` is a splat constant whose every element equals `value` (for
/// floats bitwise: -0.0 and 0.0 differ).
bool isSplatOf(Value v, double value);

/// A tg.constant of float tensor type `type` with every element `value`.
Value createFloatSplat(OpBuilder &builder, Location loc, Type type,
                       double value);

/// The permutation equal to applying `inner`, then `outer`.
DenseI64ArrayAttr composePermutations(OpBuilder &builder,
                                      DenseI64ArrayAttr inner,
                                      DenseI64ArrayAttr outer);

} // namespace tg
} // namespace mlir

#define GET_OP_CLASSES
#include "tg/Dialect/Tg/IR/TgOps.h.inc"

#endif // TG_DIALECT_TG_IR_TGOPS_H
