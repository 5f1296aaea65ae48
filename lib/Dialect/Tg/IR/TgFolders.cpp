//===- TgFolders.cpp - tg op folders --------------------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Constant folding and single-op simplifications. Every fold keeps IEEE-754
// semantics exactly: `x*0 -> 0`, `x-x -> 0` and `x+0.0 -> x` are not done
// (they change NaN, infinity or the sign of zero); `x + -0.0`, `x - 0.0`,
// `x*1`, `x/1` and `x**1` are exact and folded.
//
// Constant results are only materialized up to kMaxFoldElements elements
// (splats of any size are free), so that folding never blows a small program
// up into megabytes of literal data.
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/IR/TgOps.h"
#include "tg/Dialect/Tg/IR/TgShapes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/APSInt.h"
#include <cmath>
#include <variant>

using namespace mlir;
using namespace mlir::tg;

/// The largest non-splat constant a folder creates.
static constexpr int64_t kMaxFoldElements = 1 << 16;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
/// Maps a row-major linear index of a result to the linear index of an
/// operand that broadcasts to it (strides of broadcast dimensions are 0).
class BroadcastIndexer {
public:
  BroadcastIndexer(ArrayRef<int64_t> operand, ArrayRef<int64_t> result)
      : resultShape(result), strides(result.size(), 0) {
    int64_t stride = 1;
    size_t offset = result.size() - operand.size();
    for (int64_t i = operand.size() - 1; i >= 0; --i) {
      strides[offset + i] = operand[i] == 1 ? 0 : stride;
      stride *= operand[i];
    }
  }
  int64_t operator()(int64_t linear) const {
    int64_t index = 0;
    for (int64_t d = resultShape.size() - 1; d >= 0; --d) {
      index += (linear % resultShape[d]) * strides[d];
      linear /= resultShape[d];
    }
    return index;
  }

private:
  SmallVector<int64_t> resultShape;
  SmallVector<int64_t> strides;
};

/// One scalar of any tg element type.
using Scalar = std::variant<APFloat, APInt>;
} // namespace

static DenseElementsAttr getDense(Attribute attr) {
  return dyn_cast_if_present<DenseIntOrFPElementsAttr>(attr);
}

/// True when a result of `type` may be materialized from the given inputs.
static bool withinFoldLimit(ShapedType type, bool allSplat) {
  return allSplat || type.getNumElements() <= kMaxFoldElements;
}

static Scalar readScalar(DenseElementsAttr attr, int64_t index) {
  if (isa<FloatType>(attr.getElementType()))
    return attr.getValues<APFloat>()[index];
  return attr.getValues<APInt>()[index];
}

/// Builds an elements attribute of `type` from scalars.
static DenseElementsAttr buildDense(ShapedType type, ArrayRef<Scalar> values) {
  if (isa<FloatType>(type.getElementType())) {
    SmallVector<APFloat> floats;
    for (const Scalar &s : values)
      floats.push_back(std::get<APFloat>(s));
    return DenseElementsAttr::get(type, floats);
  }
  SmallVector<APInt> ints;
  for (const Scalar &s : values)
    ints.push_back(std::get<APInt>(s));
  return DenseElementsAttr::get(type, ints);
}

/// Folds an elementwise op over constant operands with numpy broadcasting.
/// `fn` maps the operands' scalars to the result scalar, or std::nullopt to
/// give up (e.g. integer division by zero).
static Attribute
foldElementwise(ArrayRef<Attribute> operands, ShapedType resultType,
                llvm::function_ref<std::optional<Scalar>(ArrayRef<Scalar>)> fn) {
  SmallVector<DenseElementsAttr> dense;
  bool allSplat = true;
  for (Attribute attr : operands) {
    DenseElementsAttr d = getDense(attr);
    if (!d)
      return {};
    allSplat &= d.isSplat();
    dense.push_back(d);
  }
  if (!withinFoldLimit(resultType, allSplat))
    return {};
  auto compute = [&](int64_t linear,
                     ArrayRef<BroadcastIndexer> indexers) -> std::optional<Scalar> {
    SmallVector<Scalar> args;
    for (auto [d, indexer] : llvm::zip_equal(dense, indexers))
      args.push_back(readScalar(d, d.isSplat() ? 0 : indexer(linear)));
    return fn(args);
  };
  SmallVector<BroadcastIndexer> indexers;
  for (DenseElementsAttr d : dense)
    indexers.emplace_back(cast<ShapedType>(d.getType()).getShape(),
                          resultType.getShape());
  if (allSplat) {
    std::optional<Scalar> v = compute(0, indexers);
    if (!v)
      return {};
    return buildDense(resultType, {*v});
  }
  SmallVector<Scalar> values;
  for (int64_t i = 0, e = resultType.getNumElements(); i < e; ++i) {
    std::optional<Scalar> v = compute(i, indexers);
    if (!v)
      return {};
    values.push_back(*v);
  }
  return buildDense(resultType, values);
}

