//===- TgCanonicalize.td - tg canonicalization patterns ------*- tablegen -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Local rewrites that fit DRR (as in Toy's ToyCombine.td). Rewrites that need
// shape reasoning (folding a broadcast into its consumer) are C++ patterns in
// TgCanonicalize.cpp; single-op simplifications are folders in TgFolders.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef TG_DIALECT_TG_IR_TGCANONICALIZE_TD
#define TG_DIALECT_TG_IR_TGCANONICALIZE_TD

include "mlir/IR/PatternBase.td"
include "tg/Dialect/Tg/IR/TgOps.td"

// neg(neg(x)) -> x: exact in IEEE arithmetic (sign flips are exact).
def NegNegPattern : Pat<(Tg_NegOp (Tg_NegOp $x)), (replaceWithValue $x)>;

// reshape(reshape(x)) -> reshape(x): a row-major reshape only depends on the
// element order, which both keep. The replacement takes the outer result type.
def ReshapeReshapePattern
    : Pat<(Tg_ReshapeOp (Tg_ReshapeOp $x)), (Tg_ReshapeOp $x)>;

// broadcast_to(broadcast_to(x)) -> broadcast_to(x): broadcasting composes.
def BroadcastBroadcastPattern
    : Pat<(Tg_BroadcastToOp (Tg_BroadcastToOp $x)), (Tg_BroadcastToOp $x)>;

// transpose(transpose(x, p), q) -> transpose(x, p o q). An identity result is
// then removed by TransposeOp::fold.
def ComposePermutations : NativeCodeCall<
    "::mlir::tg::composePermutations($_builder, $0, $1)">;
def TransposeTransposePattern
    : Pat<(Tg_TransposeOp (Tg_TransposeOp $x, $inner), $outer),
          (Tg_TransposeOp $x, (ComposePermutations $inner, $outer))>;

#endif // TG_DIALECT_TG_IR_TGCANONICALIZE_TD
