//===- TapeToGradient.cpp - Reverse-mode differentiation ------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Lowers tg.grad and tg.tape to forward code followed by a reverse sweep.
// The sweep walks the differentiated ops backwards, keeping one accumulated
// adjoint per value, and asks each tg op for its rule through
// TgGradientOpInterface. The three region ops of control flow (scf.if,
// scf.for, scf.while) are reversed here because their reverse needs the
// sweep itself, recursively, inside new regions: their bodies are recomputed
// inside the reverse regions (values of a forward region do not dominate
// code outside it), and loops keep their per-iteration states on a tensor
// tape. Reverse code that an enclosing tape or grad differentiates again (a
// second derivative) recomputes those states instead, so that it holds no
// tape to be differentiated in turn (see reverseLoop).
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/IR/TgOps.h"
#include "tg/Dialect/Tg/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGTAPETOGRADIENTPASS
#include "tg/Dialect/Tg/Transforms/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;
using namespace mlir::tg;

namespace {

bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && isa<FloatType>(t.getElementType());
}

/// The state of one reverse sweep: which values depend on the watched ones,
/// and the adjoint accumulated so far for each.
struct Sweep {
  DenseSet<Value> varied;
  DenseMap<Value, Value> adjoints;

  void accumulate(OpBuilder &b, Location loc, Value v, Value adjoint) {
    if (!adjoint || !varied.contains(v))
      return;
    Value &slot = adjoints[v];
    slot = slot ? sum(b, loc, slot, adjoint) : adjoint;
  }
  /// x + y. When one is a window scattered into zeros (a strided slice's
  /// adjoint), the window is added into the other instead: the other with
  /// that window replaced by window + source, so that a sum of slice
  /// adjoints (a pooling window's or a depthwise filter's taps) updates one
  /// tensor in place rather than zero-padding a copy per slice. Outside the
  /// window the other is kept as it is, where the plain sum adds +0.0 to it
  /// (which only turns a -0.0 into +0.0).
  static Value sum(OpBuilder &b, Location loc, Value x, Value y) {
    for (auto [window, other] : {std::pair(y, x), std::pair(x, y)}) {
      auto insert = window.getDefiningOp<InsertSliceOp>();
      if (!insert || other.getType() != insert.getType() ||
          !isFloatTensor(other) || !isSplatOf(insert.getDest(), 0.0))
        continue;
      Value part = SliceOp::create(b, loc, other, insert.getStart(),
                                   insert.getLimit(), insert.getStride());
      Value updated = AddOp::create(b, loc, part, insert.getSource());
      return InsertSliceOp::create(b, loc, updated, other, insert.getStart(),
                                   insert.getLimit(), insert.getStride());
    }
    return AddOp::create(b, loc, x, y);
  }
  Value adjointOrZero(OpBuilder &b, Location loc, Value v) const {
    Value a = adjoints.lookup(v);
    return a ? a : createFloatSplat(b, loc, v.getType(), 0.0);
  }
};

/// True for values that can carry a derivative: float tensors and float
/// scalars. A float scalar on the active path (e.g. from tensor.extract) has
/// to be varied too, or its path would be silently treated as constant.
bool isDifferentiable(Value v) {
  Type t = v.getType();
  if (auto tensor = dyn_cast<RankedTensorType>(t))
    t = tensor.getElementType();
  return isa<FloatType>(t);
}

/// Marks the results of `ops` that depend on an already varied value, also
/// through values their regions capture. Only float values are varied.
void propagateVaried(ArrayRef<Operation *> ops, DenseSet<Value> &varied) {
  for (Operation *op : ops) {
    bool depends = llvm::any_of(op->getOperands(),
                                [&](Value v) { return varied.contains(v); });
    if (!depends && op->getNumRegions())
      op->walk([&](Operation *inner) {
        for (Value v : inner->getOperands())
          depends |= varied.contains(v);
      });
    if (depends)
      for (Value r : op->getResults())
        if (isDifferentiable(r))
          varied.insert(r);
  }
}

/// Clones the ops of `block` but its terminator at `b`, mapping through
/// `map`; returns the clones.
SmallVector<Operation *> cloneBody(OpBuilder &b, Block &block, IRMapping &map) {
  SmallVector<Operation *> clones;
  for (Operation &op : block.without_terminator())
    clones.push_back(b.clone(op, map));
  return clones;
}

