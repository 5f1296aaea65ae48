//===- TgToLinalg.cpp - Lower tg ops to linalg on tensors -----------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The tg -> linalg/tensor/arith/math lowering. Broadcasting is expressed in
// indexing maps rather than materialized, so elementwise chains fuse into one
// linalg.generic and later into one loop nest. Everything stays on tensors:
// one-shot bufferization decides where memory is needed.
//
//===----------------------------------------------------------------------===//

#include "tg/Conversion/Passes.h"
#include "tg/Conversion/TgToLinalg/TgToLinalg.h"
#include "tg/Dialect/Tg/IR/TgOps.h"
#include "tg/Dialect/Tg/IR/TgShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_CONVERTTGTOLINALGPASS
#include "tg/Conversion/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;
using namespace mlir::tg;

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

using ScalarFn = llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// The map from an iteration space of `resultShape` to an operand that
/// broadcasts to it: dimensions align from the right, and a size-1 operand
/// dimension facing a larger result dimension always reads index 0.
static AffineMap getBroadcastMap(RankedTensorType operand,
                                 ArrayRef<int64_t> resultShape,
                                 MLIRContext *ctx) {
  int64_t rank = resultShape.size(), offset = rank - operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < operand.getRank(); ++i) {
    if (operand.getDimSize(i) == 1 && resultShape[offset + i] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

static Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
}

/// A linalg.generic over the iteration space of `resultType` (all parallel)
/// that reads `inputs` through `maps` and yields `fn` of their elements.
static Value buildParallelGeneric(OpBuilder &b, Location loc,
                                  RankedTensorType resultType,
                                  ValueRange inputs, ArrayRef<AffineMap> maps,
                                  ScalarFn fn) {
  SmallVector<AffineMap> indexingMaps(maps);
  indexingMaps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, createEmpty(b, loc, resultType),
      indexingMaps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, fn(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

/// An elementwise linalg.generic with numpy broadcasting of every input.
static Value buildElementwise(OpBuilder &b, Location loc,
                              RankedTensorType resultType, ValueRange inputs,
                              ScalarFn fn) {
  SmallVector<AffineMap> maps;
  for (Value v : inputs)
    maps.push_back(getBroadcastMap(cast<RankedTensorType>(v.getType()),
                                   resultType.getShape(), b.getContext()));
  return buildParallelGeneric(b, loc, resultType, inputs, maps, fn);
}

static bool isLowPrecisionFloat(Type t) {
  return isa<Float16Type, BFloat16Type>(t);
}

/// Runs `fn` on f32 copies of f16/bf16 scalars and rounds a float result
/// back once, as numpy does for half precision; other types pass through.
static Value computeWidened(OpBuilder &b, Location loc, ValueRange args,
                            ScalarFn fn) {
  Type original = args.empty() ? Type() : args.back().getType();
  if (!original || !isLowPrecisionFloat(original))
    return fn(b, loc, args);
  SmallVector<Value> wide;
  for (Value a : args)
    wide.push_back(isLowPrecisionFloat(a.getType())
                       ? arith::ExtFOp::create(b, loc, b.getF32Type(), a)
                       : a);
  Value r = fn(b, loc, wide);
  if (r.getType().isF32())
    r = arith::TruncFOp::create(b, loc, original, r);
  return r;
}

static Value floatConstant(OpBuilder &b, Location loc, Type type, double v) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
}

/// The scalar 0 of a float or integer type.
static Value zeroScalar(OpBuilder &b, Location loc, Type t) {
  return isa<FloatType>(t) ? floatConstant(b, loc, t, 0.0)
                           : Value(arith::ConstantOp::create(
                                 b, loc, b.getIntegerAttr(t, 0)));
}

/// A tensor of `type` filled with zeros: the init of a contraction.
static Value createZeros(OpBuilder &b, Location loc, RankedTensorType type) {
  return linalg::FillOp::create(b, loc, zeroScalar(b, loc, type.getElementType()),
                                createEmpty(b, loc, type))
      .getResult(0);
}

/// The accumulator of a contraction giving `type`: f16/bf16 products are
/// summed in f32 (an f16 sum of 3000 ones stops at 2048), as numpy, cuBLAS
/// and the reductions here do; other types in their own.
static RankedTensorType accumulatorType(RankedTensorType type) {
  return isLowPrecisionFloat(type.getElementType())
             ? type.clone(Float32Type::get(type.getContext()))
             : type;
}

/// `acc` rounded to `type` once, when the accumulator was wider.
static Value roundAccumulator(OpBuilder &b, Location loc, Value acc,
                              RankedTensorType type) {
  if (cast<RankedTensorType>(acc.getType()) == type)
    return acc;
  return buildParallelGeneric(
      b, loc, type, ValueRange{acc}, {b.getMultiDimIdentityMap(type.getRank())},
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        return arith::TruncFOp::create(nb, nloc, type.getElementType(),
                                       args[0]);
      });
}

/// Float to signed integer, defined everywhere: NaN, infinities and values
/// outside the integer's range give INT_MIN, as x86's cvtt* instructions
/// (and so numpy there) do. arith.fptosi alone is poison for them, which
/// LLVM may fold to anything; the folders (TgFolders.cpp) give INT_MIN too.
static Value floatToInt(OpBuilder &b, Location loc, Value v, IntegerType to) {
  // Compare in at least f32: 2^(width-1) overflows f16.
  if (isLowPrecisionFloat(v.getType()))
    v = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  Type from = v.getType();
  unsigned width = to.getWidth();
  double limit = std::ldexp(1.0, width - 1);
  // In range: -2^(w-1) <= v < 2^(w-1) (both exact in f32 and f64); false
  // for NaN (ordered comparisons).
  Value geMin = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, v,
                                      floatConstant(b, loc, from, -limit));
  Value ltMax = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, v,
                                      floatConstant(b, loc, from, limit));
  Value inRange = arith::AndIOp::create(b, loc, geMin, ltMax);
  Value converted = arith::FPToSIOp::create(b, loc, to, v);
  Value intMin = arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(to, APInt::getSignedMinValue(width)));
  return arith::SelectOp::create(b, loc, inRange, converted, intMin);
}

