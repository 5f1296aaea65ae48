//===- GpuKernels.cpp - Shared-memory GPU kernels for linalg on buffers ---===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td (-tg-gpu-matmul-kernels, -tg-gpu-block-reductions, and
// -tg-gpu-flatten-parallel-loops for the other ops' mapping). The first two
// turn one linalg op on buffers into one gpu.launch whose body is written
// out here: upstream's path to the GPU (convert-linalg-to-parallel-loops,
// then convert-parallel-loops-to-gpu) maps one thread to each output
// element, which leaves a matmul reading its operands from global memory
// K times per element and a row reduction on one thread per row. Upstream's
// transform-dialect route (tile to forall, promote to workgroup memory, map
// to threads) needs a strategy script per op shape, and the copies into
// shared memory that promotion creates need distributing over the threads
// by further transforms; the two kernels here are small enough to write
// directly, and the fusions around a matmul (MatmulFusion.h) are shared
// with the CPU micro-kernels.
//
// Both passes index operands through the op's indexing maps, so transposed,
// broadcast and batched forms take the same path: loops of a group (the M
// loops of a matmul, the reduction loops of a reduction) are flattened into
// one linear index and delinearized where an operand is read.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/GPU/Passes.h"

#include "tg/Codegen/Common/MatmulFusion.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <numeric>

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGGPUMATMULKERNELSPASS
#define GEN_PASS_DEF_TGGPUBLOCKREDUCTIONSPASS
#define GEN_PASS_DEF_TGGPUFLATTENPARALLELLOOPSPASS
#include "tg/Codegen/GPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {

Value cst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// Whether `op` already runs in a kernel or a parallel loop (where another
/// kernel cannot be launched).
bool inKernelOrParallelLoop(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() ||
         op->getParentOfType<scf::ParallelOp>();
}

/// The product of the static sizes of the loops `dims` among `ranges`
/// (`LinalgOp::getStaticLoopRanges`), if none is dynamic.
std::optional<int64_t> staticGroupSize(ArrayRef<int64_t> ranges,
                                       ArrayRef<unsigned> dims) {
  int64_t n = 1;
  for (unsigned d : dims) {
    if (ShapedType::isDynamic(ranges[d]))
      return std::nullopt;
    n *= ranges[d];
  }
  return n;
}

/// The sizes of `op`'s loops, as index values computed before the launch.
SmallVector<Value> loopSizes(OpBuilder &b, linalg::LinalgOp op) {
  SmallVector<Value> sizes;
  for (Range r : op.createLoopRanges(b, op.getLoc()))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, op.getLoc(), r.size));
  return sizes;
}

/// The product of the sizes of the loops in `dims`.
Value groupSize(OpBuilder &b, Location loc, ArrayRef<Value> sizes,
                ArrayRef<unsigned> dims) {
  Value n = cst(b, loc, 1);
  for (unsigned d : dims)
    n = b.createOrFold<arith::MulIOp>(loc, n, sizes[d]);
  return n;
}

/// Sets `ivs[dims[i]]` to the i-th coordinate of `linear` in the row-major
/// space of the loops `dims` (the last one varies fastest).
void delinearize(OpBuilder &b, Location loc, Value linear,
                 ArrayRef<Value> sizes, ArrayRef<unsigned> dims,
                 MutableArrayRef<Value> ivs) {
  if (dims.empty())
    return;
  for (unsigned d : llvm::reverse(dims.drop_front())) {
    ivs[d] = arith::RemUIOp::create(b, loc, linear, sizes[d]);
    linear = arith::DivUIOp::create(b, loc, linear, sizes[d]);
  }
  ivs[dims.front()] = linear;
}

/// The indices of an operand with indexing map `map` at the loop point `ivs`.
SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ArrayRef<Value> ivs) {
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      indices.push_back(ivs[d.getPosition()]);
    else if (auto c = dyn_cast<AffineConstantExpr>(e))
      indices.push_back(cst(b, loc, c.getValue()));
    else
      indices.push_back(affine::AffineApplyOp::create(
          b, loc, AffineMap::get(map.getNumDims(), 0, e), ivs));
  }
  return indices;
}

Value inBounds(OpBuilder &b, Location loc, Value i, Value n) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, i, n);
}

