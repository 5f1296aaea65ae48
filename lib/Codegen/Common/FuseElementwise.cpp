//===- FuseElementwise.cpp - Elementwise fusion with a size cap -----------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. Upstream's -linalg-fuse-elementwise-ops with the same
// patterns, and one more condition in its control function: the fused body
// stays under `max-body-ops`. Upstream fuses a producer into its consumer
// one pair at a time, cloning both bodies, so a chain of N ops grows one
// generic of 1, 2, ..., N ops (O(N^2) compile time), and the single loop
// body it leaves makes LLVM's vectorizer and register allocator
// super-linear too (a 2000-op chain: 14 s in tg-run). Upstream's pass has
// no option for this, hence the copy of its pattern list.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/Common/Passes.h"
#include "tg/Codegen/Common/Fusion.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGFUSEELEMENTWISEPASS
#include "tg/Codegen/Common/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

/// Ops in the body of `op` (its regions), or 0 for an op without regions.
static int64_t bodySize(Operation *op) {
  int64_t count = 0;
  for (Region &region : op->getRegions())
    for (Block &block : region)
      count += block.getOperations().size();
  return count;
}

/// Why the pass's control function refuses to fuse `use`'s producer into
/// its owner (for elementwise fusion, reshape folding and constant
/// folding alike), or std::nullopt.
static std::optional<std::string> rejectedByControl(OpOperand &use,
                                                    int64_t maxBodyOps) {
  Operation *producer = use.get().getDefiningOp();
  Operation *consumer = use.getOwner();
  if (!producer)
    return std::string("the value is a block argument, not an op's result");
  // Matmuls and convolutions stay what the micro-kernels and the im2col
  // tiles recognize: folding a reshape of their operand into them turns a
  // linalg.matmul into a generic contraction over the expanded dimensions
  // (a CNN's flatten + dense layer ran as scalar loops), and a fused
  // producer is not a matmul operand any more.
  if (auto linalgConsumer = dyn_cast<linalg::LinalgOp>(consumer))
    if (linalg::isaContractionOpInterface(linalgConsumer) ||
        linalg::isaConvolutionOpInterface(linalgConsumer))
      return std::string("the consumer is ") +
             (isa<linalg::MatmulOp>(consumer) ? "a matmul"
              : linalg::isaConvolutionOpInterface(linalgConsumer)
                  ? "a convolution"
                  : "a contraction (a multiply-and-sum, kept in the form "
                    "matmuls are recognized in)") +
             ": its operands are not fused into it";
  // Upstream's condition: a producer with one use, so that nothing is
  // computed twice.
  if (!producer->hasOneUse())
    return "the producer's result has " +
           std::to_string(std::distance(producer->use_begin(),
                                        producer->use_end())) +
           " uses (fusing would compute it once per use)";
  int64_t size = bodySize(producer) + bodySize(consumer);
  if (size > maxBodyOps)
    return "the fused body would hold " + std::to_string(size) +
           " ops, over the cap of " + std::to_string(maxBodyOps) +
           " that keeps compile time linear";
  return std::nullopt;
}

std::optional<std::string> tg::whyNotFused(OpOperand &use,
                                           int64_t maxBodyOps) {
  if (auto reason = rejectedByControl(use, maxBodyOps))
    return reason;
  Operation *producer = use.get().getDefiningOp();
  Operation *consumer = use.getOwner();
  // What upstream's patterns themselves require (the control function is
  // only asked once these hold).
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(consumer);
      dps && dps.isDpsInit(&use))
    return std::string("the value is the consumer's output buffer (its "
                       "init), which it overwrites, not an input");
  if (!isa<linalg::GenericOp>(consumer))
    return "the consumer is '" + consumer->getName().getStringRef().str() +
           "': only elementwise linalg.generic consumers take producers in";
  auto generic = dyn_cast<linalg::GenericOp>(producer);
  if (!generic)
    return "the producer is '" + producer->getName().getStringRef().str() +
           "', not an elementwise linalg.generic";
  if (!linalg::areElementwiseOpsFusable(&use)) {
    if (generic.getNumParallelLoops() != generic.getNumLoops())
      return std::string("the producer is a reduction: its result is "
                         "complete only after its whole loop");
    return std::string("the producer's result is not read elementwise "
                       "(its indexing map is not a permutation)");
  }
  return std::nullopt;
}

namespace {
struct TgFuseElementwisePass
    : tg::impl::TgFuseElementwisePassBase<TgFuseElementwisePass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    int64_t cap = maxBodyOps;
    linalg::ControlFusionFn control = [cap](OpOperand *fused) {
      return !rejectedByControl(*fused, cap);
    };
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    // Top-down, as upstream's pass (for compile time).
    if (failed(applyPatternsGreedily(
            getOperation(), std::move(patterns),
            GreedyRewriteConfig().setUseTopDownTraversal())))
      return signalPassFailure();
  }
};
} // namespace