/// Folds a binary arithmetic op given its float and integer semantics.
template <typename FloatFn, typename IntFn>
static Attribute foldBinary(Attribute lhs, Attribute rhs, ShapedType type,
                            FloatFn floatFn, IntFn intFn) {
  return foldElementwise(
      {lhs, rhs}, type, [&](ArrayRef<Scalar> a) -> std::optional<Scalar> {
        if (auto *f = std::get_if<APFloat>(&a[0]))
          return Scalar(floatFn(*f, std::get<APFloat>(a[1])));
        std::optional<APInt> r =
            intFn(std::get<APInt>(a[0]), std::get<APInt>(a[1]));
        if (!r)
          return std::nullopt;
        return Scalar(*r);
      });
}

/// True when `attr` is a splat constant whose every element equals `value`
/// (for floats also in the sign of zero: -0.0 and 0.0 differ).
static bool isSplatOf(Attribute attr, double value) {
  DenseElementsAttr d = getDense(attr);
  if (!d || !d.isSplat())
    return false;
  if (isa<FloatType>(d.getElementType())) {
    APFloat v = d.getSplatValue<APFloat>();
    bool losesInfo;
    APFloat want(value);
    want.convert(v.getSemantics(), APFloat::rmNearestTiesToEven, &losesInfo);
    return v.bitwiseIsEqual(want);
  }
  return d.getSplatValue<APInt>().getSExtValue() == static_cast<int64_t>(value);
}

/// `x op identity -> x` when the result has x's type; broadcasting cases
/// are left to the canonicalization patterns, which insert a broadcast_to.
static OpFoldResult foldToOperand(Value x, Type resultType) {
  return x.getType() == resultType ? OpFoldResult(x) : OpFoldResult();
}

bool mlir::tg::isSplatOf(Value v, double value) {
  Attribute attr;
  return matchPattern(v, m_Constant(&attr)) && ::isSplatOf(attr, value);
}

Value mlir::tg::getPassThroughOperand(Operation *op) {
  auto pick = [&](double rhsIdentity, double lhsIdentity,
                  bool commutes) -> Value {
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    if (isSplatOf(rhs, rhsIdentity))
      return lhs;
    if (commutes && isSplatOf(lhs, lhsIdentity))
      return rhs;
    return {};
  };
  bool isFloat =
      isa<FloatType>(cast<ShapedType>(op->getResult(0).getType()).getElementType());
  // x + (-0.0) is x exactly; x + (+0.0) turns -0.0 into +0.0, so floats only
  // pass through a negative zero. x - (+0.0) == x + (-0.0) == x.
  double addZero = isFloat ? -0.0 : 0.0;
  if (isa<AddOp>(op))
    return pick(addZero, addZero, true);
  if (isa<SubOp>(op))
    return pick(0.0, 0.0, false);
  if (isa<MulOp>(op))
    return pick(1.0, 1.0, true);
  if (isa<DivOp, PowOp>(op))
    return pick(1.0, 1.0, false);
  return {};
}

/// Applies a double-precision function to a float, rounding the result to
/// the element type (to nearest even).
static APFloat applyInDouble(const APFloat &x, double (*fn)(double)) {
  APFloat result(fn(x.convertToDouble()));
  bool losesInfo;
  result.convert(x.getSemantics(), APFloat::rmNearestTiesToEven, &losesInfo);
  return result;
}

template <typename Fn>
static Attribute foldUnaryFloat(Attribute operand, ShapedType type, Fn fn) {
  return foldElementwise({operand}, type,
                         [&](ArrayRef<Scalar> a) -> std::optional<Scalar> {
                           return Scalar(fn(std::get<APFloat>(a[0])));
                         });
}