/// Integer division that never traps, with numpy's values: `x / 0` is 0 and
/// `INT_MIN / -1` wraps to INT_MIN. `floor` rounds the quotient toward
/// negative infinity (numpy's `//`); `remainder` gives numpy's `%` instead
/// (the sign of the divisor; `x % 0` is 0). TgFolders.cpp folds the same.
static Value safeIntDivide(OpBuilder &b, Location loc, Value a, Value d,
                           bool floor, bool remainder) {
  Type t = a.getType();
  unsigned width = t.getIntOrFloatBitWidth();
  auto constant = [&](const APInt &v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, v));
  };
  Value zero = constant(APInt::getZero(width));
  Value one = constant(APInt(width, 1));
  Value minusOne = constant(APInt::getAllOnes(width));
  using P = arith::CmpIPredicate;
  Value byZero = arith::CmpIOp::create(b, loc, P::eq, d, zero);
  // x / -1 == -x (wrapping): dividing by 1 instead gives x, negated below.
  // Division by 0 divides by 1 too, and the result is replaced by 0.
  Value byMinusOne = arith::CmpIOp::create(b, loc, P::eq, d, minusOne);
  Value safe = arith::SelectOp::create(
      b, loc, arith::OrIOp::create(b, loc, byZero, byMinusOne), one, d);
  Value q = arith::DivSIOp::create(b, loc, a, safe);
  Value r = arith::RemSIOp::create(b, loc, a, safe);
  q = arith::SelectOp::create(b, loc, byMinusOne,
                              arith::SubIOp::create(b, loc, zero, a), q);
  Value result = q;
  if (floor || remainder) {
    // Truncation rounded the wrong way when the remainder is non-zero and
    // its sign differs from the divisor's.
    Value rNonZero = arith::CmpIOp::create(b, loc, P::ne, r, zero);
    Value rNeg = arith::CmpIOp::create(b, loc, P::slt, r, zero);
    Value dNeg = arith::CmpIOp::create(b, loc, P::slt, d, zero);
    Value fix = arith::AndIOp::create(
        b, loc, rNonZero, arith::XOrIOp::create(b, loc, rNeg, dNeg));
    result = remainder
                 ? arith::SelectOp::create(b, loc, fix,
                                           arith::AddIOp::create(b, loc, r, d),
                                           r)
                 : arith::SelectOp::create(b, loc, fix,
                                           arith::SubIOp::create(b, loc, q, one),
                                           q);
  }
  return arith::SelectOp::create(b, loc, byZero, zero, result);
}

/// numpy's float `divmod` (npymath's npy_divmod, npy_floor_divide and
/// npy_remainder): the floored quotient or the remainder with the divisor's
/// sign. A zero divisor gives `a / b` and `fmod(a, b)` (inf or NaN).
static Value floatFloorDivide(OpBuilder &b, Location loc, Value a, Value d,
                              bool remainder) {
  Type t = a.getType();
  using P = arith::CmpFPredicate;
  Value zero = floatConstant(b, loc, t, 0.0);
  Value one = floatConstant(b, loc, t, 1.0);
  Value half = floatConstant(b, loc, t, 0.5);
  Value fmod = arith::RemFOp::create(b, loc, a, d);
  Value quotient = arith::DivFOp::create(b, loc, a, d);
  Value byZero = arith::CmpFOp::create(b, loc, P::OEQ, d, zero);
  if (remainder) {
    // mod += b where mod != 0 and sign(mod) != sign(b); a zero mod takes
    // b's sign.
    Value modNonZero = arith::CmpFOp::create(b, loc, P::UNE, fmod, zero);
    Value fix = arith::AndIOp::create(
        b, loc, modNonZero,
        arith::XOrIOp::create(
            b, loc, arith::CmpFOp::create(b, loc, P::OLT, d, zero),
            arith::CmpFOp::create(b, loc, P::OLT, fmod, zero)));
    Value mod = arith::SelectOp::create(
        b, loc, fix, arith::AddFOp::create(b, loc, fmod, d),
        arith::SelectOp::create(b, loc, modNonZero, fmod,
                                math::CopySignOp::create(b, loc, zero, d)));
    return arith::SelectOp::create(b, loc, byZero, fmod, mod);
  }
  Value div = arith::DivFOp::create(
      b, loc, arith::SubFOp::create(b, loc, a, fmod), d);
  Value modNonZero = arith::CmpFOp::create(b, loc, P::UNE, fmod, zero);
  Value fix = arith::AndIOp::create(
      b, loc, modNonZero,
      arith::XOrIOp::create(b, loc,
                            arith::CmpFOp::create(b, loc, P::OLT, d, zero),
                            arith::CmpFOp::create(b, loc, P::OLT, fmod, zero)));
  div = arith::SelectOp::create(b, loc, fix,
                                arith::SubFOp::create(b, loc, div, one), div);
  Value floored = math::FloorOp::create(b, loc, div);
  Value roundUp = arith::CmpFOp::create(
      b, loc, P::OGT, arith::SubFOp::create(b, loc, div, floored), half);
  floored = arith::SelectOp::create(
      b, loc, roundUp, arith::AddFOp::create(b, loc, floored, one), floored);
  Value divNonZero = arith::CmpFOp::create(b, loc, P::UNE, div, zero);
  Value result = arith::SelectOp::create(
      b, loc, divNonZero, floored,
      math::CopySignOp::create(b, loc, zero, quotient));
  return arith::SelectOp::create(b, loc, byZero, quotient, result);
}

/// Converts a scalar between any two tg element types (see tg.cast).
static Value castScalar(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (fromFloat && toFloat) {
    if (fromFloat.getWidth() < toFloat.getWidth() ||
        (fromFloat.getWidth() == toFloat.getWidth() && toFloat.isF32()))
      return arith::ExtFOp::create(b, loc, to, v);
    // f16 <-> bf16 (same width, neither is wider): go through f32.
    if (fromFloat.getWidth() == toFloat.getWidth())
      return arith::TruncFOp::create(
          b, loc, to, arith::ExtFOp::create(b, loc, b.getF32Type(), v));
    return arith::TruncFOp::create(b, loc, to, v);
  }
  if (toFloat) {
    if (from.isInteger(1))
      return arith::UIToFPOp::create(b, loc, to, v);
    return arith::SIToFPOp::create(b, loc, to, v);
  }
  if (to.isInteger(1)) {
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                   floatConstant(b, loc, from, 0.0));
    return arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne, v,
        arith::ConstantOp::create(b, loc, b.getIntegerAttr(from, 0)));
  }
  if (fromFloat)
    return floatToInt(b, loc, v, cast<IntegerType>(to));
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth == 1)
    return arith::ExtUIOp::create(b, loc, to, v);
  if (fromWidth < toWidth)
    return arith::ExtSIOp::create(b, loc, to, v);
  return arith::TruncIOp::create(b, loc, to, v);
}

/// The arith predicates of a tg.cmp predicate, for floats and for signed
/// integers. Float comparisons are ordered except `ne`, which is true with
/// a NaN, as in numpy.
static std::pair<arith::CmpFPredicate, arith::CmpIPredicate>
toArithPredicates(CmpPredicate p) {
  using F = arith::CmpFPredicate;
  using I = arith::CmpIPredicate;
  switch (p) {
  case CmpPredicate::eq: return {F::OEQ, I::eq};
  case CmpPredicate::ne: return {F::UNE, I::ne};
  case CmpPredicate::lt: return {F::OLT, I::slt};
  case CmpPredicate::le: return {F::OLE, I::sle};
  case CmpPredicate::gt: return {F::OGT, I::sgt};
  case CmpPredicate::ge: return {F::OGE, I::sge};
  }
  llvm_unreachable("unknown predicate");
}

