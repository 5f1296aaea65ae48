//===- LoopReadAnalysis.cpp - linear read queries of nested scf.for -------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// One-shot bufferization (MLIR 22) asks each scf.for whether it reads its
// init operands. Upstream's model answers with AnalysisState::isValueRead of
// the iter_arg, and isValueRead asks each use of that value first whether it
// only aliases (BufferizableOpInterface::bufferizesToAliasOnly, which asks
// bufferizesToMemoryRead, then bufferizesToMemoryWrite) and then whether it
// reads (bufferizesToMemoryRead again). When the use is the init operand of a
// nested scf.for, both read queries walk that loop's iter_arg in turn, so the
// analysis of d nested loops costs 2^d walks: 1.9 s at depth 20 with stock
// mlir-opt-22, hours past 30. docs/performance-notes.md has the upstream
// report.
//
// Neither function can be overridden: isValueRead and bufferizesToAliasOnly
// are not interface methods, and the first model attached to an op wins, so
// tg cannot register its own scf.for model in front of upstream's without
// rewriting all of it. What can be replaced is the one interface method that
// starts the walk: scf.for's bufferizesToMemoryRead entry in the interface's
// concept (its function table) in each context. The replacement gives
// upstream's answer:
// - When the loop may run zero times (non-constant bounds, or ub <= lb), it
//   calls upstream's function, which answers "read" without a walk.
// - Otherwise it walks the iter_arg's uses as isValueRead does, asking each
//   use whether it writes before asking whether it only aliases. A use that
//   writes is not alias-only by definition, so the walk asks such a use (the
//   init operand of a nested scf.for always writes) whether it reads only
//   once. The answers are those of upstream's own queries, so the walk visits
//   what isValueRead visits and returns what it returns, at linear cost.
//
//===----------------------------------------------------------------------===//

#include "tg/Pipelines/Pipelines.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/DenseSet.h"

#include <atomic>

using namespace mlir;
using namespace mlir::bufferization;

namespace {

using Concept =
    bufferization::detail::BufferizableOpInterfaceInterfaceTraits::Concept;
using ReadFn = bool (*)(const Concept *, Operation *, OpOperand &,
                        const AnalysisState &);

/// Upstream's scf.for bufferizesToMemoryRead, the same function in every
/// context (the model is stateless).
std::atomic<ReadFn> upstreamForRead{nullptr};

/// AnalysisState::isValueRead, with the write query before the alias-only
/// one (see the file comment).
bool isValueReadWritesFirst(Value value, const AnalysisState &state) {
  SmallVector<OpOperand *> worklist;
  llvm::DenseSet<OpOperand *> visited;
  for (OpOperand &use : value.getUses())
    worklist.push_back(&use);
  while (!worklist.empty()) {
    OpOperand *use = worklist.pop_back_val();
    if (!visited.insert(use).second)
      continue;
    if (!state.bufferizesToMemoryWrite(*use) &&
        state.bufferizesToAliasOnly(*use))
      for (AliasingValue alias : state.getAliasingValues(*use))
        for (OpOperand &next : alias.value.getUses())
          worklist.push_back(&next);
    if (state.bufferizesToMemoryRead(*use))
      return true;
  }
  return false;
}

bool forReadsInit(const Concept *impl, Operation *op, OpOperand &operand,
                  const AnalysisState &state) {
  auto forOp = cast<scf::ForOp>(op);
  std::optional<int64_t> lb = getConstantIntValue(forOp.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(forOp.getUpperBound());
  if (!lb || !ub || *ub <= *lb)
    return upstreamForRead.load()(impl, op, operand, state);
  return isValueReadWritesFirst(forOp.getTiedLoopRegionIterArg(&operand),
                                state);
}

void replaceForRead(MLIRContext *ctx, scf::SCFDialect *,
                    bufferization::BufferizationDialect *) {
  std::optional<RegisteredOperationName> name =
      RegisteredOperationName::lookup(TypeID::get<scf::ForOp>(), ctx);
  // getInterface is the op's concept; nothing else exposes its table.
  Concept *concept = name ? name->getInterface<BufferizableOpInterface>()
                          : nullptr;
  if (!concept || concept->bufferizesToMemoryRead == &forReadsInit)
    return; // no upstream model to speed up, or already replaced
  ReadFn expected = nullptr;
  upstreamForRead.compare_exchange_strong(expected,
                                          concept->bufferizesToMemoryRead);
  if (upstreamForRead.load() != concept->bufferizesToMemoryRead)
    return; // not upstream's model: leave it alone
  concept->bufferizesToMemoryRead = &forReadsInit;
}

} // namespace

void mlir::tg::registerLinearLoopReadAnalysis(DialectRegistry &registry) {
  // After upstream's scf models: extensions apply in the order added.
  registry.addExtension(+replaceForRead);
}