static APInt wrapAdd(const APInt &a, const APInt &b) { return a + b; }

namespace {
enum class IntDivision { Truncate, Floor, Remainder };
} // namespace

/// Integer division as compiled code computes it (safeIntDivide in
/// TgToLinalg.cpp), with numpy's values: never undefined, `x / 0` and
/// `x % 0` are 0, `INT_MIN / -1` wraps to INT_MIN.
static APInt intDivide(const APInt &a, const APInt &b, IntDivision kind) {
  unsigned width = a.getBitWidth();
  if (b.isZero())
    return APInt::getZero(width);
  if (b.isAllOnes())
    return kind == IntDivision::Remainder ? APInt::getZero(width) : -a;
  APInt q = a.sdiv(b), r = a.srem(b);
  if (kind == IntDivision::Truncate)
    return q;
  bool fix = !r.isZero() && r.isNegative() != b.isNegative();
  if (kind == IntDivision::Remainder)
    return fix ? r + b : r;
  return fix ? q - 1 : q;
}

/// numpy's float floor division or remainder (npymath's npy_divmod), as
/// floatFloorDivide in TgToLinalg.cpp computes it: in f32 for f16 and bf16,
/// rounded once.
static APFloat floatFloorDivide(const APFloat &x, const APFloat &y,
                                bool remainder) {
  const llvm::fltSemantics &original = x.getSemantics();
  bool widen = &original == &APFloat::IEEEhalf() ||
               &original == &APFloat::BFloat();
  APFloat a = x, b = y;
  bool losesInfo;
  if (widen) {
    a.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &losesInfo);
    b.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &losesInfo);
  }
  const llvm::fltSemantics &sem = a.getSemantics();
  auto rm = APFloat::rmNearestTiesToEven;
  APFloat zero = APFloat::getZero(sem), one(sem, 1), half(0.5);
  half.convert(sem, rm, &losesInfo);
  auto isLess = [](const APFloat &u, const APFloat &v) {
    return u.compare(v) == APFloat::cmpLessThan;
  };
  auto nonZero = [&](const APFloat &u) {
    return u.compare(zero) != APFloat::cmpEqual; // true for NaN
  };
  APFloat fmod = a;
  fmod.mod(b);
  APFloat quotient = a;
  quotient.divide(b, rm);
  APFloat result = quotient;
  bool byZero = b.compare(zero) == APFloat::cmpEqual;
  bool fix = nonZero(fmod) && (isLess(b, zero) != isLess(fmod, zero));
  if (byZero) {
    result = remainder ? fmod : quotient;
  } else if (remainder) {
    if (fix) {
      result = fmod;
      result.add(b, rm);
    } else if (nonZero(fmod)) {
      result = fmod;
    } else {
      result = APFloat::copySign(zero, b);
    }
  } else {
    APFloat div = a;
    div.subtract(fmod, rm);
    div.divide(b, rm);
    if (fix)
      div.subtract(one, rm);
    if (nonZero(div)) {
      APFloat floored = div;
      floored.roundToIntegral(APFloat::rmTowardNegative);
      APFloat diff = div;
      diff.subtract(floored, rm);
      if (diff.compare(half) == APFloat::cmpGreaterThan)
        floored.add(one, rm);
      result = floored;
    } else {
      result = APFloat::copySign(zero, quotient);
    }
  }
  if (widen)
    result.convert(original, APFloat::rmNearestTiesToEven, &losesInfo);
  return result;
}

//===----------------------------------------------------------------------===//
// tg.constant
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (Value x = getPassThroughOperand(*this))
    return foldToOperand(x, getType());
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](APFloat a, const APFloat &b) {
        a.add(b, APFloat::rmNearestTiesToEven);
        return a;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return wrapAdd(a, b);
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (Value x = getPassThroughOperand(*this))
    return foldToOperand(x, getType());
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](APFloat a, const APFloat &b) {
        a.subtract(b, APFloat::rmNearestTiesToEven);
        return a;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (Value x = getPassThroughOperand(*this))
    return foldToOperand(x, getType());
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](APFloat a, const APFloat &b) {
        a.multiply(b, APFloat::rmNearestTiesToEven);
        return a;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (Value x = getPassThroughOperand(*this))
    return foldToOperand(x, getType());
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](APFloat a, const APFloat &b) {
        a.divide(b, APFloat::rmNearestTiesToEven);
        return a;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return intDivide(a, b, IntDivision::Truncate);
      });
}