/// `memref[indices]` where `cond` holds, zero elsewhere.
Value guardedLoad(OpBuilder &b, Location loc, Value cond, Value memref,
                  ValueRange indices, Type elementType) {
  auto ifOp = scf::IfOp::create(
      b, loc, cond,
      [&](OpBuilder &b, Location loc) {
        scf::YieldOp::create(
            b, loc, Value(memref::LoadOp::create(b, loc, memref, indices)));
      },
      [&](OpBuilder &b, Location loc) {
        scf::YieldOp::create(
            b, loc,
            Value(arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType))));
      });
  return ifOp.getResult(0);
}

MemRefType workgroupBuffer(ArrayRef<int64_t> shape, Type elementType) {
  MLIRContext *ctx = elementType.getContext();
  return MemRefType::get(
      shape, elementType, MemRefLayoutAttrInterface{},
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup));
}

/// A launch of `grid` x `block` threads with the given workgroup buffers;
/// the builder is left at the start of its body, before the terminator.
gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, ArrayRef<Value> grid,
                           ArrayRef<int64_t> block,
                           TypeRange workgroupBuffers) {
  auto launch = gpu::LaunchOp::create(
      b, loc, grid[0], grid[1], grid[2], cst(b, loc, block[0]),
      cst(b, loc, block[1]), cst(b, loc, block[2]),
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      ValueRange{}, workgroupBuffers);
  Block &body = launch.getBody().front();
  b.setInsertionPointToEnd(&body);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&body);
  return launch;
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

struct MatmulTiling {
  int64_t bm, bn, bk, tm, tn;
  int64_t threadsX() const { return bn / tn; }
  int64_t threadsY() const { return bm / tm; }
  int64_t threads() const { return threadsX() * threadsY(); }
  bool valid() const {
    return bm > 0 && bn > 0 && bk > 0 && tm > 0 && tn > 0 && bm % tm == 0 &&
           bn % tn == 0 && threads() <= 1024 && (bm * bk) % threads() == 0 &&
           (bk * bn) % threads() == 0;
  }
};

/// `tile`, or a smaller one for a matmul too small to give the GPU
/// `minBlocks` blocks: block and thread tiles are halved together (the
/// thread count stays) down to 32 rows or columns, while the grid is short.
/// A 256x512 product gets 128 blocks of 32x32 instead of 8 of 128x128.
MatmulTiling chooseTiling(MatmulTiling tile, linalg::LinalgOp op,
                          const linalg::ContractionDimensions &dims,
                          int64_t minBlocks) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  std::optional<int64_t> m = staticGroupSize(ranges, dims.m),
                         n = staticGroupSize(ranges, dims.n),
                         batch = staticGroupSize(ranges, dims.batch);
  if (!m || !n || !batch)
    return tile;
  auto blocks = [&](const MatmulTiling &t) -> int64_t {
    return llvm::divideCeil(*m, t.bm) * llvm::divideCeil(*n, t.bn) * *batch;
  };
  while (blocks(tile) < minBlocks) {
    MatmulTiling half{tile.bm / 2, tile.bn / 2, tile.bk, tile.tm / 2,
                      tile.tn / 2};
    if (tile.bm % 2 || tile.bn % 2 || tile.tm % 2 || tile.tn % 2 ||
        half.bm < 32 || half.bn < 32 || !half.valid())
      break;
    tile = half;
  }
  return tile;
}

/// Whether `body` is `yield out + in0 * in1` (in either operand order).
bool isMulAddBody(Block &body) {
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 3 || yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value out = body.getArgument(2);
  Value product = add.getLhs() == out ? add.getRhs() : add.getLhs();
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul || (add.getLhs() != out && add.getRhs() != out))
    return false;
  Value x = body.getArgument(0), y = body.getArgument(1);
  return (mul.getLhs() == x && mul.getRhs() == y) ||
         (mul.getLhs() == y && mul.getRhs() == x);
}

