//===- LoopReadAnalysis.cpp - bufferization of nested scf.for, not 2^d ---===//
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
// The bufferization that follows asks getBufferType of each loop's results
// and iter_args. Upstream's scf.for answer (computeLoopRegionIterArgBufferType)
// asks the buffer type of the init and of the yielded value; in a nest the
// yielded value is the inner loop's result, whose init is this loop's
// iter_arg, and the recursion stops only where an iter_arg is already on the
// invocation stack. Nothing is cached, so d nested loops cost 2^d queries
// again (3.0 s at depth 20 with stock mlir-opt-22). tg replaces scf.for's
// getBufferType entry the same way, by a function that calls upstream's and
// remembers its answers for the length of one outermost query (nothing
// rewrites the IR while a query runs). An answer depends on the invocation
// stack only through that cut, so each cached answer is kept with the
// iter_args whose presence on the stack below it the computation observed,
// and is reused only where the stack agrees on each. The other models that
// look at the stack, scf.while's (the same cut) and those of func.func and
// scf.execute_region for arguments of non-entry blocks (forwarded operands
// on the stack are skipped), are replaced by functions that report what they
// look at to the loop computation around them and call upstream's.
//
//===----------------------------------------------------------------------===//

#include "tg/Pipelines/Pipelines.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/UnstructuredControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/Allocator.h"
#include "llvm/ADT/ScopeExit.h"

#include <atomic>

using namespace mlir;
using namespace mlir::bufferization;

namespace {

using Concept =
    bufferization::detail::BufferizableOpInterfaceInterfaceTraits::Concept;
using ReadFn = bool (*)(const Concept *, Operation *, OpOperand &,
                        const AnalysisState &);
using TypeFn = FailureOr<BufferLikeType> (*)(const Concept *, Operation *,
                                             Value,
                                             const BufferizationOptions &,
                                             const BufferizationState &,
                                             SmallVector<Value> &);

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

/// Upstream's getBufferType of scf.for, scf.while, scf.execute_region and
/// func.func (stateless models, as above).
std::atomic<TypeFn> upstreamForType{nullptr};
std::atomic<TypeFn> upstreamWhileType{nullptr};
std::atomic<TypeFn> upstreamRegionType{nullptr};
std::atomic<TypeFn> upstreamFuncType{nullptr};

/// A loop value's buffer type depends on the invocation stack only where a
/// model looks at the stack. In MLIR 22 those are:
/// - scf.for and scf.while (computeLoopRegionIterArgBufferType): an iter_arg
///   (a before-region argument) already on the stack answers with its
///   init's type;
/// - arguments of non-entry blocks in func.func and scf.execute_region (the
///   models with unstructured control flow, upstream's
///   OpWithUnstructuredControlFlowBufferizableOpInterfaceExternalModel):
///   forwarded operands on the stack are skipped.
/// So what a computation of value V depends on, beyond the IR, is whether
/// each value such a check looked at was on the stack below V.
///
/// Those dependencies come in two kinds. The values that were on the stack
/// below V are few (the cuts the computation ran into), and a computation
/// around V drops those it pushed itself. The values that were not are most
/// of them (in one loop whose n iter_args each yield the next, n per
/// computation) and only accumulate: absent below V is absent below any
/// computation around V. So they are shared, not copied: a computation's
/// absent values are a node that points to the nodes of the computations it
/// used.
struct Absent {
  SmallVector<Value, 2> values;
  SmallVector<const Absent *, 2> used;
};

using OnStack = llvm::SmallSetVector<Value, 4>;

struct CachedType {
  BufferLikeType type;
  OnStack onStack;
  const Absent *absent;
};

/// One computation of a loop value in progress.
struct Frame {
  size_t start; // V's index on the invocation stack
  OnStack onStack;
  Absent *absent;
};

/// The state of one outermost query of a loop value. Nothing rewrites the IR
/// while a getBufferType query runs, so the cache is valid until it returns;
/// it is dropped when the next outermost query starts.
struct TypeQuery {
  unsigned depth = 0;
  SmallVector<Frame> frames;
  llvm::DenseMap<Value, SmallVector<CachedType, 1>> types;
  llvm::SpecificBumpPtrAllocator<Absent> nodes;