OpFoldResult FloorDivOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) {
        return floatFloorDivide(a, b, /*remainder=*/false);
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return intDivide(a, b, IntDivision::Floor);
      });
}

OpFoldResult ModOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) {
        return floatFloorDivide(a, b, /*remainder=*/true);
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return intDivide(a, b, IntDivision::Remainder);
      });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  if (Value x = getPassThroughOperand(*this))
    return foldToOperand(x, getType());
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) {
        APFloat r(std::pow(a.convertToDouble(), b.convertToDouble()));
        bool losesInfo;
        r.convert(a.getSemantics(), APFloat::rmNearestTiesToEven, &losesInfo);
        return r;
      },
      [](const APInt &, const APInt &) -> std::optional<APInt> {
        return std::nullopt;
      });
}

OpFoldResult MaximumOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return llvm::maximum(a, b); },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.sge(b) ? a : b;
      });
}

OpFoldResult MinimumOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return llvm::minimum(a, b); },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.sle(b) ? a : b;
      });
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(adaptor.getX(), getType(), [](APFloat x) {
    x.changeSign();
    return x;
  });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(adaptor.getX(), getType(), [](APFloat x) {
    x.clearSign();
    return x;
  });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  // max(x, +0.0) with NaN propagation; -0.0 becomes +0.0 (IEEE maximum).
  return foldUnaryFloat(adaptor.getX(), getType(), [](const APFloat &x) {
    APFloat zero = APFloat::getZero(x.getSemantics());
    return llvm::maximum(x, zero);
  });
}

#define TG_FOLD_VIA_DOUBLE(OP, EXPR)                                           \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldUnaryFloat(adaptor.getX(), getType(), [](const APFloat &x) {    \
      return applyInDouble(x, [](double v) -> double { return EXPR; });        \
    });                                                                        \
  }
TG_FOLD_VIA_DOUBLE(ExpOp, std::exp(v))
TG_FOLD_VIA_DOUBLE(LogOp, std::log(v))
TG_FOLD_VIA_DOUBLE(SqrtOp, std::sqrt(v))
TG_FOLD_VIA_DOUBLE(RsqrtOp, 1.0 / std::sqrt(v))
TG_FOLD_VIA_DOUBLE(TanhOp, std::tanh(v))
TG_FOLD_VIA_DOUBLE(SigmoidOp, 1.0 / (1.0 + std::exp(-v)))
TG_FOLD_VIA_DOUBLE(SinOp, std::sin(v))
TG_FOLD_VIA_DOUBLE(CosOp, std::cos(v))
TG_FOLD_VIA_DOUBLE(ErfOp, std::erf(v))
TG_FOLD_VIA_DOUBLE(Log1pOp, std::log1p(v))
TG_FOLD_VIA_DOUBLE(Expm1Op, std::expm1(v))
#undef TG_FOLD_VIA_DOUBLE

/// floor, ceil and round are exact in the element type itself.
#define TG_FOLD_ROUNDING(OP, MODE)                                             \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldUnaryFloat(adaptor.getX(), getType(), [](APFloat x) {           \
      x.roundToIntegral(MODE);                                                 \
      return x;                                                                \
    });                                                                        \
  }
TG_FOLD_ROUNDING(FloorOp, APFloat::rmTowardNegative)
TG_FOLD_ROUNDING(CeilOp, APFloat::rmTowardPositive)
TG_FOLD_ROUNDING(RoundOp, APFloat::rmNearestTiesToEven)
#undef TG_FOLD_ROUNDING

OpFoldResult SignOp::fold(FoldAdaptor adaptor) {
  // Zeros and NaN stay as they are (numpy.sign).
  return foldUnaryFloat(adaptor.getX(), getType(), [](const APFloat &x) {
    if (x.isZero() || x.isNaN())
      return x;
    return APFloat::getOne(x.getSemantics(), x.isNegative());
  });
}

