//===- SequentializeSmallParallelLoops.cpp - No forks for tiny loops ------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. Upstream converts every scf.parallel (or none, with
// -scf-parallel-for-to-nested-fors); a size threshold needs a pass of its own.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGSEQUENTIALIZESMALLPARALLELLOOPSPASS
#include "tg/Codegen/CPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

/// The constant trip count of a loop dimension, or nullopt.
static std::optional<int64_t> tripCount(Value lb, Value ub, Value step) {
  auto l = getConstantIntValue(lb), u = getConstantIntValue(ub),
       s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return std::max<int64_t>(0, (*u - *l + *s - 1) / *s);
}

/// Iterations of `op`'s nest: its own and its nested loops', multiplied;
/// nullopt if any bound is not constant.
static std::optional<int64_t> nestIterations(scf::ParallelOp op) {
  int64_t total = 1;
  for (auto [lb, ub, step] : llvm::zip_equal(op.getLowerBound(),
                                             op.getUpperBound(), op.getStep())) {
    std::optional<int64_t> n = tripCount(lb, ub, step);
    if (!n)
      return std::nullopt;
    total *= *n;
  }
  // The deepest chain of nested loops bounds the inner work.
  int64_t inner = 1;
  bool unknown = false;
  op.getBody()->walk([&](scf::ForOp f) {
    std::optional<int64_t> n =
        tripCount(f.getLowerBound(), f.getUpperBound(), f.getStep());
    if (!n)
      unknown = true;
    else
      inner = std::max(inner, *n);
  });
  if (unknown)
    return std::nullopt;
  return total * inner;
}

/// Replaces `op` by a nest of scf.for over the same space.
static void sequentialize(scf::ParallelOp op) {
  OpBuilder b(op);
  scf::buildLoopNest(
      b, op.getLoc(), op.getLowerBound(), op.getUpperBound(), op.getStep(),
      [&](OpBuilder &nb, Location, ValueRange ivs) {
        IRMapping map;
        map.map(op.getInductionVars(), ivs);
        for (Operation &inner : op.getBody()->without_terminator())
          nb.clone(inner, map);
      });
  op.erase();
}

namespace {
struct TgSequentializeSmallParallelLoopsPass
    : tg::impl::TgSequentializeSmallParallelLoopsPassBase<
          TgSequentializeSmallParallelLoopsPass> {
  using Base::Base;
  void runOnOperation() override {
    // A parallel loop inside another (an elementwise op inside a row tile)
    // runs sequentially in its thread: no nested OpenMP teams. Innermost
    // first (the walk is post-order), so outer ones clone finished bodies.
    SmallVector<scf::ParallelOp> nested;
    getOperation().walk([&](scf::ParallelOp op) {
      if (op->getParentOfType<scf::ParallelOp>() && op.getInitVals().empty())
        nested.push_back(op);
    });
    for (scf::ParallelOp op : nested)
      sequentialize(op);

    SmallVector<scf::ParallelOp> small;
    getOperation().walk([&](scf::ParallelOp op) {
      if (op->getParentOfType<scf::ParallelOp>() || !op.getInitVals().empty())
        return;
      std::optional<int64_t> n = nestIterations(op);
      if (n && *n < minIterations)
        small.push_back(op);
    });
    // Of the loops that stay parallel, only the outer dimensions that give
    // enough chunks of work stay parallel: OpenMP collapses every dimension
    // of an scf.parallel into one iteration space, which would turn the
    // innermost (contiguous, vectorizable) loop into index arithmetic.
    SmallVector<std::pair<scf::ParallelOp, unsigned>> split;
    getOperation().walk([&](scf::ParallelOp op) {
      if (op->getParentOfType<scf::ParallelOp>() || !op.getInitVals().empty() ||
          llvm::is_contained(small, op))
        return;
      int64_t trips = 1;
      unsigned dims = op.getNumLoops();
      for (unsigned d = 0; d < op.getNumLoops(); ++d) {
        std::optional<int64_t> n = tripCount(
            op.getLowerBound()[d], op.getUpperBound()[d], op.getStep()[d]);
        if (!n)
          return;
        trips *= *n;
        if (trips >= minParallelTrips) {
          dims = d + 1;
          break;
        }
      }
      if (dims < op.getNumLoops())
        split.push_back({op, dims});
    });
    for (auto [parallel, outerDims] : split) {
      scf::ParallelOp op = parallel;
      unsigned dims = outerDims;
      OpBuilder b(op);
      auto outer = scf::ParallelOp::create(
          b, op.getLoc(), op.getLowerBound().take_front(dims),
          op.getUpperBound().take_front(dims), op.getStep().take_front(dims));
      b.setInsertionPointToStart(outer.getBody());
      scf::buildLoopNest(
          b, op.getLoc(), op.getLowerBound().drop_front(dims),
          op.getUpperBound().drop_front(dims), op.getStep().drop_front(dims),
          [&](OpBuilder &nb, Location, ValueRange ivs) {
            IRMapping map;
            SmallVector<Value> oldIvs = op.getInductionVars();
            map.map(ArrayRef<Value>(oldIvs).take_front(dims),
                    outer.getInductionVars());
            map.map(ArrayRef<Value>(oldIvs).drop_front(dims), ivs);
            for (Operation &inner : op.getBody()->without_terminator())
              nb.clone(inner, map);
          });
      op.erase();
    }
    for (scf::ParallelOp op : small)
      sequentialize(op);
  }
};
} // namespace
