//===- Kernels.cpp - Source tags, kernels, and their annotation -----------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Kernels.h and Passes.td (-tg-tag-source-ops, -tg-annotate-kernels).
// Upstream keeps no record of what a fused op was made of: fusion clones
// the producer's body into the consumer's with the body ops' locations and
// gives the fused op the consumer's location. Those body locations are
// enough if each names its tg op, which is what the tags do; the
// annotation then gathers them into the kernel's own location, which every
// later pass copies onto the code it creates.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/Common/Kernels.h"
#include "tg/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

#include <limits>
#include <map>

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGTAGSOURCEOPSPASS
#define GEN_PASS_DEF_TGANNOTATEKERNELSPASS
#include "tg/Codegen/Common/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;
using namespace mlir::tg;

//===----------------------------------------------------------------------===//
// Tags and kernels
//===----------------------------------------------------------------------===//

std::optional<SourceTag> tg::parseSourceTag(Location loc) {
  auto name = dyn_cast<NameLoc>(loc);
  if (!name)
    return std::nullopt;
  StringRef text = name.getName().getValue();
  auto [op, number] = text.rsplit('#');
  int64_t id;
  if (!op.starts_with("tg.") || number.getAsInteger(10, id))
    return std::nullopt;
  return SourceTag{op, id, name.getChildLoc()};
}

std::optional<SourceTag> tg::sourceTagOf(Operation *op) {
  return parseSourceTag(op->getLoc());
}

