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

void mlir::tg::registerTgPipelines() {
  PassPipelineRegistration<TgOptimizeOptions>(
      "tg-optimize",
      "Graph optimizations: canonicalization and constant folding, algebraic "
      "simplification, CSE, dead-code elimination",
      buildTgOptimizePipeline);
}
