//===- TgGradients.cpp - Reverse-mode rules of the tg ops -----------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// TgGradientOpInterface for every differentiable tg op: each rule builds the
// operand adjoints from the result adjoint in tg ops, so gradients go through
// the same optimization and lowering as any other tg code.
//
// Conventions:
//  - Broadcasting is undone by summing the adjoint over the broadcast
//    dimensions (sumToType).
//  - Subgradients are deterministic: relu'(0) = 0, abs'(0) = 0; maximum
//    sends the adjoint to the lhs when lhs >= rhs (minimum: lhs <= rhs);
//    reduce_max/reduce_min share the adjoint equally among tied extrema
//    (TensorFlow's rule).
//  - Integer and boolean values get no adjoint, nor do tg.cmp operands.
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/IR/TgOps.h"
#include "tg/Dialect/Tg/IR/TgShapes.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::tg;

#include "tg/Dialect/Tg/IR/TgInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

static bool isFloatTensor(Value v) {
  return isa<FloatType>(tensorType(v).getElementType());
}

/// A rank-0 constant; tg ops broadcast it where it is used.
static Value scalar(OpBuilder &b, Location loc, Type elementType, double v) {
  return createFloatSplat(b, loc, RankedTensorType::get({}, elementType), v);
}

static Value zerosLike(OpBuilder &b, Location loc, RankedTensorType type) {
  return createFloatSplat(b, loc, type, 0.0);
}

/// Sums `g` over the dimensions that broadcasting added or stretched, so
/// that it has `target`'s shape.
static Value sumToType(OpBuilder &b, Location loc, Value g, Type target) {
  auto gt = tensorType(g);
  auto tt = cast<RankedTensorType>(target);
  if (gt == tt)
    return g;
  int64_t lead = gt.getRank() - tt.getRank();
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < lead; ++i)
    axes.push_back(i);
  for (int64_t i = 0; i < tt.getRank(); ++i)
    if (tt.getDimSize(i) == 1 && gt.getDimSize(lead + i) != 1)
      axes.push_back(lead + i);
  Value r = g;
  if (!axes.empty())
    r = ReduceSumOp::create(b, loc, g, axes, /*keepDims=*/false);
  if (r.getType() != tt)
    r = ReshapeOp::create(b, loc, tt, r);
  return r;
}

static Value sub(OpBuilder &b, Location loc, Value x, Value y) {
  return SubOp::create(b, loc, x, y);
}
static Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  return MulOp::create(b, loc, x, y);
}
static Value div(OpBuilder &b, Location loc, Value x, Value y) {
  return DivOp::create(b, loc, x, y);
}
static Value cmp(OpBuilder &b, Location loc, CmpPredicate p, Value x, Value y) {
  return CmpOp::create(b, loc, p, x, y);
}
static Value select(OpBuilder &b, Location loc, Value p, Value x, Value y) {
  return SelectOp::create(b, loc, p, x, y);
}

/// Reshapes a reduction's result (or its adjoint) to the keepdims shape.
static Value toKeepDims(OpBuilder &b, Location loc, Value v,
                        RankedTensorType input, ArrayRef<int64_t> axes) {
  RankedTensorType kept = getReducedType(input, axes, /*keepDims=*/true);
  return v.getType() == kept ? v : Value(ReshapeOp::create(b, loc, kept, v));
}

#define TG_NO_ADJOINT_FOR_INTEGERS(VALUE)                                      \
  if (!isFloatTensor(VALUE))                                                   \
    return SmallVector<Value>(getOperation()->getNumOperands(), Value());

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

SmallVector<Value> AddOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  Location loc = getLoc();
  return {sumToType(b, loc, dR[0], getLhs().getType()),
          sumToType(b, loc, dR[0], getRhs().getType())};
}

SmallVector<Value> SubOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  Location loc = getLoc();
  return {sumToType(b, loc, dR[0], getLhs().getType()),
          sumToType(b, loc, NegOp::create(b, loc, dR[0]), getRhs().getType())};
}

SmallVector<Value> MulOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  Location loc = getLoc();
  return {sumToType(b, loc, mul(b, loc, dR[0], getRhs()), getLhs().getType()),
          sumToType(b, loc, mul(b, loc, dR[0], getLhs()), getRhs().getType())};
}

SmallVector<Value> DivOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  Location loc = getLoc();
  // d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b, so dB = -(dR/b) * (a/b).
  Value dA = div(b, loc, dR[0], getRhs());
  Value dB = NegOp::create(b, loc, mul(b, loc, dA, getResult()));
  return {sumToType(b, loc, dA, getLhs().getType()),
          sumToType(b, loc, dB, getRhs().getType())};
}

