//===- PlanMemory.cpp - One arena per call, offsets at compile time -------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. Ownership-based deallocation frees every buffer at the end
// of the block that allocated it, so every intermediate of a training step
// stays allocated until the step returns. This pass computes when each
// buffer is really live (from its first use to the end of its last one,
// through the views made of it) and packs the buffers into one arena per
// call: two buffers share bytes only if their live ranges are disjoint.
//
// Upstream MLIR gained a static planner after the 22 branch
// (memref-static-memory-planning), for allocations of the entry block only.
// This one also plans the buffers that loop bodies and branches allocate:
// their live ranges are ranges of the function's pre-order numbering, so a
// buffer of a loop body can share bytes with buffers of other statements,
// and a buffer used inside a loop stays live across the whole loop. The
// buffers of a parallel loop get a slice of the arena per worker (the loop
// runs as one chunk of iterations per worker). Buffers that escape
// (yielded out of a region, returned, deallocated elsewhere) keep their own
// allocation.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/CPU/Passes.h"

#include "tg/Codegen/Common/MatmulFusion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IRMapping.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGPLANMEMORYPASS
#define GEN_PASS_DEF_TGCHECKMEMORYPLANPASS
#include "tg/Codegen/CPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

/// Pre-order numbers of the ops of a function, and for each op the last
/// number inside it (its regions), so that a use inside a loop or branch
/// counts until that op ends.
struct Numbering {
  DenseMap<Operation *, int64_t> first, last;
  explicit Numbering(func::FuncOp f) {
    int64_t n = 0;
    number(f, n);
  }
  void number(Operation *op, int64_t &n) {
    first[op] = n++;
    for (Region &r : op->getRegions())
      for (Block &b : r)
        for (Operation &inner : b)
          number(&inner, n);
    last[op] = n - 1;
  }
};

/// A planned buffer: bytes and live range [start, end] in the numbering,
/// and its deallocations (erased once it lives in the arena).
struct Buffer {
  Operation *alloc;
  int64_t bytes, start, end, offset = -1;
  SmallVector<Operation *> frees = {};
};

/// The live range of `root` (an allocation or an arena view) in `block`:
/// from the first op of `block` that uses it or a view of it (its bytes
/// hold nothing before: an allocation is uninitialized, and bufferization
/// often places it well before its first write, where CSE left an equal
/// fill or the tensor.empty it came from) to the end of the last one.
/// Fails if a view escapes (a memref result of a region op, a terminator or
/// call operand) or if it is deallocated outside `block`; collects the
/// deallocations.
LogicalResult liveRange(Value root, Block *block, const Numbering &numbers,
                        int64_t &start, int64_t &end,
                        SmallVectorImpl<Operation *> &deallocs) {
  start = end = numbers.first.lookup(root.getDefiningOp());
  bool used = false;
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<memref::DeallocOp>(user)) {
        if (user->getBlock() != block)
          return failure();
        deallocs.push_back(user);
        continue;
      }
      // The op of `block` that holds the use.
      Operation *holder = block->findAncestorOpInBlock(*user);
      if (!holder)
        return failure();
      if (user->hasTrait<OpTrait::IsTerminator>() || isa<CallOpInterface>(user))
        return failure();
      for (Value r : user->getResults())
        if (isa<BaseMemRefType>(r.getType())) {
          if (user->getNumRegions() != 0 || !tg::makesView(user))
            return failure();
          worklist.push_back(r);
        }
      start = used ? std::min(start, numbers.first.lookup(holder))
                   : numbers.first.lookup(holder);
      used = true;
      end = std::max(end, numbers.last.lookup(holder));
    }
  }
  return success();
}

bool insideParallelLoop(Operation *op, Operation *function) {
  for (Operation *p = op->getParentOp(); p && p != function; p = p->getParentOp())
    if (isa<scf::ParallelOp, scf::ForallOp>(p) ||
        p->getName().getStringRef().starts_with("omp."))
      return true;
  return false;
}