/// Float tensors that the regions of `op` capture from above and that vary.
SmallVector<Value> variedCaptures(Operation *op, const Sweep &sweep) {
  llvm::SetVector<Value> captured;
  for (Region &r : op->getRegions())
    getUsedValuesDefinedAbove(r, captured);
  SmallVector<Value> result;
  for (Value v : captured)
    if (sweep.varied.contains(v))
      result.push_back(v);
  return result;
}

/// The body of a region op under construction, filled by `fill` once the
/// op exists. scf's builder callbacks run inside build(), before the op is
/// created, when the region has no parent op yet: reversing a nested region
/// op there (which looks for the values its regions capture from above)
/// would walk up from a region that belongs to nothing.
using BodyFiller = function_ref<void(OpBuilder &, Location, Value, ValueRange)>;

scf::ForOp createFor(OpBuilder &b, Location loc, Value lb, Value ub,
                     Value step, ValueRange inits, BodyFiller fill) {
  auto loop = scf::ForOp::create(b, loc, lb, ub, step, inits);
  Block *body = loop.getBody();
  // Without iter_args the builder adds the terminator: fill() makes its own.
  if (!body->empty())
    body->back().erase();
  OpBuilder nb = OpBuilder::atBlockEnd(body);
  fill(nb, loc, loop.getInductionVar(), loop.getRegionIterArgs());
  return loop;
}

class Differentiator {
public:
  explicit Differentiator(ModuleOp module) : module(module), symbols(module) {}
  ~Differentiator() {
    for (auto &entry : asWritten)
      entry.second->erase();
  }

  LogicalResult run();

private:
  LogicalResult lowerAll(Operation *root);
  LogicalResult lowerTape(TapeOp tape);
  LogicalResult lowerGrad(GradOp grad);
  FailureOr<func::FuncOp> getGradientFunction(func::FuncOp f,
                                              ArrayRef<int64_t> wrt,
                                              Location requestLoc);
  LogicalResult inlineCalls(Region &region);
  LogicalResult lowerNested(Operation *root, Region &body);
  /// A function as the input module wrote it: run() lowers the tapes and
  /// grads of every function in place, but differentiating or inlining one
  /// needs its tapes and grads unlowered (to lower them for a sweep, with
  /// recomputed loops).
  func::FuncOp lookupAsWritten(StringRef name) {
    if (func::FuncOp f = asWritten.lookup(name))
      return f;
    return symbols.lookup<func::FuncOp>(name);
  }

  LogicalResult reverse(OpBuilder &b, ArrayRef<Operation *> ops, Sweep &sweep);
  LogicalResult reverseIf(OpBuilder &b, scf::IfOp op, Sweep &sweep);
  LogicalResult reverseFor(OpBuilder &b, scf::ForOp op, Sweep &sweep);
  LogicalResult reverseWhile(OpBuilder &b, scf::WhileOp op, Sweep &sweep);
  /// The shared reverse of a loop of `trips` iterations whose iteration
  /// maps the carried state through `step` (cloned from the forward code).
  using StepBuilder = function_ref<SmallVector<Value>(
      OpBuilder &, Location, Value index, ValueRange state, IRMapping &,
      SmallVector<Operation *> &clones)>;
  LogicalResult reverseLoop(OpBuilder &b, Operation *op, Value trips,
                            ValueRange inits, ValueRange results,
                            StepBuilder step, Sweep &sweep);

  /// True while building reverse code that a tape or grad around it will
  /// differentiate again: its loops then recompute their states instead of
  /// keeping a tape (see reverseLoop).
  bool recomputeLoops() const { return nesting > 0; }

  ModuleOp module;
  SymbolTable symbols;
  /// How many tapes or grads being lowered enclose the current one.
  int nesting = 0;
  /// Detached copies of the input's functions that hold tapes or grads.
  llvm::StringMap<func::FuncOp> asWritten;
  /// Gradient functions already made, by callee, wrt list and whether their
  /// loops recompute (nested) or tape.
  std::map<std::tuple<std::string, std::vector<int64_t>, bool>, func::FuncOp>
      made;
  /// Callees being differentiated (to diagnose recursion through tg.grad).
  llvm::StringSet<> inProgress;
};

//===----------------------------------------------------------------------===//
// The sweep
//===----------------------------------------------------------------------===//