/// A convolution (no depthwise loops) as an implicit GEMM: M is the batch
/// and output image loops, N the output channels, K the filter loops and
/// input channels. The input is read through its map (oh * stride + kh *
/// dilation, ...) as the A operand; no patches are materialized.
FailureOr<linalg::ContractionDimensions> convolutionAsGemm(linalg::LinalgOp op) {
  if (!linalg::isaConvolutionOpInterface(op))
    return failure();
  FailureOr<linalg::ConvolutionDimensions> conv =
      linalg::inferConvolutionDims(op);
  if (failed(conv) || !conv->depth.empty() || conv->outputChannel.empty() ||
      conv->filterLoop.empty() || conv->inputChannel.empty())
    return failure();
  linalg::ContractionDimensions dims;
  auto group = [](ArrayRef<unsigned> a, ArrayRef<unsigned> b) {
    SmallVector<unsigned, 2> g(a);
    g.append(b.begin(), b.end());
    llvm::sort(g);
    return g;
  };
  dims.m = group(conv->batch, conv->outputImage);
  dims.n = conv->outputChannel;
  dims.k = group(conv->filterLoop, conv->inputChannel);
  return dims;
}

/// Whether `op` is a float contraction this kernel computes: a multiply-add
/// body over operands of one element type, loops in batch/M/N/K groups (a
/// convolution's included, as an implicit GEMM).
FailureOr<linalg::ContractionDimensions> matchContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return failure();
  Type t = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  if (!isa<FloatType>(t))
    return failure();
  for (OpOperand *in : op.getDpsInputOperands())
    if (getElementTypeOrSelf(in->get().getType()) != t)
      return failure();
  if (inKernelOrParallelLoop(op))
    return failure();
  // Exactly `out + in0 * in1`: upstream's contraction matcher also accepts
  // unary ops on the operands (a negf or exp fused into a batched matmul),
  // which this kernel would drop.
  if (!isMulAddBody(*op.getBlock()))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::isaContractionOpInterface(op) ? linalg::inferContractionDims(op)
                                            : convolutionAsGemm(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return failure();
  // Every loop in exactly one group.
  if (dims->batch.size() + dims->m.size() + dims->n.size() + dims->k.size() !=
      op.getNumLoops())
    return failure();
  // The batch is the grid's z dimension, at most 65535 blocks.
  std::optional<int64_t> batch =
      staticGroupSize(op.getStaticLoopRanges(), dims->batch);
  if (!batch || *batch > 65535)
    return failure();
  return dims;
}

/// The ops around a 2-D linalg.matmul that its kernel takes over (the
/// analyses are the CPU micro-kernels', MatmulFusion.h); none for other
/// contractions.
tg::MatmulFusions planFusions(linalg::LinalgOp op, DominanceInfo &dom) {
  auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
  if (!matmul || matmul.hasUserDefinedMaps())
    return {};
  return tg::findMatmulFusions(matmul, dom);
}

/// The loop dimension of `map`'s innermost result (the operand's
/// contiguous dimension), if it is a plain dimension.
std::optional<unsigned> innermostDim(AffineMap map) {
  if (map.getNumResults() == 0)
    return std::nullopt;
  if (auto d = dyn_cast<AffineDimExpr>(map.getResults().back()))
    return d.getPosition();
  return std::nullopt;
}