SmallVector<Value> FloorDivOp::buildAdjoints(OpBuilder &, ArrayRef<Value>) {
  // Piecewise constant: the gradient is zero (TensorFlow's rule too).
  return {Value(), Value()};
}

SmallVector<Value> ModOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  Location loc = getLoc();
  // a % b = a - floor(a / b) * b: da = 1, db = -floor(a / b).
  Value floored = FloorDivOp::create(b, loc, getLhs(), getRhs());
  Value dB = NegOp::create(b, loc, mul(b, loc, dR[0], floored));
  return {sumToType(b, loc, dR[0], getLhs().getType()),
          sumToType(b, loc, dB, getRhs().getType())};
}

SmallVector<Value> PowOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  Type elem = getType().getElementType();
  // d(a^b)/da = b * a^(b-1); d(a^b)/db = a^b * ln(a), with ln(a) taken as
  // 0 where a <= 0 (TF's rule: at a = 0 the derivative in b is 0 for b > 0,
  // where 0 * ln(0) would give NaN).
  Value bm1 = sub(b, loc, getRhs(), scalar(b, loc, elem, 1.0));
  Value dA = mul(b, loc, dR[0],
                 mul(b, loc, getRhs(), PowOp::create(b, loc, getLhs(), bm1)));
  Value zero = scalar(b, loc, elem, 0.0);
  Value positive = cmp(b, loc, CmpPredicate::gt, getLhs(), zero);
  Value logA =
      select(b, loc, positive, LogOp::create(b, loc, getLhs()), zero);
  Value dB = mul(b, loc, dR[0], mul(b, loc, getResult(), logA));
  return {sumToType(b, loc, dA, getLhs().getType()),
          sumToType(b, loc, dB, getRhs().getType())};
}

/// maximum/minimum: the adjoint goes to the lhs where `lhsWins`, else to the
/// rhs.
static SmallVector<Value> extremumAdjoints(OpBuilder &b, Location loc,
                                           CmpPredicate lhsWins, Value lhs,
                                           Value rhs, Value dR) {
  Value zero = scalar(b, loc, tensorType(dR).getElementType(), 0.0);
  Value p = cmp(b, loc, lhsWins, lhs, rhs);
  return {sumToType(b, loc, select(b, loc, p, dR, zero), lhs.getType()),
          sumToType(b, loc, select(b, loc, p, zero, dR), rhs.getType())};
}

SmallVector<Value> MaximumOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  return extremumAdjoints(b, getLoc(), CmpPredicate::ge, getLhs(), getRhs(),
                          dR[0]);
}

SmallVector<Value> MinimumOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  return extremumAdjoints(b, getLoc(), CmpPredicate::le, getLhs(), getRhs(),
                          dR[0]);
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

SmallVector<Value> NegOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  return {NegOp::create(b, getLoc(), dR[0])};
}

SmallVector<Value> AbsOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  Type elem = getType().getElementType();
  Value zero = scalar(b, loc, elem, 0.0);
  // sign(x), with sign(0) = 0.
  Value sign = select(b, loc, cmp(b, loc, CmpPredicate::gt, getX(), zero),
                      scalar(b, loc, elem, 1.0),
                      select(b, loc, cmp(b, loc, CmpPredicate::lt, getX(), zero),
                             scalar(b, loc, elem, -1.0), zero));
  return {mul(b, loc, dR[0], sign)};
}

SmallVector<Value> ExpOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  return {mul(b, getLoc(), dR[0], getResult())};
}

SmallVector<Value> LogOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  return {div(b, getLoc(), dR[0], getX())};
}

SmallVector<Value> SqrtOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  Value half = scalar(b, loc, getType().getElementType(), 0.5);
  return {div(b, loc, mul(b, loc, dR[0], half), getResult())};
}

SmallVector<Value> RsqrtOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  // d(x^-1/2)/dx = -1/2 x^-3/2 = -1/2 r^3.
  Value r = getResult();
  Value r3 = mul(b, loc, mul(b, loc, r, r), r);
  Value k = scalar(b, loc, getType().getElementType(), -0.5);
  return {mul(b, loc, dR[0], mul(b, loc, r3, k))};
}

SmallVector<Value> TanhOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  Value one = scalar(b, loc, getType().getElementType(), 1.0);
  Value r = getResult();
  return {mul(b, loc, dR[0], sub(b, loc, one, mul(b, loc, r, r)))};
}

SmallVector<Value> SigmoidOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  Value one = scalar(b, loc, getType().getElementType(), 1.0);
  Value r = getResult();
  return {mul(b, loc, dR[0], mul(b, loc, r, sub(b, loc, one, r)))};
}