LogicalResult Differentiator::reverse(OpBuilder &b, ArrayRef<Operation *> ops,
                                      Sweep &sweep) {
  for (Operation *op : llvm::reverse(ops)) {
    SmallVector<Value> resultAdjoints;
    bool any = false;
    for (Value r : op->getResults()) {
      resultAdjoints.push_back(sweep.adjoints.lookup(r));
      any |= bool(resultAdjoints.back());
    }
    if (!any)
      continue;
    Location loc = op->getLoc();
    if (auto g = dyn_cast<TgGradientOpInterface>(op)) {
      SmallVector<Value> operandAdjoints = g.buildAdjoints(b, resultAdjoints);
      for (auto [operand, adjoint] :
           llvm::zip_equal(op->getOperands(), operandAdjoints))
        sweep.accumulate(b, loc, operand, adjoint);
      continue;
    }
    LogicalResult result =
        llvm::TypeSwitch<Operation *, LogicalResult>(op)
            .Case([&](scf::IfOp o) { return reverseIf(b, o, sweep); })
            .Case([&](scf::ForOp o) { return reverseFor(b, o, sweep); })
            .Case([&](scf::WhileOp o) { return reverseWhile(b, o, sweep); })
            .Default([&](Operation *o) {
              return o->emitOpError(
                  "cannot be differentiated: it has no reverse-mode rule "
                  "(TgGradientOpInterface) and is on the path from a watched "
                  "value to the differentiated result");
            });
    if (failed(result))
      return failure();
  }
  return success();
}

LogicalResult Differentiator::reverseIf(OpBuilder &b, scf::IfOp op,
                                        Sweep &sweep) {
  Location loc = op.getLoc();
  SmallVector<Value> captures = variedCaptures(op, sweep);
  if (captures.empty())
    return success();
  SmallVector<Value> resultAdjoints;
  for (Value r : op.getResults())
    resultAdjoints.push_back(sweep.adjoints.lookup(r));
  LogicalResult status = success();
  // The reverse of a branch: recompute it, seed its yielded values with the
  // results' adjoints, sweep back, and yield the captures' adjoints.
  auto reverseBranch = [&](Region &region) {
    return [&, regionPtr = &region](OpBuilder &nb, Location nloc) {
      Block &block = regionPtr->front();
      IRMapping map;
      SmallVector<Operation *> clones = cloneBody(nb, block, map);
      Sweep local;
      local.varied = sweep.varied;
      propagateVaried(clones, local.varied);
      for (auto [y, adjoint] :
           llvm::zip_equal(block.getTerminator()->getOperands(), resultAdjoints))
        local.accumulate(nb, nloc, map.lookupOrDefault(y), adjoint);
      if (failed(reverse(nb, clones, local)))
        status = failure();
      SmallVector<Value> yields;
      for (Value c : captures)
        yields.push_back(local.adjointOrZero(nb, nloc, c));
      scf::YieldOp::create(nb, nloc, yields);
    };
  };
  std::function<void(OpBuilder &, Location)> thenBuilder =
      reverseBranch(op.getThenRegion());
  std::function<void(OpBuilder &, Location)> elseBuilder =
      reverseBranch(op.getElseRegion());
  if (op.getElseRegion().empty()) {
    // No else branch: nothing flows back when it is not taken.
    elseBuilder = [&](OpBuilder &nb, Location nloc) {
      SmallVector<Value> zeros;
      for (Value c : captures)
        zeros.push_back(createFloatSplat(nb, nloc, c.getType(), 0.0));
      scf::YieldOp::create(nb, nloc, zeros);
    };
  }
  // The branches are filled once the scf.if exists (see createFor).
  auto reversed = scf::IfOp::create(
      b, loc, TypeRange(ValueRange(captures)), op.getCondition(),
      /*addThenBlock=*/true, /*addElseBlock=*/true);
  {
    OpBuilder nb = OpBuilder::atBlockEnd(reversed.thenBlock());
    thenBuilder(nb, loc);
  }
  {
    OpBuilder nb = OpBuilder::atBlockEnd(reversed.elseBlock());
    elseBuilder(nb, loc);
  }
  if (failed(status))
    return failure();
  for (auto [c, adjoint] : llvm::zip_equal(captures, reversed.getResults()))
    sweep.accumulate(b, loc, c, adjoint);
  return success();
}

