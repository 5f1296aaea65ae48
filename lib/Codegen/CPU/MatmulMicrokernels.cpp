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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
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

struct MatmulPlan {
  linalg::MatmulOp matmul;
  int64_t m, n, k;
  // The zero fill (replaced by a zero init), the transposes producing A or
  // B (their sources are read) and the epilogue.
  tg::MatmulFusions fused;
  std::optional<ColumnSum> columnSum;
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
  MatmulPlan plan{matmul, m, n, k, findMatmulFusions(matmul, dom),
                  std::nullopt};
  if (plan.fused.epilogue)
    plan.columnSum = findColumnSum(*plan.fused.epilogue, m, n);
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
  }

  void emit() {
    // B, packed into column panels nr wide (zero-padded at the right edge):
    // packed[j][k][0:nr] = B[k][j*nr : j*nr+nr]. The micro-kernel then reads
    // one contiguous vector per k step, whatever B's leading dimension.
    auto packedType = MemRefType::get({panels, p.k, t.nr}, f32);
    Value packed = memref::AllocOp::create(b, loc, packedType,
                                           b.getI64IntegerAttr(64));
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
    memref::DeallocOp::create(b, loc, packed);

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
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value mul(Value v, int64_t c) {
    return arith::MulIOp::create(b, loc, v, idx(c));
  }
  Value add(Value v, int64_t c) {
    return c == 0 ? v : arith::AddIOp::create(b, loc, v, idx(c)).getResult();
  }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }

  /// for (iv = lb; iv < ub; iv += step) body(iv), with no loop-carried values.
  void forLoop(Value lb, Value ub, int64_t step,
               function_ref<void(Value)> body) {
    scf::ForOp::create(b, loc, lb, ub, idx(step), ValueRange{},
                       [&](OpBuilder &fb, Location, Value iv, ValueRange) {
                         OpBuilder::InsertionGuard guard(b);
                         b.setInsertionPoint(fb.getInsertionBlock(),
                                             fb.getInsertionPoint());
                         body(iv);
                         scf::YieldOp::create(b, loc);
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
      Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                           n, idx(p.n));
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

  void emitBlock(Value packed, Value rowBlock, Value panelGroup) {
    forLoop(idx(0), idx(p.k), t.kc, [&](Value kb) {
      Value kEnd = min(add(kb, t.kc), idx(p.k));
      forLoop(panelGroup, min(add(panelGroup, t.ng), idx(panels)), 1,
              [&](Value j) {
                forLoop(rowBlock, min(add(rowBlock, t.mc), idx(fullRows)),
                        t.mr, [&](Value i) {
                          emitKernel(packed, t.mr, i, j, kb, kEnd);
                        });
                // The last rows (fewer than mr) belong to the last row block.
                int64_t tail = p.m - fullRows;
                if (tail == 0)
                  return;
                Value isLast = arith::CmpIOp::create(
                    b, loc, arith::CmpIPredicate::sge, add(rowBlock, t.mc),
                    idx(p.m));
                ifThenElse(isLast, [&]() {
                  emitKernel(packed, tail, idx(fullRows), j, kb, kEnd);
                });
              });
    });
  }

  /// C[i : i + rows, j*nr : j*nr + nr] += A[i : i + rows, k0 : k1] *
  /// packed[j, k0 : k1, :], accumulated in `rows` vector registers.
  void emitKernel(Value packed, int64_t rows, Value i, Value j, Value k0,
                  Value k1) {
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
      // The first k block starts from zero instead of reading the fill.
      Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          k0, idx(0));
      SmallVector<Type> types(rows, acc);
      auto ifOp = scf::IfOp::create(b, loc, types, first,
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
    auto loop = scf::ForOp::create(
        b, loc, k0, k1, idx(1), init,
        [&](OpBuilder &fb, Location, Value k, ValueRange accs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(fb.getInsertionBlock(), fb.getInsertionPoint());
          Value bRow = vector::LoadOp::create(b, loc, acc, packed,
                                              ValueRange{j, k, idx(0)});
          SmallVector<Value> next;
          for (int64_t r = 0; r < rows; ++r) {
            Value aElem = loadA(rowIdx[r], k);
            Value aVec = vector::BroadcastOp::create(b, loc, acc, aElem);
            next.push_back(
                vector::FMAOp::create(b, loc, aVec, bRow, accs[r]));
          }
          scf::YieldOp::create(b, loc, next);
        });
    ValueRange tile = loop.getResults();
    auto storeC = [&]() {
      for (int64_t r = 0; r < rows; ++r)
        storeRow(tile[r], c, {rowIdx[r]}, col);
    };
    if (!p.fused.epilogue) {
      storeC();
      return;
    }
    // The epilogue runs once the last k block is in the tile.
    Value last = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, k1,
                                       idx(p.k));
    ifThenElse(
        last, [&]() { emitEpilogue(tile, rowIdx, col); }, storeC);
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
      tg::eraseMatmulAndFusions(plan.matmul, plan.fused);
    }
  }
};

} // namespace
