//===- GpuMatmulKernels.cpp - Shared-memory tiled GPU matmul kernels -----===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td (-tg-gpu-matmul-kernels). Turns a float contraction on
// buffers (matmul, batched or broadcast matmul, a convolution as an implicit
// GEMM) into one gpu.launch whose body is written out here: upstream's path
// to the GPU (convert-linalg-to-parallel-loops, then
// convert-parallel-loops-to-gpu) maps one thread to each output element,
// which leaves a matmul reading its operands from global memory K times per
// element. Upstream's transform-dialect route (tile to forall, promote to
// workgroup memory, map to threads) needs a strategy script per op shape, and
// the copies into shared memory that promotion creates need distributing over
// the threads by further transforms; the kernel here is small enough to
// write directly, and the fusions around a matmul (MatmulFusion.h) are
// shared with the CPU micro-kernels.
//
// Operands are indexed through the op's indexing maps, so transposed,
// broadcast and batched forms take the same path: the M (N, K, batch) loops
// are flattened into one linear index and delinearized where an operand is
// read (KernelBuilder.h).
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/GPU/Passes.h"

#include "tg/Codegen/GPU/KernelBuilder.h"

#include "tg/Codegen/Common/MatmulFusion.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <numeric>

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGGPUMATMULKERNELSPASS
#include "tg/Codegen/GPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;
using namespace mlir::tg::kernels;