LogicalResult Differentiator::reverseLoop(OpBuilder &b, Operation *op,
                                          Value trips, ValueRange inits,
                                          ValueRange results, StepBuilder step,
                                          Sweep &sweep) {
  Location loc = op->getLoc();
  for (Value init : inits)
    if (!isa<RankedTensorType>(init.getType()) ||
        !cast<RankedTensorType>(init.getType()).hasStaticShape())
      return op->emitOpError("can be differentiated only with statically "
                             "shaped tensor loop-carried values, found ")
             << init.getType();
  SmallVector<Value> captures = variedCaptures(op, sweep);
  Value zeroIdx = arith::ConstantIndexOp::create(b, loc, 0);
  Value oneIdx = arith::ConstantIndexOp::create(b, loc, 1);
  size_t n = inits.size();
  LogicalResult status = success();

  // The state entering iteration i, built inside the reverse loop.
  std::function<SmallVector<Value>(OpBuilder &, Location, Value)> stateAt;
  SmallVector<Value> tape;
  if (recomputeLoops()) {
    // This reverse code will be differentiated again (a second derivative):
    // recompute state_i from the inits by replaying i iterations. It costs
    // trips^2/2 forward steps instead of a tape, but everything it carries
    // is statically shaped, so the next differentiation reverses it like
    // any other loop; a tape (tensor.insert_slice into a growing
    // tensor<trips x ...>) would have to be taped again itself.
    stateAt = [&](OpBuilder &nb, Location nloc, Value i) {
      auto replay = createFor(
          nb, nloc, zeroIdx, i, oneIdx, inits,
          [&](OpBuilder &rb, Location rloc, Value j, ValueRange args) {
            IRMapping map;
            SmallVector<Operation *> clones;
            scf::YieldOp::create(rb, rloc, step(rb, rloc, j, args, map, clones));
          });
      return SmallVector<Value>(replay.getResults());
    };
  } else {
    // Replay the loop once, recording the state entering each iteration on
    // a tape: one tensor<trips x shape> per carried value.
    SmallVector<Value> tapeInits;
    for (Value init : inits) {
      auto t = cast<RankedTensorType>(init.getType());
      SmallVector<int64_t> shape{ShapedType::kDynamic};
      shape.append(t.getShape().begin(), t.getShape().end());
      tapeInits.push_back(tensor::EmptyOp::create(
          b, loc, RankedTensorType::get(shape, t.getElementType()),
          ValueRange{trips}));
    }
    auto sliceAt = [](OpBuilder &nb, RankedTensorType t, Value index) {
      SmallVector<OpFoldResult> offsets{index}, sizes{nb.getIndexAttr(1)},
          strides(t.getRank() + 1, nb.getIndexAttr(1));
      for (int64_t d : t.getShape()) {
        offsets.push_back(nb.getIndexAttr(0));
        sizes.push_back(nb.getIndexAttr(d));
      }
      return std::make_tuple(offsets, sizes, strides);
    };
    SmallVector<Value> replayInits(inits);
    replayInits.append(tapeInits);
    auto replay = createFor(
        b, loc, zeroIdx, trips, oneIdx, replayInits,
        [&](OpBuilder &nb, Location nloc, Value i, ValueRange args) {
          SmallVector<Value> tapes;
          for (size_t j = 0; j < n; ++j) {
            auto t = cast<RankedTensorType>(args[j].getType());
            auto [offsets, sizes, strides] = sliceAt(nb, t, i);
            tapes.push_back(tensor::InsertSliceOp::create(
                nb, nloc, args[j], args[n + j], offsets, sizes, strides));
          }
          IRMapping map;
          SmallVector<Operation *> clones;
          SmallVector<Value> yields =
              step(nb, nloc, i, args.take_front(n), map, clones);
          yields.append(tapes);
          scf::YieldOp::create(nb, nloc, yields);
        });
    tape.assign(replay.getResults().begin() + n, replay.getResults().end());
    stateAt = [&](OpBuilder &nb, Location nloc, Value i) {
      SmallVector<Value> state;
      for (size_t j = 0; j < n; ++j) {
        auto t = cast<RankedTensorType>(inits[j].getType());
        auto [offsets, sizes, strides] = sliceAt(nb, t, i);
        state.push_back(tensor::ExtractSliceOp::create(
            nb, nloc, t, tape[j], offsets, sizes, strides));
      }
      return state;
    };
  }

  // The reverse loop: k = 0..trips-1 visits iteration trips-1-k, recomputes
  // it from the taped state and sweeps back through it.
  SmallVector<Value> revInits;
  for (auto [r, init] : llvm::zip_equal(results, inits))
    revInits.push_back(sweep.adjointOrZero(b, loc, r));
  for (Value c : captures)
    revInits.push_back(createFloatSplat(b, loc, c.getType(), 0.0));
  Value last = arith::SubIOp::create(b, loc, trips, oneIdx);
  auto rev = createFor(
      b, loc, zeroIdx, trips, oneIdx, revInits,
      [&](OpBuilder &nb, Location nloc, Value k, ValueRange args) {
        Value i = arith::SubIOp::create(nb, nloc, last, k);
        SmallVector<Value> state = stateAt(nb, nloc, i);
        IRMapping map;
        SmallVector<Operation *> clones;
        SmallVector<Value> next = step(nb, nloc, i, state, map, clones);
        Sweep local;
        local.varied = sweep.varied;
        for (Value s : state)
          if (isFloatTensor(s))
            local.varied.insert(s);
        propagateVaried(clones, local.varied);
        for (size_t j = 0; j < n; ++j)
          local.accumulate(nb, nloc, next[j], args[j]);
        if (failed(reverse(nb, clones, local)))
          status = failure();
        SmallVector<Value> yields;
        for (Value s : state)
          yields.push_back(local.adjointOrZero(nb, nloc, s));
        for (auto [c, acc] : llvm::zip_equal(captures, args.drop_front(n))) {
          Value a = local.adjoints.lookup(c);
          yields.push_back(a ? Value(AddOp::create(nb, nloc, acc, a)) : acc);
        }
        scf::YieldOp::create(nb, nloc, yields);
      });
  if (failed(status))
    return failure();
  for (auto [init, adjoint] : llvm::zip_equal(inits, rev.getResults()))
    sweep.accumulate(b, loc, init, adjoint);
  for (auto [c, adjoint] :
       llvm::zip_equal(captures, rev.getResults().drop_front(n)))
    sweep.accumulate(b, loc, c, adjoint);
  return success();
}