//===----------------------------------------------------------------------===//
// tg.cmp, tg.select, tg.cast
//===----------------------------------------------------------------------===//

static bool compare(CmpPredicate pred, const Scalar &a, const Scalar &b) {
  if (auto *fa = std::get_if<APFloat>(&a)) {
    APFloat::cmpResult r = fa->compare(std::get<APFloat>(b));
    switch (pred) {
    case CmpPredicate::eq: return r == APFloat::cmpEqual;
    case CmpPredicate::ne: return r != APFloat::cmpEqual; // true with NaN
    case CmpPredicate::lt: return r == APFloat::cmpLessThan;
    case CmpPredicate::le:
      return r == APFloat::cmpLessThan || r == APFloat::cmpEqual;
    case CmpPredicate::gt: return r == APFloat::cmpGreaterThan;
    case CmpPredicate::ge:
      return r == APFloat::cmpGreaterThan || r == APFloat::cmpEqual;
    }
  }
  const APInt &ia = std::get<APInt>(a), &ib = std::get<APInt>(b);
  switch (pred) {
  case CmpPredicate::eq: return ia == ib;
  case CmpPredicate::ne: return ia != ib;
  case CmpPredicate::lt: return ia.slt(ib);
  case CmpPredicate::le: return ia.sle(ib);
  case CmpPredicate::gt: return ia.sgt(ib);
  case CmpPredicate::ge: return ia.sge(ib);
  }
  llvm_unreachable("unknown predicate");
}

OpFoldResult CmpOp::fold(FoldAdaptor adaptor) {
  CmpPredicate pred = getPredicate();
  return foldElementwise({adaptor.getLhs(), adaptor.getRhs()}, getType(),
                         [&](ArrayRef<Scalar> a) -> std::optional<Scalar> {
                           return Scalar(APInt(1, compare(pred, a[0], a[1])));
                         });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse())
    return foldToOperand(getOnTrue(), getType());
  if (DenseElementsAttr pred = getDense(adaptor.getPred());
      pred && pred.isSplat())
    return foldToOperand(pred.getSplatValue<bool>() ? getOnTrue()
                                                    : getOnFalse(),
                         getType());
  return foldElementwise(
      {adaptor.getPred(), adaptor.getOnTrue(), adaptor.getOnFalse()},
      getType(), [](ArrayRef<Scalar> a) -> std::optional<Scalar> {
        return std::get<APInt>(a[0]).getBoolValue() ? a[1] : a[2];
      });
}

/// Converts one scalar to `to` as compiled code does (floatToInt in
/// TgToLinalg.cpp): NaN, infinities and out-of-range floats become INT_MIN
/// (x86's and numpy's value there).
static std::optional<Scalar> castScalar(const Scalar &s, Type to) {
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    APFloat r = APFloat::getZero(toFloat.getFloatSemantics());
    if (auto *f = std::get_if<APFloat>(&s)) {
      r = *f;
      bool losesInfo;
      r.convert(toFloat.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &losesInfo);
    } else {
      const APInt &i = std::get<APInt>(s);
      // i1 is a boolean: true converts to 1, not -1.
      r.convertFromAPInt(i, /*IsSigned=*/i.getBitWidth() != 1,
                         APFloat::rmNearestTiesToEven);
    }
    return Scalar(r);
  }
  unsigned width = to.getIntOrFloatBitWidth();
  if (auto *f = std::get_if<APFloat>(&s)) {
    if (width == 1)
      return Scalar(APInt(1, !f->isZero()));
    APSInt r(width, /*isUnsigned=*/false);
    bool exact;
    if (f->convertToInteger(r, APFloat::rmTowardZero, &exact) &
        APFloat::opInvalidOp)
      return Scalar(APInt::getSignedMinValue(width));
    return Scalar(APInt(r));
  }
  const APInt &i = std::get<APInt>(s);
  if (width == 1)
    return Scalar(APInt(1, !i.isZero()));
  return Scalar(i.getBitWidth() == 1 ? i.zext(width) : i.sextOrTrunc(width));
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getX().getType() == getType())
    return getX();
  Type to = getType().getElementType();
  return foldElementwise({adaptor.getX()}, getType(),
                         [&](ArrayRef<Scalar> a) -> std::optional<Scalar> {
                           return castScalar(a[0], to);
                         });
}