/// The scalar computation of an elementwise tg op on already-widened
/// operands.
static Value buildScalarOp(Operation *op, OpBuilder &b, Location loc,
                           ValueRange a) {
  Type t = a.empty() ? Type() : a.back().getType();
  bool isFloat = t && isa<FloatType>(t);
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](AddOp) -> Value {
        return isFloat ? Value(arith::AddFOp::create(b, loc, a[0], a[1]))
                       : Value(arith::AddIOp::create(b, loc, a[0], a[1]));
      })
      .Case([&](SubOp) -> Value {
        return isFloat ? Value(arith::SubFOp::create(b, loc, a[0], a[1]))
                       : Value(arith::SubIOp::create(b, loc, a[0], a[1]));
      })
      .Case([&](MulOp) -> Value {
        return isFloat ? Value(arith::MulFOp::create(b, loc, a[0], a[1]))
                       : Value(arith::MulIOp::create(b, loc, a[0], a[1]));
      })
      .Case([&](DivOp) -> Value {
        return isFloat ? Value(arith::DivFOp::create(b, loc, a[0], a[1]))
                       : safeIntDivide(b, loc, a[0], a[1], /*floor=*/false,
                                       /*remainder=*/false);
      })
      .Case([&](FloorDivOp) -> Value {
        return isFloat ? floatFloorDivide(b, loc, a[0], a[1],
                                          /*remainder=*/false)
                       : safeIntDivide(b, loc, a[0], a[1], /*floor=*/true,
                                       /*remainder=*/false);
      })
      .Case([&](ModOp) -> Value {
        return isFloat ? floatFloorDivide(b, loc, a[0], a[1],
                                          /*remainder=*/true)
                       : safeIntDivide(b, loc, a[0], a[1], /*floor=*/true,
                                       /*remainder=*/true);
      })
      .Case([&](PowOp) { return math::PowFOp::create(b, loc, a[0], a[1]); })
      .Case([&](MaximumOp) -> Value {
        // arith.maximumf propagates NaN, like numpy.maximum.
        return isFloat ? Value(arith::MaximumFOp::create(b, loc, a[0], a[1]))
                       : Value(arith::MaxSIOp::create(b, loc, a[0], a[1]));
      })
      .Case([&](MinimumOp) -> Value {
        return isFloat ? Value(arith::MinimumFOp::create(b, loc, a[0], a[1]))
                       : Value(arith::MinSIOp::create(b, loc, a[0], a[1]));
      })
      .Case([&](NegOp) { return arith::NegFOp::create(b, loc, a[0]); })
      .Case([&](AbsOp) { return math::AbsFOp::create(b, loc, a[0]); })
      .Case([&](ExpOp) { return math::ExpOp::create(b, loc, a[0]); })
      .Case([&](LogOp) { return math::LogOp::create(b, loc, a[0]); })
      .Case([&](SqrtOp) { return math::SqrtOp::create(b, loc, a[0]); })
      .Case([&](RsqrtOp) { return math::RsqrtOp::create(b, loc, a[0]); })
      .Case([&](TanhOp) { return math::TanhOp::create(b, loc, a[0]); })
      .Case([&](SinOp) { return math::SinOp::create(b, loc, a[0]); })
      .Case([&](CosOp) { return math::CosOp::create(b, loc, a[0]); })
      .Case([&](FloorOp) { return math::FloorOp::create(b, loc, a[0]); })
      .Case([&](CeilOp) { return math::CeilOp::create(b, loc, a[0]); })
      .Case([&](RoundOp) { return math::RoundEvenOp::create(b, loc, a[0]); })
      .Case([&](ErfOp) { return math::ErfOp::create(b, loc, a[0]); })
      // log1p and expm1 in Kahan's forms on log and exp, not as math.log1p /
      // math.expm1: -convert-math-to-llvm expands those into log(1 + x) and
      // exp(x) - 1, which lose every digit for tiny x (f64 and GPU code).
      // log1p(x) = x * log(u) / (u - 1) with u = 1 + x rounded (x if u == 1).
      .Case([&](Log1pOp) -> Value {
        Value one = floatConstant(b, loc, t, 1.0);
        Value u = arith::AddFOp::create(b, loc, one, a[0]);
        Value um1 = arith::SubFOp::create(b, loc, u, one);
        Value r = arith::DivFOp::create(
            b, loc,
            arith::MulFOp::create(b, loc, a[0], math::LogOp::create(b, loc, u)),
            um1);
        // u == 1: x itself; u == inf (x == inf): log(u) = inf.
        Value isOne = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                            u, one);
        Value isInf = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OEQ, u,
            floatConstant(b, loc, t, INFINITY));
        r = arith::SelectOp::create(b, loc, isInf, u, r);
        return arith::SelectOp::create(b, loc, isOne, a[0], r);
      })
      // expm1(x) = (u - 1) * (x / log(u)) with u = e^x (x if u == 1, -1 if
      // u - 1 == -1, u if u is infinite).
      .Case([&](Expm1Op) -> Value {
        Value one = floatConstant(b, loc, t, 1.0);
        Value u = math::ExpOp::create(b, loc, a[0]);
        Value um1 = arith::SubFOp::create(b, loc, u, one);
        // x / log(u) is near 1: dividing first cannot overflow.
        Value r = arith::MulFOp::create(
            b, loc, um1,
            arith::DivFOp::create(b, loc, a[0], math::LogOp::create(b, loc, u)));
        Value minusOne = floatConstant(b, loc, t, -1.0);
        Value isOne = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                            u, one);
        Value isMinusOne = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OEQ, um1, minusOne);
        Value isInf = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OEQ, u,
            floatConstant(b, loc, t, INFINITY));
        r = arith::SelectOp::create(b, loc, isInf, u, r);
        r = arith::SelectOp::create(b, loc, isMinusOne, minusOne, r);
        return arith::SelectOp::create(b, loc, isOne, a[0], r);
      })
      .Case([&](SignOp) -> Value {
        // Zeros and NaN pass through (numpy.sign); math has no sign op.
        Value zero = floatConstant(b, loc, t, 0.0);
        Value gt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                         a[0], zero);
        Value lt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                         a[0], zero);
        Value r = arith::SelectOp::create(b, loc, lt,
                                          floatConstant(b, loc, t, -1.0), a[0]);
        return arith::SelectOp::create(b, loc, gt,
                                       floatConstant(b, loc, t, 1.0), r);
      })
      .Case([&](SigmoidOp) -> Value {
        // 1 / (1 + exp(-x)): exp overflows to +inf for very negative x and
        // the quotient is then exactly 0, so no special case is needed.
        Value one = floatConstant(b, loc, t, 1.0);
        Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, a[0]));
        return arith::DivFOp::create(b, loc, one,
                                     arith::AddFOp::create(b, loc, one, e));
      })
      .Case([&](ReluOp) -> Value {
        return arith::MaximumFOp::create(b, loc, a[0],
                                         floatConstant(b, loc, t, 0.0));
      })
      .Case([&](CmpOp cmp) -> Value {
        auto [f, i] = toArithPredicates(cmp.getPredicate());
        if (isFloat)
          return arith::CmpFOp::create(b, loc, f, a[0], a[1]);
        return arith::CmpIOp::create(b, loc, i, a[0], a[1]);
      })
      .Case([&](SelectOp) {
        return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
      })
      .Default([](Operation *) -> Value {
        llvm_unreachable("not an elementwise tg op");
      });
}