LogicalResult Differentiator::reverseFor(OpBuilder &b, scf::ForOp op,
                                         Sweep &sweep) {
  Location loc = op.getLoc();
  if (!op.getInductionVar().getType().isIndex())
    return op.emitOpError("can be differentiated only with an index "
                          "induction variable");
  // Known bounds are checked here: a step that is not positive, and a
  // tape (one state per iteration) beyond tg's tensor size limit, would
  // otherwise divide by zero or overflow the tape's allocation at run time.
  APInt lb, ub, stepValue;
  bool constantStep = matchPattern(op.getStep(), m_ConstantInt(&stepValue));
  if (constantStep && !stepValue.isStrictlyPositive())
    return op.emitOpError("has step ")
           << stepValue.getSExtValue()
           << "; a loop can be differentiated only with a positive step";
  if (constantStep && matchPattern(op.getLowerBound(), m_ConstantInt(&lb)) &&
      matchPattern(op.getUpperBound(), m_ConstantInt(&ub))) {
    // In 128 bits: ub - lb overflows int64 for the largest bounds.
    APInt span = ub.sext(128) - lb.sext(128);
    APInt trips128 = span.isStrictlyPositive()
                         ? (span + stepValue.sext(128) - 1)
                               .sdiv(stepValue.sext(128))
                         : APInt(128, 0);
    for (Value init : op.getInitArgs()) {
      auto t = dyn_cast<RankedTensorType>(init.getType());
      if (!t || !t.hasStaticShape())
        continue;
      APInt taped = trips128 * APInt(128, std::max<int64_t>(1, t.getNumElements()));
      if (taped.ugt(APInt(128, kMaxTensorElements)))
        return op.emitOpError("runs ")
               << llvm::toString(trips128, 10, /*Signed=*/true) << " iterations; its gradient would record "
               << "each iteration's " << t
               << " state, beyond tg's limit of 2^32 elements per tensor";
    }
  }
  // trips = ceildiv(max(ub - lb, 0), step), computed at run time; a step
  // known only then is taken as at least 1, so that nothing divides by 0.
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value span = arith::MaxSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, op.getUpperBound(), op.getLowerBound()),
      zero);
  Value safeStep = constantStep
                       ? op.getStep()
                       : Value(arith::MaxSIOp::create(
                             b, loc, op.getStep(),
                             arith::ConstantIndexOp::create(b, loc, 1)));
  Value trips = arith::CeilDivSIOp::create(b, loc, span, safeStep);
  auto step = [&](OpBuilder &nb, Location nloc, Value index, ValueRange state,
                  IRMapping &map, SmallVector<Operation *> &clones) {
    Value iv = arith::AddIOp::create(
        nb, nloc, op.getLowerBound(),
        arith::MulIOp::create(nb, nloc, index, op.getStep()));
    map.map(op.getInductionVar(), iv);
    map.map(op.getRegionIterArgs(), state);
    clones = cloneBody(nb, *op.getBody(), map);
    return llvm::map_to_vector(op.getBody()->getTerminator()->getOperands(),
                               [&](Value v) { return map.lookupOrDefault(v); });
  };
  return reverseLoop(b, op, trips, op.getInitArgs(), op.getResults(), step,
                     sweep);
}