/// The largest sum of bytes live at one point: no plan can use less.
int64_t lowerBound(ArrayRef<Buffer> buffers) {
  SmallVector<std::pair<int64_t, int64_t>> events; // (time, +bytes/-bytes)
  for (const Buffer &b : buffers) {
    events.push_back({b.start, b.bytes});
    events.push_back({b.end + 1, -b.bytes});
  }
  llvm::sort(events, [](auto a, auto b) {
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  });
  int64_t live = 0, peak = 0;
  for (auto [time, delta] : events) {
    live += delta;
    peak = std::max(peak, live);
  }
  return peak;
}

bool overlaps(const Buffer &a, const Buffer &b) {
  return a.start <= b.end && b.start <= a.end;
}

/// Offsets by greedy first fit in the given order: each buffer goes at the
/// lowest aligned offset that no placed buffer live at the same time
/// occupies.
static int64_t firstFit(ArrayRef<Buffer *> order) {
  int64_t arena = 0;
  SmallVector<Buffer *> placed;
  for (Buffer *b : order) {
    SmallVector<std::pair<int64_t, int64_t>> taken;
    for (Buffer *p : placed)
      if (overlaps(*p, *b))
        taken.push_back({p->offset, p->offset + p->bytes});
    llvm::sort(taken);
    int64_t offset = 0;
    for (auto [lo, hi] : taken) {
      if (offset + b->bytes <= lo)
        break;
      offset = std::max<int64_t>(offset, llvm::alignTo(hi, kAlignment));
    }
    b->offset = offset;
    arena = std::max(arena, offset + b->bytes);
    placed.push_back(b);
  }
  return int64_t(llvm::alignTo(arena, kAlignment));
}

/// Offsets by first fit in the best of three orders (all deterministic,
/// ties in program order): largest first, longest-lived first (by bytes x
/// lifetime), and in program order. Largest first alone left the digits
/// CNN step's arena 7% above its lower bound.
int64_t assignOffsets(MutableArrayRef<Buffer> buffers) {
  using Less = bool (*)(Buffer *, Buffer *);
  Less orders[] = {
      [](Buffer *a, Buffer *b) {
        return a->bytes != b->bytes ? a->bytes > b->bytes : a->start < b->start;
      },
      [](Buffer *a, Buffer *b) {
        int64_t x = a->bytes * (a->end - a->start + 1),
                y = b->bytes * (b->end - b->start + 1);
        return x != y ? x > y : a->start < b->start;
      },
      [](Buffer *a, Buffer *b) {
        return a->start != b->start ? a->start < b->start : a->bytes > b->bytes;
      },
  };
  int64_t best = -1;
  SmallVector<int64_t> bestOffsets;
  for (Less less : orders) {
    SmallVector<Buffer *> order;
    for (Buffer &b : buffers)
      order.push_back(&b);
    llvm::stable_sort(order, less);
    int64_t arena = firstFit(order);
    if (best < 0 || arena < best) {
      best = arena;
      bestOffsets.clear();
      for (Buffer &b : buffers)
        bestOffsets.push_back(b.offset);
    }
  }
  for (auto [b, offset] : llvm::zip_equal(buffers, bestOffsets))
    b.offset = offset;
  return best;
}

/// The parallel loop around `op` (below `function`) whose buffers get one
/// arena slice per worker: the only parallel loop around it, an scf.parallel
/// without reductions and with constant bounds. Null otherwise.
scf::ParallelOp workerLoopOf(Operation *op, Operation *function) {
  scf::ParallelOp found;
  for (Operation *p = op->getParentOp(); p && p != function; p = p->getParentOp()) {
    if (isa<scf::ForallOp>(p) || p->getName().getStringRef().starts_with("omp."))
      return {};
    if (auto loop = dyn_cast<scf::ParallelOp>(p)) {
      if (found)
        return {};
      found = loop;
    }
  }
  if (!found || !found.getInitVals().empty())
    return {};
  for (auto [lb, ub, step] : llvm::zip_equal(
           found.getLowerBound(), found.getUpperBound(), found.getStep())) {
    std::optional<int64_t> s = getConstantIntValue(step);
    if (!getConstantIntValue(lb) || !getConstantIntValue(ub) || !s || *s <= 0)
      return {};
  }
  return found;
}