/// Reshapes `value` to `type` (same element count) with collapse/expand
/// shapes: directly where the shapes nest, otherwise through rank 1.
static Value reshapeTensor(OpBuilder &b, Location loc, Value value,
                           RankedTensorType type) {
  auto source = cast<RankedTensorType>(value.getType());
  if (source == type)
    return value;
  if (source.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, type, value,
                                         ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, value,
                                           ArrayRef<ReassociationIndices>{});
  if (source.getRank() != type.getRank()) {
    if (auto reassociation = getReassociationIndicesForReshape(source, type)) {
      if (source.getRank() > type.getRank())
        return tensor::CollapseShapeOp::create(b, loc, type, value,
                                               *reassociation);
      return tensor::ExpandShapeOp::create(b, loc, type, value, *reassociation);
    }
  }
  auto flatType =
      RankedTensorType::get({source.getNumElements()}, source.getElementType());
  ReassociationIndices all =
      llvm::to_vector(llvm::seq<int64_t>(0, source.getRank()));
  Value flat = source.getRank() == 1
                   ? value
                   : tensor::CollapseShapeOp::create(b, loc, flatType, value,
                                                     ArrayRef{all});
  ReassociationIndices allOut =
      llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  if (type.getRank() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(b, loc, type, flat, ArrayRef{allOut});
}

enum class ReduceKind { Sum, Max, Min };

/// The identity of a reduction: 0, -inf or +inf (the extreme integers).
static Value reductionIdentity(OpBuilder &b, Location loc, Type t,
                               ReduceKind kind) {
  if (auto ft = dyn_cast<FloatType>(t)) {
    if (kind == ReduceKind::Sum)
      return floatConstant(b, loc, t, 0.0);
    APFloat inf = APFloat::getInf(ft.getFloatSemantics(),
                                  /*Negative=*/kind == ReduceKind::Max);
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, inf));
  }
  unsigned width = t.getIntOrFloatBitWidth();
  APInt v = kind == ReduceKind::Sum   ? APInt::getZero(width)
            : kind == ReduceKind::Max ? APInt::getSignedMinValue(width)
                                      : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, v));
}

/// One step of a reduction. Float steps may be reassociated (`reassoc`), as
/// numpy's pairwise sums and every BLAS reassociate theirs: LLVM then keeps
/// one partial result per vector lane instead of one sequential chain,
/// whose add latency bounds a full sum of 1M floats at ~1 ms.
static Value combine(OpBuilder &b, Location loc, ReduceKind kind, Value acc,
                     Value x) {
  bool isFloat = isa<FloatType>(x.getType());
  auto reassoc = arith::FastMathFlags::reassoc;
  switch (kind) {
  case ReduceKind::Sum:
    return isFloat ? Value(arith::AddFOp::create(b, loc, acc, x, reassoc))
                   : Value(arith::AddIOp::create(b, loc, acc, x));
  case ReduceKind::Max:
    return isFloat ? Value(arith::MaximumFOp::create(b, loc, acc, x, reassoc))
                   : Value(arith::MaxSIOp::create(b, loc, acc, x));
  case ReduceKind::Min:
    return isFloat ? Value(arith::MinimumFOp::create(b, loc, acc, x, reassoc))
                   : Value(arith::MinSIOp::create(b, loc, acc, x));
  }
  llvm_unreachable("unknown reduction");
}

/// Reduces `input` over `axes`, dropping them; f16/bf16 accumulate in f32.
static Value buildReduction(OpBuilder &b, Location loc, Value input,
                            ArrayRef<int64_t> axes, ReduceKind kind) {
  auto inType = cast<RankedTensorType>(input.getType());
  Type elem = inType.getElementType();
  Type accType = isLowPrecisionFloat(elem) ? b.getF32Type() : elem;
  auto accTensor = RankedTensorType::get(
      getReducedShape(inType.getShape(), axes, /*keepDims=*/false), accType);
  Value init = linalg::FillOp::create(
                   b, loc, reductionIdentity(b, loc, accType, kind),
                   createEmpty(b, loc, accTensor))
                   .getResult(0);
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < inType.getRank(); ++d) {
    bool reduced = llvm::is_contained(axes, d);
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!reduced)
      outExprs.push_back(b.getAffineDimExpr(d));
  }
  SmallVector<AffineMap> maps{
      b.getMultiDimIdentityMap(inType.getRank()),
      AffineMap::get(inType.getRank(), 0, outExprs, b.getContext())};
  Value acc =
      linalg::GenericOp::create(
          b, loc, accTensor, input, init, maps, iterators,
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            Value x = args[0];
            if (x.getType() != accType)
              x = arith::ExtFOp::create(nb, nloc, accType, x);
            linalg::YieldOp::create(nb, nloc,
                                    combine(nb, nloc, kind, args[1], x));
          })
          .getResult(0);
  if (accType == elem)
    return acc;
  auto resultType = accTensor.clone(elem);
  return buildElementwise(b, loc, resultType, acc,
                          [&](OpBuilder &nb, Location nloc, ValueRange args) {
                            return castScalar(nb, nloc, args[0], elem);
                          });
}

/// The map reading a tensor reduced over `axis` from the full iteration
/// space of rank `rank` (the axis is dropped).
static AffineMap getProjectionMap(int64_t rank, int64_t axis,
                                  MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

namespace {

/// Any tg op whose results are all empty tensors: nothing to compute, so
/// they are tensor.empty (ahead of the op's own lowering, which may build
/// slices or tiles that are out of bounds at size 0).
struct ZeroSizeLowering : ConversionPattern {
  ZeroSizeLowering(MLIRContext *ctx)
      : ConversionPattern(MatchAnyOpTypeTag(), /*benefit=*/10, ctx) {}
  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value>,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<TgDialect>(op->getDialect()) || op->getNumResults() == 0 ||
        op->getNumRegions() != 0)
      return failure();
    SmallVector<Value> empties;
    for (Value r : op->getResults()) {
      auto type = dyn_cast<RankedTensorType>(r.getType());
      if (!type || !type.hasStaticShape() || type.getNumElements() != 0)
        return failure();
      empties.push_back(createEmpty(rewriter, op->getLoc(), type));
    }
    rewriter.replaceOp(op, empties);
    return success();
  }
};