void buildMatmulKernel(linalg::LinalgOp op,
                       const linalg::ContractionDimensions &dims,
                       const MatmulTiling &tile,
                       tg::MatmulFusions fused) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  MLIRContext *ctx = op->getContext();
  Type t = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  Value aMem = op.getDpsInputOperand(0)->get();
  Value bMem = op.getDpsInputOperand(1)->get();
  Value cMem = op.getDpsInitOperand(0)->get();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // A transposed operand is read from the transpose's source (linalg.matmul:
  // d0 = m, d1 = n, d2 = k).
  AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx),
             d2 = getAffineDimExpr(2, ctx);
  if (fused.aTranspose) {
    aMem = fused.aTranspose.getInput();
    maps[0] = AffineMap::get(3, 0, {d2, d0}, ctx);
  }
  if (fused.bTranspose) {
    bMem = fused.bTranspose.getInput();
    maps[1] = AffineMap::get(3, 0, {d1, d2}, ctx);
  }
  // Consecutive threads load along each operand's contiguous dimension.
  std::optional<unsigned> aInner = innermostDim(maps[0]);
  std::optional<unsigned> bInner = innermostDim(maps[1]);
  bool aAlongM = aInner && llvm::is_contained(dims.m, *aInner);
  bool bAlongK = bInner && llvm::is_contained(dims.k, *bInner);

  SmallVector<Value> sizes = loopSizes(b, op);
  Value m = groupSize(b, loc, sizes, dims.m);
  Value n = groupSize(b, loc, sizes, dims.n);
  Value k = groupSize(b, loc, sizes, dims.k);
  Value batch = groupSize(b, loc, sizes, dims.batch);
  auto ceilDiv = [&](Value x, int64_t d) {
    return arith::CeilDivUIOp::create(b, loc, x, cst(b, loc, d)).getResult();
  };
  // Both tiles k-major (A stored transposed), each row padded by one
  // element so that stores walking down a column fall in distinct banks.
  Type aTile = workgroupBuffer({tile.bk, tile.bm + 1}, t);
  Type bTile = workgroupBuffer({tile.bk, tile.bn + 1}, t);
  gpu::LaunchOp launch = createLaunch(
      b, loc, {ceilDiv(n, tile.bn), ceilDiv(m, tile.bm), batch},
      {tile.threadsX(), tile.threadsY(), 1}, {aTile, bTile});
  Value aShared = launch.getWorkgroupAttributions()[0];
  Value bShared = launch.getWorkgroupAttributions()[1];
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value row0 = arith::MulIOp::create(b, loc, launch.getBlockIds().y,
                                     cst(b, loc, tile.bm));
  Value col0 = arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                                     cst(b, loc, tile.bn));
  Value tid = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, ty, cst(b, loc, tile.threadsX())),
      tx);
  Value zeroIdx = cst(b, loc, 0);
  // The loop point with batch coordinates set; M, N, K filled in per use.
  SmallVector<Value> base(op.getNumLoops(), zeroIdx);
  delinearize(b, loc, launch.getBlockIds().z, sizes, dims.batch, base);
  auto point = [&](Value mi, Value ni, Value ki) {
    SmallVector<Value> ivs = base;
    if (mi)
      delinearize(b, loc, mi, sizes, dims.m, ivs);
    if (ni)
      delinearize(b, loc, ni, sizes, dims.n, ivs);
    if (ki)
      delinearize(b, loc, ki, sizes, dims.k, ivs);
    return ivs;
  };
  // Element `l * threads + tid` of a rows x cols tile: (row, col), the
  // column varying fastest unless `rowsFastest`.
  auto tileElement = [&](int64_t l, int64_t rows, int64_t cols,
                         bool rowsFastest) -> std::pair<Value, Value> {
    Value idx =
        arith::AddIOp::create(b, loc, tid, cst(b, loc, l * tile.threads()));
    if (rowsFastest)
      return {arith::RemUIOp::create(b, loc, idx, cst(b, loc, rows)),
              arith::DivUIOp::create(b, loc, idx, cst(b, loc, rows))};
    return {arith::DivUIOp::create(b, loc, idx, cst(b, loc, cols)),
            arith::RemUIOp::create(b, loc, idx, cst(b, loc, cols))};
  };

  // 16-bit floats are multiplied and accumulated in f32, as cuBLAS and
  // PyTorch do; the result is rounded once, when stored.
  Type accType = t.getIntOrFloatBitWidth() < 32 ? b.getF32Type() : t;
  auto widen = [&](Value v) -> Value {
    return v.getType() == accType
               ? v
               : arith::ExtFOp::create(b, loc, accType, v).getResult();
  };
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(accType));
  SmallVector<Value> init(tile.tm * tile.tn, zero);
  auto kLoop = scf::ForOp::create(b, loc, zeroIdx, k, cst(b, loc, tile.bk),
                                  init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(kLoop.getBody());
    Value k0 = kLoop.getInductionVar();
    // The block's threads copy the A tile (bm x bk) and the B tile
    // (bk x bn), zero outside the operands, both stored k-major.
    auto copyTile = [&](bool isA, int64_t rows, int64_t cols,
                        bool rowsFastest) {
      Value rowBase = isA ? row0 : k0, rowLimit = isA ? m : k;
      Value colBase = isA ? k0 : col0, colLimit = isA ? k : n;
      for (int64_t l = 0; l < rows * cols / tile.threads(); ++l) {
        auto [r, c] = tileElement(l, rows, cols, rowsFastest);
        Value gr = arith::AddIOp::create(b, loc, rowBase, r);
        Value gc = arith::AddIOp::create(b, loc, colBase, c);
        Value ok = arith::AndIOp::create(b, loc, inBounds(b, loc, gr, rowLimit),
                                         inBounds(b, loc, gc, colLimit));
        SmallVector<Value> ivs = isA ? point(gr, {}, gc) : point({}, gc, gr);
        Value v = guardedLoad(b, loc, ok, isA ? aMem : bMem,
                              applyMap(b, loc, maps[isA ? 0 : 1], ivs), t);
        memref::StoreOp::create(b, loc, v, isA ? aShared : bShared,
                                isA ? ValueRange{c, r} : ValueRange{r, c});
      }
    };
    copyTile(/*isA=*/true, tile.bm, tile.bk, aAlongM);
    copyTile(/*isA=*/false, tile.bk, tile.bn, /*rowsFastest=*/bAlongK);
    gpu::BarrierOp::create(b, loc);
    // Register tile: rows ty + i * threadsY, columns tx + j * threadsX.
    // The k steps are unrolled here (shared-memory offsets become
    // constants; NVPTX did not unroll the loop by itself).
    SmallVector<Value> acc(kLoop.getRegionIterArgs());
    for (int64_t kk = 0; kk < tile.bk; ++kk) {
      Value kIdx = cst(b, loc, kk);
      SmallVector<Value> as, bs;
      for (int64_t i = 0; i < tile.tm; ++i) {
        Value r = arith::AddIOp::create(
            b, loc, ty, cst(b, loc, i * tile.threadsY()));
        as.push_back(widen(
            memref::LoadOp::create(b, loc, aShared, ValueRange{kIdx, r})));
      }
      for (int64_t j = 0; j < tile.tn; ++j) {
        Value c = arith::AddIOp::create(
            b, loc, tx, cst(b, loc, j * tile.threadsX()));
        bs.push_back(widen(
            memref::LoadOp::create(b, loc, bShared, ValueRange{kIdx, c})));
      }
      for (int64_t i = 0; i < tile.tm; ++i)
        for (int64_t j = 0; j < tile.tn; ++j)
          acc[i * tile.tn + j] =
              math::FmaOp::create(b, loc, as[i], bs[j], acc[i * tile.tn + j]);
    }
    // Nobody overwrites the tiles before everyone has read them.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, acc);
  }
  // C (+)= the register tile, or the epilogue of it, where it lies inside C.
  for (int64_t i = 0; i < tile.tm; ++i) {
    Value gm = arith::AddIOp::create(
        b, loc, row0,
        arith::AddIOp::create(b, loc, ty, cst(b, loc, i * tile.threadsY())));
    for (int64_t j = 0; j < tile.tn; ++j) {
      Value gn = arith::AddIOp::create(
          b, loc, col0,
          arith::AddIOp::create(b, loc, tx, cst(b, loc, j * tile.threadsX())));
      Value ok = arith::AndIOp::create(b, loc, inBounds(b, loc, gm, m),
                                       inBounds(b, loc, gn, n));
      auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      SmallVector<Value> indices =
          applyMap(b, loc, maps[2], point(gm, gn, {}));
      Value value = kLoop.getResult(i * tile.tn + j);
      if (!fused.zeroFill)
        value = arith::AddFOp::create(
            b, loc,
            widen(memref::LoadOp::create(b, loc, cMem, indices)), value);
      if (accType != t)
        value = arith::TruncFOp::create(b, loc, t, value);
      if (!fused.epilogue) {
        memref::StoreOp::create(b, loc, value, cMem, indices);
        continue;
      }
      // The consumer's body on this element; its loops are (m, n).
      linalg::GenericOp consumer = fused.epilogue->op;
      Block *body = consumer.getBody();
      IRMapping map;
      for (OpOperand &operand : consumer->getOpOperands()) {
        BlockArgument arg = body->getArgument(operand.getOperandNumber());
        if (arg.use_empty())
          continue;
        if (operand.get() == cMem) {
          map.map(arg, value);
          continue;
        }
        map.map(arg, memref::LoadOp::create(
                         b, loc, operand.get(),
                         applyMap(b, loc,
                                  consumer.getMatchingIndexingMap(&operand),
                                  {gm, gn})));
      }
      for (Operation &inner : body->without_terminator())
        b.clone(inner, map);
      memref::StoreOp::create(
          b, loc, map.lookupOrDefault(body->getTerminator()->getOperand(0)),
          fused.epilogue->out, ValueRange{gm, gn});
    }
  }
  // Private buffers that nothing reads any more go away.
  tg::eraseMatmulAndFusions(op, fused);
}

