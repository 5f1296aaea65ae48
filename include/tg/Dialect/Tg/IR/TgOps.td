//===- TgOps.td - tg operation definitions -------------------*- tablegen -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Every op of the tg dialect (docs/contract.md, section 2). The
// textual forms are the contract; the verifiers check every shape invariant so
// that later passes may assume well-formed IR. Folders live in TgFolders.cpp,
// canonicalization patterns in TgCanonicalize.{td,cpp}.
//
//===----------------------------------------------------------------------===//

#ifndef TG_DIALECT_TG_IR_TGOPS_TD
#define TG_DIALECT_TG_IR_TGOPS_TD

include "tg/Dialect/Tg/IR/TgBase.td"
include "tg/Dialect/Tg/IR/TgInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// tg.constant
//===----------------------------------------------------------------------===//

def Tg_ConstantOp : Tg_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "tensor literal";
  let description = [{
    A tensor constant. The attribute's type is the result type.

    ```mlir
    %c = tg.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Tg_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let builders = [
    OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
      build($_builder, $_state, value.getType(), value);
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

class Tg_ElementwiseBinaryOp<string mnemonic, Type operandType,
                             list<Trait> traits = []>
    : Tg_Op<mnemonic, !listconcat(traits, [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>])> {
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs operandType:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs), [{
      build($_builder, $_state, *::mlir::tg::inferBroadcastType(
          ::mlir::TypeRange{lhs.getType(), rhs.getType()}, nullptr, nullptr),
          lhs, rhs);
    }]>
  ];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::tg::verifyInferredType(getOperation(),
          ::mlir::tg::inferBroadcastType(getOperation()->getOperandTypes(),
                                         nullptr, [&] { return emitOpError(); }));
    }
  }];
}

def Tg_AddOp : Tg_ElementwiseBinaryOp<"add", Tg_NumericTensor, [Commutative]> {
  let summary = "elementwise addition with numpy broadcasting";
  let description = [{
    ```mlir
    %r = tg.add %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    ```
  }];
}
def Tg_SubOp : Tg_ElementwiseBinaryOp<"sub", Tg_NumericTensor> {
  let summary = "elementwise subtraction with numpy broadcasting";
  let description = [{
    ```mlir
    %r = tg.sub %a, %b : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
    ```
  }];
}
def Tg_MulOp : Tg_ElementwiseBinaryOp<"mul", Tg_NumericTensor, [Commutative]> {
  let summary = "elementwise multiplication with numpy broadcasting";
  let description = [{
    ```mlir
    %r = tg.mul %a, %b : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
    ```
  }];
}
def Tg_DivOp : Tg_ElementwiseBinaryOp<"div", Tg_NumericTensor> {
  let summary = "elementwise division with numpy broadcasting";
  let description = [{
    Float division is IEEE division; integer division truncates toward zero
    (as `arith.divsi`). Integer division never traps: `x / 0` is 0 and
    `INT_MIN / -1` wraps to `INT_MIN` (numpy's values), both when folded and
    when run.

    ```mlir
    %r = tg.div %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    ```
  }];
}
def Tg_FloorDivOp : Tg_ElementwiseBinaryOp<"floordiv", Tg_NumericTensor> {
  let summary = "elementwise floor division with numpy broadcasting";
  let description = [{
    numpy's `a // b`: the quotient rounded toward negative infinity. On
    integers `x // 0` is 0 and `INT_MIN // -1` wraps to `INT_MIN` (numpy's
    values; never a trap). On floats it is numpy's `floor_divide`
    (`(a - fmod(a, b)) / b`, corrected to the floor; `x // 0` is `x / 0`:
    an infinity or NaN). Its gradient is zero.

    ```mlir
    %r = tg.floordiv %a, %b : (tensor<4x3xi32>, tensor<3xi32>) -> tensor<4x3xi32>
    ```
  }];
}
def Tg_ModOp : Tg_ElementwiseBinaryOp<"mod", Tg_NumericTensor> {
  let summary = "elementwise modulo (numpy's `%`) with numpy broadcasting";
  let description = [{
    numpy's `a % b`: the remainder of the floor division, with the sign of
    `b`, so that `a == (a // b) * b + a % b`. On integers `x % 0` is 0 (and
    `INT_MIN % -1` is 0); on floats `x % 0` is NaN (IEEE `fmod`). Gradients:
    `da = 1`, `db = -floor(a / b)`.

    ```mlir
    %r = tg.mod %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
}
def Tg_PowOp : Tg_ElementwiseBinaryOp<"pow", Tg_FloatTensor> {
  let summary = "elementwise power with numpy broadcasting";
  let description = [{
    `lhs ** rhs` with the semantics of C's `pow`.

    ```mlir
    %r = tg.pow %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
}
def Tg_MaximumOp : Tg_ElementwiseBinaryOp<"maximum", Tg_NumericTensor,
                                          [Commutative]> {
  let summary = "elementwise maximum with numpy broadcasting";
  let description = [{
    Like `numpy.maximum`: a NaN in either operand gives NaN.

    ```mlir
    %r = tg.maximum %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}
def Tg_MinimumOp : Tg_ElementwiseBinaryOp<"minimum", Tg_NumericTensor,
                                          [Commutative]> {
  let summary = "elementwise minimum with numpy broadcasting";
  let description = [{
    Like `numpy.minimum`: a NaN in either operand gives NaN.

    ```mlir
    %r = tg.minimum %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops (float only)
//===----------------------------------------------------------------------===//

class Tg_ElementwiseUnaryOp<string mnemonic, string formula,
                            list<Trait> traits = []>
    : Tg_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType,
                                           DeclareOpInterfaceMethods<TgGradientOpInterface>])> {
  let summary = "elementwise " # formula;
  let description = "Computes `" # formula # "` for every element.\n\n"
      "```mlir\n%r = tg." # mnemonic # " %x : tensor<4xf32>\n```\n";
  let arguments = (ins Tg_FloatTensor:$x);
  let results = (outs Tg_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
  let hasFolder = 1;
}

def Tg_NegOp : Tg_ElementwiseUnaryOp<"neg", "-x"> { let hasCanonicalizer = 1; }
def Tg_AbsOp : Tg_ElementwiseUnaryOp<"abs", "|x|">;
def Tg_ExpOp : Tg_ElementwiseUnaryOp<"exp", "e^x">;
def Tg_LogOp : Tg_ElementwiseUnaryOp<"log", "ln(x)">;
def Tg_SqrtOp : Tg_ElementwiseUnaryOp<"sqrt", "sqrt(x)">;
def Tg_RsqrtOp : Tg_ElementwiseUnaryOp<"rsqrt", "1 / sqrt(x)">;
def Tg_TanhOp : Tg_ElementwiseUnaryOp<"tanh", "tanh(x)">;
def Tg_SigmoidOp : Tg_ElementwiseUnaryOp<"sigmoid", "1 / (1 + e^-x)">;
def Tg_ReluOp : Tg_ElementwiseUnaryOp<"relu", "max(x, 0)">;
def Tg_SinOp : Tg_ElementwiseUnaryOp<"sin", "sin(x)">;
def Tg_CosOp : Tg_ElementwiseUnaryOp<"cos", "cos(x)">;
def Tg_FloorOp : Tg_ElementwiseUnaryOp<"floor", "floor(x)">;
def Tg_CeilOp : Tg_ElementwiseUnaryOp<"ceil", "ceil(x)">;
def Tg_RoundOp : Tg_ElementwiseUnaryOp<"round", "round(x)"> {
  let summary = "elementwise rounding to the nearest integer, ties to even";
  let description = [{
    Rounds every element to the nearest integer; halfway cases go to the
    even neighbour (`round(0.5) = 0`, `round(1.5) = 2`), as `numpy.round`
    and `tf.round`. The gradient is zero.

    ```mlir
    %r = tg.round %x : tensor<4xf32>
    ```
  }];
}
def Tg_SignOp : Tg_ElementwiseUnaryOp<"sign", "sign(x)"> {
  let summary = "elementwise sign: -1, 0 or 1";
  let description = [{
    -1 for negative elements, 1 for positive ones, the element itself for
    zeros (so `+0`, `-0`) and NaN (as `numpy.sign`). The gradient is zero.

    ```mlir
    %r = tg.sign %x : tensor<4xf32>
    ```
  }];
}
def Tg_ErfOp : Tg_ElementwiseUnaryOp<"erf", "erf(x)">;
def Tg_Log1pOp : Tg_ElementwiseUnaryOp<"log1p", "ln(1 + x)">;
def Tg_Expm1Op : Tg_ElementwiseUnaryOp<"expm1", "e^x - 1">;

//===----------------------------------------------------------------------===//
// Collectives: tg.all_reduce, tg.broadcast_from
//===----------------------------------------------------------------------===//

// Not Pure: a collective is a synchronization point of the job, kept where
// and as often as the program has it (every process runs the same
// compiled code, so no process may skip or merge one).
def Tg_AllReduceOp : Tg_Op<"all_reduce", [
    SameOperandsAndResultType,
    MemoryEffects<[MemRead, MemWrite]>,
    DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "reduction of a tensor over the processes of the job";
  let description = [{
    Every process of the job (MPI's `MPI_COMM_WORLD`; one process outside
    an MPI job) gives its `x`, and every process gets the elementwise
    `sum`, `mean`, `max` or `min` of them. The adjoint of `sum` is the sum
    of the result adjoints (every process's result is its sum), of `mean`
    their mean; of `max`/`min`, the sum of the result adjoints where `x`
    is the extremum, shared equally among the processes that hold it, zero
    elsewhere. `mean` takes float tensors.

    ```mlir
    %r = tg.all_reduce sum %x : tensor<4xf32>
    ```
  }];
  let arguments = (ins Tg_CollectiveKind:$kind, Tg_CollectiveTensor:$x);
  let results = (outs Tg_CollectiveTensor:$result);
  let assemblyFormat = "$kind $x attr-dict `:` type($x)";
  let hasVerifier = 1;
}

def Tg_BroadcastFromOp : Tg_Op<"broadcast_from", [
    SameOperandsAndResultType,
    MemoryEffects<[MemRead, MemWrite]>,
    DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "process root's tensor, on every process of the job";
  let description = [{
    Every process gets process `root`'s `x` (MPI's `MPI_Bcast`); with one
    process, its own. Differentiable: the adjoint is, on process `root`,
    the sum of every process's result adjoint, and zero elsewhere.

    ```mlir
    %r = tg.broadcast_from %x [0] : tensor<4xf32>
    ```
  }];
  let arguments = (ins Tg_CollectiveTensor:$x, I64Attr:$root);
  let results = (outs Tg_CollectiveTensor:$result);
  let assemblyFormat = "$x ` ` `[` $root `]` attr-dict `:` type($x)";
  let hasVerifier = 1;
}

// The calling process's index in the job, as a tensor (0 outside a job).
def Tg_ProcessRankOp : Tg_Op<"process_rank", [
    MemoryEffects<[MemRead]>]> {
  let summary = "this process's index in the job";
  let description = [{
    ```mlir
    %r = tg.process_rank : tensor<i64>
    ```
  }];
  let results = (outs StaticShapeTensorOf<[I64]>:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// tg.random_uniform
//===----------------------------------------------------------------------===//

def Tg_RandomUniformOp : Tg_Op<"random_uniform", [Pure,
    DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "counter-based uniform random numbers in [0, 1)";
  let description = [{
    Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1,
    2, 3", SC'11), computed where the numbers are used. `key` holds two
    64-bit words: the Philox key, and the upper 64 bits of the 128-bit
    counter. Element `i` (row-major) is word `i mod 4` of the block whose
    counter's lower 64 bits are `i / 4`, turned into a float of the result
    type: the top `p` bits times 2^-p, where `p` is the type's significand
    precision (32 for f64), so every value is exact and in [0, 1).

    A value depends only on the key and its index: the same numbers on every
    target, thread count and tiling. The op is pure; a caller that wants
    new numbers passes a new key (tg.random advances a counter Variable).

    ```mlir
    %u = tg.random_uniform %key : tensor<2xi64> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[I64]>:$key);
  let results = (outs Tg_FloatTensor:$result);
  let assemblyFormat = "$key attr-dict `:` type($key) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// tg.cmp, tg.select, tg.cast
//===----------------------------------------------------------------------===//

def Tg_CmpOp : Tg_Op<"cmp", [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "elementwise comparison with numpy broadcasting";
  let description = [{
    Compares two tensors of the same element type; predicates are `eq`, `ne`,
    `lt`, `le`, `gt`, `ge`. Float comparisons are ordered (false with a NaN),
    except `ne`, which is true with a NaN, as in numpy.

    ```mlir
    %p = tg.cmp gt, %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
    ```
  }];
  let arguments = (ins Tg_CmpPredicate:$predicate, Tg_NumericTensor:$lhs,
                       Tg_NumericTensor:$rhs);
  let results = (outs Tg_BoolTensor:$result);
  let assemblyFormat = [{
    $predicate `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::tg::CmpPredicate":$predicate, "::mlir::Value":$lhs,
                   "::mlir::Value":$rhs), [{
      build($_builder, $_state, *::mlir::tg::inferBroadcastType(
          ::mlir::TypeRange{lhs.getType(), rhs.getType()},
          $_builder.getI1Type(), nullptr), predicate, lhs, rhs);
    }]>
  ];
}

def Tg_SelectOp : Tg_Op<"select", [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "elementwise choice with numpy broadcasting";
  let description = [{
    `result[i] = pred[i] ? on_true[i] : on_false[i]`, all three broadcast
    together.

    ```mlir
    %r = tg.select %p, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Tg_BoolTensor:$pred, Tg_Tensor:$on_true,
                       Tg_Tensor:$on_false);
  let results = (outs Tg_Tensor:$result);
  let assemblyFormat = [{
    $pred `,` $on_true `,` $on_false attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$pred, "::mlir::Value":$onTrue,
                   "::mlir::Value":$onFalse), [{
      build($_builder, $_state, *::mlir::tg::inferBroadcastType(
          ::mlir::TypeRange{pred.getType(), onTrue.getType(), onFalse.getType()},
          nullptr, nullptr), pred, onTrue, onFalse);
    }]>
  ];
}

def Tg_CastOp : Tg_Op<"cast", [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "element type conversion";
  let description = [{
    Converts every element to the result's element type; the shape is kept.
    Float narrowing rounds to nearest even; float to integer truncates toward
    zero, and NaN, infinities and values outside the integer's range give
    `INT_MIN` (x86's value, so numpy's there), both when folded and when run;
    to `i1` means `x != 0`.

    ```mlir
    %r = tg.cast %x : tensor<4xf32> to tensor<4xf16>
    ```
  }];
  let arguments = (ins Tg_Tensor:$x);
  let results = (outs Tg_Tensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra and layout
//===----------------------------------------------------------------------===//

def Tg_MatmulOp : Tg_Op<"matmul", [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "matrix product, batched with broadcast batch dimensions";
  let description = [{
    `numpy.matmul` for operands of rank 2 or more (no rank 1): the last two
    dimensions are multiplied, the leading (batch) dimensions broadcast.

    ```mlir
    %r = tg.matmul %a, %b : (tensor<8x4xf32>, tensor<4x5xf32>) -> tensor<8x5xf32>
    %s = tg.matmul %c, %d : (tensor<2x1x8x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x8x5xf32>
    ```
  }];
  let arguments = (ins Tg_NumericTensor:$lhs, Tg_NumericTensor:$rhs);
  let results = (outs Tg_NumericTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs), [{
      build($_builder, $_state, *::mlir::tg::inferMatmulType(
          lhs.getType(), rhs.getType(), nullptr), lhs, rhs);
    }]>
  ];
}

def Tg_TransposeOp : Tg_Op<"transpose", [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "permutation of dimensions";
  let description = [{
    `result.shape[i] = x.shape[permutation[i]]`, as `numpy.transpose`.

    ```mlir
    %r = tg.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Tg_Tensor:$x, DenseI64ArrayAttr:$permutation);
  let results = (outs Tg_Tensor:$result);
  let assemblyFormat =
      "$x $permutation attr-dict `:` type($x) `->` type($result)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$x, "::llvm::ArrayRef<int64_t>":$permutation), [{
      build($_builder, $_state, *::mlir::tg::inferTransposeType(
          x.getType(), permutation, nullptr), x,
          $_builder.getDenseI64ArrayAttr(permutation));
    }]>
  ];
}

def Tg_ReshapeOp : Tg_Op<"reshape", [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "row-major reshape";
  let description = [{
    Reinterprets the elements in row-major order; the element count is kept.

    ```mlir
    %r = tg.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
    ```
  }];
  let arguments = (ins Tg_Tensor:$x);
  let results = (outs Tg_Tensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Tg_BroadcastToOp : Tg_Op<"broadcast_to", [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "numpy broadcast to a larger shape";
  let description = [{
    `numpy.broadcast_to`: the shapes align from the right and each operand
    dimension equals the result's or is 1.

    ```mlir
    %r = tg.broadcast_to %x : tensor<3xf32> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Tg_Tensor:$x);
  let results = (outs Tg_Tensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Tg_ReduceOp<string mnemonic, string what, Type tensorType>
    : Tg_Op<mnemonic, [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "reduction (" # what # ") over the listed axes";
  let description = "Reduces `x` over `axes` (" # what # "). A result of the "
      "same rank as `x` keeps the reduced dimensions as 1 (numpy's "
      "`keepdims=True`); otherwise they are dropped.\n\n"
      "```mlir\n%r = tg." # mnemonic # " %x [1] : tensor<4x3xf32> -> tensor<4xf32>\n"
      "%k = tg." # mnemonic # " %x [0, 1] : tensor<4x3xf32> -> tensor<1x1xf32>\n```\n";
  let arguments = (ins tensorType:$x, DenseI64ArrayAttr:$axes);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$x $axes attr-dict `:` type($x) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// True when the reduced dimensions are kept as size 1.
    bool getKeepDims() {
      return getResult().getType().getRank() == getX().getType().getRank();
    }
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::tg::verifyReduction(getOperation(), getX().getType(),
                                         getAxes(), getResult().getType());
    }
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$x, "::llvm::ArrayRef<int64_t>":$axes,
                   "bool":$keepDims), [{
      auto type = ::llvm::cast<::mlir::RankedTensorType>(x.getType());
      build($_builder, $_state,
            ::mlir::tg::getReducedType(type, axes, keepDims), x,
            $_builder.getDenseI64ArrayAttr(axes));
    }]>
  ];
}

def Tg_ReduceSumOp : Tg_ReduceOp<"reduce_sum", "sum", Tg_NumericTensor>;
def Tg_ReduceMeanOp : Tg_ReduceOp<"reduce_mean", "mean", Tg_FloatTensor>;
def Tg_ReduceMaxOp : Tg_ReduceOp<"reduce_max", "max", Tg_NumericTensor>;
def Tg_ReduceMinOp : Tg_ReduceOp<"reduce_min", "min", Tg_NumericTensor>;

class Tg_SoftmaxLikeOp<string mnemonic, string what>
    : Tg_Op<mnemonic, [Pure, SameOperandsAndResultType, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = what # " along one axis, numerically stable";
  let description = "Computes " # what # " along `axis`, subtracting the "
      "maximum along that axis first so that large inputs do not overflow.\n\n"
      "```mlir\n%r = tg." # mnemonic # " %x [1] : tensor<4x3xf32>\n```\n";
  let arguments = (ins Tg_FloatTensor:$x, I64Attr:$axis);
  let results = (outs Tg_FloatTensor:$result);
  let assemblyFormat = "$x ` ` `[` $axis `]` attr-dict `:` type($x)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::tg::verifyAxes(getOperation(), getX().getType().getRank(),
                                    {static_cast<int64_t>(getAxis())});
    }
  }];
}

def Tg_SoftmaxOp : Tg_SoftmaxLikeOp<"softmax", "softmax">;
def Tg_LogSoftmaxOp : Tg_SoftmaxLikeOp<"log_softmax", "log(softmax)">;

//===----------------------------------------------------------------------===//
// tg.concat, tg.slice, tg.conv2d
//===----------------------------------------------------------------------===//

def Tg_GatherOp : Tg_Op<"gather", [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "picks slices of `x` along one axis by integer indices";
  let description = [{
    `tf.gather(x, indices, axis)` and `numpy.take`: the result's shape is
    `x.shape[:axis] + indices.shape + x.shape[axis+1:]`, and
    `r[a, i, b] = x[a, indices[i], b]`. The indices are `i32` or `i64` of
    any rank. A negative index counts from the end (`-1` is the last
    slice), as in numpy and ONNX; an index still outside `[0, dim)` gives
    zeros (TensorFlow's rule on GPUs; a compiled program cannot raise).
    The gradient with respect to `x` adds the result's adjoint into the
    picked slices (a scatter-add, written as a one-hot matmul so that it
    runs on the matmul kernels); the indices get none.

    ```mlir
    %r = tg.gather %x, %i [0] : (tensor<5x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Tg_Tensor:$x, Tg_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs Tg_Tensor:$result);
  let assemblyFormat = [{
    $x `,` $indices ` ` `[` $axis `]` attr-dict `:` functional-type(operands, $result)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$x, "::mlir::Value":$indices, "int64_t":$axis), [{
      build($_builder, $_state, *::mlir::tg::inferGatherType(
          x.getType(), indices.getType(), axis, nullptr), x, indices,
          $_builder.getI64IntegerAttr(axis));
    }]>
  ];
}

def Tg_ConcatOp : Tg_Op<"concat", [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "concatenation along one axis";
  let description = [{
    All inputs have the same rank and element type, and equal dimensions
    except along `axis`.

    ```mlir
    %r = tg.concat %a, %b [0] : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
    ```
  }];
  let arguments = (ins Variadic<Tg_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Tg_Tensor:$result);
  let assemblyFormat = [{
    $inputs ` ` `[` $axis `]` attr-dict `:` functional-type($inputs, $result)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::ValueRange":$inputs, "int64_t":$axis), [{
      build($_builder, $_state, *::mlir::tg::inferConcatType(
          inputs.getTypes(), axis, nullptr), inputs,
          $_builder.getI64IntegerAttr(axis));
    }]>
  ];
}

def Tg_SliceOp : Tg_Op<"slice", [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "static strided slice";
  let description = [{
    One `start:limit[:stride]` per dimension, as numpy's `x[start:limit:stride]`
    with `0 <= start <= limit <= dim` and `stride >= 1`.

    ```mlir
    %r = tg.slice %x [0:2, 1:4:2] : tensor<4x5xf32> -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Tg_Tensor:$x, DenseI64ArrayAttr:$start,
                       DenseI64ArrayAttr:$limit, DenseI64ArrayAttr:$stride);
  let results = (outs Tg_Tensor:$result);
  let assemblyFormat = [{
    $x custom<SliceRanges>($start, $limit, $stride) attr-dict `:` type($x) `->` type($result)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$x, "::llvm::ArrayRef<int64_t>":$start,
                   "::llvm::ArrayRef<int64_t>":$limit,
                   "::llvm::ArrayRef<int64_t>":$stride), [{
      build($_builder, $_state, *::mlir::tg::inferSliceType(
          x.getType(), start, limit, stride, nullptr), x,
          $_builder.getDenseI64ArrayAttr(start),
          $_builder.getDenseI64ArrayAttr(limit),
          $_builder.getDenseI64ArrayAttr(stride));
    }]>
  ];
}

def Tg_InsertSliceOp : Tg_Op<"insert_slice", [Pure,
    AllTypesMatch<["dest", "result"]>,
    DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "a static strided window of a tensor replaced";
  let description = [{
    `dest` with the elements `tg.slice` would read at the same
    `start:limit[:stride]` ranges replaced by `source`, whose type is that
    slice's (numpy's `r = dest.copy(); r[start:limit:stride] = source`).
    The reverse pass writes the adjoint of a strided slice as one into
    zeros, and adds each further window into the adjoint it accumulates
    (slice, add, insert back): updates of one tensor instead of one
    zero-padded copy per slice.

    ```mlir
    %r = tg.insert_slice %src into %dest [0:2, 1:4:2] : tensor<2x2xf32> into tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Tg_Tensor:$source, Tg_Tensor:$dest,
                       DenseI64ArrayAttr:$start, DenseI64ArrayAttr:$limit,
                       DenseI64ArrayAttr:$stride);
  let results = (outs Tg_Tensor:$result);
  let assemblyFormat = [{
    $source `into` $dest custom<SliceRanges>($start, $limit, $stride) attr-dict
    `:` type($source) `into` type($dest)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$source, "::mlir::Value":$dest,
                   "::llvm::ArrayRef<int64_t>":$start,
                   "::llvm::ArrayRef<int64_t>":$limit,
                   "::llvm::ArrayRef<int64_t>":$stride), [{
      build($_builder, $_state, dest.getType(), source, dest,
          $_builder.getDenseI64ArrayAttr(start),
          $_builder.getDenseI64ArrayAttr(limit),
          $_builder.getDenseI64ArrayAttr(stride));
    }]>
  ];
}

def Tg_Conv2DOp : Tg_Op<"conv2d", [Pure, DeclareOpInterfaceMethods<TgGradientOpInterface>]> {
  let summary = "2-D convolution, NHWC input and HWCF filter";
  let description = [{
    Cross-correlation of an `N x H x W x C` input with an `KH x KW x C x F`
    filter. `padding` is `[top, bottom, left, right]` of zeros; `strides` and
    `dilations` are `[h, w]`.

    ```mlir
    %r = tg.conv2d %in, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x6x6x16xf32>
    ```
  }];
  let arguments = (ins Tg_NumericTensor:$input, Tg_NumericTensor:$filter,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilations);
  let results = (outs Tg_NumericTensor:$result);
  let assemblyFormat = [{
    $input `,` $filter `strides` $strides `padding` $padding `dilations` $dilations
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$filter,
                   "::llvm::ArrayRef<int64_t>":$strides,
                   "::llvm::ArrayRef<int64_t>":$padding,
                   "::llvm::ArrayRef<int64_t>":$dilations), [{
      build($_builder, $_state, *::mlir::tg::inferConv2DType(
          input.getType(), filter.getType(), strides, padding, dilations,
          nullptr), input, filter, $_builder.getDenseI64ArrayAttr(strides),
          $_builder.getDenseI64ArrayAttr(padding),
          $_builder.getDenseI64ArrayAttr(dilations));
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Differentiation: tg.grad, tg.tape, tg.yield
//===----------------------------------------------------------------------===//

def Tg_GradOp : Tg_Op<"grad", [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "value and gradients of a function";
  let description = [{
    Calls `@callee` on `args` and returns its single result followed by the
    gradient of that result with respect to each argument listed in `wrt`, in
    that order. A non-scalar result is differentiated as its sum (TensorFlow's
    `tape.gradient` rule). `-tg-tape-to-gradient` replaces the op with the
    forward computation and its reverse sweep.

    ```mlir
    %v, %g = tg.grad @f(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<Tg_Tensor>:$args,
                       DenseI64ArrayAttr:$wrt);
  let results = (outs Variadic<Tg_Tensor>:$results);
  let assemblyFormat = [{
    $callee `(` $args `)` `wrt` $wrt attr-dict `:` functional-type($args, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The value of the callee's result.
    ::mlir::Value getValue() { return getResults().front(); }
    /// The gradients, one per entry of `wrt`.
    ::mlir::ResultRange getGradients() { return getResults().drop_front(); }
  }];
}

def Tg_TapeOp : Tg_Op<"tape", [RecursiveMemoryEffects, SingleBlock]> {
  let summary = "a recorded region and its gradients (GradientTape)";
  let description = [{
    Runs the region on the watched values (its block arguments) and returns
    the yielded target followed by its gradient with respect to each watched
    value. Values the region captures from above are constants of the tape.
    A non-scalar target is differentiated as its sum.

    ```mlir
    %y, %dx = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
    ^bb0(%xw: tensor<3xf32>):
      %s = tg.mul %xw, %xw : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      %t = tg.reduce_sum %s [0] : tensor<3xf32> -> tensor<f32>
      tg.yield %t : tensor<f32>
    }
    ```
  }];
  let arguments = (ins Variadic<Tg_Tensor>:$watched);
  let results = (outs Variadic<Tg_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `wrt` `(` $watched `)` attr-dict `:` functional-type($watched, results) $body
  }];
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The value of the yielded target.
    ::mlir::Value getValue() { return getResults().front(); }
    /// The gradients, one per watched value.
    ::mlir::ResultRange getGradients() { return getResults().drop_front(); }
  }];
}

def Tg_YieldOp : Tg_Op<"yield", [Pure, Terminator, ReturnLike,
                                 HasParent<"TapeOp">]> {
  let summary = "terminator of tg.tape: the tape's target";
  let description = [{
    ```mlir
    tg.yield %t : tensor<f32>
    ```
  }];
  let arguments = (ins Variadic<Tg_Tensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // TG_DIALECT_TG_IR_TGOPS_TD
