//===- MatmulMicrokernels.cpp - Packed, register-blocked f32 matmul -------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td for what the generated code looks like. Why a pass of our
// own rather than a transform-dialect schedule of upstream transforms: with
// MLIR 22, the accumulator tile stops being hoisted out of the k loop as soon
// as cache-level tiling or scf.forall is added (hoist_redundant_vector_
// transfers leaves the C loads and stores inside the k loop, ~4x slower),
// partial tiles are left scalar, and a plain structured.pack lowers to scalar
// copies (docs/performance-notes.md has the measurements). Building the loop
// nest directly keeps the accumulators in loop-carried vectors by
// construction, handles edges with masks, and lets the elementwise consumer
// run on the tile while it is still in registers.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/CPU/Passes.h"

#include "tg/Codegen/Common/MatmulFusion.h"

#include "mlir/Analysis/FlatLinearValueConstraints.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGMATMULMICROKERNELSPASS
#include "tg/Codegen/CPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;
using namespace mlir::tg;

namespace {

/// Register tile (mr x nr), cache blocks (kc deep, mc rows) and the number of
/// B panels (ng) one parallel iteration covers.
struct Blocking {
  int64_t mr, nr, kc, mc, ng;
};

/// A matmul this pass rewrites, with everything found around it.
/// A sum over the rows of the epilogue's output (a dense layer's bias
/// gradient), accumulated from the tile registers instead of re-reading it.
struct ColumnSum {
  linalg::GenericOp op;
  Value out; // memref<n x f32>, accumulated into
};

/// A left operand that is the `[imgs*rows*ow, kh*kw*c]` view of a
/// convolution's im2col copy (-tg-prepare-cpu-matmuls builds one per tile
/// of output rows): patches[b, y, x, i, j, ch] = source[b, y*sh + i*dh,
/// x*sw + j*dw, ch]. The kernel reads the receptive fields from the source
/// instead (an implicit GEMM), so the copy, kh*kw times the size of the
/// tile's input, is never written nor read back.
struct Im2col {
  linalg::GenericOp copy;
  Value source; // [imgs, inRows, width, c]
  // The patches' shape [imgs, rows, ow, kh, kw, c] (less the images), the
  // strides and the dilations.
  int64_t rows, ow, kh, kw, c;
  int64_t sh, sw, dh, dw;
};

struct MatmulPlan {
  linalg::MatmulOp matmul;
  int64_t m, n, k;
  // The zero fill (replaced by a zero init), the transposes producing A or
  // B (their sources are read) and the epilogue.
  tg::MatmulFusions fused;
  std::optional<ColumnSum> columnSum;
  std::optional<Im2col> im2col;
};

} // namespace

/// Whether `v` is an f32 memref of static shape with unit innermost stride.
static bool isF32Operand(Value v) {
  return isStaticUnitStride(v) &&
         cast<MemRefType>(v.getType()).getElementType().isF32();
}

/// The column sum of the epilogue's output: a later generic in the block
/// with `out[j] += stored[i][j]` as its whole body, with nothing writing the
/// epilogue's output in between.
static std::optional<ColumnSum> findColumnSum(const tg::MatmulEpilogue &epilogue,
                                              int64_t m, int64_t n) {
  Value stored = epilogue.out;
  if (!getElementTypeOrSelf(stored.getType()).isF32())
    return std::nullopt;
  for (Operation *user : stored.getUsers()) {
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (!generic || generic == epilogue.op ||
        generic->getBlock() != epilogue.op->getBlock() ||
        !epilogue.op->isBeforeInBlock(generic) ||
        !generic.hasPureBufferSemantics() || generic.getNumDpsInputs() != 1 ||
        generic.getNumDpsInits() != 1 || generic.getDpsInputs()[0] != stored)
      continue;
    MLIRContext *ctx = generic.getContext();
    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    SmallVector<utils::IteratorType> iterators =
        generic.getIteratorTypesArray();
    if (maps[0] != AffineMap::get(2, 0, {d0, d1}, ctx) ||
        maps[1] != AffineMap::get(2, 0, {d1}, ctx) ||
        iterators[0] != utils::IteratorType::reduction ||
        iterators[1] != utils::IteratorType::parallel ||
        generic.getStaticLoopRanges() != SmallVector<int64_t>{m, n})
      continue;
    Value out = generic.getDpsInits()[0];
    if (!isStaticUnitStride(out) ||
        !getElementTypeOrSelf(out.getType()).isF32())
      continue;
    Block *body = generic.getBody();
    auto add = dyn_cast<arith::AddFOp>(body->front());
    Value in = body->getArgument(0), acc = body->getArgument(1);
    if (!add || body->getOperations().size() != 2 ||
        body->getTerminator()->getOperand(0) != add.getResult() ||
        !((add.getLhs() == in && add.getRhs() == acc) ||
          (add.getLhs() == acc && add.getRhs() == in)))
      continue;
    if (!safeToHoist(epilogue.op, generic, {stored}, {}))
      continue;
    return ColumnSum{generic, out};
  }
  return std::nullopt;
}