struct TgGpuMatmulKernelsPass
    : tg::impl::TgGpuMatmulKernelsPassBase<TgGpuMatmulKernelsPass> {
  using Base::Base;
  void runOnOperation() override {
    MatmulTiling tile{blockM, blockN, blockK, threadM, threadN};
    if (!tile.valid()) {
      getOperation().emitError()
          << "-tg-gpu-matmul-kernels: the block tile must be a multiple of "
             "the thread tile, with at most 1024 threads, and both operand "
             "tiles a multiple of the thread count";
      return signalPassFailure();
    }
    // Planning may move an epilogue's output allocation above its matmul:
    // collect the matmuls first so that no walk visits one twice.
    SmallVector<std::pair<linalg::LinalgOp, linalg::ContractionDimensions>>
        work;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (auto dims = matchContraction(op); succeeded(dims))
        work.emplace_back(op, *dims);
    });
    DominanceInfo dom(getOperation());
    SmallVector<tg::MatmulFusions> fusions;
    for (auto &[op, dims] : work)
      fusions.push_back(planFusions(op, dom));
    for (auto [job, fused] : llvm::zip(work, fusions))
      buildMatmulKernel(job.first, job.second,
                        chooseTiling(tile, job.first, job.second, minBlocks),
                        fused);
  }
};

