//===- PlanMemory.cpp - One arena per call, offsets at compile time -------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. Ownership-based deallocation frees every buffer at the end
// of the block that allocated it, so every intermediate of a training step
// stays allocated until the step returns. This pass computes when each
// buffer is really live (from its allocation to the end of its last use,
// through the views made of it) and packs the buffers into one arena per
// call: two buffers share bytes only if their live ranges are disjoint.
//
// Upstream MLIR gained a static planner after the 22 branch
// (memref-static-memory-planning), for allocations of the entry block only.
// This one also plans the buffers that loop bodies and branches allocate:
// their live ranges are ranges of the function's pre-order numbering, so a
// buffer of a loop body can share bytes with buffers of other statements,
// and a buffer used inside a loop stays live across the whole loop.
// Buffers inside parallel loops (one per thread) and buffers that escape
// (yielded out of a region, returned, deallocated elsewhere) keep their own
// allocation.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/DenseMap.h"

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

int64_t staticBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !type.getElementType().isIntOrFloat())
    return -1;
  // Widths whose in-memory size is known without the data layout (LLVM
  // pads an i24 to 4 bytes, not 3).
  int64_t bits = type.getElementType().getIntOrFloatBitWidth();
  if (bits != 1 && bits != 8 && bits != 16 && bits != 32 && bits != 64)
    return -1;
  return type.getNumElements() * llvm::divideCeil(bits, 8);
}

/// Ops whose memref result is a view of their memref operand (the same
/// bytes). Any other op with a memref result (a clone, a realloc) makes a
/// buffer of its own, and a planned buffer may not flow into it.
bool makesView(Operation *op) {
  return isa<ViewLikeOpInterface, memref::CastOp, memref::ExtractStridedMetadataOp,
             memref::CollapseShapeOp, memref::ExpandShapeOp,
             memref::ReinterpretCastOp, memref::TransposeOp>(op);
}

/// The live range of `root` (an allocation or an arena view) in `block`:
/// from the first op of `block` that uses it or a view of it (its bytes
/// hold nothing before: an allocation is uninitialized, and bufferization
/// often places it well before its first write, where CSE left an equal
/// fill or the tensor.empty it came from) to the end of the last one. Fails if a view escapes (a memref result of a region op,
/// a terminator or call operand) or if it is deallocated outside `block`;
/// collects the deallocations.
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
          if (user->getNumRegions() != 0 || !makesView(user))
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

/// Offsets by greedy first fit, largest buffers first: each buffer goes at
/// the lowest aligned offset that no placed buffer live at the same time
/// occupies.
int64_t assignOffsets(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &b : buffers)
    order.push_back(&b);
  // Largest first; ties in program order (a deterministic plan).
  llvm::sort(order, [](Buffer *a, Buffer *b) {
    return a->bytes != b->bytes ? a->bytes > b->bytes : a->start < b->start;
  });
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

struct TgPlanMemoryPass : tg::impl::TgPlanMemoryPassBase<TgPlanMemoryPass> {
  using Base::Base;
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    if (f.isExternal())
      return;
    Numbering numbers(f);
    SmallVector<Buffer> buffers;
    int64_t unplanned = 0;
    f.walk([&](memref::AllocOp alloc) {
      int64_t bytes = staticBytes(alloc.getType());
      SmallVector<Operation *> frees;
      int64_t start, end;
      if (bytes <= 0 || bytes < minBytes ||
          (!sequential && insideParallelLoop(alloc, f)) ||
          failed(liveRange(alloc.getResult(), alloc->getBlock(), numbers, start,
                           end, frees)) ||
          frees.empty()) {
        if (bytes > 0)
          unplanned += bytes;
        return;
      }
      buffers.push_back({alloc, bytes, start, end, -1, frees});
    });
    // What the planned buffers took, each allocated on its own.
    int64_t separate = 0;
    for (const Buffer &buffer : buffers)
      separate += buffer.bytes;
    Builder attrs(f.getContext());
    auto record = [&](int64_t arena, int64_t bound) {
      f->setAttr("tg.memory_plan",
                 attrs.getDictionaryAttr({
                     attrs.getNamedAttr("arena_bytes", attrs.getI64IntegerAttr(arena)),
                     attrs.getNamedAttr("lower_bound_bytes",
                                        attrs.getI64IntegerAttr(bound)),
                     attrs.getNamedAttr("buffers",
                                        attrs.getI64IntegerAttr(buffers.size())),
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
    for (Buffer &buffer : buffers) {
      for (Operation *free : buffer.frees)
        free->erase();
      auto alloc = cast<memref::AllocOp>(buffer.alloc);
      OpBuilder ab(alloc);
      Value offset = arith::ConstantIndexOp::create(ab, alloc.getLoc(), buffer.offset);
      auto view = memref::ViewOp::create(ab, alloc.getLoc(), alloc.getType(), arena,
                                         offset, ValueRange{});
      view->setAttr("tg.arena_bytes",
                    ab.getDenseI64ArrayAttr({buffer.offset, buffer.bytes}));
      alloc.replaceAllUsesWith(view.getResult());
      alloc.erase();
    }
  }
};

/// Checks a plan (for tests): recomputes the live range of every view of an
/// arena and fails on two views live at the same time whose bytes overlap.
struct TgCheckMemoryPlanPass
    : tg::impl::TgCheckMemoryPlanPassBase<TgCheckMemoryPlanPass> {
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    Numbering numbers(f);
    SmallVector<std::pair<Buffer, memref::ViewOp>> views;
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
      Buffer b{view, range[1], start, end, range[0]};
      for (auto &[other, otherView] : views)
        if (other.offset < b.offset + b.bytes &&
            b.offset < other.offset + other.bytes && overlaps(other, b) &&
            otherView.getSource() == view.getSource()) {
          view.emitError("shares arena bytes with a buffer live at the same time")
                  .attachNote(otherView.getLoc())
              << "this one";
          ok = false;
        }
      views.push_back({b, view});
    });
    if (!ok)
      signalPassFailure();
  }
};
} // namespace