SmallVector<Value> ReluOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  Value zero = scalar(b, loc, getType().getElementType(), 0.0);
  // relu(x) > 0 exactly where x > 0 (NaN included: both compare false, so
  // a NaN input gets a zero gradient, as in TensorFlow's ReluGrad; PyTorch's
  // threshold_backward passes it through), so the mask reads the result,
  // as both of them do. The result is usually live anyway (the next
  // layer's weight gradient reads it), while testing the input would keep the
  // pre-activation, and through fusion the conv or matmul output it is
  // computed from, live until the backward pass.
  return {select(b, loc, cmp(b, loc, CmpPredicate::gt, getResult(), zero),
                 dR[0], zero)};
}

SmallVector<Value> SinOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  return {mul(b, getLoc(), dR[0], CosOp::create(b, getLoc(), getX()))};
}

SmallVector<Value> CosOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  return {NegOp::create(b, loc, mul(b, loc, dR[0], SinOp::create(b, loc, getX())))};
}

// Piecewise constant: the gradient is zero (TensorFlow's rule).
SmallVector<Value> FloorOp::buildAdjoints(OpBuilder &, ArrayRef<Value>) {
  return {Value()};
}
SmallVector<Value> CeilOp::buildAdjoints(OpBuilder &, ArrayRef<Value>) {
  return {Value()};
}
SmallVector<Value> RoundOp::buildAdjoints(OpBuilder &, ArrayRef<Value>) {
  return {Value()};
}
SmallVector<Value> SignOp::buildAdjoints(OpBuilder &, ArrayRef<Value>) {
  return {Value()};
}

SmallVector<Value> ErfOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  Type elem = getType().getElementType();
  // erf'(x) = 2/sqrt(pi) e^(-x^2).
  Value negSquare = NegOp::create(b, loc, mul(b, loc, getX(), getX()));
  Value k = scalar(b, loc, elem, 1.1283791670955126);
  return {mul(b, loc, dR[0], mul(b, loc, ExpOp::create(b, loc, negSquare), k))};
}

SmallVector<Value> Log1pOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  Value one = scalar(b, loc, getType().getElementType(), 1.0);
  return {div(b, loc, dR[0], AddOp::create(b, loc, getX(), one))};
}

SmallVector<Value> Expm1Op::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  Value one = scalar(b, loc, getType().getElementType(), 1.0);
  return {mul(b, loc, dR[0], AddOp::create(b, loc, getResult(), one))};
}

//===----------------------------------------------------------------------===//
// cmp, select, cast
//===----------------------------------------------------------------------===//

SmallVector<Value> RandomUniformOp::buildAdjoints(OpBuilder &,
                                                  ArrayRef<Value>) {
  return {Value()};
}

SmallVector<Value> CmpOp::buildAdjoints(OpBuilder &, ArrayRef<Value>) {
  return {Value(), Value()};
}

SmallVector<Value> SelectOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  Location loc = getLoc();
  Value zero = scalar(b, loc, getType().getElementType(), 0.0);
  return {Value(),
          sumToType(b, loc, select(b, loc, getPred(), dR[0], zero),
                    getOnTrue().getType()),
          sumToType(b, loc, select(b, loc, getPred(), zero, dR[0]),
                    getOnFalse().getType())};
}

SmallVector<Value> CastOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  if (!isFloatTensor(getX()) || !isFloatTensor(getResult()))
    return {Value()};
  return {CastOp::create(b, getLoc(), getX().getType(), dR[0])};
}

//===----------------------------------------------------------------------===//
// Linear algebra and layout
//===----------------------------------------------------------------------===//

/// Swaps the last two dimensions.
static Value transposeLast2(OpBuilder &b, Location loc, Value v) {
  int64_t rank = tensorType(v).getRank();
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  return TransposeOp::create(b, loc, v, perm);
}

SmallVector<Value> MatmulOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  Location loc = getLoc();
  // dA = dR @ B^T, dB = A^T @ dR, each summed over broadcast batch dims.
  Value dA = MatmulOp::create(b, loc, dR[0], transposeLast2(b, loc, getRhs()));
  Value dB = MatmulOp::create(b, loc, transposeLast2(b, loc, getLhs()), dR[0]);
  return {sumToType(b, loc, dA, getLhs().getType()),
          sumToType(b, loc, dB, getRhs().getType())};
}

SmallVector<Value> TransposeOp::buildAdjoints(OpBuilder &b,
                                              ArrayRef<Value> dR) {
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  return {TransposeOp::create(b, getLoc(), dR[0], inverse)};
}