//===----------------------------------------------------------------------===//
// Block reductions
//===----------------------------------------------------------------------===//

struct Reduction {
  Operation *combiner;
  TypedAttr neutral;
};

/// Whether `op` is a reduction this kernel computes: one output, innermost
/// loop a reduction, one associative combiner with a neutral element.
FailureOr<Reduction> matchBlockReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() == 0 ||
      op.getIteratorTypesArray().back() != utils::IteratorType::reduction)
    return failure();
  if (inKernelOrParallelLoop(op))
    return failure();
  // The output is indexed by parallel loops only.
  for (AffineExpr e : op.getIndexingMapsArray().back().getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d ||
        op.getIteratorTypesArray()[d.getPosition()] != utils::IteratorType::parallel)
      return failure();
  }
  SmallVector<Operation *> combiners;
  if (!matchReduction(op.getRegionOutputArgs(), 0, combiners) ||
      combiners.size() != 1 || combiners[0]->getNumOperands() != 2 ||
      !combiners[0]->hasTrait<OpTrait::IsCommutative>())
    return failure();
  std::optional<TypedAttr> neutral = arith::getNeutralElement(combiners[0]);
  if (!neutral)
    return failure();
  return Reduction{combiners[0], *neutral};
}

/// Whether `op` is a reduction on buffers with a reduction loop outside a
/// parallel one (a column sum).
bool isColumnReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || inKernelOrParallelLoop(op))
    return false;
  bool seenReduction = false;
  for (utils::IteratorType it : op.getIteratorTypesArray()) {
    if (it == utils::IteratorType::reduction)
      seenReduction = true;
    else if (seenReduction)
      return true;
  }
  return false;
}