//===----------------------------------------------------------------------===//
// Layout ops
//===----------------------------------------------------------------------===//

/// Materializes `result[i] = input[indexOf(i)]` for a layout op over a
/// constant, within the size limit.
static Attribute
foldGather(Attribute input, ShapedType resultType,
           llvm::function_ref<int64_t(int64_t)> indexOf) {
  DenseElementsAttr dense = getDense(input);
  if (!dense)
    return {};
  if (dense.isSplat())
    return dense.resizeSplat(resultType);
  if (!withinFoldLimit(resultType, false))
    return {};
  SmallVector<Scalar> values;
  for (int64_t i = 0, e = resultType.getNumElements(); i < e; ++i)
    values.push_back(readScalar(dense, indexOf(i)));
  return buildDense(resultType, values);
}

/// Splits a row-major linear index into per-dimension indices.
static SmallVector<int64_t> delinearize(int64_t linear, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> index(shape.size());
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    index[d] = linear % shape[d];
    linear /= shape[d];
  }
  return index;
}

static int64_t linearize(ArrayRef<int64_t> index, ArrayRef<int64_t> shape) {
  int64_t linear = 0;
  for (auto [i, d] : llvm::zip_equal(index, shape))
    linear = linear * d + i;
  return linear;
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getX();
  ArrayRef<int64_t> inShape = getX().getType().getShape();
  ArrayRef<int64_t> outShape = getType().getShape();
  return foldGather(adaptor.getX(), getType(), [&](int64_t linear) {
    SmallVector<int64_t> out = delinearize(linear, outShape);
    SmallVector<int64_t> in(inShape.size());
    for (auto [i, p] : llvm::enumerate(perm))
      in[p] = out[i];
    return linearize(in, inShape);
  });
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getX().getType() == getType())
    return getX();
  // Reshaping dense data only reinterprets it: no size limit needed.
  if (DenseElementsAttr dense = getDense(adaptor.getX()))
    return dense.reshape(getType());
  return {};
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getX().getType() == getType())
    return getX();
  BroadcastIndexer indexer(getX().getType().getShape(), getType().getShape());
  return foldGather(adaptor.getX(), getType(),
                    [&](int64_t linear) { return indexer(linear); });
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getX().getType() == getType() &&
      llvm::all_of(getStride(), [](int64_t s) { return s == 1; }))
    return getX();
  ArrayRef<int64_t> inShape = getX().getType().getShape();
  ArrayRef<int64_t> outShape = getType().getShape();
  return foldGather(adaptor.getX(), getType(), [&](int64_t linear) {
    SmallVector<int64_t> index = delinearize(linear, outShape);
    for (auto [i, start, stride] :
         llvm::zip_equal(index, getStart(), getStride()))
      i = start + i * stride;
    return linearize(index, inShape);
  });
}

