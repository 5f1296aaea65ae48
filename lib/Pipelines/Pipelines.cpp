//===- Pipelines.cpp - tg's named pass pipelines --------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Each stage carries a one-line reason for being where it is.
//
//===----------------------------------------------------------------------===//

#include "tg/Pipelines/Pipelines.h"
#include "tg/Dialect/Tg/Transforms/Passes.h"

#include "tg/Conversion/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::tg;

void mlir::tg::buildTgOptimizePipeline(OpPassManager &pm,
                                       const TgOptimizeOptions &options) {
  // Folding, algebraic simplification and trivial DCE for every dialect in
  // the module (tg, arith, scf, tensor), to a fixed point.
  pm.addPass(createCanonicalizerPass());
  // Merge identical pure computations, which canonicalization may expose.
  pm.addPass(createCSEPass());
  // CSE can leave duplicates unused; the last references to private
  // functions go with them.
  if (options.removeDeadFunctions)
    pm.addPass(createTgDeadCodeEliminationPass());
  // CSE and DCE open new folding opportunities (e.g. x - x after merging is
  // left alone on purpose, but broadcasts of merged values fold further).
  pm.addPass(createCanonicalizerPass());
}

/// Appends an upstream pipeline given in textual form (without the
/// builtin.module wrapper, which would nest the passes a level too deep).
static void addPipeline(OpPassManager &pm, StringRef text) {
  if (failed(parsePassPipeline(text, pm)))
    llvm::report_fatal_error(llvm::Twine("tg: bad built-in pipeline: ") + text);
}

void mlir::tg::buildTgCpuPipeline(OpPassManager &pm,
                                  const TgCpuPipelineOptions &options) {
  // Gradients first, in tg ops, so that everything below applies to them.
  pm.addPass(createTgTapeToGradientPass());
  // Graph-level cleanup: everything removed here is never lowered.
  if (options.optimize)
    buildTgOptimizePipeline(pm, TgOptimizeOptions());
  // Record tensor signatures and ask for C interfaces while types are tensors.
  pm.addPass(createTgPrepareEntryPointsPass());
  // tg to linalg on tensors; broadcasting lives in indexing maps.
  pm.addPass(createConvertTgToLinalgPass());
  addPipeline(pm, "canonicalize");
  // Fuse producer/consumer elementwise generics (and broadcasts) into one.
  addPipeline(pm, "func.func(linalg-fuse-elementwise-ops)");
  addPipeline(pm, "canonicalize,cse");
  // Tensors to buffers across function boundaries with plain strided memrefs,
  // which is the ABI the runtime's descriptors follow. Loops may yield new
  // buffers (loop-carried tensors such as the autodiff tapes).
  addPipeline(pm, "one-shot-bufferize{bufferize-function-boundaries "
                  "allow-return-allocs-from-loops "
                  "function-boundary-type-conversion=identity-layout-map}");
  // Results become caller-provided out-parameters: the caller owns every
  // result and no ownership crosses the boundary. Static result buffers are
  // hoisted into the out-parameter, so most results are written in place.
  addPipeline(pm, "buffer-results-to-out-params{hoist-static-allocs=true modify-public-functions=true}");
  // Ownership-based deallocation frees every intermediate buffer.
  addPipeline(pm, "buffer-deallocation-pipeline");
  // Loops over buffers (the performance work tiles and vectorizes here).
  if (options.threads == 1) {
    addPipeline(pm, "func.func(convert-linalg-to-loops)");
    addPipeline(pm, "convert-scf-to-cf,expand-strided-metadata,lower-affine,"
                    "finalize-memref-to-llvm");
  } else {
    // Parallel dimensions become scf.parallel, then OpenMP worksharing
    // loops; reduction dimensions stay sequential inside each iteration.
    addPipeline(pm, "func.func(convert-linalg-to-parallel-loops)");
    addPipeline(pm, "convert-scf-to-openmp{num-threads=" +
                        std::to_string(options.threads) + "}");
    // memref lowering must precede scf-to-cf when OpenMP regions are present.
    addPipeline(pm, "expand-strided-metadata,lower-affine,"
                    "finalize-memref-to-llvm,convert-scf-to-cf");
  }
  // bf16 conversions become integer ops (no runtime library call needed).
  addPipeline(pm, "arith-expand{include-bf16=true}");
  // Math ops with LLVM intrinsics first; the rest (tanh, ...) call libm.
  addPipeline(pm, "convert-math-to-llvm,convert-math-to-libm");
  // convert-openmp-to-llvm must follow the func conversion in convert-to-llvm.
  addPipeline(pm, "convert-to-llvm,convert-openmp-to-llvm,"
                  "reconcile-unrealized-casts");
}

void mlir::tg::registerTgPipelines() {
  PassPipelineRegistration<TgCpuPipelineOptions>(
      "tg-cpu-pipeline",
      "tg (or linalg on tensors) to the LLVM dialect for the host CPU",
      buildTgCpuPipeline);
  PassPipelineRegistration<TgOptimizeOptions>(
      "tg-optimize",
      "Graph optimizations: canonicalization and constant folding, algebraic "
      "simplification, CSE, dead-code elimination",
      buildTgOptimizePipeline);
}