/// The im2col copy whose patches `a` views, read by nothing but `matmul`,
/// with its source not written in between.
static std::optional<Im2col> findIm2col(linalg::MatmulOp matmul, Value a) {
  auto collapse = a.getDefiningOp<memref::CollapseShapeOp>();
  if (!collapse)
    return std::nullopt;
  Value patches = collapse.getSrc();
  auto patchesType = cast<MemRefType>(patches.getType());
  SmallVector<ReassociationIndices> rowsAndFields{{0, 1, 2}, {3, 4, 5}};
  if (!patches.getDefiningOp<memref::AllocOp>() ||
      !patchesType.getLayout().isIdentity() ||
      collapse.getReassociationIndices() != rowsAndFields ||
      !collapse->hasOneUse())
    return std::nullopt;
  auto copy = dyn_cast_or_null<linalg::GenericOp>(soleOtherUser(
      patches, [&](Operation *user) { return user == collapse; }));
  if (!copy || copy->getBlock() != matmul->getBlock() ||
      !copy->isBeforeInBlock(matmul) || !copy.hasPureBufferSemantics() ||
      copy.getNumDpsInputs() != 1 || copy.getNumDpsInits() != 1 ||
      copy.getDpsInits()[0] != patches ||
      copy.getNumParallelLoops() != copy.getNumLoops())
    return std::nullopt;
  Block *body = copy.getBody();
  if (body->getOperations().size() != 1 ||
      body->getTerminator()->getOperand(0) != body->getArgument(0))
    return std::nullopt;
  Value source = copy.getDpsInputs()[0];
  if (!isF32Operand(source) ||
      cast<MemRefType>(source.getType()).getRank() != 4)
    return std::nullopt;
  SmallVector<AffineMap> maps = copy.getIndexingMapsArray();
  if (!maps[1].isIdentity() || maps[0].getNumDims() != 6)
    return std::nullopt;
  // source[d0, d1*sh + d3*dh, d2*sw + d4*dw, d5], as flattened linear
  // combinations (coefficients of d0..d5, then the constant).
  std::vector<SmallVector<int64_t, 8>> flat;
  if (failed(getFlattenedAffineExprs(maps[0], &flat, nullptr)))
    return std::nullopt;
  auto is = [&](unsigned result, ArrayRef<std::pair<unsigned, int64_t>> terms) {
    SmallVector<int64_t, 8> want(7, 0);
    for (auto [dim, coeff] : terms)
      want[dim] = coeff;
    return flat[result] == want;
  };
  ArrayRef<int64_t> shape = patchesType.getShape();
  Im2col im;
  im.copy = copy;
  im.source = source;
  std::tie(im.rows, im.ow, im.kh, im.kw, im.c) =
      std::make_tuple(shape[1], shape[2], shape[3], shape[4], shape[5]);
  std::tie(im.sh, im.sw, im.dh, im.dw) =
      std::make_tuple(flat[1][1], flat[2][2], flat[1][3], flat[2][4]);
  if (!is(0, {{0, 1}}) || !is(1, {{1, im.sh}, {3, im.dh}}) ||
      !is(2, {{2, im.sw}, {4, im.dw}}) || !is(3, {{5, 1}}) || im.sh <= 0 ||
      im.sw <= 0 || im.dh <= 0 || im.dw <= 0)
    return std::nullopt;
  if (!safeToHoist(copy, matmul, {source}, {}))
    return std::nullopt;
  return im;
}