SmallVector<Value> ReshapeOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  return {ReshapeOp::create(b, getLoc(), getX().getType(), dR[0])};
}

SmallVector<Value> BroadcastToOp::buildAdjoints(OpBuilder &b,
                                                ArrayRef<Value> dR) {
  return {sumToType(b, getLoc(), dR[0], getX().getType())};
}

SmallVector<Value> GatherOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  Location loc = getLoc();
  // A scatter-add as a matmul, so that it runs on the matmul kernels and
  // needs no op of its own: with x viewed as [outer, n, inner] and the k
  // indices flattened, dx[o, j, i] = sum_k (index_k == j) * dr[o, k, i].
  // An index outside [0, n) matches no j: its slice gets no adjoint, as it
  // took none of x.
  RankedTensorType xType = getX().getType();
  auto indexType = cast<RankedTensorType>(getIndices().getType());
  Type indexElem = indexType.getElementType();
  Type elem = xType.getElementType();
  int64_t axis = getAxis(), n = xType.getDimSize(axis);
  int64_t k = indexType.getNumElements(), outer = 1, inner = 1;
  for (int64_t d : xType.getShape().take_front(axis))
    outer *= d;
  for (int64_t d : xType.getShape().drop_front(axis + 1))
    inner *= d;
  auto intConstant = [&](ArrayRef<int64_t> shape, ArrayRef<int64_t> values) {
    auto type = RankedTensorType::get(shape, indexElem);
    unsigned width = indexElem.getIntOrFloatBitWidth();
    SmallVector<APInt> ints;
    for (int64_t v : values)
      ints.push_back(APInt(width, v, /*isSigned=*/true));
    return ConstantOp::create(b, loc, DenseElementsAttr::get(type, ints));
  };
  Value indices = ReshapeOp::create(
      b, loc, RankedTensorType::get({k, 1}, indexElem), getIndices());
  Value wrapped = select(
      b, loc, cmp(b, loc, CmpPredicate::lt, indices, intConstant({}, {0})),
      AddOp::create(b, loc, indices, intConstant({}, {n})), indices);
  Value iota =
      intConstant({1, n}, llvm::to_vector(llvm::seq<int64_t>(0, n)));
  Value oneHot = select(b, loc, cmp(b, loc, CmpPredicate::eq, wrapped, iota),
                        scalar(b, loc, elem, 1.0), scalar(b, loc, elem, 0.0));
  Value picksT = ReshapeOp::create(b, loc,
                                   RankedTensorType::get({1, n, k}, elem),
                                   transposeLast2(b, loc, oneHot));
  Value dr = ReshapeOp::create(
      b, loc, RankedTensorType::get({outer, k, inner}, elem), dR[0]);
  Value dx = MatmulOp::create(b, loc, picksT, dr);
  return {ReshapeOp::create(b, loc, xType, dx), Value()};
}

SmallVector<Value> ConcatOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  int64_t axis = getAxis(), offset = 0;
  SmallVector<Value> result;
  for (Value input : getInputs()) {
    RankedTensorType t = tensorType(input);
    SmallVector<int64_t> start(t.getRank(), 0), limit(getType().getShape()),
        stride(t.getRank(), 1);
    start[axis] = offset;
    limit[axis] = offset + t.getDimSize(axis);
    offset = limit[axis];
    result.push_back(isFloatTensor(input)
                         ? Value(SliceOp::create(b, loc, dR[0], start, limit,
                                                 stride))
                         : Value());
  }
  return result;
}

/// Scatters `g` into zeros of `fullType` at positions start + i * stride
/// (the adjoint of a strided slice): one tg.insert_slice, so that a sum of
/// such adjoints becomes updates of one tensor (the reverse sweep adds a
/// window into the other adjoint) rather than a zero-padded copy each.
static Value scatterIntoZeros(OpBuilder &b, Location loc, Value g,
                              RankedTensorType fullType,
                              ArrayRef<int64_t> starts,
                              ArrayRef<int64_t> strides) {
  Value zeros = zerosLike(b, loc, fullType);
  if (tensorType(g).getNumElements() == 0)
    return zeros;
  SmallVector<int64_t> limits;
  for (auto [n, start, stride] :
       llvm::zip_equal(tensorType(g).getShape(), starts, strides))
    limits.push_back(start + (n - 1) * stride + 1);
  return InsertSliceOp::create(b, loc, g, zeros, starts, limits, strides);
}