/// Every elementwise tg op: one linalg.generic with broadcasting maps.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Operation *operation = op;
    Value result = buildElementwise(
        rewriter, op.getLoc(), cast<RankedTensorType>(op.getType()),
        adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return computeWidened(b, loc, args,
                                [&](OpBuilder &nb, Location nloc,
                                    ValueRange wide) {
                                  return buildScalarOp(operation, nb, nloc,
                                                       wide);
                                });
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// tg.select widens only its branches: the predicate is i1.
struct SelectLowering : OpConversionPattern<SelectOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SelectOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), op.getType(),
                             adaptor.getOperands(),
                             [&](OpBuilder &b, Location loc, ValueRange args) {
                               return arith::SelectOp::create(b, loc, args[0],
                                                              args[1], args[2]);
                             }));
    return success();
  }
};

struct CastLowering : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type to = op.getType().getElementType();
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), op.getType(),
                             adaptor.getX(),
                             [&](OpBuilder &b, Location loc, ValueRange args) {
                               return castScalar(b, loc, args[0], to);
                             }));
    return success();
  }
};

struct BroadcastToLowering : OpConversionPattern<BroadcastToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), op.getType(),
                             adaptor.getX(),
                             [](OpBuilder &, Location, ValueRange args) {
                               return args[0];
                             }));
    return success();
  }
};

/// Splat constants beyond this many elements become a linalg.fill: an
/// arith.constant would be bufferized into a global holding every element
/// (a 1e8-element splat: 400 MB in the object, GBs while compiling).
static constexpr int64_t kMaxSplatGlobalElements = 1 << 16;

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto splat = dyn_cast<SplatElementsAttr>(op.getValue());
    auto type = cast<RankedTensorType>(op.getType());
    if (splat && type.getNumElements() > kMaxSplatGlobalElements) {
      Location loc = op.getLoc();
      Value scalar = arith::ConstantOp::create(
          rewriter, loc, cast<TypedAttr>(splat.getSplatValue<Attribute>()));
      rewriter.replaceOp(op, linalg::FillOp::create(
                                 rewriter, loc, scalar,
                                 createEmpty(rewriter, loc, type))
                                 .getResult(0));
      return success();
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    // (linalg.matmul extends f16/bf16 operands to an f32 output itself.)
    RankedTensorType accType = accumulatorType(type);
    Value init = createZeros(rewriter, loc, accType);
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    if (type.getRank() == 2 && lhsType.getRank() == 2 &&
        rhsType.getRank() == 2) {
      Value product = linalg::MatmulOp::create(rewriter, loc, accType,
                                               ValueRange{lhs, rhs}, init)
                          .getResult(0);
      rewriter.replaceOp(op, roundAccumulator(rewriter, loc, product, type));
      return success();
    }
    // Batched with broadcast batch dims: dims (batch..., m, n, k).
    MLIRContext *ctx = rewriter.getContext();
    int64_t batch = type.getRank() - 2, numDims = type.getRank() + 1;
    AffineExpr m = getAffineDimExpr(batch, ctx),
               n = getAffineDimExpr(batch + 1, ctx),
               k = getAffineDimExpr(batch + 2, ctx);
    auto operandMap = [&](RankedTensorType t, AffineExpr row, AffineExpr col) {
      SmallVector<AffineExpr> exprs;
      int64_t tBatch = t.getRank() - 2, offset = batch - tBatch;
      for (int64_t i = 0; i < tBatch; ++i)
        exprs.push_back(t.getDimSize(i) == 1 && type.getDimSize(offset + i) != 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(offset + i, ctx));
      exprs.push_back(row);
      exprs.push_back(col);
      return AffineMap::get(numDims, 0, exprs, ctx);
    };
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < batch + 2; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps{operandMap(lhsType, m, k),
                                operandMap(rhsType, k, n),
                                AffineMap::get(numDims, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(batch + 2,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    bool isFloat = isa<FloatType>(elem);
    Type accElem = accType.getElementType();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, accType, ValueRange{lhs, rhs}, init, maps, iterators,
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          Value x = args[0], y = args[1];
          if (accElem != elem) {
            x = arith::ExtFOp::create(b, nloc, accElem, x);
            y = arith::ExtFOp::create(b, nloc, accElem, y);
          }
          Value prod = isFloat
                           ? Value(arith::MulFOp::create(b, nloc, x, y))
                           : Value(arith::MulIOp::create(b, nloc, x, y));
          Value sum = isFloat
                          ? Value(arith::AddFOp::create(b, nloc, args[2], prod))
                          : Value(arith::AddIOp::create(b, nloc, args[2], prod));
          linalg::YieldOp::create(b, nloc, sum);
        });
    rewriter.replaceOp(op,
                       roundAccumulator(rewriter, loc, generic.getResult(0), type));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getX(),
        createEmpty(rewriter, op.getLoc(), op.getType()),
        op.getPermutationAttr());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(), adaptor.getX(),
                                         op.getType()));
    return success();
  }
};

template <typename OpTy, ReduceKind Kind, bool IsMean = false>
struct ReductionLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    Value r = buildReduction(rewriter, loc, x, op.getAxes(), Kind);
    if constexpr (IsMean) {
      auto inType = cast<RankedTensorType>(x.getType());
      int64_t count = 1;
      for (int64_t a : op.getAxes())
        count *= inType.getDimSize(a);
      auto rType = cast<RankedTensorType>(r.getType());
      r = buildElementwise(
          rewriter, loc, rType, r,
          [&](OpBuilder &b, Location nloc, ValueRange args) {
            return computeWidened(
                b, nloc, args, [&](OpBuilder &nb, Location l, ValueRange w) {
                  return arith::DivFOp::create(
                      nb, l, w[0],
                      floatConstant(nb, l, w[0].getType(), double(count)));
                });
          });
    }
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, r, op.getType()));
    return success();
  }
};