OpFoldResult InsertSliceOp::fold(FoldAdaptor) {
  // A window that is the whole tensor replaces all of it.
  if (getSource().getType() == getType() &&
      llvm::all_of(getStride(), [](int64_t s) { return s == 1; }))
    return getSource();
  return {};
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr indices = getDense(adaptor.getIndices());
  DenseElementsAttr x = getDense(adaptor.getX());
  if (!indices || !x || getType().getNumElements() == 0 ||
      !withinFoldLimit(getType(), false))
    return {};
  // The picked slice of each index (negative ones wrapped once), or -1 for
  // an index outside the axis, which gives zeros as compiled code does.
  int64_t dim = getX().getType().getDimSize(getAxis());
  SmallVector<int64_t> picks;
  for (const APInt &i : indices.getValues<APInt>()) {
    int64_t v = i.getSExtValue();
    if (v < 0)
      v += dim;
    picks.push_back(v >= 0 && v < dim ? v : -1);
  }
  ArrayRef<int64_t> inShape = getX().getType().getShape();
  int64_t inner = 1;
  for (int64_t d : inShape.drop_front(getAxis() + 1))
    inner *= d;
  int64_t count = picks.size();
  Scalar zero = readScalar(x, 0);
  if (auto *f = std::get_if<APFloat>(&zero))
    zero = APFloat::getZero(f->getSemantics());
  else
    zero = APInt::getZero(std::get<APInt>(zero).getBitWidth());
  SmallVector<Scalar> values;
  for (int64_t linear = 0, e = getType().getNumElements(); linear < e;
       ++linear) {
    int64_t in = linear % inner, rest = linear / inner;
    int64_t k = rest % count, outer = rest / count;
    values.push_back(picks[k] < 0 ? zero
                                  : readScalar(x, (outer * dim + picks[k]) *
                                                          inner +
                                                      in));
  }
  return buildDense(getType(), values);
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  return {};
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Folds a reduction: to its operand when every reduced dimension has size 1
/// and the types agree; over a constant by accumulating in row-major order
/// with `combine`, then `finish` (the mean's division).
static OpFoldResult
foldReduction(Operation *op, Value x, Attribute input, ArrayRef<int64_t> axes,
              ShapedType resultType,
              llvm::function_ref<Scalar(const Scalar &, const Scalar &)> combine,
              llvm::function_ref<Scalar(const Scalar &, int64_t)> finish =
                  nullptr) {
  auto inType = cast<ShapedType>(x.getType());
  ArrayRef<int64_t> inShape = inType.getShape();
  if (inType == resultType &&
      llvm::all_of(axes, [&](int64_t a) { return inShape[a] == 1; }))
    return x;
  DenseElementsAttr dense = getDense(input);
  if (!dense || inType.getNumElements() > kMaxFoldElements ||
      inType.getNumElements() == 0)
    return {};
  Shape kept = getReducedShape(inShape, axes, /*keepDims=*/true);
  int64_t count = inType.getNumElements() / getNumElements(kept);
  SmallVector<std::optional<Scalar>> acc(getNumElements(kept));
  for (int64_t i = 0, e = inType.getNumElements(); i < e; ++i) {
    SmallVector<int64_t> index = delinearize(i, inShape);
    for (int64_t a : axes)
      index[a] = 0;
    std::optional<Scalar> &slot = acc[linearize(index, kept)];
    Scalar v = readScalar(dense, dense.isSplat() ? 0 : i);
    slot = slot ? combine(*slot, v) : v;
  }
  SmallVector<Scalar> values;
  for (std::optional<Scalar> &a : acc)
    values.push_back(finish ? finish(*a, count) : *a);
  return buildDense(resultType, values);
}

static Scalar addScalars(const Scalar &a, const Scalar &b) {
  if (auto *f = std::get_if<APFloat>(&a)) {
    APFloat r = *f;
    r.add(std::get<APFloat>(b), APFloat::rmNearestTiesToEven);
    return r;
  }
  return wrapAdd(std::get<APInt>(a), std::get<APInt>(b));
}

OpFoldResult ReduceSumOp::fold(FoldAdaptor adaptor) {
  return foldReduction(*this, getX(), adaptor.getX(), getAxes(), getType(),
                       addScalars);
}

OpFoldResult ReduceMeanOp::fold(FoldAdaptor adaptor) {
  return foldReduction(*this, getX(), adaptor.getX(), getAxes(), getType(),
                       addScalars, [](const Scalar &sum, int64_t n) -> Scalar {
                         APFloat r = std::get<APFloat>(sum);
                         APFloat d(r.getSemantics(), n);
                         r.divide(d, APFloat::rmNearestTiesToEven);
                         return r;
                       });
}

OpFoldResult ReduceMaxOp::fold(FoldAdaptor adaptor) {
  return foldReduction(
      *this, getX(), adaptor.getX(), getAxes(), getType(),
      [](const Scalar &a, const Scalar &b) -> Scalar {
        if (auto *f = std::get_if<APFloat>(&a))
          return llvm::maximum(*f, std::get<APFloat>(b));
        return std::get<APInt>(a).sge(std::get<APInt>(b)) ? a : b;
      });
}

OpFoldResult ReduceMinOp::fold(FoldAdaptor adaptor) {
  return foldReduction(
      *this, getX(), adaptor.getX(), getAxes(), getType(),
      [](const Scalar &a, const Scalar &b) -> Scalar {
        if (auto *f = std::get_if<APFloat>(&a))
          return llvm::minimum(*f, std::get<APFloat>(b));
        return std::get<APInt>(a).sle(std::get<APInt>(b)) ? a : b;
      });
}