/// `loop` as a parallel loop over at most `workers` contiguous chunks of its
/// iterations (row-major order), each chunk an scf.for: the static schedule
/// OpenMP gives a team of `workers` threads, made explicit so that each
/// iteration of the new loop can own a slice of the arena (no two run at
/// once). Returns the new loop; `chunks` is its trip count.
scf::ParallelOp chunkByWorker(scf::ParallelOp loop, int64_t workers,
                              int64_t &chunks) {
  SmallVector<int64_t> lbs, steps, trips;
  int64_t total = 1;
  for (auto [lb, ub, step] : llvm::zip_equal(
           loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    lbs.push_back(*getConstantIntValue(lb));
    steps.push_back(*getConstantIntValue(step));
    // Signed: a loop whose upper bound is below its lower one runs 0 times.
    int64_t span = *getConstantIntValue(ub) - lbs.back();
    trips.push_back(span <= 0 ? 0 : (span + steps.back() - 1) / steps.back());
    total *= trips.back();
  }
  int64_t perChunk = std::max<int64_t>(
      1, llvm::divideCeil(total, std::max<int64_t>(1, std::min(workers, total))));
  chunks = llvm::divideCeil(total, perChunk);
  Location loc = loop.getLoc();
  OpBuilder b(loop);
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value zero = index(0), one = index(1);
  auto outer = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                       ValueRange{index(chunks)}, ValueRange{one});
  b.setInsertionPointToStart(outer.getBody());
  Value lo = arith::MulIOp::create(b, loc, outer.getInductionVars()[0],
                                   index(perChunk));
  Value hi = arith::MinSIOp::create(
      b, loc, arith::AddIOp::create(b, loc, lo, index(perChunk)), index(total));
  auto chunk = scf::ForOp::create(b, loc, lo, hi, one);
  b.setInsertionPointToStart(chunk.getBody());
  IRMapping map;
  Value rest = chunk.getInductionVar();
  for (int64_t d = trips.size() - 1; d >= 0; --d) {
    Value i = rest;
    if (d > 0) {
      i = arith::RemUIOp::create(b, loc, rest, index(trips[d]));
      rest = arith::DivUIOp::create(b, loc, rest, index(trips[d]));
    }
    Value iv = arith::AddIOp::create(
        b, loc, index(lbs[d]), arith::MulIOp::create(b, loc, i, index(steps[d])));
    map.map(loop.getInductionVars()[d], iv);
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, map);
  loop.erase();
  return outer;
}

/// The buffers of one worker loop: planned among themselves (one worker
/// runs its iterations in order, as a sequential loop body), in a slice
/// the arena holds once per worker.
struct WorkerSlices {
  scf::ParallelOp loop;
  int64_t workers;
  SmallVector<Buffer> buffers;
  int64_t sliceBytes = 0;
  size_t entry = 0; // its [workers x sliceBytes] entry in the arena's buffers
};

struct TgPlanMemoryPass : tg::impl::TgPlanMemoryPassBase<TgPlanMemoryPass> {
  using Base::Base;
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    if (f.isExternal())
      return;
    auto plannable = [&](memref::AllocOp alloc) {
      int64_t bytes = tg::staticBytes(alloc.getType());
      return bytes > 0 && bytes >= minBytes;
    };
    // Parallel loops that allocate: one chunk of iterations per worker.
    SmallVector<WorkerSlices> slices;
    DenseMap<Operation *, size_t> sliceOf;
    if (!sequential && workers > 1) {
      SetVector<Operation *> loops;
      f.walk([&](memref::AllocOp alloc) {
        if (plannable(alloc))
          if (scf::ParallelOp loop = workerLoopOf(alloc, f))
            loops.insert(loop);
      });
      for (Operation *loop : loops) {
        int64_t chunks;
        scf::ParallelOp outer =
            chunkByWorker(cast<scf::ParallelOp>(loop), workers, chunks);
        sliceOf[outer] = slices.size();
        slices.push_back({outer, chunks, {}});
      }
    }