static std::optional<MatmulPlan> planMatmul(linalg::MatmulOp matmul,
                                            int64_t minFlops,
                                            DominanceInfo &dom) {
  if (!matmul.hasPureBufferSemantics() || matmul.hasUserDefinedMaps())
    return std::nullopt;
  Value a = matmul.getInputs()[0], b = matmul.getInputs()[1],
        c = matmul.getOutputs()[0];
  if (!isF32Operand(a) || !isF32Operand(b) || !isF32Operand(c))
    return std::nullopt;
  ArrayRef<int64_t> aShape = cast<MemRefType>(a.getType()).getShape();
  int64_t m = aShape[0], k = aShape[1];
  int64_t n = cast<MemRefType>(b.getType()).getShape()[1];
  if (2 * m * n * k < minFlops || m == 0 || n == 0 || k == 0)
    return std::nullopt;
  MatmulPlan plan{matmul, m, n, k, findMatmulFusions(matmul, dom), {}, {}};
  if (plan.fused.epilogue)
    plan.columnSum = findColumnSum(*plan.fused.epilogue, m, n);
  if (!plan.fused.aTranspose)
    plan.im2col = findIm2col(matmul, a);
  // The kernel reads the im2col source while it stores tiles: nothing it
  // writes may be the source.
  if (plan.im2col) {
    Value source = rootBuffer(plan.im2col->source);
    SmallVector<Value> written{c};
    if (plan.fused.epilogue)
      written.push_back(plan.fused.epilogue->out);
    if (plan.columnSum)
      written.push_back(plan.columnSum->out);
    if (llvm::any_of(written, [&](Value v) { return rootBuffer(v) == source; }))
      plan.im2col.reset();
  }
  return plan;
}

namespace {

/// Emits the packed loop nest of one matmul at the matmul's position.
class MatmulEmitter {
public:
  MatmulEmitter(MatmulPlan plan, const Blocking &blocking)
      : p(plan), t(blocking), b(plan.matmul),
        loc(plan.matmul.getLoc()), f32(b.getF32Type()),
        acc(VectorType::get({t.nr}, f32)) {
    a = p.matmul.getInputs()[0];
    bMat = p.matmul.getInputs()[1];
    c = p.matmul.getOutputs()[0];
    panels = llvm::divideCeil(p.n, t.nr);
    fullRows = p.m / t.mr * t.mr;
    if (p.im2col)
      prepareIm2col();
  }

  void emit() {
    // B, packed into column panels nr wide (zero-padded at the right edge):
    // packed[j][k][0:nr] = B[k][j*nr : j*nr+nr]. The micro-kernel then reads
    // one contiguous vector per k step, whatever B's leading dimension.
    // Packed once before the loops around the matmul that leave B as it
    // is (a convolution's tiles all multiply by the same filter).
    Operation *packPoint = packingPoint();
    auto packedType = MemRefType::get({panels, p.k, t.nr}, f32);
    Value packed;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(packPoint);
      packed =
          memref::AllocOp::create(b, loc, packedType, b.getI64IntegerAttr(64));
      parallelLoop({panels}, {1}, [&](ValueRange ivs) {
        Value col = mul(ivs[0], t.nr);
        if (p.fused.bTranspose)
          return emitTransposedPack(packed, ivs[0], col);
        forLoop(idx(0), idx(p.k), 1, [&](Value k) {
          Value row = loadRow(bMat, {k}, col, f32);
          vector::StoreOp::create(b, loc, row, packed,
                                  ValueRange{ivs[0], k, idx(0)});
        });
      });
    }

    // A fused column sum: one partial row per row block (each written by
    // one parallel iteration only), summed where the column sum was.
    int64_t rowBlocks = llvm::divideCeil(p.m, t.mc);
    if (p.columnSum) {
      auto partialType = MemRefType::get({rowBlocks, panels * t.nr}, f32);
      partial = memref::AllocOp::create(b, loc, partialType,
                                        b.getI64IntegerAttr(64));
      Value zero = arith::ConstantOp::create(b, loc, f32, b.getZeroAttr(f32));
      linalg::FillOp::create(b, loc, zero, partial);
    }

    // (row block of mc rows) x (group of ng panels) in parallel; inside, k
    // blocks of kc, panels, then mr-row register tiles.
    parallelLoop({p.m, panels}, {t.mc, t.ng}, [&](ValueRange ivs) {
      emitBlock(packed, ivs[0], ivs[1]);
    });
    {
      OpBuilder::InsertionGuard guard(b);
      if (packPoint != p.matmul)
        b.setInsertionPointAfter(packPoint);
      memref::DeallocOp::create(b, loc, packed);
    }