LogicalResult Differentiator::reverseWhile(OpBuilder &b, scf::WhileOp op,
                                           Sweep &sweep) {
  Location loc = op.getLoc();
  Block &before = op.getBefore().front(), &after = op.getAfter().front();
  auto condition = cast<scf::ConditionOp>(before.getTerminator());
  // One iteration maps a state to before-region, then after-region. The
  // results are the values forwarded by the last before-region, so they are
  // handled as one more (partial) step below.
  if (op.getInits().getTypes() != op.getResultTypes() ||
      after.getArgumentTypes() != TypeRange(op.getResultTypes()))
    return op.emitOpError("can be differentiated only when the state, the "
                          "forwarded values and the results have one type");
  // Count the trips: rerun the loop with a counter (tg code is pure).
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> countInits(op.getInits());
  countInits.push_back(zero);
  SmallVector<Type> countTypes(op.getResultTypes());
  countTypes.push_back(b.getIndexType());
  auto counter = scf::WhileOp::create(
      b, loc, countTypes, countInits,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        IRMapping map;
        map.map(before.getArguments(), args.drop_back());
        cloneBody(nb, before, map);
        SmallVector<Value> forwarded = llvm::map_to_vector(
            condition.getArgs(), [&](Value v) { return map.lookupOrDefault(v); });
        forwarded.push_back(args.back());
        scf::ConditionOp::create(nb, nloc,
                                 map.lookupOrDefault(condition.getCondition()),
                                 forwarded);
      },
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        IRMapping map;
        map.map(after.getArguments(), args.drop_back());
        cloneBody(nb, after, map);
        SmallVector<Value> next = llvm::map_to_vector(
            after.getTerminator()->getOperands(),
            [&](Value v) { return map.lookupOrDefault(v); });
        next.push_back(arith::AddIOp::create(nb, nloc, args.back(), one));
        scf::YieldOp::create(nb, nloc, next);
      });
  Value trips = counter.getResults().back();
  // Final state entering the last before-region: the results come from it.
  // The loop over trips covers state_k -> state_{k+1} = after(before(state_k));
  // the last before-region is reversed on its own afterwards.
  auto step = [&](OpBuilder &nb, Location nloc, Value, ValueRange state,
                  IRMapping &map, SmallVector<Operation *> &clones) {
    map.map(before.getArguments(), state);
    clones = cloneBody(nb, before, map);
    for (auto [arg, v] : llvm::zip_equal(after.getArguments(), condition.getArgs()))
      map.map(arg, map.lookupOrDefault(v));
    SmallVector<Operation *> more = cloneBody(nb, after, map);
    clones.append(more);
    return llvm::map_to_vector(after.getTerminator()->getOperands(),
                               [&](Value v) { return map.lookupOrDefault(v); });
  };
  // Results r = before_fwd(state_N): reverse that last before-region first,
  // turning the results' adjoints into the adjoint of state_N, which the loop
  // then carries back to the inits. state_N is recomputed by a plain replay.
  SmallVector<Value> replayInits(op.getInits());
  auto finalState = scf::ForOp::create(
      b, loc, zero, trips, one, replayInits,
      [&](OpBuilder &nb, Location nloc, Value i, ValueRange args) {
        IRMapping map;
        SmallVector<Operation *> clones;
        scf::YieldOp::create(nb, nloc, step(nb, nloc, i, args, map, clones));
      });
  IRMapping map;
  map.map(before.getArguments(), finalState.getResults());
  SmallVector<Operation *> lastClones = cloneBody(b, before, map);
  Sweep last;
  last.varied = sweep.varied;
  for (auto [r, state] :
       llvm::zip_equal(op.getResults(), finalState.getResults()))
    if (sweep.varied.contains(r))
      last.varied.insert(state);
  propagateVaried(lastClones, last.varied);
  for (auto [r, v] : llvm::zip_equal(op.getResults(), condition.getArgs()))
    last.accumulate(b, loc, map.lookupOrDefault(v), sweep.adjoints.lookup(r));
  if (failed(reverse(b, lastClones, last)))
    return failure();
  // Captured values collect from the last before-region too.
  for (Value c : variedCaptures(op, sweep))
    sweep.accumulate(b, loc, c, last.adjoints.lookup(c));
  // The loop over the trips then starts from the adjoint of state_N, which
  // stands in for the results' adjoints (they are consumed here and nowhere
  // else, as the sweep goes backwards).
  for (auto [r, state] :
       llvm::zip_equal(op.getResults(), finalState.getResults()))
    sweep.adjoints[r] = last.adjoints.lookup(state);
  return reverseLoop(b, op, trips, op.getInits(), op.getResults(), step,
                     sweep);
}