    Numbering numbers(f);
    SmallVector<Buffer> buffers;
    int64_t unplanned = 0;
    f.walk([&](memref::AllocOp alloc) {
      int64_t bytes = tg::staticBytes(alloc.getType());
      SmallVector<Operation *> frees;
      int64_t start, end;
      SmallVector<Buffer> *into = &buffers;
      if (!sequential && insideParallelLoop(alloc, f)) {
        scf::ParallelOp loop = workerLoopOf(alloc, f);
        into = loop && sliceOf.count(loop) ? &slices[sliceOf[loop]].buffers
                                           : nullptr;
      }
      if (!plannable(alloc) || !into ||
          failed(liveRange(alloc.getResult(), alloc->getBlock(), numbers, start,
                           end, frees)) ||
          frees.empty()) {
        if (bytes > 0)
          unplanned += bytes;
        return;
      }
      into->push_back({alloc, bytes, start, end, -1, frees});
    });
    // What the planned buffers took, each allocated on its own (by each
    // worker in a parallel loop).
    int64_t separate = 0, count = buffers.size();
    for (const Buffer &buffer : buffers)
      separate += buffer.bytes;
    for (WorkerSlices &w : slices) {
      for (const Buffer &buffer : w.buffers)
        separate += w.workers * buffer.bytes;
      count += w.buffers.size();
      if (w.buffers.empty())
        continue;
      w.sliceBytes = assignOffsets(w.buffers);
      w.entry = buffers.size();
      buffers.push_back({w.loop, w.workers * w.sliceBytes,
                         numbers.first.lookup(w.loop), numbers.last.lookup(w.loop)});
    }
    Builder attrs(f.getContext());
    auto record = [&](int64_t arena, int64_t bound) {
      f->setAttr("tg.memory_plan",
                 attrs.getDictionaryAttr({
                     attrs.getNamedAttr("arena_bytes", attrs.getI64IntegerAttr(arena)),
                     attrs.getNamedAttr("lower_bound_bytes",
                                        attrs.getI64IntegerAttr(bound)),
                     attrs.getNamedAttr("buffers", attrs.getI64IntegerAttr(count)),
                     attrs.getNamedAttr("unplanned_bytes",
                                        attrs.getI64IntegerAttr(unplanned)),
                     attrs.getNamedAttr("separate_bytes",
                                        attrs.getI64IntegerAttr(separate)),
                 }));
    };
    if (buffers.empty()) {
      record(0, 0);
      return;
    }
    int64_t bound = lowerBound(buffers);
    int64_t arenaBytes = assignOffsets(buffers);
    record(arenaBytes, bound);