  Absent *newNode() { return new (nodes.Allocate()) Absent(); }
};

thread_local TypeQuery query;

/// Adds the dependencies of a computation (or a check) that started at stack
/// index `childStart` to the enclosing frame: values on the stack between
/// the two starts are the enclosing computation's own doing. (Below a
/// frame's start the stack does not change while it computes.)
void inherit(Frame &parent, const OnStack &onStack, const Absent *absent,
             ArrayRef<Value> stack, size_t childStart) {
  ArrayRef<Value> between = stack.slice(parent.start, childStart - parent.start);
  for (Value value : onStack)
    if (!llvm::is_contained(between, value))
      parent.onStack.insert(value);
  if (absent)
    parent.absent->used.push_back(absent);
}

/// Whether the stack below a lookup (as a set) agrees with each dependency
/// of a cached answer.
bool agrees(const CachedType &cached, const llvm::DenseSet<Value> &below) {
  if (!llvm::all_of(cached.onStack,
                    [&](Value value) { return below.contains(value); }))
    return false;
  SmallVector<const Absent *> worklist{cached.absent};
  llvm::SmallPtrSet<const Absent *, 16> seen;
  while (!worklist.empty()) {
    const Absent *node = worklist.pop_back_val();
    if (!seen.insert(node).second)
      continue;
    if (llvm::any_of(node->values,
                     [&](Value value) { return below.contains(value); }))
      return false;
    llvm::append_range(worklist, node->used);
  }
  return true;
}

/// Records the stack checks the buffer type of `value` (on top of the stack)
/// makes in a model tg does not cache, in the loop computation around it.
void observeChecks(ArrayRef<Value> stack, ArrayRef<Value> checked) {
  if (query.frames.empty())
    return;
  Frame &frame = query.frames.back();
  size_t top = stack.size() - 1;
  OnStack onStack;
  for (Value v : checked) {
    if (llvm::is_contained(stack.take_front(top), v))
      onStack.insert(v);
    else
      frame.absent->values.push_back(v);
  }
  inherit(frame, onStack, /*absent=*/nullptr, stack, top);
}

/// scf.while: a before-region argument checks itself, as scf.for's
/// iter_args do.
FailureOr<BufferLikeType>
whileBufferType(const Concept *impl, Operation *op, Value value,
                const BufferizationOptions &options,
                const BufferizationState &state,
                SmallVector<Value> &invocationStack) {
  if (isa<BlockArgument>(value))
    observeChecks(invocationStack, {value});
  return upstreamWhileType.load()(impl, op, value, options, state,
                                  invocationStack);
}

/// func.func and scf.execute_region: an argument of a non-entry block
/// checks the operands forwarded to it (the value itself, when forwarded,
/// is on top).
void observeForwarded(Value value, ArrayRef<Value> stack) {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner()->isEntryBlock())
    return;
  SmallVector<Value> forwarded;
  for (OpOperand *operand : bufferization::detail::getCallerOpOperands(arg))
    if (operand->get() != value)
      forwarded.push_back(operand->get());
  observeChecks(stack, forwarded);
}

/// func.func's and scf.execute_region's getBufferType.
FailureOr<BufferLikeType>
blocksBufferType(const Concept *impl, Operation *op, Value value,
                 const BufferizationOptions &options,
                 const BufferizationState &state,
                 SmallVector<Value> &invocationStack) {
  observeForwarded(value, invocationStack);
  TypeFn upstream = isa<func::FuncOp>(op) ? upstreamFuncType.load()
                                          : upstreamRegionType.load();
  return upstream(impl, op, value, options, state, invocationStack);
}