SmallVector<Value> SliceOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  RankedTensorType xType = getX().getType();
  if (!isa<FloatType>(xType.getElementType()))
    return {Value()};
  return {scatterIntoZeros(b, getLoc(), dR[0], xType, getStart(), getStride())};
}

SmallVector<Value> InsertSliceOp::buildAdjoints(OpBuilder &b,
                                                ArrayRef<Value> dR) {
  if (!isFloatTensor(getDest()))
    return {Value(), Value()};
  Location loc = getLoc();
  // The window's adjoint goes to the source, the rest to dest.
  Value dSource =
      SliceOp::create(b, loc, dR[0], getStart(), getLimit(), getStride());
  Value dDest =
      InsertSliceOp::create(b, loc, zerosLike(b, loc, getSource().getType()),
                            dR[0], getStart(), getLimit(), getStride());
  return {dSource, dDest};
}

/// `x` with dimension `d` reversed (a filter's taps, so a handful of
/// slices): tg has no reverse op.
static Value reverseDim(OpBuilder &b, Location loc, Value x, int64_t d) {
  RankedTensorType type = tensorType(x);
  int64_t size = type.getDimSize(d);
  if (size == 1)
    return x;
  SmallVector<Value> pieces;
  for (int64_t k = size - 1; k >= 0; --k) {
    SmallVector<int64_t> start(type.getRank(), 0), limit(type.getShape()),
        ones(type.getRank(), 1);
    start[d] = k;
    limit[d] = k + 1;
    pieces.push_back(SliceOp::create(b, loc, x, start, limit, ones));
  }
  return ConcatOp::create(b, loc, pieces, d);
}

/// An HWCF filter flipped in both spatial dimensions, its input and output
/// channels swapped: the filter of the correlation that carries an adjoint
/// back to a convolution's input.
static Value flipFilter(OpBuilder &b, Location loc, Value filter) {
  return TransposeOp::create(
      b, loc, reverseDim(b, loc, reverseDim(b, loc, filter, 0), 1),
      {0, 1, 3, 2});
}

/// The adjoint of a strided convolution's zero-padded input dP (no
/// dilation), one stride phase at a time: the rows r = a + sh*t of dP
/// receive dR[t - m] W[a + sh*m]^T, a stride-1 full correlation of dR with
/// the taps a, a + sh, ... of the filter, flipped. The sh*sw phase outputs
/// are interleaved. Spreading dR over zeros instead would multiply by zeros
/// (sh*sw - 1) times out of sh*sw.
///
/// The result is the window of dP that starts at padded row and column
/// `first` and has `count` rows (and columns) per phase: the unpadded input
/// when its sides are multiples of the strides (no padding rows computed,
/// and no padded result kept alive for a slice of it: the concat lowering
/// writes the phases in place), else all of dP, which the caller slices.
static Value stridedDataAdjoint(OpBuilder &b, Location loc, Value dR,
                                Value filter, ArrayRef<int64_t> first,
                                ArrayRef<int64_t> count, ArrayRef<int64_t> st) {
  RankedTensorType dType = tensorType(dR), wType = tensorType(filter);
  Type elem = dType.getElementType();
  int64_t n = dType.getDimSize(0), f = dType.getDimSize(3);
  int64_t c = wType.getDimSize(2);
  auto phaseType =
      RankedTensorType::get({n, count[0], 1, count[1], 1, c}, elem);
  // Along spatial axis d, the window's rows first + slot, first + slot + s,
  // ...: their phase, its taps, and the rows [lo, hi) of dR and the padding
  // (low, high) that the phase's correlation reads (its output row y reads
  // dR rows y - taps + 1 ... y; negative padding crops dR instead).
  struct Axis {
    int64_t phase, taps, lo, hi, low, high;
  };
  auto axis = [&](int64_t d, int64_t slot) {
    int64_t s = st[d], k = wType.getDimSize(d), rows = dType.getDimSize(1 + d);
    int64_t phase = (first[d] + slot) % s, y0 = (first[d] + slot) / s;
    int64_t taps = phase < k ? (k - 1 - phase) / s + 1 : 0;
    int64_t low = taps - 1 - y0, high = count[d] - rows + y0;
    return Axis{phase,
                taps,
                std::max<int64_t>(0, -low),
                rows - std::max<int64_t>(0, -high),
                std::max<int64_t>(0, low),
                std::max<int64_t>(0, high)};
  };
  SmallVector<Value> rows;
  for (int64_t i = 0; i < st[0]; ++i) {
    SmallVector<Value> phases;
    for (int64_t j = 0; j < st[1]; ++j) {
      Axis h = axis(0, i), w = axis(1, j);
      Value phase;
      if (h.taps == 0 || w.taps == 0 || h.hi <= h.lo || w.hi <= w.lo) {
        phase = zerosLike(b, loc, phaseType);
      } else {
        Value taps = SliceOp::create(
            b, loc, filter, {h.phase, w.phase, 0, 0},
            {h.phase + (h.taps - 1) * st[0] + 1,
             w.phase + (w.taps - 1) * st[1] + 1, c, f},
            {st[0], st[1], 1, 1});
        Value read = dR;
        if (h.lo != 0 || w.lo != 0 || h.hi != dType.getDimSize(1) ||
            w.hi != dType.getDimSize(2))
          read = SliceOp::create(b, loc, dR, {0, h.lo, w.lo, 0},
                                 {n, h.hi, w.hi, f}, {1, 1, 1, 1});
        Value conv = Conv2DOp::create(
            b, loc, read, flipFilter(b, loc, taps), SmallVector<int64_t>{1, 1},
            SmallVector<int64_t>{h.low, h.high, w.low, w.high},
            SmallVector<int64_t>{1, 1});
        phase = ReshapeOp::create(b, loc, phaseType, conv);
      }
      phases.push_back(phase);
    }
    rows.push_back(phases.size() == 1
                       ? phases[0]
                       : Value(ConcatOp::create(b, loc, phases, 4)));
  }
  Value all = rows.size() == 1 ? rows[0]
                               : Value(ConcatOp::create(b, loc, rows, 2));
  return ReshapeOp::create(
      b, loc,
      RankedTensorType::get({n, count[0] * st[0], count[1] * st[1], c}, elem),
      all);
}