/// softmax = exp(x - max) / sum(exp(x - max)); log_softmax = (x - max) -
/// log(sum(exp(x - max))). Subtracting the maximum keeps exp from
/// overflowing for large inputs.
template <typename OpTy, bool IsLog>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t axis = op.getAxis(), rank = type.getRank();
    MLIRContext *ctx = rewriter.getContext();
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap proj = getProjectionMap(rank, axis, ctx);
    auto widened = [&](auto fn) {
      return [fn](OpBuilder &b, Location l, ValueRange args) {
        return computeWidened(b, l, args, fn);
      };
    };
    Value max = buildReduction(rewriter, loc, x, {axis}, ReduceKind::Max);
    Value shifted = buildParallelGeneric(
        rewriter, loc, type, ValueRange{x, max}, {id, proj},
        widened([](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::SubFOp::create(b, l, a[0], a[1]);
        }));
    Value exps = buildParallelGeneric(
        rewriter, loc, type, shifted, {id},
        widened([](OpBuilder &b, Location l, ValueRange a) -> Value {
          return math::ExpOp::create(b, l, a[0]);
        }));
    Value sum = buildReduction(rewriter, loc, exps, {axis}, ReduceKind::Sum);
    Value result;
    if constexpr (IsLog)
      result = buildParallelGeneric(
          rewriter, loc, type, ValueRange{shifted, sum}, {id, proj},
          widened([](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::SubFOp::create(b, l, a[0],
                                         math::LogOp::create(b, l, a[1]));
          }));
    else
      result = buildParallelGeneric(
          rewriter, loc, type, ValueRange{exps, sum}, {id, proj},
          widened([](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::DivFOp::create(b, l, a[0], a[1]);
          }));
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// tg.concat as insert_slices into one tensor.empty. A concat whose only
/// use is another concat (the strided convolution's data gradient
/// interleaves its phases with a concat of rows of concats) inserts its
/// inputs straight into the outer result: one destination, so that
/// -eliminate-empty-tensors lets each input be computed in place in it,
/// instead of the inner result being built apart and copied.
struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value result = createEmpty(rewriter, loc, type);
    SmallVector<int64_t> origin(type.getRank(), 0);
    insertInputs(rewriter, loc, op, adaptor.getInputs(), origin, result);
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  // Inserts the (converted) inputs of `concat` into `result`, the first at
  // `origin`.
  static void insertInputs(ConversionPatternRewriter &rewriter, Location loc,
                           ConcatOp concat, ValueRange inputs,
                           SmallVector<int64_t> origin, Value &result) {
    int64_t axis = concat.getAxis();
    for (auto [original, input] : llvm::zip(concat.getInputs(), inputs)) {
      auto inType = cast<RankedTensorType>(input.getType());
      // An empty input contributes nothing (and an insert_slice of it at
      // the end of the axis would be out of bounds).
      if (inType.getNumElements() == 0)
        continue;
      auto inner = original.getDefiningOp<ConcatOp>();
      if (inner && original.hasOneUse()) {
        SmallVector<Value> innerInputs;
        for (Value v : inner.getInputs())
          innerInputs.push_back(rewriter.getRemappedValue(v));
        insertInputs(rewriter, loc, inner, innerInputs, origin, result);
      } else {
        SmallVector<OpFoldResult> offsets, sizes,
            strides(origin.size(), rewriter.getIndexAttr(1));
        for (auto [o, d] : llvm::zip(origin, inType.getShape())) {
          offsets.push_back(rewriter.getIndexAttr(o));
          sizes.push_back(rewriter.getIndexAttr(d));
        }
        result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                               offsets, sizes, strides);
      }
      origin[axis] += inType.getDimSize(axis);
    }
  }
};

/// Static offsets, sizes or strides as OpFoldResults.
static SmallVector<OpFoldResult> indexAttrs(Builder &b,
                                            ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [&](int64_t v) -> OpFoldResult {
    return b.getIndexAttr(v);
  });
}

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto attrs = [&](ArrayRef<int64_t> v) { return indexAttrs(rewriter, v); };
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, op.getType(), adaptor.getX(), attrs(op.getStart()),
        attrs(op.getType().getShape()), attrs(op.getStride()));
    return success();
  }
};

/// tg.insert_slice as tensor.insert_slice. A float window updated by an
/// addition, `insert_slice(add(slice(dest, w), g), dest, w)` (how the
/// reverse sweep sums strided slices' adjoints), becomes an elementwise
/// generic that accumulates g into the window in its outs operand: it
/// bufferizes in place in dest, where the plain form computes the sum into
/// a buffer of its own and copies it into the window.
struct InsertSliceLowering : OpConversionPattern<InsertSliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(InsertSliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto attrs = [&](ArrayRef<int64_t> v) { return indexAttrs(rewriter, v); };
    SmallVector<OpFoldResult> offsets = attrs(op.getStart()),
                              sizes =
                                  attrs(op.getSource().getType().getShape()),
                              strides = attrs(op.getStride());
    Value source = adaptor.getSource();
    if (Value added = addedToWindow(op, source, adaptor.getDest())) {
      Location loc = op.getLoc();
      Value window = tensor::ExtractSliceOp::create(
          rewriter, loc, adaptor.getDest(), offsets, sizes, strides);
      auto type = cast<RankedTensorType>(window.getType());
      SmallVector<AffineMap> maps(
          2, rewriter.getMultiDimIdentityMap(type.getRank()));
      SmallVector<utils::IteratorType> iterators(type.getRank(),
                                                 utils::IteratorType::parallel);
      source =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{type}, ValueRange{added},
              ValueRange{window}, maps, iterators,
              [](OpBuilder &b, Location l, ValueRange args) {
                linalg::YieldOp::create(
                    b, l,
                    ValueRange{arith::AddFOp::create(b, l, args[1], args[0])});
              })
              .getResult(0);
    }
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, source, adaptor.getDest(), offsets, sizes, strides);
    return success();
  }

  /// g when the source is `tg.add(tg.slice(dest, same window), g)` (either
  /// order, same shapes, floats) used by this op only: `source`, its
  /// lowering, is an elementwise generic adding the window, a
  /// tensor.extract_slice of `dest`, to g.
  static Value addedToWindow(InsertSliceOp op, Value source, Value dest) {
    auto generic = source.getDefiningOp<linalg::GenericOp>();
    if (!op.getSource().hasOneUse() || !generic ||
        generic.getNumDpsInputs() != 2 || generic.getNumDpsInits() != 1 ||
        !llvm::all_of(generic.getIndexingMapsArray(),
                      [](AffineMap m) { return m.isIdentity(); }))
      return {};
    Block &body = generic.getRegion().front();
    auto add =
        body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
    if (!add || body.getOperations().size() != 2 ||
        !llvm::is_contained(add->getOperands(), body.getArgument(0)) ||
        !llvm::is_contained(add->getOperands(), body.getArgument(1)))
      return {};
    for (int w = 0; w < 2; ++w) {
      auto window =
          generic.getDpsInputs()[w].getDefiningOp<tensor::ExtractSliceOp>();
      if (window && window.getSource() == dest &&
          window.getStaticOffsets() == op.getStart() &&
          window.getStaticSizes() == op.getSource().getType().getShape() &&
          window.getStaticStrides() == op.getStride())
        return generic.getDpsInputs()[1 - w];
    }
    return {};
  }
};