FailureOr<BufferLikeType>
forBufferType(const Concept *impl, Operation *op, Value value,
              const BufferizationOptions &options,
              const BufferizationState &state,
              SmallVector<Value> &invocationStack) {
  TypeFn upstream = upstreamForType.load();
  if (query.depth == 0) {
    query.types.clear();
    query.frames.clear();
    query.nodes.DestroyAll();
  }
  ++query.depth;
  llvm::scope_exit leave([] { --query.depth; });

  // bufferization::getBufferType pushed `value` before calling the model.
  size_t start = invocationStack.size() - 1;
  ArrayRef<Value> below = ArrayRef<Value>(invocationStack).take_front(start);
  auto reuse = [&](const OnStack &onStack, const Absent *absent) {
    if (!query.frames.empty())
      inherit(query.frames.back(), onStack, absent, invocationStack, start);
  };
  auto cached = query.types.find(value);
  if (cached != query.types.end()) {
    llvm::DenseSet<Value> belowSet(below.begin(), below.end());
    for (const CachedType &candidate : cached->second) {
      if (agrees(candidate, belowSet)) {
        reuse(candidate.onStack, candidate.absent);
        return candidate.type;
      }
    }
  }

  Frame frame{start, {}, query.newNode()};
  // An iter_arg's own answer is cut when it is already on the stack.
  if (isa<BlockArgument>(value)) {
    if (llvm::is_contained(below, value))
      frame.onStack.insert(value);
    else
      frame.absent->values.push_back(value);
  }
  query.frames.push_back(std::move(frame));
  FailureOr<BufferLikeType> type =
      upstream(impl, op, value, options, state, invocationStack);
  frame = query.frames.pop_back_val();
  reuse(frame.onStack, frame.absent);
  // Failures are not cached: they end the query, and each emits its error.
  if (succeeded(type))
    query.types[value].push_back(
        {*type, std::move(frame.onStack), frame.absent});
  return type;
}

/// The model's concept (its function table) of op OpT in `ctx`, or null.
template <typename OpT>
Concept *conceptOf(MLIRContext *ctx) {
  std::optional<RegisteredOperationName> name =
      RegisteredOperationName::lookup(TypeID::get<OpT>(), ctx);
  // getInterface is the op's concept; nothing else exposes its table.
  return name ? name->getInterface<BufferizableOpInterface>() : nullptr;
}

/// Whether `fn`, a function of a table, is upstream's: the first context to
/// ask records its function in `upstream`; anything else is another model.
template <typename Fn>
bool isUpstream(Fn fn, std::atomic<Fn> &upstream) {
  Fn expected = nullptr;
  upstream.compare_exchange_strong(expected, fn);
  return upstream.load() == fn;
}

void replaceForRead(MLIRContext *ctx, scf::SCFDialect *,
                    bufferization::BufferizationDialect *) {
  Concept *forConcept = conceptOf<scf::ForOp>(ctx);
  if (forConcept && forConcept->bufferizesToMemoryRead != &forReadsInit &&
      isUpstream(forConcept->bufferizesToMemoryRead, upstreamForRead))
    forConcept->bufferizesToMemoryRead = &forReadsInit;
}

/// scf.for's buffer types are cached only where every other model that
/// checks the stack reports its checks: all four are replaced, or none.
void replaceBufferTypes(MLIRContext *ctx, scf::SCFDialect *,
                        bufferization::BufferizationDialect *,
                        func::FuncDialect *) {
  Concept *forConcept = conceptOf<scf::ForOp>(ctx);
  Concept *whileConcept = conceptOf<scf::WhileOp>(ctx);
  Concept *regionConcept = conceptOf<scf::ExecuteRegionOp>(ctx);
  Concept *funcConcept = conceptOf<func::FuncOp>(ctx);
  if (!forConcept || !whileConcept || !regionConcept || !funcConcept ||
      forConcept->getBufferType == &forBufferType)
    return;
  if (!isUpstream(forConcept->getBufferType, upstreamForType) ||
      !isUpstream(whileConcept->getBufferType, upstreamWhileType) ||
      !isUpstream(regionConcept->getBufferType, upstreamRegionType) ||
      !isUpstream(funcConcept->getBufferType, upstreamFuncType))
    return; // another model somewhere: leave all four alone
  whileConcept->getBufferType = &whileBufferType;
  regionConcept->getBufferType = &blocksBufferType;
  funcConcept->getBufferType = &blocksBufferType;
  forConcept->getBufferType = &forBufferType;
}

} // namespace

void mlir::tg::registerLinearLoopBufferization(DialectRegistry &registry) {
  // After upstream's scf and func models: extensions apply in the order
  // added.
  registry.addExtension(+replaceForRead);
  registry.addExtension(+replaceBufferTypes);
}