SmallVector<Value> Conv2DOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  Location loc = getLoc();
  RankedTensorType inType = getInput().getType(), wType = getFilter().getType();
  Type elem = inType.getElementType();
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(3);
  int64_t kh = wType.getDimSize(0), kw = wType.getDimSize(1),
          f = wType.getDimSize(3);
  ArrayRef<int64_t> pad = getPadding(), st = getStrides(), dil = getDilations();
  int64_t hp = inType.getDimSize(1) + pad[0] + pad[1],
          wp = inType.getDimSize(2) + pad[2] + pad[3];
  // Both adjoints are convolutions themselves, so they run on the same
  // kernels as the forward pass (im2col tiles and the matmul micro-kernels
  // on the CPU, the implicit-GEMM kernel on the GPU). out[n, y, x, f] reads
  // the zero-padded input P at (i*dh + y*sh, j*dw + x*sw).
  //
  // The input's: dP[r] = sum over i, y with i*dh + y*sh = r of dR[y] W[i]^T,
  // a full correlation of dR spread out by the strides (zeros between its
  // rows and columns, and (k-1)*dilation zeros before) with the filter
  // flipped and its channels swapped, at stride 1 and the same dilations.
  // Strided convolutions without dilation go one stride phase at a time
  // (stridedDataAdjoint): spread out, a stride of s would leave
  // (s^2-1)/s^2 of the products zero.
  // The filter's: dW[i, j, c, f] = sum over n, y, x of
  // P[n, i*dh + y*sh, j*dw + x*sw, c] dR[n, y, x, f]: a convolution of P
  // with channels and batch swapped (c images of n channels) by dR as an
  // oh x ow filter of n to f channels, the strides and dilations swapped;
  // Only the rows and columns of P the forward pass read take part:
  // (kh - 1) * dh + (oh - 1) * sh + 1 of them (a 3x3 stride-2 convolution
  // of an 8x8 image padded by 1 reads 9 of its 10), so that the output is
  // kh x kw; its output rows past kh are dropped otherwise.
  RankedTensorType outType = getResult().getType();
  int64_t needH = (kh - 1) * dil[0] + (outType.getDimSize(1) - 1) * st[0] + 1,
          needW = (kw - 1) * dil[1] + (outType.getDimSize(2) - 1) * st[1] + 1;
  int64_t usedH = std::min(inType.getDimSize(1), needH - pad[0]),
          usedW = std::min(inType.getDimSize(2), needW - pad[2]);
  // The zero padding is the convolution's own (on the transposed images):
  // lowered, it is a tensor.pad of the input like the forward pass's, and
  // the CPU pipeline reads the forward pass's padded input in place
  // (-tg-prepare-cpu-matmuls) instead of building a copy of its own.
  Value used = getInput();
  SmallVector<int64_t> imagePad{pad[0], pad[1], pad[2], pad[3]};
  if (usedH > 0 && usedW > 0 && needH <= hp && needW <= wp) {
    if (usedH != inType.getDimSize(1) || usedW != inType.getDimSize(2))
      used = SliceOp::create(b, loc, used, {0, 0, 0, 0}, {n, usedH, usedW, c},
                             {1, 1, 1, 1});
    imagePad = {pad[0], needH - usedH - pad[0], pad[2], needW - usedW - pad[2]};
  }
  Value images = TransposeOp::create(b, loc, used, {3, 1, 2, 0});
  Value taps = TransposeOp::create(b, loc, dR[0], {1, 2, 0, 3});
  Value g = Conv2DOp::create(b, loc, images, taps,
                             SmallVector<int64_t>{dil[0], dil[1]}, imagePad,
                             SmallVector<int64_t>{st[0], st[1]});
  RankedTensorType gType = tensorType(g);
  if (gType.getDimSize(1) != kh || gType.getDimSize(2) != kw)
    g = SliceOp::create(b, loc, g, {0, 0, 0, 0}, {c, kh, kw, f}, {1, 1, 1, 1});
  Value dFilter = TransposeOp::create(b, loc, g, {1, 2, 0, 3});

  // The input's comes second: built in this order, the filter gradient's
  // im2col tiles are freed before the input's result is allocated (the
  // CNN step's peak was both at once).
  SmallVector<int64_t> zeros4{0, 0, 0, 0}, ones2{1, 1};
  int64_t spanH = (kh - 1) * dil[0], spanW = (kw - 1) * dil[1];
  int64_t h = inType.getDimSize(1), w = inType.getDimSize(2);
  bool phases = (st[0] > 1 || st[1] > 1) && dil[0] == 1 && dil[1] == 1;
  Value dInput;
  if (st[0] == 1 && st[1] == 1 && pad[0] <= spanH && pad[1] <= spanH &&
      pad[2] <= spanW && pad[3] <= spanW) {
    // Stride 1, padding within the filter's span ('SAME', 'VALID'): the
    // rows of the unpadded input directly, dR padded by span - padding.
    dInput = Conv2DOp::create(
        b, loc, dR[0], flipFilter(b, loc, getFilter()), ones2,
        SmallVector<int64_t>{spanH - pad[0], spanH - pad[1], spanW - pad[2],
                             spanW - pad[3]},
        SmallVector<int64_t>{dil[0], dil[1]});
  } else if (phases && h % st[0] == 0 && w % st[1] == 0) {
    // The phases of the unpadded input's rows and columns only.
    dInput = stridedDataAdjoint(b, loc, dR[0], getFilter(), {pad[0], pad[2]},
                                {h / st[0], w / st[1]}, st);
  } else {
    Value dPadded;
    if (phases) {
      dPadded = stridedDataAdjoint(
          b, loc, dR[0], getFilter(), {0, 0},
          {(hp + st[0] - 1) / st[0], (wp + st[1] - 1) / st[1]}, st);
    } else {
      Value spread = scatterIntoZeros(
          b, loc, dR[0],
          RankedTensorType::get({n, hp + spanH, wp + spanW, f}, elem),
          {0, spanH, spanW, 0}, {1, st[0], st[1], 1});
      dPadded = Conv2DOp::create(
          b, loc, spread, flipFilter(b, loc, getFilter()), ones2, zeros4,
          SmallVector<int64_t>{dil[0], dil[1]});
    }
    // The phases may also have rows past hp.
    dInput = dPadded;
    if (tensorType(dPadded).getShape() != inType.getShape())
      dInput = SliceOp::create(b, loc, dPadded, {0, pad[0], pad[2], 0},
                               {n, pad[0] + h, pad[2] + w, c}, {1, 1, 1, 1});
  }
  return {dInput, dFilter};
}