    if (p.columnSum) {
      // out[j] += partial[r][j], row block by row block (the inner loop
      // runs along contiguous columns).
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(p.columnSum->op);
      Value out = p.columnSum->out;
      forLoop(idx(0), idx(rowBlocks), 1, [&](Value r) {
        forLoop(idx(0), idx(p.n), 1, [&](Value j) {
          Value sum = arith::AddFOp::create(
              b, loc, memref::LoadOp::create(b, loc, out, ValueRange{j}),
              memref::LoadOp::create(b, loc, partial, ValueRange{r, j}));
          memref::StoreOp::create(b, loc, sum, out, ValueRange{j});
        });
      });
      memref::DeallocOp::create(b, loc, partial);
    }
  }

private:
  /// Whether `loop` runs its body at least once, by its constant bounds.
  static bool runsAtLeastOnce(LoopLikeOpInterface loop) {
    std::optional<SmallVector<OpFoldResult>> lbs = loop.getLoopLowerBounds(),
                                             ubs = loop.getLoopUpperBounds();
    if (!lbs || !ubs)
      return false;
    for (auto [lb, ub] : llvm::zip_equal(*lbs, *ubs)) {
      std::optional<int64_t> l = getConstantIntValue(lb),
                             u = getConstantIntValue(ub);
      if (!l || !u || *u <= *l)
        return false;
    }
    return true;
  }

  /// The op before which B is packed: the matmul, or the outermost of the
  /// loops around it (scf.for, scf.parallel, scf.forall, nested directly,
  /// each running at least once) outside which B, or the transpose's source
  /// B is read from, is defined and which do not write it.
  Operation *packingPoint() {
    Value source = p.fused.bTranspose ? p.fused.bTranspose.getInput() : bMat;
    Operation *point = p.matmul;
    while (Operation *loop = point->getParentOp()) {
      if (!isa<scf::ForOp, scf::ParallelOp, scf::ForallOp>(loop) ||
          !runsAtLeastOnce(cast<LoopLikeOpInterface>(loop)) ||
          loop->isAncestor(source.getParentRegion()->getParentOp()) ||
          tg::mayWrite(loop, source))
        break;
      point = loop;
    }
    return point;
  }

  /// The source the kernel reads for an im2col A, and how the reduction
  /// is grouped.
  void prepareIm2col() {
    const Im2col &im = *p.im2col;
    im2colSource = im.source;
    auto type = cast<MemRefType>(im.source.getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    SmallVector<ReassociationIndices> pixelsAndChannels{{0}, {1}, {2, 3}};
    groupsAreRows = (im.dw == 1 || im.kw == 1) &&
                    succeeded(type.getStridesAndOffset(strides, offset)) &&
                    strides[2] == im.c &&
                    memref::CollapseShapeOp::isGuaranteedCollapsible(
                        type, pixelsAndChannels);
    if (groupsAreRows)
      im2colSource =
          memref::CollapseShapeOp::create(b, loc, im.source, pixelsAndChannels);
    groups = groupsAreRows ? im.kh : im.kh * im.kw;
    groupLength = groupsAreRows ? im.kw * im.c : im.c;
  }

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value mul(Value v, int64_t c) {
    return arith::MulIOp::create(b, loc, v, idx(c));
  }
  Value add(Value v, int64_t c) {
    return c == 0 ? v : arith::AddIOp::create(b, loc, v, idx(c)).getResult();
  }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate pred, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, pred, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }

  /// scf.for (iv = lb; iv < ub; iv += step) carrying `init`; body(iv,
  /// carried) returns the next values.
  ValueRange
  carriedLoop(Value lb, Value ub, int64_t step, ValueRange init,
              function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto loop = scf::ForOp::create(
        b, loc, lb, ub, idx(step), init,
        [&](OpBuilder &fb, Location, Value iv, ValueRange carried) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(fb.getInsertionBlock(), fb.getInsertionPoint());
          scf::YieldOp::create(b, loc, body(iv, carried));
        });
    return loop.getResults();
  }

  /// for (iv = lb; iv < ub; iv += step) body(iv), with no loop-carried values.
  void forLoop(Value lb, Value ub, int64_t step,
               function_ref<void(Value)> body) {
    carriedLoop(lb, ub, step, {}, [&](Value iv, ValueRange) {
      body(iv);
      return SmallVector<Value>();
    });
  }

  /// An scf.parallel from 0 to `ubs` by `steps`, with body(ivs) inside.
  void parallelLoop(ArrayRef<int64_t> ubs, ArrayRef<int64_t> steps,
                    function_ref<void(ValueRange)> body) {
    SmallVector<Value> lbVals, ubVals, stepVals;
    for (auto [ub, step] : llvm::zip_equal(ubs, steps)) {
      lbVals.push_back(idx(0));
      ubVals.push_back(idx(ub));
      stepVals.push_back(idx(step));
    }
    auto loop = scf::ParallelOp::create(b, loc, lbVals, ubVals, stepVals);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVars());
  }

  /// if (cond) thenBody() [else elseBody()], with no results.
  void ifThenElse(Value cond, function_ref<void()> thenBody,
                  function_ref<void()> elseBody = nullptr) {
    auto ifOp = scf::IfOp::create(b, loc, TypeRange{}, cond,
                                  /*withElseRegion=*/static_cast<bool>(elseBody));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    thenBody();
    if (elseBody) {
      b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
      elseBody();
    }
  }

  /// The mask of the columns [col, col + nr) that are inside the matrix, or
  /// null when every panel is full.
  Value columnMask(Value col) {
    if (p.n % t.nr == 0)
      return {};
    Value width = arith::SubIOp::create(b, loc, idx(p.n), col);
    return vector::CreateMaskOp::create(
        b, loc, VectorType::get({t.nr}, b.getI1Type()), ValueRange{width});
  }

  /// memref[prefix..., col : col + nr] as a vector, zero beyond the matrix.
  Value loadRow(Value memref, ValueRange prefix, Value col, Type elem) {
    SmallVector<Value> indices(prefix);
    indices.push_back(col);
    auto type = VectorType::get({t.nr}, elem);
    if (Value mask = columnMask(col)) {
      Value zero = arith::ConstantOp::create(b, loc, type,
                                             b.getZeroAttr(type));
      return vector::MaskedLoadOp::create(b, loc, type, memref, indices, mask,
                                          zero);
    }
    return vector::LoadOp::create(b, loc, type, memref, indices);
  }

  void storeRow(Value vec, Value memref, ValueRange prefix, Value col) {
    SmallVector<Value> indices(prefix);
    indices.push_back(col);
    if (Value mask = columnMask(col))
      vector::MaskedStoreOp::create(b, loc, memref, indices, mask, vec);
    else
      vector::StoreOp::create(b, loc, vec, memref, indices);
  }

  /// packed[j][k][l] = W[col + l][k] for B = transpose(W): rows of W are
  /// read contiguously, the panel is written with stride nr; columns past
  /// the matrix are zero.
  void emitTransposedPack(Value packed, Value j, Value col) {
    Value w = p.fused.bTranspose.getInput();
    forLoop(idx(0), idx(t.nr), 1, [&](Value l) {
      Value n = arith::AddIOp::create(b, loc, col, l);
      auto copyColumn = [&]() {
        forLoop(idx(0), idx(p.k), 1, [&](Value k) {
          Value v = memref::LoadOp::create(b, loc, w, ValueRange{n, k});
          memref::StoreOp::create(b, loc, v, packed, ValueRange{j, k, l});
        });
      };
      if (p.n % t.nr == 0)
        return copyColumn();
      Value inside = cmp(arith::CmpIPredicate::slt, n, idx(p.n));
      ifThenElse(inside, copyColumn, [&]() {
        Value zero = arith::ConstantOp::create(b, loc, f32, b.getZeroAttr(f32));
        forLoop(idx(0), idx(p.k), 1, [&](Value k) {
          memref::StoreOp::create(b, loc, zero, packed, ValueRange{j, k, l});
        });
      });
    });
  }

  /// A[row, k], read from the transpose's source when A is one.
  Value loadA(Value row, Value k) {
    if (p.fused.aTranspose)
      return memref::LoadOp::create(b, loc, p.fused.aTranspose.getInput(),
                                    ValueRange{k, row});
    return memref::LoadOp::create(b, loc, a, ValueRange{row, k});
  }

  /// A slice of the reduction one kernel call covers: k in [k0, k1) of a
  /// plain matmul, or, for an im2col operand, offsets [k0, k1) within each
  /// of the groups [g0, g1) (group g covers k in [g*L, g*L + L)). `first`
  /// and `last`: whether it is the first or the last slice.
  struct KSlice {
    Value g0, g1, k0, k1, first, last;
  };

  /// body(slice) for each slice of the reduction, in order. An im2col
  /// operand is reduced one group at a time: a filter row (kw*c contiguous
  /// elements of a source row) when the source's columns and channels are
  /// contiguous and the dilation along columns is 1, one filter tap (c
  /// channels) otherwise; groups shorter than kc are taken several at a
  /// time, longer ones kc at a time.
  void forEachKSlice(function_ref<void(const KSlice &)> body) {
    auto eq = arith::CmpIPredicate::eq;
    if (!p.im2col) {
      forLoop(idx(0), idx(p.k), t.kc, [&](Value kb) {
        Value kEnd = min(add(kb, t.kc), idx(p.k));
        body({{}, {}, kb, kEnd, cmp(eq, kb, idx(0)), cmp(eq, kEnd, idx(p.k))});
      });
      return;
    }
    if (groupLength >= t.kc) {
      forLoop(idx(0), idx(groups), 1, [&](Value g) {
        forLoop(idx(0), idx(groupLength), t.kc, [&](Value kb) {
          Value kEnd = min(add(kb, t.kc), idx(groupLength));
          body({g, add(g, 1), kb, kEnd,
                both(cmp(eq, g, idx(0)), cmp(eq, kb, idx(0))),
                both(cmp(eq, g, idx(groups - 1)),
                     cmp(eq, kEnd, idx(groupLength)))});
        });
      });
      return;
    }
    int64_t perSlice = t.kc / groupLength;
    forLoop(idx(0), idx(groups), perSlice, [&](Value g) {
      Value gEnd = min(add(g, perSlice), idx(groups));
      body({g, gEnd, idx(0), idx(groupLength), cmp(eq, g, idx(0)),
            cmp(eq, gEnd, idx(groups))});
    });
  }

  void emitBlock(Value packed, Value rowBlock, Value panelGroup) {
    forEachKSlice([&](const KSlice &slice) {
      forLoop(panelGroup, min(add(panelGroup, t.ng), idx(panels)), 1,
              [&](Value j) {
                forLoop(
                    rowBlock, min(add(rowBlock, t.mc), idx(fullRows)), t.mr,
                    [&](Value i) { emitKernel(packed, t.mr, i, j, slice); });
                // The last rows (fewer than mr) belong to the last row block.
                int64_t tail = p.m - fullRows;
                if (tail == 0)
                  return;
                Value isLast = cmp(arith::CmpIPredicate::sge,
                                   add(rowBlock, t.mc), idx(p.m));
                ifThenElse(isLast, [&]() {
                  emitKernel(packed, tail, idx(fullRows), j, slice);
                });
              });
    });
  }

  /// tile[r] += loadA(r) * packed[j, kp, :] for each row r of the tile.
  SmallVector<Value> fmaStep(Value packed, Value j, Value kp,
                             function_ref<Value(size_t)> loadA,
                             ValueRange tile) {
    Value bRow =
        vector::LoadOp::create(b, loc, acc, packed, ValueRange{j, kp, idx(0)});
    SmallVector<Value> next;
    for (auto [r, accumulator] : llvm::enumerate(tile)) {
      Value aVec = vector::BroadcastOp::create(b, loc, acc, loadA(r));
      next.push_back(vector::FMAOp::create(b, loc, aVec, bRow, accumulator));
    }
    return next;
  }

  /// The tile plus the slice's products, for an im2col left operand: rows
  /// are output pixels (image, y, x), read from the source at (image,
  /// y*sh + i*dh, x*sw + j*dw) for the group's filter tap (i, j).
  ValueRange accumulateIm2col(Value packed, ArrayRef<Value> rowIdx, Value j,
                              const KSlice &slice, ValueRange init) {
    const Im2col &im = *p.im2col;
    struct Pixel {
      Value image, y, x;
    };
    SmallVector<Pixel> pixels;
    for (Value row : rowIdx) {
      Value image = arith::DivUIOp::create(b, loc, row, idx(im.rows * im.ow));
      Value y = arith::RemUIOp::create(
          b, loc, arith::DivUIOp::create(b, loc, row, idx(im.ow)),
          idx(im.rows));
      Value x = arith::RemUIOp::create(b, loc, row, idx(im.ow));
      pixels.push_back({image, mul(y, im.sh), mul(x, im.sw)});
    }
    return carriedLoop(slice.g0, slice.g1, 1, init, [&](Value g, ValueRange tile) {
      // The group's filter row i and, one tap per group, column jj.
      Value i = groupsAreRows
                    ? g
                    : arith::DivUIOp::create(b, loc, g, idx(im.kw)).getResult();
      Value jj =
          groupsAreRows
              ? Value()
              : arith::RemUIOp::create(b, loc, g, idx(im.kw)).getResult();
      SmallVector<SmallVector<Value>> bases;
      for (const Pixel &px : pixels) {
        Value row = arith::AddIOp::create(b, loc, px.y, mul(i, im.dh));
        if (groupsAreRows)
          bases.push_back({px.image, row, mul(px.x, im.c)});
        else
          bases.push_back(
              {px.image, row,
               arith::AddIOp::create(b, loc, px.x, mul(jj, im.dw))});
      }
      Value groupStart = mul(g, groupLength);
      return SmallVector<Value>(
          carriedLoop(slice.k0, slice.k1, 1, tile, [&](Value k, ValueRange acc) {
            Value kp = arith::AddIOp::create(b, loc, groupStart, k);
            return fmaStep(
                packed, j, kp,
                [&](size_t r) -> Value {
                  SmallVector<Value> indices(bases[r]);
                  if (groupsAreRows)
                    indices.back() =
                        arith::AddIOp::create(b, loc, indices.back(), k);
                  else
                    indices.push_back(k);
                  return memref::LoadOp::create(b, loc, im2colSource, indices);
                },
                acc);
          }));
    });
  }

  /// C[i : i + rows, j*nr : j*nr + nr] += A[i : i + rows, slice] *
  /// packed[j, slice, :], accumulated in `rows` vector registers.
  void emitKernel(Value packed, int64_t rows, Value i, Value j,
                  const KSlice &slice) {
    Value col = mul(j, t.nr);
    SmallVector<Value> rowIdx;
    for (int64_t r = 0; r < rows; ++r)
      rowIdx.push_back(add(i, r));
    auto loadC = [&]() {
      SmallVector<Value> tile;
      for (Value r : rowIdx)
        tile.push_back(loadRow(c, {r}, col, f32));
      return tile;
    };
    SmallVector<Value> init;
    if (p.fused.zeroFill) {
      // The first k slice starts from zero instead of reading the fill.
      SmallVector<Type> types(rows, acc);
      auto ifOp = scf::IfOp::create(b, loc, types, slice.first,
                                    /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        Value zero = arith::ConstantOp::create(b, loc, acc,
                                               b.getZeroAttr(acc));
        scf::YieldOp::create(b, loc, SmallVector<Value>(rows, zero));
        b.setInsertionPointToStart(ifOp.elseBlock());
        scf::YieldOp::create(b, loc, loadC());
      }
      init = ifOp.getResults();
    } else {
      init = loadC();
    }
    ValueRange tile =
        p.im2col
            ? accumulateIm2col(packed, rowIdx, j, slice, init)
            : carriedLoop(
                  slice.k0, slice.k1, 1, init, [&](Value k, ValueRange acc) {
                    return fmaStep(
                        packed, j, k,
                        [&](size_t r) { return loadA(rowIdx[r], k); }, acc);
                  });
    auto storeC = [&]() {
      for (int64_t r = 0; r < rows; ++r)
        storeRow(tile[r], c, {rowIdx[r]}, col);
    };
    if (!p.fused.epilogue) {
      storeC();
      return;
    }
    // The epilogue runs once the last k slice is in the tile.
    ifThenElse(
        slice.last, [&]() { emitEpilogue(tile, rowIdx, col); }, storeC);
  }

  /// Broadcasts a scalar to a vector of nr lanes.
  Value splat(Value scalar) {
    return vector::BroadcastOp::create(
        b, loc, VectorType::get({t.nr}, scalar.getType()), scalar);
  }

  /// The epilogue's body on each row of the tile, stored into its output.
  void emitEpilogue(ValueRange tile, ArrayRef<Value> rowIdx, Value col) {
    linalg::GenericOp op = p.fused.epilogue->op;
    Value rowSum;
    Block *body = op.getBody();
    Value c0 = idx(0);
    // An operand of the consumer on row `row` of the tile: a vector load if
    // it varies along columns, a broadcast scalar otherwise.
    auto operandRow = [&](OpOperand *operand, Value row) -> Value {
      AffineMap map = op.getMatchingIndexingMap(operand);
      SmallVector<EpilogueIndex> kinds = *classifyEpilogueMap(map);
      Value memref = operand->get();
      Type elem = getElementTypeOrSelf(memref.getType());
      SmallVector<Value> indices;
      for (EpilogueIndex kind : kinds)
        indices.push_back(kind == EpilogueIndex::Row ? row : c0);
      if (!kinds.empty() && kinds.back() == EpilogueIndex::Col) {
        indices.pop_back();
        return loadRow(memref, indices, col, elem);
      }
      return splat(memref::LoadOp::create(b, loc, memref, indices));
    };
    // Operands that do not vary along rows are loaded once per tile.
    DenseMap<OpOperand *, Value> rowInvariant;
    for (OpOperand &operand : op->getOpOperands()) {
      if (operand.get() == c)
        continue;
      SmallVector<EpilogueIndex> kinds = *classifyEpilogueMap(op.getMatchingIndexingMap(&operand));
      if (!llvm::is_contained(kinds, EpilogueIndex::Row) &&
          !body->getArgument(operand.getOperandNumber()).use_empty())
        rowInvariant[&operand] = operandRow(&operand, c0);
    }
    for (size_t r = 0; r < rowIdx.size(); ++r) {
      IRMapping map;
      for (OpOperand &operand : op->getOpOperands()) {
        BlockArgument arg = body->getArgument(operand.getOperandNumber());
        if (arg.use_empty())
          continue;
        if (operand.get() == c)
          map.map(arg, tile[r]);
        else if (Value v = rowInvariant.lookup(&operand))
          map.map(arg, v);
        else
          map.map(arg, operandRow(&operand, rowIdx[r]));
      }
      for (Operation &inner : body->without_terminator()) {
        if (auto constant = dyn_cast<arith::ConstantOp>(inner)) {
          map.map(constant.getResult(), splat(constant.getResult()));
          continue;
        }
        OperationState state(loc, inner.getName());
        for (Value operand : inner.getOperands()) {
          Value mapped = map.lookupOrNull(operand);
          // Values captured from outside the body are scalars.
          state.addOperands(mapped ? mapped : splat(operand));
        }
        state.addTypes(VectorType::get({t.nr}, inner.getResult(0).getType()));
        state.addAttributes(inner.getAttrs());
        map.map(inner.getResult(0), b.create(state)->getResult(0));
      }
      Value yielded = body->getTerminator()->getOperand(0);
      Value result = map.lookupOrNull(yielded);
      if (!result)
        result = splat(yielded);
      storeRow(result, p.fused.epilogue->out, {rowIdx[r]}, col);
      if (p.columnSum)
        rowSum = rowSum ? arith::AddFOp::create(b, loc, rowSum, result)
                              .getResult()
                        : result;
    }
    if (p.columnSum) {
      // The tile's rows, summed, into its row block's partial column sums.
      // Lanes past the matrix's last column hold garbage no one reads.
      Value block = arith::DivUIOp::create(b, loc, rowIdx[0], idx(t.mc));
      Value old = vector::LoadOp::create(b, loc, acc, partial,
                                         ValueRange{block, col});
      vector::StoreOp::create(b, loc,
                              arith::AddFOp::create(b, loc, old, rowSum),
                              partial, ValueRange{block, col});
    }
  }

  MatmulPlan p;
  Blocking t;
  OpBuilder b;
  Location loc;
  Type f32;
  VectorType acc;
  Value a, bMat, c;
  Value partial; // the fused column sum's partial sums, when there is one
  int64_t panels, fullRows;
  // An im2col left operand: the source the kernel reads (its columns and
  // channels collapsed into one dimension when groups are filter rows), the
  // reduction's groups and their length.
  Value im2colSource;
  bool groupsAreRows = false;
  int64_t groups = 0, groupLength = 0;
};