/// tg.gather as a linalg.generic over the result that reads the index and
/// extracts from `x` (tensor.extract in the body; the vectorizer turns it
/// into a vector gather or a contiguous load), so that it tiles and fuses
/// with its producers of the indices and its consumers like any
/// elementwise op. An index outside the axis after wrapping reads slice 0
/// and yields zero, so no access is ever out of bounds.
struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    auto indexType = cast<RankedTensorType>(op.getIndices().getType());
    int64_t axis = op.getAxis(), indexRank = indexType.getRank();
    int64_t dim = op.getX().getType().getDimSize(axis);
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> picked;
    for (int64_t d = 0; d < indexRank; ++d)
      picked.push_back(getAffineDimExpr(axis + d, ctx));
    AffineMap indexMap = AffineMap::get(type.getRank(), 0, picked, ctx);
    Value x = adaptor.getX();
    Value result = buildParallelGeneric(
        rewriter, loc, type, adaptor.getIndices(), {indexMap},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value i = args[0];
          if (!i.getType().isInteger(64))
            i = arith::ExtSIOp::create(b, l, b.getI64Type(), i);
          auto i64 = [&](int64_t v) -> Value {
            return arith::ConstantOp::create(b, l, b.getI64IntegerAttr(v));
          };
          Value negative = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::slt, i, i64(0));
          Value wrapped = arith::SelectOp::create(
              b, l, negative, arith::AddIOp::create(b, l, i, i64(dim)), i);
          // Unsigned: a wrapped index still negative is out of range too.
          Value inRange = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::ult, wrapped, i64(dim));
          Value safe = arith::SelectOp::create(b, l, inRange, wrapped, i64(0));
          SmallVector<Value> at;
          for (int64_t d = 0; d < axis; ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          at.push_back(arith::IndexCastOp::create(b, l, b.getIndexType(), safe));
          for (int64_t d = axis + indexRank; d < type.getRank(); ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          Value v = tensor::ExtractOp::create(b, l, x, at);
          return arith::SelectOp::create(
              b, l, inRange, v, zeroScalar(b, l, type.getElementType()));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// tg.random_uniform: one parallel generic whose body runs Philox 4x32-10
/// on the element's block counter (32-bit multiplies with their high
/// halves, which vectorize) and scales the chosen word to [0, 1).
struct RandomUniformLowering : OpConversionPattern<RandomUniformOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RandomUniformOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    auto index = [&](OpBuilder &b, Location l, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, l, v);
    };
    // The two key words, read once outside the loop.
    Value key = tensor::ExtractOp::create(rewriter, loc, adaptor.getKey(),
                                          ValueRange{index(rewriter, loc, 0)});
    Value counterHigh = tensor::ExtractOp::create(
        rewriter, loc, adaptor.getKey(), ValueRange{index(rewriter, loc, 1)});
    ArrayRef<int64_t> shape = type.getShape();
    Value result = buildParallelGeneric(
        rewriter, loc, type, ValueRange{}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Type i32 = b.getI32Type(), i64 = b.getI64Type();
          auto c32 = [&](uint32_t v) -> Value {
            return arith::ConstantOp::create(
                b, l, b.getIntegerAttr(i32, static_cast<int32_t>(v)));
          };
          auto c64 = [&](int64_t v) -> Value {
            return arith::ConstantOp::create(b, l, b.getI64IntegerAttr(v));
          };
          auto lo = [&](Value v) -> Value {
            return arith::TruncIOp::create(b, l, i32, v);
          };
          auto hi = [&](Value v) -> Value {
            return lo(arith::ShRUIOp::create(b, l, v, c64(32)));
          };
          // The row-major linear index of this element.
          Value linear = c64(0);
          for (int64_t d = 0; d < type.getRank(); ++d) {
            Value i = arith::IndexCastOp::create(
                b, l, i64, linalg::IndexOp::create(b, l, d));
            linear = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, linear, c64(shape[d])), i);
          }
          Value block = arith::ShRUIOp::create(b, l, linear, c64(2));
          Value ctr[4] = {lo(block), hi(block), lo(counterHigh),
                          hi(counterHigh)};
          Value k0 = lo(key), k1 = hi(key);
          for (int round = 0; round < 10; ++round) {
            if (round) {
              k0 = arith::AddIOp::create(b, l, k0, c32(0x9E3779B9u));
              k1 = arith::AddIOp::create(b, l, k1, c32(0xBB67AE85u));
            }
            auto m0 = arith::MulUIExtendedOp::create(b, l, c32(0xD2511F53u),
                                                     ctr[0]);
            auto m1 = arith::MulUIExtendedOp::create(b, l, c32(0xCD9E8D57u),
                                                     ctr[2]);
            Value next[4] = {
                arith::XOrIOp::create(
                    b, l, arith::XOrIOp::create(b, l, m1.getHigh(), ctr[1]),
                    k0),
                m1.getLow(),
                arith::XOrIOp::create(
                    b, l, arith::XOrIOp::create(b, l, m0.getHigh(), ctr[3]),
                    k1),
                m0.getLow()};
            std::copy(std::begin(next), std::end(next), std::begin(ctr));
          }
          // Word i mod 4 of the block.
          Value word = lo(arith::AndIOp::create(b, l, linear, c64(3)));
          Value bits = ctr[3];
          for (int w = 2; w >= 0; --w)
            bits = arith::SelectOp::create(
                b, l,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, word,
                                      c32(w)),
                ctr[w], bits);
          // The top p bits, scaled by 2^-p: exact, and below 1.
          unsigned p = std::min<unsigned>(
              32, APFloat::semanticsPrecision(
                      cast<FloatType>(elem).getFloatSemantics()));
          Value top = arith::ShRUIOp::create(b, l, bits, c32(32 - p));
          Type wide = elem.isF64() ? Type(b.getF64Type()) : b.getF32Type();
          Value f = arith::UIToFPOp::create(b, l, wide, top);
          f = arith::MulFOp::create(b, l, f,
                                    floatConstant(b, l, wide, std::ldexp(1.0, -int(p))));
          if (f.getType() != elem)
            f = arith::TruncFOp::create(b, l, elem, f);
          return f;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct Conv2DLowering : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value zero = zeroScalar(rewriter, loc, type.getElementType());
    Value input = adaptor.getInput();
    ArrayRef<int64_t> pad = op.getPadding();
    if (llvm::any_of(pad, [](int64_t p) { return p != 0; })) {
      auto inType = cast<RankedTensorType>(input.getType());
      SmallVector<int64_t> shape(inType.getShape());
      shape[1] += pad[0] + pad[1];
      shape[2] += pad[2] + pad[3];
      SmallVector<OpFoldResult> low{rewriter.getIndexAttr(0),
                                    rewriter.getIndexAttr(pad[0]),
                                    rewriter.getIndexAttr(pad[2]),
                                    rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> high{rewriter.getIndexAttr(0),
                                     rewriter.getIndexAttr(pad[1]),
                                     rewriter.getIndexAttr(pad[3]),
                                     rewriter.getIndexAttr(0)};
      input = tensor::PadOp::create(rewriter, loc, inType.clone(shape), input,
                                    low, high, zero);
    }
    RankedTensorType accType = accumulatorType(type);
    Value init = createZeros(rewriter, loc, accType);
    auto conv = linalg::Conv2DNhwcHwcfOp::create(
        rewriter, loc, accType, ValueRange{input, adaptor.getFilter()}, init,
        rewriter.getI64TensorAttr(op.getStrides()),
        rewriter.getI64TensorAttr(op.getDilations()));
    rewriter.replaceOp(op,
                       roundAccumulator(rewriter, loc, conv.getResult(0), type));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//
//
// A call of the runtime on buffers: tg_all_reduce_<t>(send, recv, kind),
// tg_broadcast_<t>(send, recv, root), tg_process_rank(). Upstream's mpi
// dialect (mpi.allreduce and its LLVM conversion) assumes an initialized
// MPI linked into the program and a job to run in; tg's code must also run
// as one process outside any job, and initializes MPI once per process, on
// first use (lib/CAPI/Distributed.cpp). The buffers are passed as
// memrefs, so that every later pass (deallocation, the memory planner)
// sees them used by the call.

/// `name` declared in the module with `type`, once.
static func::FuncOp runtimeFunction(OpBuilder &b, Operation *from,
                                    StringRef name, FunctionType type) {
  auto module = from->getParentOfType<ModuleOp>();
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto fn = func::FuncOp::create(b, from->getLoc(), name, type);
  fn.setPrivate();
  return fn;
}

/// "f32", "f64", "i32", "i64": the runtime functions' suffix.
static std::string elementSuffix(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// `tensor` as a flat memref<?xT> (a copy where its buffer is not
/// contiguous: bufferization decides), and a fresh buffer of its shape.
static Value flatBuffer(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  Value flat = memref;
  if (type.getRank() == 0) {
    // A scalar: a buffer of one element.
    flat = memref::ExpandShapeOp::create(
        b, loc, MemRefType::get({1}, type.getElementType()), memref,
        ArrayRef<ReassociationIndices>{}, ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  } else if (type.getRank() != 1) {
    SmallVector<ReassociationIndices> all(1);
    for (int64_t i = 0; i < type.getRank(); ++i)
      all[0].push_back(i);
    flat = memref::CollapseShapeOp::create(b, loc, memref, all);
  }
  auto dynamic =
      MemRefType::get({ShapedType::kDynamic}, type.getElementType());
  return memref::CastOp::create(b, loc, dynamic, flat);
}

/// A buffer holding `tensor`'s value as of this point of the program: a
/// copy made by a tensor op (bufferization.alloc_tensor), because the call
/// that reads the buffer is invisible to bufferization's analysis. With
/// the operand's own buffer (to_buffer of it), CSE merged two collectives'
/// to_buffer into one at the first, and an op in between was then
/// bufferized in place into the buffer the second collective read.
static Value sendBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Value copy =
      bufferization::AllocTensorOp::create(b, loc, type, ValueRange{}, tensor);
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), copy,
      /*read_only=*/true);
}