    // The arena: allocated first, freed before each return.
    Block &entry = f.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    Location loc = f.getLoc();
    auto arenaType = MemRefType::get({arenaBytes}, b.getI8Type());
    Value arena = memref::AllocOp::create(b, loc, arenaType,
                                          b.getI64IntegerAttr(kAlignment));
    f.walk([&](func::ReturnOp ret) {
      OpBuilder rb(ret);
      memref::DeallocOp::create(rb, ret.getLoc(), arena);
    });
    // Each buffer a view of the arena at `base` + its offset.
    auto toView = [&](const Buffer &buffer, Value base,
                      ArrayRef<int64_t> slice) {
      for (Operation *free : buffer.frees)
        free->erase();
      auto alloc = cast<memref::AllocOp>(buffer.alloc);
      OpBuilder ab(alloc);
      Value offset = arith::ConstantIndexOp::create(ab, alloc.getLoc(), buffer.offset);
      if (base)
        offset = arith::AddIOp::create(ab, alloc.getLoc(), base, offset);
      auto view = memref::ViewOp::create(ab, alloc.getLoc(), alloc.getType(), arena,
                                         offset, ValueRange{});
      view->setAttr("tg.arena_bytes",
                    ab.getDenseI64ArrayAttr({buffer.offset, buffer.bytes}));
      if (!slice.empty())
        view->setAttr("tg.arena_slice", ab.getDenseI64ArrayAttr(slice));
      alloc.replaceAllUsesWith(view.getResult());
      alloc.erase();
    };
    for (WorkerSlices &w : slices) {
      if (w.buffers.empty())
        continue;
      // Worker i's slice: [offset + i * sliceBytes, + sliceBytes).
      int64_t offset = buffers[w.entry].offset;
      OpBuilder sb = OpBuilder::atBlockBegin(w.loop.getBody());
      Location l = w.loop.getLoc();
      Value base = arith::AddIOp::create(
          sb, l, arith::ConstantIndexOp::create(sb, l, offset),
          arith::MulIOp::create(sb, l, w.loop.getInductionVars()[0],
                                arith::ConstantIndexOp::create(sb, l, w.sliceBytes)));
      for (const Buffer &buffer : w.buffers)
        toView(buffer, base, {offset, w.sliceBytes, w.workers});
    }
    for (const Buffer &buffer : buffers)
      if (isa<memref::AllocOp>(buffer.alloc))
        toView(buffer, Value(), {});
  }
};

/// Checks a plan (for tests): recomputes the live range of every view of an
/// arena and fails on two views live at the same time whose bytes overlap.
/// A view in a worker slice (`tg.arena_slice = [offset, bytes, workers]`)
/// is checked against the views of its own loop by its offset in the slice,
/// and against any other view by the whole [workers x bytes] block, live
/// for the whole loop.
struct TgCheckMemoryPlanPass
    : tg::impl::TgCheckMemoryPlanPassBase<TgCheckMemoryPlanPass> {
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    Numbering numbers(f);
    struct Planned {
      memref::ViewOp view;
      Buffer own;              // in the slice, for a worker's buffer
      Buffer block;            // what other views see
      Operation *loop = nullptr;
    };
    SmallVector<Planned> views;
    bool ok = true;
    f.walk([&](memref::ViewOp view) {
      auto range = view->getAttrOfType<DenseI64ArrayAttr>("tg.arena_bytes");
      if (!range)
        return;
      int64_t start, end;
      SmallVector<Operation *> frees;
      if (failed(liveRange(view.getResult(), view->getBlock(), numbers, start,
                           end, frees)) ||
          !frees.empty()) {
        view.emitError("a planned buffer escapes or is freed on its own");
        ok = false;
        return;
      }
      Planned p{view, Buffer{view, range[1], start, end, range[0]}, {}};
      p.block = p.own;
      if (auto slice = view->getAttrOfType<DenseI64ArrayAttr>("tg.arena_slice")) {
        p.loop = view->getParentOfType<scf::ParallelOp>();
        if (!p.loop || slice.size() != 3 || range[0] + range[1] > slice[1]) {
          view.emitError("a worker's buffer outside its slice or its loop");
          ok = false;
          return;
        }
        p.block = Buffer{view, slice[1] * slice[2], numbers.first.lookup(p.loop),
                         numbers.last.lookup(p.loop), slice[0]};
      }
      for (Planned &other : views) {
        if (other.view.getSource() != view.getSource())
          continue;
        bool sameLoop = p.loop && p.loop == other.loop &&
                        p.block.offset == other.block.offset;
        const Buffer &x = sameLoop ? p.own : p.block;
        const Buffer &y = sameLoop ? other.own : other.block;
        if (y.offset < x.offset + x.bytes && x.offset < y.offset + y.bytes &&
            overlaps(x, y)) {
          view.emitError("shares arena bytes with a buffer live at the same time")
                  .attachNote(other.view.getLoc())
              << "this one";
          ok = false;
        }
      }
      views.push_back(p);
    });
    if (!ok)
      signalPassFailure();
  }
};
} // namespace
