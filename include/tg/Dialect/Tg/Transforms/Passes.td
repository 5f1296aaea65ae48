//===- Passes.td - tg graph-level passes ---------------------*- tablegen -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The passes on tg ops: the graph optimizations that -tg-optimize strings
// together (each usable on its own), the recursion check and reverse-mode
// autodiff. Code generation (passes on linalg, memref, scf, gpu and the LLVM
// dialect) lives under tg/Codegen/.
//
//===----------------------------------------------------------------------===//

#ifndef TG_DIALECT_TG_TRANSFORMS_PASSES_TD
#define TG_DIALECT_TG_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TgFoldConstantsPass : Pass<"tg-fold-constants"> {
  let summary = "Fold ops whose operands are constants";
  let description = [{
    Runs every op's folder (tg's and those of the other dialects present) to
    a fixed point, without any rewrite pattern, and deduplicates the constants
    it leaves. Non-splat results larger than 65536 elements are not
    materialized.

    ```mlir
    %a = tg.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %b = tg.constant dense<3.0> : tensor<2xf32>
    %c = tg.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    // becomes
    %c = tg.constant dense<[3.0, 6.0]> : tensor<2xf32>
    ```
  }];
}

def TgSimplifyPass : Pass<"tg-simplify"> {
  let summary = "Algebraic simplification of tg ops";
  let description = [{
    Applies the tg ops' folders and canonicalization patterns (and only
    those): IEEE-exact identities (`x + -0.0`, `x - 0.0`, `x * 1`, `x / 1`,
    `x ** 1`, `neg(neg(x))`), composition of transposes, reshapes and
    broadcasts, removal of identity layout ops, and broadcasts folded into
    the broadcasting ops that consume them.

    ```mlir
    %b = tg.broadcast_to %x : tensor<3xf32> -> tensor<4x3xf32>
    %r = tg.add %b, %y : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    // becomes
    %r = tg.add %x, %y : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    ```
  }];
}

def TgDeadCodeEliminationPass : Pass<"tg-dce", "::mlir::ModuleOp"> {
  let summary = "Remove unused side-effect-free ops and uncalled private functions";
  let description = [{
    Erases ops without memory effects whose results are unused, in every
    region, and then private functions that no symbol refers to (a function
    referenced only by a `tg.grad` is kept). Public functions are the
    module's entry points and always stay.
  }];
}

def TgRejectRecursionPass : Pass<"tg-reject-recursion", "::mlir::ModuleOp"> {
  let summary = "Reject programs whose functions call themselves";
  let description = [{
    tg programs have no use for recursion (loops are `scf.for`/`scf.while`),
    and a recursive call compiles to code that overflows the stack at run
    time, so a cycle in the call graph is a located error at one of its
    calls, naming the cycle. Programs without recursion are left unchanged.

    ```mlir
    func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
      %y = func.call @main(%x) : (tensor<3xf32>) -> tensor<3xf32>
      return %y : tensor<3xf32>
    }
    // error: 'func.call' op is recursive: @main -> @main; tg functions
    // cannot call themselves (use scf.for or scf.while)
    ```
  }];
}

def TgRejectNonPositiveStepsPass
    : Pass<"tg-reject-nonpositive-steps", "::mlir::ModuleOp"> {
  let summary = "Reject scf.for loops whose constant step is not positive";
  let description = [{
    An `scf.for` needs a positive step; upstream's verifier no longer checks
    a constant one, and a step of 0 or less compiled to a loop that either
    never ends or was folded away, silently. tg rejects it with a located
    error at the loop, before anything else runs.

    ```mlir
    %r = scf.for %i = %c0 to %c5 step %c0 iter_args(%a = %x) -> (tensor<3xf32>) {
    // error: 'scf.for' op has step 0; a loop's step must be positive
    ```
  }];
}

def TgTapeToGradientPass : Pass<"tg-tape-to-gradient", "::mlir::ModuleOp"> {
  let summary = "Replace tg.grad and tg.tape by the forward computation and its reverse sweep";
  let description = [{
    Reverse-mode differentiation with TensorFlow GradientTape semantics,
    emitted as tg ops (plus scf/tensor for control flow and loop tapes), so
    that optimization, fusion and lowering apply to gradients too.

    - `tg.grad @f(args) wrt [i...]` becomes a call of `@f_grad_i...`, a
      private clone of `@f` that returns its value and the gradients.
    - `tg.tape` is inlined where it stands, followed by its reverse sweep.
    - Calls inside differentiated code are inlined first (recursion is an
      error). Nested `tg.grad`/`tg.tape` are lowered innermost first, so
      higher derivatives (e.g. Hessian-vector products) work.
    - Activity analysis: only values that depend on a watched value get an
      adjoint; a target that does not depend on one gets zero gradients.
    - `scf.if` is reversed as an `scf.if` on the same condition that
      recomputes the taken branch and runs its reverse sweep. `scf.for`
      (index induction variable, tensor iter_args; the bounds may be known
      only at run time, a constant step must be positive) records each
      iteration's state on a tensor tape, whose length is the trip count
      computed at run time, in a replay of the loop, then runs the reverse
      loop.
      `scf.while` first counts its trips, then is handled like a loop of
      that many iterations, so data-dependent trip counts work.
    - Every tg op supplies its rule through TgGradientOpInterface; an op
      without one on the active path is a located error naming it.

    ```mlir
    %v, %g = tg.grad @f(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
    // becomes
    %v, %g = func.call @f_grad_0(%x) : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // TG_DIALECT_TG_TRANSFORMS_PASSES_TD
