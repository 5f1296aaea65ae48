//===- TgInterfaces.td - tg op interfaces --------------------*- tablegen -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The reverse-mode differentiation interface every differentiable tg op
// implements (next to the op, in TgGradients.cpp). -tg-tape-to-gradient walks
// the tape backwards and calls it; it never switches over tg op kinds.
//
//===----------------------------------------------------------------------===//

#ifndef TG_DIALECT_TG_IR_TGINTERFACES_TD
#define TG_DIALECT_TG_IR_TGINTERFACES_TD

include "mlir/IR/OpBase.td"

def TgGradientOpInterface : OpInterface<"TgGradientOpInterface"> {
  let cppNamespace = "::mlir::tg";
  let description = [{
    Reverse mode: given the adjoint of each result (null where the result
    has none, i.e. it is zero), build tg ops at the builder's insertion point
    that compute the adjoint of each operand, and return them (null for an
    operand that gets none: predicates, integers, zero contributions). An
    operand adjoint has exactly the operand's type: broadcasting is undone by
    summing over the broadcast dimensions.

    The op's operands and results are the primal values; the builder's
    insertion point must be dominated by them.
  }];
  let methods = [
    InterfaceMethod<
      "Builds the operand adjoints from the result adjoints.",
      "::llvm::SmallVector<::mlir::Value>", "buildAdjoints",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$resultAdjoints)>,
  ];
}

#endif // TG_DIALECT_TG_IR_TGINTERFACES_TD