/// The atomic read-modify-write that applies `combiner`, if LLVM has one.
/// (memref.generic_atomic_rmw would take any combiner, but upstream lowers
/// it to an llvm.cmpxchg on floats, which LLVM rejects.)
std::optional<arith::AtomicRMWKind> atomicKind(Operation *combiner) {
  using K = arith::AtomicRMWKind;
  return llvm::TypeSwitch<Operation *, std::optional<K>>(combiner)
      .Case([](arith::AddFOp) { return K::addf; })
      .Case([](arith::AddIOp) { return K::addi; })
      .Case([](arith::MaximumFOp) { return K::maximumf; })
      .Case([](arith::MinimumFOp) { return K::minimumf; })
      .Case([](arith::MaxNumFOp) { return K::maxnumf; })
      .Case([](arith::MinNumFOp) { return K::minnumf; })
      .Case([](arith::MaxSIOp) { return K::maxs; })
      .Case([](arith::MaxUIOp) { return K::maxu; })
      .Case([](arith::MinSIOp) { return K::mins; })
      .Case([](arith::MinUIOp) { return K::minu; })
      .Case([](arith::OrIOp) { return K::ori; })
      .Case([](arith::AndIOp) { return K::andi; })
      .Default([](Operation *) { return std::nullopt; });
}

/// `combiner` applied to `x` and `y`.
Value combine(OpBuilder &b, Operation *combiner, Value x, Value y) {
  IRMapping map;
  map.map(combiner->getOperand(0), x);
  map.map(combiner->getOperand(1), y);
  return b.clone(*combiner, map)->getResult(0);
}

void buildReductionKernel(linalg::GenericOp op, const Reduction &red,
                          int64_t maxThreads, int64_t minBlocks,
                          int64_t minBlockLength) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  Value out = op.getDpsInitOperand(0)->get();
  Type t = getElementTypeOrSelf(out.getType());
  SmallVector<unsigned> parallel, reduction;
  for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray()))
    (it == utils::IteratorType::parallel ? parallel : reduction).push_back(i);
  SmallVector<Value> sizes = loopSizes(b, op);
  Value outputs = groupSize(b, loc, sizes, parallel);
  Value length = groupSize(b, loc, sizes, reduction);
  // Short reductions get fewer threads, down to a warp.
  int64_t threads = maxThreads;
  std::optional<int64_t> staticLength = getConstantIntValue(length);
  if (staticLength)
    threads = std::clamp<int64_t>(llvm::PowerOf2Ceil(*staticLength), 32,
                                  maxThreads);
  // Too few outputs to fill the GPU (a loss summed to a scalar): each
  // output's reduction is split over `splits` blocks, which combine their
  // totals into it atomically.
  int64_t splits = 1;
  std::optional<int64_t> staticOutputs = getConstantIntValue(outputs);
  std::optional<arith::AtomicRMWKind> kind = atomicKind(red.combiner);
  if (kind && staticLength && staticOutputs && *staticOutputs < minBlocks)
    splits = std::clamp<int64_t>(
        std::min<int64_t>(llvm::divideCeil(minBlocks, *staticOutputs),
                 *staticLength / minBlockLength),
        1, 65535);
  gpu::LaunchOp launch =
      createLaunch(b, loc, {outputs, cst(b, loc, splits), cst(b, loc, 1)},
                   {threads, 1, 1}, {workgroupBuffer({threads}, t)});
  Value scratch = launch.getWorkgroupAttributions()[0];
  Value tx = launch.getThreadIds().x;
  // Block y of an output folds the points y * threads + tx, then every
  // threads * splits further: a block's threads read consecutive addresses.
  Value start = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().y,
                            cst(b, loc, threads)),
      tx);
  SmallVector<Value> base(op.getNumLoops(), cst(b, loc, 0));
  delinearize(b, loc, launch.getBlockIds().x, sizes, parallel, base);

  // Each thread folds its loop points of the reduction, computing the
  // generic's body with its partial as the output.
  Value neutral = arith::ConstantOp::create(b, loc, red.neutral);
  auto loop = scf::ForOp::create(b, loc, start, length,
                                 cst(b, loc, threads * splits),
                                 ValueRange{neutral});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> ivs = base;
    delinearize(b, loc, loop.getInductionVar(), sizes, reduction, ivs);
    IRMapping map;
    Block *body = op.getBlock();
    for (OpOperand *in : op.getDpsInputOperands()) {
      Value arg = body->getArgument(in->getOperandNumber());
      if (!isa<ShapedType>(in->get().getType())) {
        map.map(arg, in->get());
        continue;
      }
      map.map(arg, memref::LoadOp::create(
                       b, loc, in->get(),
                       applyMap(b, loc, op.getMatchingIndexingMap(in), ivs)));
    }
    map.map(op.getRegionOutputArgs()[0], loop.getRegionIterArgs()[0]);
    for (Operation &inner : body->without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
        map.map(index.getResult(), ivs[index.getDim()]);
        continue;
      }
      b.clone(inner, map);
    }
    scf::YieldOp::create(
        b, loc, map.lookup(body->getTerminator()->getOperand(0)));
  }
  // The block's partials combined in a tree through workgroup memory.
  memref::StoreOp::create(b, loc, loop.getResult(0), scratch, ValueRange{tx});
  gpu::BarrierOp::create(b, loc);
  for (int64_t s = threads / 2; s > 0; s /= 2) {
    Value active = inBounds(b, loc, tx, cst(b, loc, s));
    auto ifOp = scf::IfOp::create(b, loc, active, /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value other = arith::AddIOp::create(b, loc, tx, cst(b, loc, s));
      Value x = memref::LoadOp::create(b, loc, scratch, ValueRange{tx});
      Value y = memref::LoadOp::create(b, loc, scratch, ValueRange{other});
      memref::StoreOp::create(b, loc, combine(b, red.combiner, x, y), scratch,
                              ValueRange{tx});
    }
    gpu::BarrierOp::create(b, loc);
  }
  auto first = scf::IfOp::create(b, loc, inBounds(b, loc, tx, cst(b, loc, 1)),
                                 /*withElseRegion=*/false);
  b.setInsertionPointToStart(first.thenBlock());
  SmallVector<Value> indices =
      applyMap(b, loc, op.getIndexingMapsArray().back(), base);
  Value total = memref::LoadOp::create(b, loc, scratch,
                                       ValueRange{cst(b, loc, 0)});
  if (splits == 1) {
    Value old = memref::LoadOp::create(b, loc, out, indices);
    memref::StoreOp::create(b, loc, combine(b, red.combiner, old, total), out,
                            indices);
  } else {
    memref::AtomicRMWOp::create(b, loc, *kind, total, out, indices);
  }
  op->erase();
}