//===----------------------------------------------------------------------===//
// tg.tape, tg.grad, calls
//===----------------------------------------------------------------------===//

LogicalResult Differentiator::inlineCalls(Region &region) {
  for (int depth = 0;; ++depth) {
    SmallVector<func::CallOp> calls;
    region.walk([&](func::CallOp call) { calls.push_back(call); });
    if (calls.empty())
      return success();
    if (depth == 64)
      return calls.front().emitOpError(
          "calls nest more than 64 deep: recursive functions cannot be "
          "differentiated");
    for (func::CallOp call : calls) {
      func::FuncOp callee = lookupAsWritten(call.getCallee());
      if (!callee || callee.isExternal())
        return call.emitOpError("calls @")
               << call.getCallee()
               << ", which has no body to differentiate";
      if (!callee.getBody().hasOneBlock())
        return call.emitOpError("calls @")
               << call.getCallee()
               << ", whose body has several blocks; only structured control "
                  "flow (scf) can be differentiated";
      OpBuilder b(call);
      IRMapping map;
      map.map(callee.getArguments(), call.getOperands());
      cloneBody(b, callee.getBody().front(), map);
      for (auto [r, v] :
           llvm::zip_equal(call.getResults(),
                           callee.getBody().front().getTerminator()->getOperands()))
        r.replaceAllUsesWith(map.lookupOrDefault(v));
      call.erase();
    }
  }
}

LogicalResult Differentiator::lowerNested(Operation *root, Region &body) {
  // Callees come in as written, tapes and grads included; those are then
  // lowered for a sweep that differentiates them again (loops recompute),
  // and the gradient functions they became are inlined in turn.
  if (failed(inlineCalls(body)))
    return failure();
  ++nesting;
  LogicalResult inner = lowerAll(root);
  --nesting;
  if (failed(inner))
    return failure();
  return inlineCalls(body);
}

LogicalResult Differentiator::lowerTape(TapeOp tape) {
  if (failed(lowerNested(tape, tape.getBody())))
    return failure();
  OpBuilder b(tape);
  Location loc = tape.getLoc();
  Block &body = tape.getBody().front();
  IRMapping map;
  map.map(body.getArguments(), tape.getWatched());
  SmallVector<Operation *> clones = cloneBody(b, body, map);
  Value target = map.lookupOrDefault(body.getTerminator()->getOperand(0));
  Sweep sweep;
  for (Value w : tape.getWatched())
    sweep.varied.insert(w);
  propagateVaried(clones, sweep.varied);
  sweep.accumulate(b, loc, target, createFloatSplat(b, loc, target.getType(), 1.0));
  if (failed(reverse(b, clones, sweep)))
    return failure();
  SmallVector<Value> results{target};
  for (Value w : tape.getWatched())
    results.push_back(sweep.adjointOrZero(b, loc, w));
  tape.replaceAllUsesWith(results);
  tape.erase();
  return success();
}