//===----------------------------------------------------------------------===//
// Reductions, softmax
//===----------------------------------------------------------------------===//

/// The adjoint of a sum: the result adjoint broadcast back over the axes.
static Value broadcastBack(OpBuilder &b, Location loc, Value dR, Value x,
                           ArrayRef<int64_t> axes) {
  RankedTensorType xType = tensorType(x);
  Value kept = toKeepDims(b, loc, dR, xType, axes);
  return BroadcastToOp::create(b, loc, xType, kept);
}

SmallVector<Value> ReduceSumOp::buildAdjoints(OpBuilder &b,
                                              ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  return {broadcastBack(b, getLoc(), dR[0], getX(), getAxes())};
}

SmallVector<Value> ReduceMeanOp::buildAdjoints(OpBuilder &b,
                                               ArrayRef<Value> dR) {
  Location loc = getLoc();
  int64_t count = 1;
  for (int64_t a : getAxes())
    count *= getX().getType().getDimSize(a);
  Value scale = scalar(b, loc, getType().getElementType(), 1.0 / count);
  return {mul(b, loc, broadcastBack(b, loc, dR[0], getX(), getAxes()), scale)};
}

/// reduce_max/min: the adjoint goes to the elements equal to the extremum,
/// shared equally among ties.
static Value extremumReductionAdjoint(OpBuilder &b, Location loc, Value x,
                                      Value r, ArrayRef<int64_t> axes,
                                      Value dR) {
  RankedTensorType xType = tensorType(x);
  Type elem = xType.getElementType();
  Value rk = toKeepDims(b, loc, r, xType, axes);
  Value mask = cmp(b, loc, CmpPredicate::eq, x, rk);
  Value maskF = CastOp::create(b, loc, xType, mask);
  Value count = ReduceSumOp::create(b, loc, maskF, axes, /*keepDims=*/true);
  Value share = div(b, loc, toKeepDims(b, loc, dR, xType, axes), count);
  return select(b, loc, mask, share, scalar(b, loc, elem, 0.0));
}

