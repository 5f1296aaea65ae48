//===- TgBase.td - tg dialect definition and type constraints -*- tablegen -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The tg dialect: a small, value-semantic tensor language with numpy
// broadcasting, designed to be optimized at graph level, differentiated in
// reverse mode and lowered through linalg. This file holds the dialect record,
// the tensor type constraints every op uses and the shared enums.
//
//===----------------------------------------------------------------------===//

#ifndef TG_DIALECT_TG_IR_TGBASE_TD
#define TG_DIALECT_TG_IR_TGBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Tg_Dialect : Dialect {
  let name = "tg";
  let cppNamespace = "::mlir::tg";
  let summary = "A small tensor dialect with numpy semantics and reverse-mode autodiff.";
  let description = [{
    Every `tg` value is a statically shaped builtin ranked tensor. Elementwise
    ops broadcast like numpy: shapes align from the right and each pair of
    dimensions must be equal or one of them 1. Ops that take a result type in
    their textual form check it against the type inferred from the operands.

    No tensor may exceed 2^32 elements or 2^36 bytes (64 GiB): every tg op
    verifies the types it takes and gives. Integer arithmetic wraps, and
    integer division never traps (`x / 0`, `x // 0` and `x % 0` are 0;
    `INT_MIN / -1` is `INT_MIN`), with numpy's values, folded or run.

    The dialect is value-semantic: it is optimized with folders and
    canonicalization patterns, differentiated by `-tg-tape-to-gradient`, and
    lowered to linalg on tensors before bufferization.
  }];
  let hasConstantMaterializer = 1;
  let usePropertiesForAttributes = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Tg_Float : AnyTypeOf<[F16, BF16, F32, F64]>;
def Tg_Int : AnyTypeOf<[I32, I64]>;

// Static shapes only: dynamic dimensions are a later milestone, and the ODS
// constraint gives the "must be statically shaped" error with the offending type.
def Tg_Tensor : StaticShapeTensorOf<[F16, BF16, F32, F64, I1, I32, I64]>;
def Tg_FloatTensor : StaticShapeTensorOf<[F16, BF16, F32, F64]>;
def Tg_NumericTensor : StaticShapeTensorOf<[F16, BF16, F32, F64, I32, I64]>;
def Tg_BoolTensor : StaticShapeTensorOf<[I1]>;
def Tg_IndexTensor : StaticShapeTensorOf<[I32, I64]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Tg_CmpPredicate : I32EnumAttr<"CmpPredicate", "comparison predicate", [
    I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>,
    I32EnumAttrCase<"lt", 2>, I32EnumAttrCase<"le", 3>,
    I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::mlir::tg";
}

def Tg_CollectiveKind : I32EnumAttr<"CollectiveKind", "cross-process reduction", [
    I32EnumAttrCase<"sum", 0>, I32EnumAttrCase<"mean", 1>,
    I32EnumAttrCase<"max", 2>, I32EnumAttrCase<"min", 3>]> {
  let cppNamespace = "::mlir::tg";
}

// What the collectives move: the types MPI reduces natively.
def Tg_CollectiveTensor : StaticShapeTensorOf<[F32, F64, I32, I64]>;

//===----------------------------------------------------------------------===//
// Base op classes
//===----------------------------------------------------------------------===//

// Every tensor an op takes or gives is within tg's size limits (no element
// count overflows int64 or exceeds what any machine could hold); see
// verifyTensorSizes in TgOps.cpp.
def Tg_BoundedTensors : NativeOpTrait<"BoundedTensors"> {
  let cppNamespace = "::mlir::tg";
}

class Tg_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tg_Dialect, mnemonic, !listconcat([Tg_BoundedTensors], traits)>;

#endif // TG_DIALECT_TG_IR_TGBASE_TD