FailureOr<func::FuncOp>
Differentiator::getGradientFunction(func::FuncOp f, ArrayRef<int64_t> wrt,
                                    Location requestLoc) {
  auto key = std::make_tuple(f.getName().str(),
                             std::vector<int64_t>(wrt.begin(), wrt.end()),
                             recomputeLoops());
  if (auto it = made.find(key); it != made.end())
    return it->second;
  if (f.isExternal())
    return emitError(requestLoc, "cannot differentiate @")
           << f.getName() << ": it has no body";
  if (!inProgress.insert(f.getName()).second)
    return emitError(requestLoc, "cannot differentiate @")
           << f.getName() << ": it differentiates itself recursively";

  // A private clone returning (value, gradients...), after f in the module.
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointAfter(symbols.lookup<func::FuncOp>(f.getName()));
  auto g = cast<func::FuncOp>(b.clone(*f));
  std::string name = f.getName().str() + "_grad";
  for (int64_t i : wrt)
    name += "_" + std::to_string(i);
  if (recomputeLoops())
    name += "_nested";
  g.setName(name);
  g.setPrivate();
  g->removeAttr("tg.signature");
  g->removeAttr("llvm.emit_c_interface");
  symbols.insert(g);
  if (failed(lowerNested(g, g.getBody())))
    return failure();
  if (!g.getBody().hasOneBlock())
    return emitError(requestLoc, "cannot differentiate @")
           << f.getName()
           << ": its body has several blocks; use structured control flow";
  Block &body = g.getBody().front();
  Operation *ret = body.getTerminator();
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator())
    ops.push_back(&op);
  Sweep sweep;
  for (int64_t i : wrt)
    sweep.varied.insert(g.getArgument(i));
  propagateVaried(ops, sweep.varied);
  b.setInsertionPoint(ret);
  Value value = ret->getOperand(0);
  Location loc = ret->getLoc();
  sweep.accumulate(b, loc, value, createFloatSplat(b, loc, value.getType(), 1.0));
  if (failed(reverse(b, ops, sweep)))
    return failure();
  SmallVector<Value> results{value};
  SmallVector<Type> types{value.getType()};
  for (int64_t i : wrt) {
    results.push_back(sweep.adjointOrZero(b, loc, g.getArgument(i)));
    types.push_back(g.getArgument(i).getType());
  }
  func::ReturnOp::create(b, loc, results);
  ret->erase();
  g.setType(FunctionType::get(g.getContext(), g.getArgumentTypes(), types));
  inProgress.erase(f.getName());
  made[key] = g;
  return g;
}

LogicalResult Differentiator::lowerGrad(GradOp grad) {
  func::FuncOp callee = lookupAsWritten(grad.getCallee());
  if (!callee)
    return grad.emitOpError("'") << grad.getCallee()
                                 << "' does not reference a func.func";
  FailureOr<func::FuncOp> g =
      getGradientFunction(callee, grad.getWrt(), grad.getLoc());
  if (failed(g))
    return failure();
  OpBuilder b(grad);
  auto call = func::CallOp::create(b, grad.getLoc(), *g, grad.getArgs());
  grad.replaceAllUsesWith(call.getResults());
  grad.erase();
  return success();
}

LogicalResult Differentiator::lowerAll(Operation *root) {
  // Innermost first: a tape or grad nested in another one is lowered to
  // plain code before its parent differentiates it.
  SmallVector<Operation *> todo;
  root->walk<WalkOrder::PostOrder>([&](Operation *op) {
    if (op != root && isa<TapeOp, GradOp>(op))
      todo.push_back(op);
  });
  for (Operation *op : todo) {
    LogicalResult r = isa<TapeOp>(op) ? lowerTape(cast<TapeOp>(op))
                                      : lowerGrad(cast<GradOp>(op));
    if (failed(r))
      return failure();
  }
  return success();
}

LogicalResult Differentiator::run() {
  SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
  for (func::FuncOp f : funcs) {
    bool differentiates = f->walk([](Operation *op) {
                             return isa<TapeOp, GradOp>(op)
                                        ? WalkResult::interrupt()
                                        : WalkResult::advance();
                           }).wasInterrupted();
    if (differentiates)
      asWritten[f.getName()] = cast<func::FuncOp>(f->clone());
  }
  for (func::FuncOp f : funcs)
    if (failed(lowerAll(f)))
      return failure();
  return success();
}

struct TgTapeToGradientPass
    : tg::impl::TgTapeToGradientPassBase<TgTapeToGradientPass> {
  void runOnOperation() override {
    Differentiator d(getOperation());
    if (failed(d.run()))
      signalPassFailure();
  }
};
} // namespace
