//===- MatmulFusion.cpp - What a matmul kernel can take over --------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/Common/MatmulFusion.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::tg;

/// A 2-D-or-more memref of static shape whose innermost stride is 1.
bool tg::isStaticUnitStride(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || !type.hasStaticShape() || type.getRank() == 0)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

int64_t tg::staticBytes(MemRefType type) {
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

bool tg::makesView(Operation *op) {
  // Reshapes, transposes and casts are not ViewLikeOpInterface in MLIR 22.
  return isa<ViewLikeOpInterface, memref::CastOp,
             memref::ExtractStridedMetadataOp, memref::CollapseShapeOp,
             memref::ExpandShapeOp, memref::ReinterpretCastOp,
             memref::TransposeOp>(op);
}

/// The memref a view op (makesView) is a view of.
static Value viewSource(Operation *view) {
  auto viewLike = dyn_cast<ViewLikeOpInterface>(view);
  return viewLike ? viewLike.getViewSource() : view->getOperand(0);
}

Value tg::rootBuffer(Value v) {
  while (Operation *op = v.getDefiningOp()) {
    if (!makesView(op))
      break;
    v = viewSource(op);
  }
  return v;
}

Operation *tg::soleOtherUser(Value buffer,
                             function_ref<bool(Operation *)> ignored) {
  Operation *other = nullptr;
  for (Operation *user : buffer.getUsers()) {
    if (isa<memref::DeallocOp>(user) || ignored(user))
      continue;
    if (other)
      return nullptr;
    other = user;
  }
  return other;
}

/// Whether `root` is a buffer of its own, which no other root can alias: a
/// function's argument or an allocation (not a memref a region yields or
/// receives, which may be any buffer).
static bool isDistinctBuffer(Value root) {
  if (auto arg = dyn_cast<BlockArgument>(root))
    return isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
  return isa_and_nonnull<memref::AllocOp, memref::AllocaOp,
                         memref::GetGlobalOp>(root.getDefiningOp());
}

/// Whether `c` is `buffer` reshaped (so a fill of `buffer` fills all of c).
static bool fillsAllOf(Value buffer, Value c) {
  while (c != buffer) {
    Operation *def = c.getDefiningOp();
    if (!isa_and_nonnull<memref::CollapseShapeOp, memref::ExpandShapeOp>(def))
      return false;
    c = def->getOperand(0);
  }
  return true;
}

std::optional<SmallVector<EpilogueIndex>> tg::classifyEpilogueMap(AffineMap map) {
  SmallVector<EpilogueIndex> result;
  for (AffineExpr e : map.getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      result.push_back(d.getPosition() == 0 ? EpilogueIndex::Row : EpilogueIndex::Col);
    else if (auto c = dyn_cast<AffineConstantExpr>(e); c && c.getValue() == 0)
      result.push_back(EpilogueIndex::Zero);
    else
      return std::nullopt;
  }
  // The column dimension is vectorized: it must be innermost.
  for (size_t i = 0; i + 1 < result.size(); ++i)
    if (result[i] == EpilogueIndex::Col)
      return std::nullopt;
  return result;
}

/// Whether a scalar element type can be loaded and stored as a vector.
static bool isVectorizableElement(Type t) {
  return (isa<FloatType>(t) || isa<IntegerType>(t)) &&
         t.getIntOrFloatBitWidth() % 8 == 0;
}

/// Whether `op` (with its regions) has an effect that conflicts with
/// reading the buffers `readRoots` and writing `writeRoots` (roots of views).
static bool conflicts(Operation *op, ArrayRef<Value> readRoots,
                      ArrayRef<Value> writeRoots) {
  std::optional<SmallVector<MemoryEffects::EffectInstance>> effects =
      getEffectsRecursively(op);
  if (!effects)
    return true;
  for (MemoryEffects::EffectInstance &e : *effects) {
    if (isa<MemoryEffects::Allocate>(e.getEffect()))
      continue;
    if (!e.getValue())
      return true;
    Value root = rootBuffer(e.getValue());
    bool isWrite = !isa<MemoryEffects::Read>(e.getEffect());
    if (llvm::is_contained(writeRoots, root) ||
        (isWrite && llvm::is_contained(readRoots, root)))
      return true;
  }
  return false;
}

/// Effects of ops between `from` and `to` (exclusive) that conflict with
/// reading `reads` and writing `writes` at `from` instead of at `to`.
bool tg::safeToHoist(Operation *from, Operation *to,
                        ArrayRef<Value> reads, ArrayRef<Value> writes) {
  SmallVector<Value> readRoots, writeRoots;
  for (Value v : reads)
    readRoots.push_back(rootBuffer(v));
  for (Value v : writes)
    writeRoots.push_back(rootBuffer(v));
  for (Operation *op = from->getNextNode(); op != to; op = op->getNextNode())
    if (conflicts(op, readRoots, writeRoots))
      return false;
  return true;
}

bool tg::mayWrite(Operation *op, Value buffer) {
  Value root = rootBuffer(buffer);
  if (!isDistinctBuffer(root))
    return true;
  std::optional<SmallVector<MemoryEffects::EffectInstance>> effects =
      getEffectsRecursively(op);
  if (!effects)
    return true;
  for (MemoryEffects::EffectInstance &e : *effects) {
    if (isa<MemoryEffects::Allocate, MemoryEffects::Read>(e.getEffect()))
      continue;
    if (!e.getValue())
      return true;
    Value written = rootBuffer(e.getValue());
    if (written == root || !isDistinctBuffer(written))
      return true;
  }
  return false;
}

/// The zero fill of all of `c` before `matmul` in its block, with nothing
/// reading or writing `c` in between.
static linalg::FillOp findZeroFill(linalg::MatmulOp matmul, Value c) {
  for (Operation *op = matmul->getPrevNode(); op; op = op->getPrevNode()) {
    auto fill = dyn_cast<linalg::FillOp>(op);
    if (!fill || rootBuffer(fill.getOutputs()[0]) != rootBuffer(c))
      continue;
    if (!matchPattern(fill.getInputs()[0], m_PosZeroFloat()) ||
        !fillsAllOf(fill.getOutputs()[0], c) ||
        !safeToHoist(fill, matmul, {}, {c}))
      return {};
    return fill;
  }
  return {};
}

/// The elementwise consumer of `c` that can run on the register tile.
static std::optional<MatmulEpilogue>
findEpilogue(linalg::MatmulOp matmul, Value c, int64_t m, int64_t n,
             DominanceInfo &dom) {
  // c must be a private buffer: an allocation used only by the matmul, its
  // zero fill, one consumer and deallocations.
  if (!c.getDefiningOp<memref::AllocOp>())
    return std::nullopt;
  auto consumer = dyn_cast_or_null<linalg::GenericOp>(
      soleOtherUser(c, [&](Operation *user) {
        return user == matmul ||
               (isa<linalg::FillOp>(user) &&
                user->getBlock() == matmul->getBlock() &&
                user->isBeforeInBlock(matmul));
      }));
  if (!consumer || consumer->getBlock() != matmul->getBlock() ||
      !matmul->isBeforeInBlock(consumer))
    return std::nullopt;
  if (!consumer.hasPureBufferSemantics() || consumer.getNumDpsInits() != 1 ||
      consumer.getNumLoops() != 2 ||
      consumer.getNumParallelLoops() != 2 ||
      consumer.getStaticLoopRanges() != SmallVector<int64_t>{m, n})
    return std::nullopt;
  Value out = consumer.getDpsInitOperand(0)->get();
  if (!isStaticUnitStride(out) ||
      !isVectorizableElement(getElementTypeOrSelf(out.getType())) ||
      !consumer.getMatchingIndexingMap(consumer.getDpsInitOperand(0))
           .isIdentity())
    return std::nullopt;
  SmallVector<Value> reads;
  for (OpOperand *input : consumer.getDpsInputOperands()) {
    AffineMap map = consumer.getMatchingIndexingMap(input);
    if (input->get() == c) {
      if (!map.isIdentity())
        return std::nullopt;
      continue;
    }
    std::optional<SmallVector<EpilogueIndex>> kinds = classifyEpilogueMap(map);
    Type elem = getElementTypeOrSelf(input->get().getType());
    if (!kinds || !isVectorizableElement(elem) ||
        !dom.properlyDominates(input->get(), matmul))
      return std::nullopt;
    if (!kinds->empty() && kinds->back() == EpilogueIndex::Col &&
        !isStaticUnitStride(input->get()))
      return std::nullopt;
    reads.push_back(input->get());
  }
  // The body must be elementwise scalar arithmetic, with captured values
  // available at the matmul.
  for (Operation &op : consumer.getBody()->without_terminator()) {
    if (op.getNumRegions() != 0 || op.getNumResults() != 1 ||
        !(op.hasTrait<OpTrait::Vectorizable>() || isa<arith::ConstantOp>(op)))
      return std::nullopt;
    if (!isVectorizableElement(op.getResult(0).getType()) &&
        !op.getResult(0).getType().isInteger(1))
      return std::nullopt;
    for (Value operand : op.getOperands())
      if (operand.getParentBlock() != consumer.getBody() &&
          (!dom.properlyDominates(operand, matmul) ||
           !isVectorizableElement(operand.getType())))
        return std::nullopt;
  }
  // The output is written, and the inputs read, where the matmul is.
  auto outAlloc = out.getDefiningOp<memref::AllocOp>();
  bool movableAlloc = outAlloc && outAlloc->getBlock() == matmul->getBlock() &&
                      outAlloc.getDynamicSizes().empty() &&
                      outAlloc.getSymbolOperands().empty();
  if (!movableAlloc && !dom.properlyDominates(out, matmul))
    return std::nullopt;
  if (!safeToHoist(matmul, consumer, reads, {out}))
    return std::nullopt;
  if (movableAlloc && !dom.properlyDominates(out, matmul))
    outAlloc->moveBefore(matmul);
  return MatmulEpilogue{consumer, out};
}

/// The 2-D transpose that writes `operand`, a private buffer of the matmul,
/// when its source is not written between it and the matmul.
static linalg::TransposeOp findTransposeProducer(linalg::MatmulOp matmul,
                                                Value operand) {
  if (!operand.getDefiningOp<memref::AllocOp>())
    return {};
  auto producer = dyn_cast_or_null<linalg::TransposeOp>(soleOtherUser(
      operand, [&](Operation *user) { return user == matmul; }));
  if (!producer || producer.getInit() != operand ||
      producer->getBlock() != matmul->getBlock() ||
      !producer->isBeforeInBlock(matmul) ||
      producer.getPermutation() != ArrayRef<int64_t>{1, 0})
    return {};
  auto srcType = dyn_cast<MemRefType>(producer.getInput().getType());
  if (!srcType || !srcType.hasStaticShape() ||
      !safeToHoist(producer, matmul, {producer.getInput()}, {}))
    return {};
  return producer;
}

MatmulFusions tg::findMatmulFusions(linalg::MatmulOp matmul,
                                    DominanceInfo &dom) {
  MatmulFusions f;
  Value c = matmul.getOutputs()[0];
  f.zeroFill = findZeroFill(matmul, c);
  f.aTranspose = findTransposeProducer(matmul, matmul.getInputs()[0]);
  f.bTranspose = findTransposeProducer(matmul, matmul.getInputs()[1]);
  auto cType = cast<MemRefType>(c.getType());
  if (cType.hasStaticShape())
    f.epilogue =
        findEpilogue(matmul, c, cType.getDimSize(0), cType.getDimSize(1), dom);
  return f;
}

void tg::eraseMatmulAndFusions(Operation *kernelOp, MatmulFusions fused) {
  // Each operand once: a buffer read twice is erased once.
  llvm::SetVector<Value> operands(kernelOp->operand_begin(),
                                  kernelOp->operand_end());
  kernelOp->erase();
  if (fused.zeroFill)
    fused.zeroFill.erase();
  if (fused.epilogue)
    fused.epilogue->op.erase();
  for (linalg::TransposeOp transpose : {fused.aTranspose, fused.bTranspose})
    if (transpose)
      transpose.erase();
  for (Value buffer : operands) {
    // Views (reshapes, subviews) that only the kernel op read go too, down
    // to the buffer they view.
    while (Operation *view = buffer.getDefiningOp()) {
      if (!makesView(view) || !view->use_empty())
        break;
      buffer = viewSource(view);
      view->erase();
    }
    auto alloc = buffer.getDefiningOp<memref::AllocOp>();
    if (!alloc || !llvm::all_of(buffer.getUsers(), [](Operation *user) {
          return isa<memref::DeallocOp>(user);
        }))
      continue;
    for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
      user->erase();
    alloc.erase();
  }
}