std::string tg::sourceLine(Location loc) {
  std::string line;
  loc->walk([&](Location l) {
    if (auto file = dyn_cast<FileLineColLoc>(l)) {
      line =
          (file.getFilename().getValue() + ":" + Twine(file.getLine())).str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return line;
}

std::optional<StringRef> tg::kernelNameOf(Location loc) {
  auto fused = dyn_cast<FusedLoc>(loc);
  if (!fused)
    return std::nullopt;
  auto name = dyn_cast_or_null<StringAttr>(fused.getMetadata());
  if (!name || !name.getValue().contains(" "))
    return std::nullopt;
  return name.getValue();
}

/// A linalg.fill whose every use initializes another linalg op: it runs
/// inside that op's kernel (the micro-kernels start the tile from zero).
static bool isInitOnlyFill(Operation *op) {
  if (!isa<linalg::FillOp>(op))
    return false;
  return llvm::all_of(op->getUses(), [](OpOperand &use) {
    auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
    return dps && isa<linalg::LinalgOp>(use.getOwner()) && dps.isDpsInit(&use);
  });
}

/// A call of the collectives' runtime (-convert-tg-to-linalg lowers
/// tg.all_reduce and tg.broadcast_from to one): a kernel of its own, so
/// that profiles show the time spent communicating (and waiting).
static bool isCollectiveCall(Operation *op) {
  auto call = dyn_cast<func::CallOp>(op);
  return call && (call.getCallee().starts_with("tg_all_reduce_") ||
                  call.getCallee().starts_with("tg_broadcast_"));
}

static bool isKernel(Operation *op) {
  if (isa<linalg::LinalgOp>(op))
    return !isInitOnlyFill(op);
  return isa<tensor::PadOp, tensor::ConcatOp, scf::ForallOp>(op) ||
         isCollectiveCall(op);
}

static void collectTags(Operation *op, std::map<int64_t, SourceTag> &tags) {
  op->getLoc()->walk([&](Location l) {
    if (auto tag = parseSourceTag(l))
      tags.emplace(tag->id, *tag);
    return WalkResult::advance();
  });
}

/// The tags of what `op` computes. A generic's body ops have their own
/// tg ops' locations, exactly (fusion clones them); its own location may
/// be a union made by rewrites that merged operands, so it is not used.
/// Fills and empties only initialize (CSE merged them across tg ops, so
/// their locations name every op that had one): skipped inside kernels.
static void collectComputedTags(Operation *op,
                                std::map<int64_t, SourceTag> &tags) {
  if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
    for (Operation &inner : *generic.getBody())
      collectTags(&inner, tags);
    return;
  }
  if (isa<scf::ForallOp>(op)) {
    op->walk([&](Operation *inner) {
      if (inner != op && !isa<linalg::FillOp, tensor::EmptyOp>(inner) &&
          !isa<linalg::LinalgOp>(inner->getParentOp()))
        collectComputedTags(inner, tags);
    });
    return;
  }
  collectTags(op, tags);
}

/// The ops the matmul kernels fold into `op`'s kernel on buffers (see
/// findMatmulFusions): the transposes producing its operands and its
/// elementwise consumer, when they are in its block and used only by it.
static SmallVector<Operation *> matmulPartners(Operation *op) {
  SmallVector<Operation *> partners;
  auto matmul = dyn_cast<linalg::MatmulOp>(op);
  if (!matmul)
    return partners;
  for (Value input : matmul.getDpsInputs())
    if (auto transpose = input.getDefiningOp<linalg::TransposeOp>())
      if (transpose->getBlock() == op->getBlock() && transpose->hasOneUse())
        partners.push_back(transpose);
  Value result = matmul->getResult(0);
  if (result.hasOneUse())
    if (auto consumer = dyn_cast<linalg::GenericOp>(*result.user_begin()))
      if (consumer->getBlock() == op->getBlock() &&
          consumer.getNumParallelLoops() == consumer.getNumLoops())
        partners.push_back(consumer);
  return partners;
}

/// Control flow whose bodies may hold kernels (a kernel span never covers
/// one: its body's kernels are timed on their own).
static bool isControlFlow(Operation *op) {
  return isa<scf::ForOp, scf::WhileOp, scf::IfOp, scf::IndexSwitchOp,
             scf::ExecuteRegionOp>(op);
}

/// The kernels of `region`, in program order: those of a block, and those
/// of the bodies of its control flow where that control flow runs.
static void findKernelsIn(Region &region, SmallVectorImpl<Kernel> &out) {
  for (Block &block : region) {
    llvm::DenseMap<Operation *, unsigned> position;
    unsigned index = 0;
    for (Operation &op : block)
      position[&op] = index++;
    // The fill that initializes `op` (its only use), where the span of
    // `op`'s kernel starts.
    auto firstOf = [&](Operation *op) {
      Operation *first = op;
      if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
        for (OpOperand &init : dps.getDpsInitsMutable())
          if (Operation *fill = init.get().getDefiningOp();
              fill && fill->getBlock() == &block && isInitOnlyFill(fill) &&
              fill->hasOneUse() && position[fill] < position[first])
            first = fill;
      return first;
    };
    auto coversControlFlow = [&](Operation *first, Operation *last) {
      for (Operation *op = first; op != last; op = op->getNextNode())
        if (isControlFlow(op))
          return true;
      return false;
    };
    // Each kernel op with its fill and its matmul partners as a span
    // [first, last] of the block; overlapping spans are one kernel (their
    // union is covered by them, so it holds no control flow either).
    SmallVector<std::pair<Operation *, Operation *>> spans;
    for (Operation &op : block) {
      if (!isKernel(&op))
        continue;
      Operation *first = firstOf(&op), *last = &op;
      for (Operation *partner : matmulPartners(&op)) {
        Operation *from = firstOf(partner);
        Operation *newFirst = position[from] < position[first] ? from : first;
        Operation *newLast =
            position[partner] > position[last] ? partner : last;
        if (!coversControlFlow(newFirst, newLast))
          first = newFirst, last = newLast;
      }
      if (coversControlFlow(first, last))
        first = last = &op;
      spans.push_back({first, last});
    }
    llvm::sort(spans, [&](auto &a, auto &b) {
      return position[a.first] < position[b.first];
    });
    SmallVector<Kernel> kernels;
    for (auto [first, last] : spans) {
      if (!kernels.empty() &&
          position[first] <= position[kernels.back().last]) {
        if (position[last] > position[kernels.back().last])
          kernels.back().last = last;
        continue;
      }
      Kernel kernel;
      kernel.first = first;
      kernel.last = last;
      kernels.push_back(kernel);
    }
    for (Kernel &kernel : kernels) {
      std::map<int64_t, SourceTag> tags;
      for (Operation *op = kernel.first;; op = op->getNextNode()) {
        if (isKernel(op)) {
          kernel.ops.push_back(op);
          kernel.members.push_back(op);
          collectComputedTags(op, tags);
        } else if (isInitOnlyFill(op)) {
          kernel.members.push_back(op);
        }
        if (op == kernel.last)
          break;
      }
      for (auto &entry : tags)
        kernel.tags.push_back(entry.second);
    }
    // In program order: a block's kernels and its control flow's, as they
    // come.
    auto next = kernels.begin();
    for (Operation &op : block) {
      if (next != kernels.end() && &op == next->first)
        out.push_back(std::move(*next++));
      if (isControlFlow(&op))
        for (Region &inner : op.getRegions())
          findKernelsIn(inner, out);
    }
  }
}

SmallVector<Kernel> tg::findKernels(Operation *func) {
  SmallVector<Kernel> kernels;
  for (Region &region : func->getRegions())
    findKernelsIn(region, kernels);
  return kernels;
}

//===----------------------------------------------------------------------===//
// -tg-tag-source-ops
//===----------------------------------------------------------------------===//

namespace {
struct TgTagSourceOpsPass
    : tg::impl::TgTagSourceOpsPassBase<TgTagSourceOpsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t next = 0;
    module.walk([&](Operation *op) {
      if (auto tag = sourceTagOf(op))
        next = std::max(next, tag->id + 1);
    });
    module.walk([&](Operation *op) {
      if (op->getName().getDialectNamespace() != "tg" || sourceTagOf(op))
        return;
      std::string name =
          (op->getName().getStringRef() + "#" + Twine(next++)).str();
      op->setLoc(
          NameLoc::get(StringAttr::get(op->getContext(), name), op->getLoc()));
    });
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// -tg-annotate-kernels
//===----------------------------------------------------------------------===//

/// Bytes of a statically shaped tensor, -1 for a dynamic one, 0 for a
/// scalar (it lives in a register).
static int64_t tensorBytes(Type type) {
  auto tensor = dyn_cast<ShapedType>(type);
  if (!tensor)
    return 0;
  Type element = tensor.getElementType();
  if (!tensor.hasStaticShape() || !element.isIntOrIndexOrFloat())
    return -1;
  unsigned bits = element.isIndex() ? 64 : element.getIntOrFloatBitWidth();
  return tensor.getNumElements() * std::max(1u, bits / 8);
}

namespace {
/// FLOP and byte estimates of one execution of a kernel; -1 when a shape
/// is dynamic.
struct Cost {
  int64_t flops = 0, bytes = 0;
  void add(Cost other) {
    flops = flops < 0 || other.flops < 0 ? -1 : flops + other.flops;
    bytes = bytes < 0 || other.bytes < 0 ? -1 : bytes + other.bytes;
  }
  Cost times(int64_t n) const {
    return {flops < 0 || n < 0 ? -1 : flops * n,
            bytes < 0 || n < 0 ? -1 : bytes * n};
  }
};
} // namespace

/// A linalg op: one FLOP per arithmetic op of its body per iteration (a
/// matmul's multiply-add is two), and the bytes of its operands read and
/// its results written once each.
static Cost linalgCost(linalg::LinalgOp op) {
  Cost cost;
  int64_t iterations = 1;
  for (int64_t range : op.getStaticLoopRanges())
    iterations = ShapedType::isDynamic(range) || iterations < 0
                     ? -1
                     : iterations * range;
  // Floating-point arithmetic only: conversions, selects, comparisons and
  // integer ops are not FLOPs.
  int64_t bodyOps = 0;
  for (Operation &inner : *op.getBlock())
    if (isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()) &&
        inner.getNumResults() == 1 &&
        isa<FloatType>(getElementTypeOrSelf(inner.getResult(0).getType())) &&
        !isa<arith::ConstantOp, arith::SelectOp, arith::ExtFOp, arith::TruncFOp,
             arith::SIToFPOp, arith::UIToFPOp, arith::BitcastOp>(inner))
      ++bodyOps;
  cost.flops = iterations < 0 ? -1 : iterations * bodyOps;
  for (OpOperand &operand : op->getOpOperands()) {
    // An init is read only if the body reads it and it is not a fill (a
    // matmul's zero-filled accumulator starts in registers).
    if (op.isDpsInit(&operand) &&
        (!op.payloadUsesValueFromOperand(&operand) ||
         operand.get().getDefiningOp<linalg::FillOp>()))
      continue;
    cost.add({0, tensorBytes(operand.get().getType())});
  }
  for (Value result : op->getResults())
    cost.add({0, tensorBytes(result.getType())});
  return cost;
}

/// How many times `op` runs per run of the body of `ancestor`: the product
/// of the static trip counts of the scf.for loops in between; -1 when one
/// is not static or another region op (scf.if, scf.while) is in between,
/// whose count the IR does not say. (Unsigned loops count as unknown, as tg
/// emits none.)
static int64_t runsPerBody(Operation *op, Operation *ancestor) {
  int64_t runs = 1;
  for (Operation *parent = op->getParentOp(); parent != ancestor;
       parent = parent->getParentOp()) {
    auto loop = dyn_cast<scf::ForOp>(parent);
    std::optional<APInt> trips =
        loop && !loop.getUnsignedCmp() ? loop.getStaticTripCount() : std::nullopt;
    if (!trips)
      return -1;
    runs *= trips->getSExtValue();
  }
  return runs;
}

static Cost kernelCost(Operation *kernel) {
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(kernel))
    return linalgCost(linalgOp);
  if (auto forall = dyn_cast<scf::ForallOp>(kernel)) {
    // Row tiles: the FLOPs of one tile's linalg ops (each times the trips
    // of the loops around it in the tile: a convolution's filter rows, a
    // filter gradient's tiles per group) times the number of tiles; the
    // bytes of what the tiles read from outside and write (the
    // intermediates of a tile stay in cache).
    Cost tile;
    forall.getBody()->walk([&](linalg::LinalgOp op) {
      int64_t runs = runsPerBody(op, forall), flops = linalgCost(op).flops;
      tile.add({runs < 0 || flops < 0 ? -1 : runs * flops, 0});
    });
    int64_t tiles = 1;
    for (auto [lb, ub, step] :
         llvm::zip(forall.getStaticLowerBound(), forall.getStaticUpperBound(),
                   forall.getStaticStep())) {
      if (ShapedType::isDynamic(lb) || ShapedType::isDynamic(ub) ||
          ShapedType::isDynamic(step) || step <= 0 || tiles < 0)
        tiles = -1;
      else
        tiles *= llvm::divideCeil(ub - lb, step);
    }
    Cost cost = tile.times(tiles);
    SetVector<Value> read;
    getUsedValuesDefinedAbove(forall.getRegion(), read);
    for (Value value : read)
      cost.add({0, tensorBytes(value.getType())});
    for (Value result : forall.getResults())
      cost.add({0, tensorBytes(result.getType())});
    return cost;
  }
  // A collective: no FLOPs; the bytes of its buffers (behind the casts
  // that flatten them), sent and received.
  if (isCollectiveCall(kernel)) {
    Cost cost;
    for (Value operand : kernel->getOperands()) {
      Value buffer = operand;
      while (Operation *def = buffer.getDefiningOp()) {
        if (!isa<memref::CastOp, memref::CollapseShapeOp,
                 memref::ExpandShapeOp>(def))
          break;
        buffer = def->getOperand(0);
      }
      if (isa<MemRefType>(buffer.getType()))
        cost.add({0, tensorBytes(buffer.getType())});
    }
    return cost;
  }
  // Copies (pad, concat): what they read and write.
  Cost cost;
  for (Value operand : kernel->getOperands())
    if (isa<RankedTensorType>(operand.getType()))
      cost.add({0, tensorBytes(operand.getType())});
  for (Value result : kernel->getResults())
    cost.add({0, tensorBytes(result.getType())});
  return cost;
}

/// "matmul+add+relu": the tg ops in order, each once, at most six.
static std::string describeOps(ArrayRef<SourceTag> tags, Operation *kernel) {
  if (tags.empty())
    return kernel->getName().getStringRef().str();
  std::string text;
  llvm::StringSet<> seen;
  int named = 0;
  for (const SourceTag &tag : tags) {
    StringRef op = tag.op.drop_front(3);
    if (!seen.insert(op).second)
      continue;
    if (named++ == 6) {
      text += "+...";
      break;
    }
    text += (text.empty() ? "" : "+") + op.str();
  }
  return text;
}

/// Moves the ops a matmul kernel takes over next to the matmul: its fill
/// and the transposes of its operands just before it, its elementwise
/// consumer (with the tensor.empty of its init) just after it when nothing
/// else it reads is computed in between. Tensor ops are pure, so only
/// dominance matters. Without this, a matmul's kernel would span every
/// kernel between its transposes and its consumer (timed as one).
static void gatherMatmulPartners(Operation *root) {
  SmallVector<linalg::MatmulOp> matmuls;
  root->walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
  for (linalg::MatmulOp matmul : matmuls) {
    Block *block = matmul->getBlock();
    for (Operation *partner : matmulPartners(matmul)) {
      if (isa<linalg::TransposeOp>(partner)) {
        partner->moveBefore(matmul);
        continue;
      }
      // The consumer: every value it uses but the product (its operands
      // and what its body captures; its init's tensor.empty, without
      // operands, moves along) defined before the matmul.
      SetVector<Value> used(partner->getOperands().begin(),
                            partner->getOperands().end());
      getUsedValuesDefinedAbove(partner->getRegions(), used);
      Operation *empty = nullptr;
      bool movable = true;
      for (Value value : used) {
        Operation *def = value.getDefiningOp();
        if (!def || def == matmul || def->getBlock() != block ||
            def->isBeforeInBlock(matmul))
          continue;
        if (isa<tensor::EmptyOp>(def) && def->hasOneUse() &&
            def->getNumOperands() == 0 && !empty)
          empty = def;
        else
          movable = false;
      }
      if (!movable)
        continue;
      partner->moveAfter(matmul);
      if (empty)
        empty->moveBefore(partner);
    }
    if (auto init = matmul.getDpsInits()[0].getDefiningOp();
        init && init->getBlock() == block && isInitOnlyFill(init) &&
        init->hasOneUse())
      init->moveBefore(matmul);
  }
}

namespace {
struct TgAnnotateKernelsPass
    : tg::impl::TgAnnotateKernelsPassBase<TgAnnotateKernelsPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    OpBuilder builder(context);
    int64_t next = idBase;
    SmallVector<Attribute> table;
    func::FuncOp begin, end;
    if (idBase < 0) {
      mlir::emitError(module.getLoc())
          << "-tg-annotate-kernels: id-base must not be negative (got "
          << static_cast<int64_t>(idBase) << ")";
      return signalPassFailure();
    }
    if (profile) {
      // The runtime's functions: a user function of the same name would
      // be called instead.
      for (StringRef name : {"tg_profile_begin", "tg_profile_end"})
        if (Operation *clash = module.lookupSymbol(name)) {
          clash->emitError()
              << "the name '" << name << "' is reserved for the profiler";
          return signalPassFailure();
        }
      gatherMatmulPartners(module);
      builder.setInsertionPointToEnd(module.getBody());
      auto type = builder.getFunctionType({builder.getI64Type()}, {});
      auto declare = [&](StringRef name) {
        auto fn = func::FuncOp::create(builder, module.getLoc(), name, type);
        fn.setPrivate();
        return fn;
      };
      begin = declare("tg_profile_begin");
      end = declare("tg_profile_end");
    }
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      int64_t local = 0;
      for (Kernel &kernel : findKernels(func)) {
        std::string ops = describeOps(kernel.tags, kernel.ops.front());
        std::string label = (func.getName() + "/k" + Twine(local++)).str();
        SmallVector<Location> locs;
        SmallVector<Attribute> sources;
        for (const SourceTag &tag : kernel.tags) {
          locs.push_back(NameLoc::get(
              StringAttr::get(context, tag.op + "#" + Twine(tag.id)), tag.loc));
          std::string line = sourceLine(tag.loc);
          sources.push_back(StringAttr::get(
              context, tag.op + (line.empty() ? "" : " " + line)));
        }
        if (locs.empty())
          locs.push_back(kernel.ops.front()->getLoc());
        Location loc = FusedLoc::get(
            context, locs, StringAttr::get(context, label + " " + ops));
        // The kernel's ops and the fills in its span carry the location
        // into the code they are lowered to.
        for (Operation *op : kernel.members)
          op->setLoc(loc);
        if (!profile)
          continue;
        if (next == std::numeric_limits<int64_t>::max()) {
          mlir::emitError(module.getLoc())
              << "-tg-annotate-kernels: kernel ids overflow (id-base "
              << static_cast<int64_t>(idBase) << ")";
          return signalPassFailure();
        }
        Cost cost;
        for (Operation *op : kernel.ops)
          cost.add(kernelCost(op));
        int64_t id = next++;
        builder.setInsertionPoint(kernel.first);
        Value idValue = arith::ConstantIntOp::create(builder, loc, id, 64);
        func::CallOp::create(builder, loc, begin, ValueRange{idValue});
        builder.setInsertionPointAfter(kernel.last);
        func::CallOp::create(builder, loc, end, ValueRange{idValue});
        table.push_back(builder.getDictionaryAttr({
            builder.getNamedAttr("id", builder.getI64IntegerAttr(id)),
            builder.getNamedAttr("name", builder.getStringAttr(ops)),
            builder.getNamedAttr("label", builder.getStringAttr(label)),
            builder.getNamedAttr("function",
                                 builder.getStringAttr(func.getName())),
            builder.getNamedAttr("sources", builder.getArrayAttr(sources)),
            builder.getNamedAttr("flops",
                                 builder.getI64IntegerAttr(cost.flops)),
            builder.getNamedAttr("bytes",
                                 builder.getI64IntegerAttr(cost.bytes)),
        }));
      }
    }
    if (profile)
      module->setAttr("tg.kernels", builder.getArrayAttr(table));
  }
};
} // namespace