struct TgGpuBlockReductionsPass
    : tg::impl::TgGpuBlockReductionsPassBase<TgGpuBlockReductionsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (minBlocks < 1 || minBlockLength < 1) {
      getOperation().emitError() << "-tg-gpu-block-reductions: min-blocks and "
                                    "min-block-length must be positive";
      return signalPassFailure();
    }
    if (blockSize < 32 || blockSize > 1024 || !llvm::isPowerOf2_64(blockSize)) {
      getOperation().emitError() << "-tg-gpu-block-reductions: block-size must "
                                    "be a power of two from 32 to 1024";
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::GenericOp, Reduction>> work;
    SmallVector<linalg::GenericOp> columnReductions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (auto red = matchBlockReduction(op); succeeded(red))
        work.emplace_back(op, *red);
      else if (isColumnReduction(op))
        columnReductions.push_back(op);
    });
    // Parallel loops outermost: the parallel-loop mapping then makes one
    // kernel whose threads each loop over the reduction, instead of one
    // kernel per step of an outer reduction loop.
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : columnReductions) {
      SmallVector<unsigned> order;
      for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray()))
        if (it == utils::IteratorType::parallel)
          order.push_back(i);
      for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray()))
        if (it != utils::IteratorType::parallel)
          order.push_back(i);
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, order)))
        return signalPassFailure();
    }
    for (auto &[op, red] : work)
      buildReductionKernel(op, red, blockSize, minBlocks, minBlockLength);
  }
};

//===----------------------------------------------------------------------===//
// Flat parallel loops
//===----------------------------------------------------------------------===//

struct TgGpuFlattenParallelLoopsPass
    : tg::impl::TgGpuFlattenParallelLoopsPassBase<
          TgGpuFlattenParallelLoopsPass> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp op) {
      if (op.getNumLoops() > 1 && !inKernelOrParallelLoop(op))
        loops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp op : loops) {
      std::vector<unsigned> all(op.getNumLoops());
      std::iota(all.begin(), all.end(), 0);
      rewriter.setInsertionPoint(op);
      collapseParallelLoops(rewriter, op, {all});
    }
  }
};

} // namespace