struct TgMatmulMicrokernelsPass
    : tg::impl::TgMatmulMicrokernelsPassBase<TgMatmulMicrokernelsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (mr <= 0 || nr <= 0 || kc <= 0 || mc <= 0 || ng <= 0) {
      getOperation().emitError("tg-matmul-microkernels: tile sizes must be "
                               "positive");
      return signalPassFailure();
    }
    DominanceInfo dom(getOperation());
    // Planning may move an output allocation above its matmul: collect the
    // matmuls first so that no walk visits one twice.
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
    SmallVector<MatmulPlan> plans;
    for (linalg::MatmulOp op : matmuls)
      if (std::optional<MatmulPlan> plan = planMatmul(op, minFlops, dom))
        plans.push_back(*plan);
    for (MatmulPlan &plan : plans) {
      // The im2col source is read at the matmul instead of at the copy:
      // checked again now that the kernels emitted so far have moved their
      // epilogues' writes up to their matmuls, which may lie in between.
      if (plan.im2col && !safeToHoist(plan.im2col->copy, plan.matmul,
                                      {plan.im2col->source}, {}))
        plan.im2col.reset();
      // A product at most half a tile wide (a convolution with 16 filters)
      // would leave half of every accumulator padding: it gets a tile half
      // as wide and twice as tall, the same accumulator registers.
      int64_t rows = mr, cols = nr;
      if (narrow && nr % 2 == 0 && plan.n <= nr / 2) {
        rows = 2 * mr;
        cols = nr / 2;
      }
      Blocking blocking{rows, cols, kc, (mc + rows - 1) / rows * rows, ng};
      MatmulEmitter(plan, blocking).emit();
      if (plan.columnSum)
        plan.columnSum->op.erase();
      // The im2col copy goes first: its patches (and their view) are then
      // read by the matmul only, and go with it.
      if (plan.im2col)
        plan.im2col->copy.erase();
      tg::eraseMatmulAndFusions(plan.matmul, plan.fused);
    }
  }
};

} // namespace