namespace {

/// How a block multiplies its tiles: FMAs on each thread's register tile,
/// or warp-wide tensor-core instructions (`nvgpu.mma.sync`): m16n8k16 on
/// f16 operands, m16n8k8 on f32 operands reduced to TF32 (low 13 mantissa
/// bits dropped).
enum class MmaKind { None, F16, TF32 };

struct MatmulTiling {
  int64_t bm, bn, bk, tm, tn;
  MmaKind mma = MmaKind::None;
  // Tensor-core tiles: 64x64 per block of 4 warps (2x2), 32x32 per warp
  // (2x4 instructions of 16x8), one instruction's depth per step.
  static constexpr int64_t kMmaBlock = 64, kMmaWarpTile = 32,
                           kMmaThreads = 128;
  int64_t threadsX() const { return mma != MmaKind::None ? kMmaThreads : bn / tn; }
  int64_t threadsY() const { return mma != MmaKind::None ? 1 : bm / tm; }
  int64_t threads() const { return threadsX() * threadsY(); }
  /// Accumulators per thread: its register tile, or its share of the
  /// warp's 2x4 16x8 f32 tiles.
  int64_t accumulators() const {
    return mma != MmaKind::None ? 2 * 4 * 4 : tm * tn;
  }
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

/// Whether `body` is `yield out + in0 * in1` (in either operand order),
/// the operands possibly extended to the output's type first (f16 products
/// accumulated in f32).
bool isMulAddBody(Block &body) {
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value out = body.getArgument(2);
  Value product = add.getLhs() == out ? add.getRhs() : add.getLhs();
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul || (add.getLhs() != out && add.getRhs() != out))
    return false;
  auto source = [](Value v) {
    auto ext = v.getDefiningOp<arith::ExtFOp>();
    return ext ? ext.getIn() : v;
  };
  Value x = body.getArgument(0), y = body.getArgument(1);
  Value l = source(mul.getLhs()), r = source(mul.getRhs());
  size_t extensions = (l != mul.getLhs()) + (r != mul.getRhs());
  return body.getOperations().size() == 3 + extensions &&
         ((l == x && r == y) || (l == y && r == x));
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
  // Operands of one float type; the output of that type, or f32 for f16
  // and bf16 operands.
  Type t = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  Type in = getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType());
  if (!isa<FloatType>(t) ||
      getElementTypeOrSelf(op.getDpsInputOperand(1)->get().getType()) != in ||
      (in != t && !(t.isF32() && (in.isF16() || in.isBF16()))))
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

/// x + c, or x itself for c = 0 (index arithmetic of fragment positions).
Value addConstant(OpBuilder &b, Location loc, Value x, int64_t c) {
  return c ? arith::AddIOp::create(b, loc, x, cst(b, loc, c)).getResult() : x;
}

/// One step of `tile.bk` of the FMA kernel: this thread's register tile
/// (rows ty + i * threadsY, columns tx + j * threadsX) += its strips of the
/// k-major shared tiles. The k steps are unrolled here (shared-memory
/// offsets become constants; NVPTX did not unroll the loop by itself).
SmallVector<Value> fmaStep(OpBuilder &b, Location loc, const MatmulTiling &tile,
                           Value aShared, Value bShared, Value tx, Value ty,
                           function_ref<Value(Value)> widen,
                           SmallVector<Value> acc) {
  for (int64_t kk = 0; kk < tile.bk; ++kk) {
    Value kIdx = cst(b, loc, kk);
    SmallVector<Value> as, bs;
    for (int64_t i = 0; i < tile.tm; ++i) {
      Value r = arith::AddIOp::create(b, loc, ty,
                                      cst(b, loc, i * tile.threadsY()));
      as.push_back(widen(
          memref::LoadOp::create(b, loc, aShared, ValueRange{kIdx, r})));
    }
    for (int64_t j = 0; j < tile.tn; ++j) {
      Value c = arith::AddIOp::create(b, loc, tx,
                                      cst(b, loc, j * tile.threadsX()));
      bs.push_back(widen(
          memref::LoadOp::create(b, loc, bShared, ValueRange{kIdx, c})));
    }
    for (int64_t i = 0; i < tile.tm; ++i)
      for (int64_t j = 0; j < tile.tn; ++j)
        acc[i * tile.tn + j] =
            math::FmaOp::create(b, loc, as[i], bs[j], acc[i * tile.tn + j]);
  }
  return acc;
}

/// One step (one instruction's depth) of the tensor-core kernel: the warp's
/// 2x4 tiles of 16x8 f32 accumulators += its 32-row strip of A times its
/// 32-column strip of B, read from the k-major shared tiles into PTX's
/// fragment layouts. For lane (group, inGroup), register r of A holds row
/// group + 8 * (r % 2) and k from 2 * inGroup (f16, two per register) or
/// inGroup (TF32), plus half the depth when r >= 2; register r of B holds
/// column group and the same k, plus half the depth when r = 1.
SmallVector<Value> mmaStep(OpBuilder &b, Location loc, MmaKind kind,
                           Value aShared, Value bShared, Value warpRow,
                           Value warpCol, Value group, Value inGroup,
                           SmallVector<Value> acc) {
  bool f16 = kind == MmaKind::F16;
  int64_t depth = f16 ? 16 : 8, perRegister = f16 ? 2 : 1;
  Type element = f16 ? Type(b.getF16Type()) : Type(b.getF32Type());
  Value kBase =
      f16 ? arith::MulIOp::create(b, loc, inGroup, cst(b, loc, 2)).getResult()
          : inGroup;
  auto load = [&](Value tile, Value k, Value mn) -> Value {
    return memref::LoadOp::create(b, loc, tile, ValueRange{k, mn});
  };
  SmallVector<Value> aFragments, bFragments;
  for (int64_t mi = 0; mi < 2; ++mi) {
    Value row = addConstant(
        b, loc, arith::AddIOp::create(b, loc, warpRow, group), mi * 16);
    SmallVector<Value> elements;
    for (int64_t r = 0; r < 4; ++r)
      for (int64_t e = 0; e < perRegister; ++e)
        elements.push_back(
            load(aShared, addConstant(b, loc, kBase, e + (r / 2) * depth / 2),
                 addConstant(b, loc, row, (r % 2) * 8)));
    aFragments.push_back(vector::FromElementsOp::create(
        b, loc, VectorType::get({4, perRegister}, element), elements));
  }
  for (int64_t ni = 0; ni < 4; ++ni) {
    Value col = addConstant(
        b, loc, arith::AddIOp::create(b, loc, warpCol, group), ni * 8);
    SmallVector<Value> elements;
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t e = 0; e < perRegister; ++e)
        elements.push_back(
            load(bShared, addConstant(b, loc, kBase, e + r * depth / 2), col));
    bFragments.push_back(vector::FromElementsOp::create(
        b, loc, VectorType::get({2, perRegister}, element), elements));
  }
  auto cType = VectorType::get({2, 2}, b.getF32Type());
  for (int64_t mi = 0; mi < 2; ++mi)
    for (int64_t ni = 0; ni < 4; ++ni) {
      int64_t base = (mi * 4 + ni) * 4;
      Value c = vector::FromElementsOp::create(
          b, loc, cType, ArrayRef<Value>(acc).slice(base, 4));
      Value d = nvgpu::MmaSyncOp::create(b, loc, aFragments[mi],
                                         bFragments[ni], c,
                                         ArrayRef<int64_t>{16, 8, depth},
                                         /*tf32Enabled=*/!f16);
      for (int64_t r = 0; r < 4; ++r)
        acc[base + r] = vector::ExtractOp::create(
            b, loc, d, ArrayRef<int64_t>{r / 2, r % 2});
    }
  return acc;
}