SmallVector<Value> ReduceMaxOp::buildAdjoints(OpBuilder &b,
                                              ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  return {extremumReductionAdjoint(b, getLoc(), getX(), getResult(), getAxes(),
                                   dR[0])};
}

SmallVector<Value> ReduceMinOp::buildAdjoints(OpBuilder &b,
                                              ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  return {extremumReductionAdjoint(b, getLoc(), getX(), getResult(), getAxes(),
                                   dR[0])};
}

SmallVector<Value> SoftmaxOp::buildAdjoints(OpBuilder &b, ArrayRef<Value> dR) {
  Location loc = getLoc();
  // dx = y * (dy - sum(dy * y, axis)).
  Value y = getResult();
  int64_t axis = getAxis();
  Value s = ReduceSumOp::create(b, loc, mul(b, loc, dR[0], y), {axis},
                                /*keepDims=*/true);
  return {mul(b, loc, y, sub(b, loc, dR[0], s))};
}

SmallVector<Value> LogSoftmaxOp::buildAdjoints(OpBuilder &b,
                                               ArrayRef<Value> dR) {
  Location loc = getLoc();
  // dx = dy - exp(y) * sum(dy, axis).
  int64_t axis = getAxis();
  Value s = ReduceSumOp::create(b, loc, dR[0], {axis}, /*keepDims=*/true);
  return {sub(b, loc, dR[0], mul(b, loc, ExpOp::create(b, loc, getResult()), s))};
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

// Every process's result depends on every process's x, so the adjoint of
// x gathers the result adjoints of all the processes: a collective too.

SmallVector<Value> AllReduceOp::buildAdjoints(OpBuilder &b,
                                              ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  Location loc = getLoc();
  switch (getKind()) {
  case CollectiveKind::sum:
    return {AllReduceOp::create(b, loc, CollectiveKind::sum, dR[0])};
  case CollectiveKind::mean:
    return {AllReduceOp::create(b, loc, CollectiveKind::mean, dR[0])};
  case CollectiveKind::max:
  case CollectiveKind::min:
    break;
  }
  // The extremum's processes share the sum of the adjoints equally (as
  // tg.reduce_max shares among tied elements): k tied processes get 1/k
  // each. Some process always holds the extremum, so k >= 1.
  Value total = AllReduceOp::create(b, loc, CollectiveKind::sum, dR[0]);
  Value mask = CastOp::create(
      b, loc, getType(), cmp(b, loc, CmpPredicate::eq, getX(), getResult()));
  Value ties = AllReduceOp::create(b, loc, CollectiveKind::sum, mask);
  return {mul(b, loc, mask, DivOp::create(b, loc, total, ties))};
}

SmallVector<Value> BroadcastFromOp::buildAdjoints(OpBuilder &b,
                                                  ArrayRef<Value> dR) {
  TG_NO_ADJOINT_FOR_INTEGERS(getResult())
  Location loc = getLoc();
  // Process root's x is every process's result: root gets the sum of the
  // result adjoints, the others nothing.
  Value total = AllReduceOp::create(b, loc, CollectiveKind::sum, dR[0]);
  auto rankType = RankedTensorType::get({}, b.getI64Type());
  Value rank = ProcessRankOp::create(b, loc, rankType);
  Value root = ConstantOp::create(
      b, loc, DenseElementsAttr::get(rankType, b.getI64IntegerAttr(getRootAttr().getInt())));
  Value zero = scalar(b, loc, getType().getElementType(), 0.0);
  return {select(b, loc, cmp(b, loc, CmpPredicate::eq, rank, root), total,
                 zero)};
}