static Value toTensor(OpBuilder &b, Location loc, Value memref,
                      RankedTensorType type) {
  return bufferization::ToTensorOp::create(b, loc, type, memref,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

/// `runtime_<t>(send, recv, extra)` on a copy of `x` and a fresh buffer,
/// which becomes the result.
static Value callCollective(OpBuilder &b, Operation *op, Value x,
                            StringRef runtime, Value extra) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(x.getType());
  Value send = sendBuffer(b, loc, x);
  Value recv = memref::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()),
      b.getI64IntegerAttr(64));
  Value flatSend = flatBuffer(b, loc, send);
  Value flatRecv = flatBuffer(b, loc, recv);
  func::FuncOp fn = runtimeFunction(
      b, op, (runtime + "_" + elementSuffix(type.getElementType())).str(),
      b.getFunctionType({flatSend.getType(), flatRecv.getType(),
                         extra.getType()},
                        {}));
  func::CallOp::create(b, loc, fn, ValueRange{flatSend, flatRecv, extra});
  return toTensor(b, loc, recv, type);
}

struct AllReduceLowering : OpConversionPattern<AllReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value kind = arith::ConstantIntOp::create(
        rewriter, op.getLoc(), static_cast<int64_t>(op.getKind()), 32);
    rewriter.replaceOp(op, callCollective(rewriter, op, adaptor.getX(),
                                          "tg_all_reduce", kind));
    return success();
  }
};

struct BroadcastFromLowering : OpConversionPattern<BroadcastFromOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastFromOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // The result receives root's x.
    Value root = arith::ConstantIntOp::create(
        rewriter, op.getLoc(), op.getRootAttr().getInt(), 64);
    rewriter.replaceOp(op, callCollective(rewriter, op, adaptor.getX(),
                                          "tg_broadcast", root));
    return success();
  }
};

struct ProcessRankLowering : OpConversionPattern<ProcessRankOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ProcessRankOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    func::FuncOp fn =
        runtimeFunction(rewriter, op, "tg_process_rank",
                        rewriter.getFunctionType({}, {rewriter.getI64Type()}));
    Value rank = func::CallOp::create(rewriter, loc, fn, ValueRange{})
                     .getResult(0);
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(),
                                                        ValueRange{rank});
    return success();
  }
};

} // namespace

void mlir::tg::populateTgToLinalgConversionPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ElementwiseLowering<AddOp>, ElementwiseLowering<SubOp>,
               ElementwiseLowering<MulOp>, ElementwiseLowering<DivOp>,
               ElementwiseLowering<FloorDivOp>, ElementwiseLowering<ModOp>,
               ElementwiseLowering<PowOp>, ElementwiseLowering<MaximumOp>,
               ElementwiseLowering<MinimumOp>, ElementwiseLowering<NegOp>,
               ElementwiseLowering<AbsOp>, ElementwiseLowering<ExpOp>,
               ElementwiseLowering<LogOp>, ElementwiseLowering<SqrtOp>,
               ElementwiseLowering<RsqrtOp>, ElementwiseLowering<TanhOp>,
               ElementwiseLowering<SigmoidOp>, ElementwiseLowering<ReluOp>,
               ElementwiseLowering<SinOp>, ElementwiseLowering<CosOp>,
               ElementwiseLowering<FloorOp>, ElementwiseLowering<CeilOp>,
               ElementwiseLowering<RoundOp>, ElementwiseLowering<SignOp>,
               ElementwiseLowering<ErfOp>, ElementwiseLowering<Log1pOp>,
               ElementwiseLowering<Expm1Op>, ElementwiseLowering<CmpOp>>(ctx);
  patterns.add<ZeroSizeLowering>(ctx);
  patterns.add<SelectLowering, CastLowering, BroadcastToLowering,
               ConstantLowering, MatmulLowering, TransposeLowering,
               ReshapeLowering, ConcatLowering, SliceLowering,
               InsertSliceLowering, GatherLowering, RandomUniformLowering,
               Conv2DLowering, AllReduceLowering, BroadcastFromLowering,
               ProcessRankLowering>(ctx);
  patterns.add<ReductionLowering<ReduceSumOp, ReduceKind::Sum>,
               ReductionLowering<ReduceMeanOp, ReduceKind::Sum, true>,
               ReductionLowering<ReduceMaxOp, ReduceKind::Max>,
               ReductionLowering<ReduceMinOp, ReduceKind::Min>,
               SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>>(ctx);
}

namespace {
struct ConvertTgToLinalgPass
    : tg::impl::ConvertTgToLinalgPassBase<ConvertTgToLinalgPass> {
  void runOnOperation() override {
    // Differentiation must run first; say so instead of a generic
    // "failed to legalize".
    WalkResult walk = getOperation()->walk([](Operation *op) {
      if (isa<GradOp, TapeOp>(op)) {
        op->emitOpError("must be removed by -tg-tape-to-gradient before "
                        "lowering to linalg");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalDialect<TgDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateTgToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