void buildMatmulKernel(linalg::LinalgOp op,
                       const linalg::ContractionDimensions &dims,
                       const MatmulTiling &tile,
                       tg::MatmulFusions fused) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  MLIRContext *ctx = op->getContext();
  // C's element type, and the operands' (f16 operands may accumulate into
  // an f32 C).
  Type t = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  Type inType = getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType());
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
  Type aTile = workgroupBuffer({tile.bk, tile.bm + 1}, inType);
  Type bTile = workgroupBuffer({tile.bk, tile.bn + 1}, inType);
  gpu::LaunchOp launch = createLaunch(
      b, loc, {ceilDiv(n, tile.bn), ceilDiv(m, tile.bm), batch},
      {tile.threadsX(), tile.threadsY(), 1}, {aTile, bTile});
  bool tensorCores = tile.mma != MmaKind::None;
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
  SmallVector<Value> init(tile.accumulators(), zero);
  // Tensor cores: this thread's warp, its 32x32 quarter of the block tile,
  // and its lane's group (row) and place in the group (column pair).
  Value warpRow, warpCol, group, inGroup;
  if (tensorCores) {
    Value warp = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 32));
    Value lane = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 32));
    warpRow = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, warp, cst(b, loc, 2)),
        cst(b, loc, MatmulTiling::kMmaWarpTile));
    warpCol = arith::MulIOp::create(
        b, loc, arith::RemUIOp::create(b, loc, warp, cst(b, loc, 2)),
        cst(b, loc, MatmulTiling::kMmaWarpTile));
    group = arith::DivUIOp::create(b, loc, lane, cst(b, loc, 4));
    inGroup = arith::RemUIOp::create(b, loc, lane, cst(b, loc, 4));
  }
  // Where accumulator `idx` of this thread lies in the block tile.
  auto accumulatorPosition = [&](int64_t idx) -> std::pair<Value, Value> {
    if (!tensorCores)
      return {addConstant(b, loc, ty, (idx / tile.tn) * tile.threadsY()),
              addConstant(b, loc, tx, (idx % tile.tn) * tile.threadsX())};
    // Instruction (mi, ni) of the warp's 2x4; in its 16x8 tile, register r
    // is row group + 8 * (r / 2), column 2 * inGroup + r % 2 (PTX's
    // m16n8 accumulator layout).
    int64_t mi = idx / 16, ni = (idx / 4) % 4, r = idx % 4;
    Value col = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, inGroup, cst(b, loc, 2)),
        cst(b, loc, ni * 8 + r % 2));
    return {addConstant(b, loc, arith::AddIOp::create(b, loc, warpRow, group),
                        mi * 16 + (r / 2) * 8),
            arith::AddIOp::create(b, loc, warpCol, col)};
  };
  auto kLoop =
      scf::ForOp::create(b, loc, zeroIdx, k, cst(b, loc, tile.bk), init);
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
                              applyMap(b, loc, maps[isA ? 0 : 1], ivs), inType);
        memref::StoreOp::create(b, loc, v, isA ? aShared : bShared,
                                isA ? ValueRange{c, r} : ValueRange{r, c});
      }
    };
    copyTile(/*isA=*/true, tile.bm, tile.bk, aAlongM);
    copyTile(/*isA=*/false, tile.bk, tile.bn, /*rowsFastest=*/bAlongK);
    gpu::BarrierOp::create(b, loc);
    SmallVector<Value> acc(kLoop.getRegionIterArgs());
    if (tensorCores)
      acc = mmaStep(b, loc, tile.mma, aShared, bShared, warpRow, warpCol,
                    group, inGroup, acc);
    else
      acc = fmaStep(b, loc, tile, aShared, bShared, tx, ty, widen, acc);
    // Nobody overwrites the tiles before everyone has read them.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, acc);
  }
  // C (+)= the register tile, or the epilogue of it, where it lies inside C.
  for (int64_t idx = 0; idx < tile.accumulators(); ++idx) {
    {
      auto [rowOffset, colOffset] = accumulatorPosition(idx);
      Value gm = arith::AddIOp::create(b, loc, row0, rowOffset);
      Value gn = arith::AddIOp::create(b, loc, col0, colOffset);
      Value ok = arith::AndIOp::create(b, loc, inBounds(b, loc, gm, m),
                                       inBounds(b, loc, gn, n));
      auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      SmallVector<Value> indices =
          applyMap(b, loc, maps[2], point(gm, gn, {}));
      Value value = kLoop.getResult(idx);
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
    for (auto [job, fused] : llvm::zip(work, fusions)) {
      Type in = getElementTypeOrSelf(
          job.first.getDpsInputOperand(0)->get().getType());
      MmaKind mma = in.isF16() && tensorCores ? MmaKind::F16
                    : in.isF32() && tensorCores && tf32 ? MmaKind::TF32
                                              : MmaKind::None;
      MatmulTiling chosen =
          mma == MmaKind::None
              ? chooseTiling(tile, job.first, job.second, minBlocks)
              : MatmulTiling{MatmulTiling::kMmaBlock, MatmulTiling::kMmaBlock,
                             mma == MmaKind::F16 ? 16 : 8, 1, 1, mma};
      buildMatmulKernel(job.first, job.second, chosen, fused);
    }
  }
};

} // namespace
