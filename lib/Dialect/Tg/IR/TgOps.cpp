//===- TgOps.cpp - tg operations: verifiers and type inference ------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The invariants of every tg op. Each check says what was expected and what
// was found, so that a user reading the diagnostic can fix their program.
// Type inference and verification share one function per op kind: the
// verifier reports through `emitError`, builders on verified IR pass null.
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/IR/TgOps.h"
#include "tg/Dialect/Tg/IR/TgShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::tg;

#include "tg/Dialect/Tg/IR/TgEnums.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

/// Fails, reporting `message` through `emitError` when there is one.
template <typename... Args>
static FailureOr<RankedTensorType> fail(EmitErrorFn emitError,
                                        const Args &...message) {
  if (emitError) {
    InFlightDiagnostic diag = emitError();
    (diag << ... << message);
  }
  return failure();
}

/// Formats a shape as numpy prints it: (4, 3), (3,), ().
static std::string ShapeStr(ArrayRef<int64_t> shape) {
  std::string text = "(";
  for (auto [i, d] : llvm::enumerate(shape))
    text += (i ? ", " : "") + std::to_string(d);
  return text + (shape.size() == 1 ? ",)" : ")");
}

FailureOr<RankedTensorType>
mlir::tg::inferBroadcastType(TypeRange operands, Type elementType,
                             EmitErrorFn emitError) {
  Type sharedElement = cast<RankedTensorType>(operands.back()).getElementType();
  // tg.select: the first operand is the predicate; the others share a type.
  bool isSelect = operands.size() == 3;
  Shape shape;
  for (auto [i, type] : llvm::enumerate(operands)) {
    auto tensor = cast<RankedTensorType>(type);
    if (!(isSelect && i == 0) && tensor.getElementType() != sharedElement)
      return fail(emitError, "operands must share their element type, found ",
                  tensor.getElementType(), " and ", sharedElement);
    std::optional<Shape> next = broadcastShapes(shape, tensor.getShape());
    if (!next)
      return fail(emitError, "operand shapes ", ShapeStr(shape), " and ",
                  ShapeStr(tensor.getShape()),
                  " are not broadcast-compatible (dimensions must be equal or "
                  "one of them 1, aligned from the right)");
    shape = *next;
  }
  return RankedTensorType::get(shape, elementType ? elementType : sharedElement);
}

FailureOr<RankedTensorType> mlir::tg::inferMatmulType(Type lhsType,
                                                      Type rhsType,
                                                      EmitErrorFn emitError) {
  auto lhs = cast<RankedTensorType>(lhsType);
  auto rhs = cast<RankedTensorType>(rhsType);
  if (lhs.getElementType() != rhs.getElementType())
    return fail(emitError, "operands must share their element type, found ",
                lhs.getElementType(), " and ", rhs.getElementType());
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return fail(emitError, "operands must have rank 2 or more, found ranks ",
                lhs.getRank(), " and ", rhs.getRank());
  ArrayRef<int64_t> ls = lhs.getShape(), rs = rhs.getShape();
  if (ls.back() != rs[rs.size() - 2])
    return fail(emitError, "contraction dimensions differ: lhs ",
                ShapeStr(ls), " has ", ls.back(), " columns but rhs ",
                ShapeStr(rs), " has ", rs[rs.size() - 2], " rows");
  std::optional<Shape> shape = matmulShape(ls, rs);
  if (!shape)
    return fail(emitError, "batch dimensions ", ShapeStr(ls.drop_back(2)),
                " and ", ShapeStr(rs.drop_back(2)),
                " are not broadcast-compatible");
  return RankedTensorType::get(*shape, lhs.getElementType());
}

FailureOr<RankedTensorType>
mlir::tg::inferTransposeType(Type xType, ArrayRef<int64_t> permutation,
                             EmitErrorFn emitError) {
  auto x = cast<RankedTensorType>(xType);
  if (!isPermutation(permutation, x.getRank()))
    return fail(emitError, "permutation ", ShapeStr(permutation),
                " is not a permutation of the ", x.getRank(),
                " dimensions of the operand");
  return RankedTensorType::get(permuteShape(x.getShape(), permutation),
                               x.getElementType());
}

FailureOr<RankedTensorType> mlir::tg::inferConcatType(TypeRange inputs,
                                                      int64_t axis,
                                                      EmitErrorFn emitError) {
  if (inputs.empty())
    return fail(emitError, "expects at least one input");
  auto first = cast<RankedTensorType>(inputs.front());
  if (axis < 0 || axis >= first.getRank())
    return fail(emitError, "axis ", axis, " is out of range for rank ",
                first.getRank());
  Shape shape(first.getShape());
  shape[axis] = 0;
  for (auto [i, type] : llvm::enumerate(inputs)) {
    auto tensor = cast<RankedTensorType>(type);
    if (tensor.getElementType() != first.getElementType())
      return fail(emitError, "input #", i, " has element type ",
                  tensor.getElementType(), " but input #0 has ",
                  first.getElementType());
    if (tensor.getRank() != first.getRank())
      return fail(emitError, "input #", i, " has rank ", tensor.getRank(),
                  " but input #0 has rank ", first.getRank());
    for (int64_t d = 0; d < first.getRank(); ++d)
      if (d != axis && tensor.getDimSize(d) != first.getDimSize(d))
        return fail(emitError, "input #", i, " has shape ",
                    ShapeStr(tensor.getShape()), " but input #0 has ",
                    ShapeStr(first.getShape()),
                    "; they may differ only along axis ", axis);
    shape[axis] += tensor.getDimSize(axis);
  }
  return RankedTensorType::get(shape, first.getElementType());
}

FailureOr<RankedTensorType> mlir::tg::inferGatherType(Type xType,
                                                      Type indicesType,
                                                      int64_t axis,
                                                      EmitErrorFn emitError) {
  auto x = cast<RankedTensorType>(xType);
  auto indices = cast<RankedTensorType>(indicesType);
  if (axis < 0 || axis >= x.getRank())
    return fail(emitError, "axis ", axis, " is out of range for rank ",
                x.getRank());
  if (x.getDimSize(axis) == 0 && indices.getNumElements() != 0)
    return fail(emitError, "cannot gather from the empty axis ", axis);
  Shape shape(x.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, x.getShape().drop_front(axis + 1));
  return RankedTensorType::get(shape, x.getElementType());
}

FailureOr<RankedTensorType>
mlir::tg::inferSliceType(Type xType, ArrayRef<int64_t> start,
                         ArrayRef<int64_t> limit, ArrayRef<int64_t> stride,
                         EmitErrorFn emitError) {
  auto x = cast<RankedTensorType>(xType);
  int64_t rank = x.getRank();
  if (static_cast<int64_t>(start.size()) != rank ||
      limit.size() != start.size() || stride.size() != start.size())
    return fail(emitError, "expects one range per dimension: ", rank,
                " for the operand, found ", start.size());
  Shape shape;
  for (int64_t d = 0; d < rank; ++d) {
    std::optional<int64_t> len =
        sliceLength(x.getDimSize(d), start[d], limit[d], stride[d]);
    if (!len)
      return fail(emitError, "range ", start[d], ":", limit[d], ":",
                  stride[d], " of dimension ", d,
                  " is invalid for its size ", x.getDimSize(d),
                  " (expected 0 <= start <= limit <= size and stride >= 1)");
    shape.push_back(*len);
  }
  return RankedTensorType::get(shape, x.getElementType());
}

FailureOr<RankedTensorType>
mlir::tg::inferConv2DType(Type inputType, Type filterType,
                          ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                          ArrayRef<int64_t> dilations, EmitErrorFn emitError) {
  auto input = cast<RankedTensorType>(inputType);
  auto filter = cast<RankedTensorType>(filterType);
  if (input.getElementType() != filter.getElementType())
    return fail(emitError, "input and filter must share their element type, "
                "found ", input.getElementType(), " and ",
                filter.getElementType());
  if (input.getRank() != 4 || filter.getRank() != 4)
    return fail(emitError, "expects a rank-4 NHWC input and a rank-4 HWCF "
                "filter, found ranks ", input.getRank(), " and ",
                filter.getRank());
  if (strides.size() != 2 || dilations.size() != 2 || padding.size() != 4)
    return fail(emitError, "expects 2 strides, 4 paddings [top, bottom, left, "
                "right] and 2 dilations, found ", strides.size(), ", ",
                padding.size(), " and ", dilations.size());
  if (input.getDimSize(3) != filter.getDimSize(2))
    return fail(emitError, "input has ", input.getDimSize(3),
                " channels but the filter expects ", filter.getDimSize(2));
  Shape shape{input.getDimSize(0)};
  for (int d = 0; d < 2; ++d) {
    std::optional<int64_t> size = convOutputSize(
        input.getDimSize(1 + d), filter.getDimSize(d), padding[2 * d],
        padding[2 * d + 1], strides[d], dilations[d]);
    if (!size)
      return fail(emitError, "invalid window along ", d == 0 ? "H" : "W",
                  ": input ", input.getDimSize(1 + d), ", kernel ",
                  filter.getDimSize(d), ", padding ", padding[2 * d], "+",
                  padding[2 * d + 1], ", stride ", strides[d], ", dilation ",
                  dilations[d],
                  " (strides and dilations must be positive, paddings "
                  "non-negative, the window no larger than the padded input)");
    shape.push_back(*size);
  }
  shape.push_back(filter.getDimSize(3));
  return RankedTensorType::get(shape, input.getElementType());
}

LogicalResult mlir::tg::verifyInferredType(Operation *op,
                                           FailureOr<RankedTensorType> inferred) {
  if (failed(inferred))
    return failure();
  Type declared = op->getResult(0).getType();
  if (declared != *inferred)
    return op->emitOpError("result type ")
           << declared << " does not match the inferred type " << *inferred;
  return success();
}

LogicalResult mlir::tg::verifyAxes(Operation *op, int64_t rank,
                                   ArrayRef<int64_t> axes) {
  if (!areValidAxes(axes, rank))
    return op->emitOpError("axes ")
           << ShapeStr(axes) << " must be unique and in [0, " << rank
           << ") for an operand of rank " << rank;
  return success();
}

RankedTensorType mlir::tg::getReducedType(RankedTensorType type,
                                          ArrayRef<int64_t> axes,
                                          bool keepDims) {
  return RankedTensorType::get(getReducedShape(type.getShape(), axes, keepDims),
                               type.getElementType());
}

LogicalResult mlir::tg::verifyReduction(Operation *op, RankedTensorType input,
                                        ArrayRef<int64_t> axes,
                                        RankedTensorType result) {
  if (failed(verifyAxes(op, input.getRank(), axes)))
    return failure();
  if (axes.empty())
    return op->emitOpError("expects at least one axis to reduce");
  bool keepDims = result.getRank() == input.getRank();
  RankedTensorType expected = getReducedType(input, axes, keepDims);
  if (result != expected)
    return op->emitOpError("result type ")
           << result << " does not match the reduced type " << expected
           << (keepDims ? " (keepdims)" : "")
           << "; the result keeps the reduced dimensions as 1 when its rank "
              "equals the operand's";
  return success();
}

Value mlir::tg::createFloatSplat(OpBuilder &builder, Location loc, Type type,
                                 double value) {
  auto tensor = cast<RankedTensorType>(type);
  return ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(
          tensor, builder.getFloatAttr(tensor.getElementType(), value)));
}

DenseI64ArrayAttr mlir::tg::composePermutations(OpBuilder &builder,
                                                DenseI64ArrayAttr inner,
                                                DenseI64ArrayAttr outer) {
  // y = transpose(x, p): y.dim(i) = x.dim(p[i]); z = transpose(y, q):
  // z.dim(i) = y.dim(q[i]) = x.dim(p[q[i]]).
  SmallVector<int64_t> composed;
  for (int64_t q : outer.asArrayRef())
    composed.push_back(inner[q]);
  return builder.getDenseI64ArrayAttr(composed);
}

LogicalResult mlir::tg::verifyTensorSize(Type type, Location loc,
                                         StringRef what) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasRank())
    return success();
  // Multiply with a bound check at every step: the product of the
  // dimensions may overflow int64 long before the last one.
  int64_t elements = 1;
  for (int64_t d : shaped.getShape()) {
    if (ShapedType::isDynamic(d))
      return success();
    if (d != 0 && elements > kMaxTensorElements / d) {
      elements = -1;
      break;
    }
    elements *= d;
  }
  if (elements == 0)
    return success();
  Type elem = shaped.getElementType();
  int64_t bits = elem.isIntOrIndexOrFloat() ? elem.getIntOrFloatBitWidth() : 64;
  int64_t bytes = std::max<int64_t>(1, bits / 8);
  if (elements >= 0 && elements <= kMaxTensorElements &&
      elements <= kMaxTensorBytes / bytes)
    return success();
  return emitError(loc) << what << " has type " << type
                        << ", larger than tg's limit of 2^32 elements and "
                           "2^36 bytes (64 GiB) per tensor";
}

LogicalResult mlir::tg::verifyTensorSizes(Operation *op) {
  for (auto [i, t] : llvm::enumerate(op->getOperandTypes()))
    if (failed(verifyTensorSize(t, op->getLoc(),
                                "'" + op->getName().getStringRef().str() +
                                    "' op operand #" + std::to_string(i))))
      return failure();
  for (auto [i, t] : llvm::enumerate(op->getResultTypes()))
    if (failed(verifyTensorSize(t, op->getLoc(),
                                "'" + op->getName().getStringRef().str() +
                                    "' op result #" + std::to_string(i))))
      return failure();
  return success();
}

LogicalResult mlir::tg::verifyAllTensorSizes(Operation *root) {
  WalkResult walk = root->walk([](Operation *op) {
    for (auto [i, t] : llvm::enumerate(op->getResultTypes()))
      if (failed(verifyTensorSize(t, op->getLoc(),
                                  "'" + op->getName().getStringRef().str() +
                                      "' op result #" + std::to_string(i))))
        return WalkResult::interrupt();
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          if (failed(verifyTensorSize(arg.getType(), arg.getLoc(),
                                      "block argument #" +
                                          std::to_string(arg.getArgNumber()))))
            return WalkResult::interrupt();
    // Function signatures of declarations (no block arguments to see).
    if (auto fn = dyn_cast<FunctionOpInterface>(op))
      for (Type t : llvm::concat<const Type>(fn.getArgumentTypes(),
                                             fn.getResultTypes()))
        if (failed(verifyTensorSize(t, op->getLoc(),
                                    "a type in the signature of @" +
                                        SymbolTable::getSymbolName(op).str())))
          return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

//===----------------------------------------------------------------------===//
// Op verifiers
//===----------------------------------------------------------------------===//

LogicalResult CmpOp::verify() {
  return verifyInferredType(
      *this, inferBroadcastType(getOperation()->getOperandTypes(),
                                IntegerType::get(getContext(), 1),
                                [&] { return emitOpError(); }));
}

LogicalResult SelectOp::verify() {
  return verifyInferredType(
      *this, inferBroadcastType(getOperation()->getOperandTypes(), nullptr,
                                [&] { return emitOpError(); }));
}

LogicalResult CastOp::verify() {
  if (getX().getType().getShape() != getType().getShape())
    return emitOpError("changes only the element type, but the shape goes from ")
           << ShapeStr(getX().getType().getShape()) << " to "
           << ShapeStr(getType().getShape());
  return success();
}

LogicalResult MatmulOp::verify() {
  return verifyInferredType(
      *this, inferMatmulType(getLhs().getType(), getRhs().getType(),
                             [&] { return emitOpError(); }));
}

LogicalResult TransposeOp::verify() {
  return verifyInferredType(
      *this, inferTransposeType(getX().getType(), getPermutation(),
                                [&] { return emitOpError(); }));
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getX().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("cannot change the element type, from ")
           << in.getElementType() << " to " << out.getElementType();
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << ShapeStr(in.getShape()) << " (" << in.getNumElements()
           << " elements) into " << ShapeStr(out.getShape()) << " ("
           << out.getNumElements() << " elements)";
  return success();
}

LogicalResult BroadcastToOp::verify() {
  RankedTensorType in = getX().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("cannot change the element type, from ")
           << in.getElementType() << " to " << out.getElementType();
  if (!isBroadcastableTo(in.getShape(), out.getShape()))
    return emitOpError("cannot broadcast shape ")
           << ShapeStr(in.getShape()) << " to " << ShapeStr(out.getShape())
           << " (dimensions align from the right; each must equal the "
              "target's or be 1)";
  return success();
}

LogicalResult ConcatOp::verify() {
  return verifyInferredType(
      *this, inferConcatType(getInputs().getTypes(), getAxis(),
                             [&] { return emitOpError(); }));
}

LogicalResult RandomUniformOp::verify() {
  if (getKey().getType().getShape() != ArrayRef<int64_t>{2})
    return emitOpError("key must be a tensor<2xi64> (the Philox key and the "
                       "counter's upper word), found ")
           << getKey().getType();
  return success();
}

LogicalResult GatherOp::verify() {
  return verifyInferredType(
      *this, inferGatherType(getX().getType(), getIndices().getType(),
                             getAxis(), [&] { return emitOpError(); }));
}

LogicalResult SliceOp::verify() {
  return verifyInferredType(
      *this, inferSliceType(getX().getType(), getStart(), getLimit(),
                            getStride(), [&] { return emitOpError(); }));
}

LogicalResult InsertSliceOp::verify() {
  FailureOr<RankedTensorType> window =
      inferSliceType(getDest().getType(), getStart(), getLimit(), getStride(),
                     [&] { return emitOpError(); });
  if (failed(window))
    return failure();
  if (*window != getSource().getType())
    return emitOpError("expects a source of type ")
           << *window << " (the window's), found "
           << getSource().getType();
  return success();
}

LogicalResult Conv2DOp::verify() {
  return verifyInferredType(
      *this, inferConv2DType(getInput().getType(), getFilter().getType(),
                             getStrides(), getPadding(), getDilations(),
                             [&] { return emitOpError(); }));
}

//===----------------------------------------------------------------------===//
// tg.grad
//===----------------------------------------------------------------------===//

/// Checks the shared shape of tg.grad and tg.tape: `wrt` picks float tensors
/// among `args`, and the results are the value followed by one gradient of
/// the type of each picked argument.
static LogicalResult verifyGradientResults(Operation *op, TypeRange args,
                                           ArrayRef<int64_t> wrt,
                                           TypeRange results) {
  if (results.size() != wrt.size() + 1)
    return op->emitOpError("expects ")
           << wrt.size() + 1 << " results (the value, then one gradient per "
           << "differentiated argument), found " << results.size();
  for (auto [i, index] : llvm::enumerate(wrt)) {
    auto argType = cast<RankedTensorType>(args[index]);
    if (!isa<FloatType>(argType.getElementType()))
      return op->emitOpError("cannot differentiate with respect to argument #")
             << index << " of non-float type " << argType;
    if (results[i + 1] != argType)
      return op->emitOpError("gradient result #")
             << i + 1 << " has type " << results[i + 1]
             << " but argument #" << index << " has type " << argType;
  }
  if (!isa<FloatType>(cast<RankedTensorType>(results[0]).getElementType()))
    return op->emitOpError("the differentiated value must be a float tensor, "
                           "found ")
           << results[0];
  return success();
}

LogicalResult GradOp::verify() {
  int64_t numArgs = getArgs().size();
  if (getWrt().empty())
    return emitOpError("expects at least one argument index in 'wrt'");
  if (!areValidAxes(getWrt(), numArgs))
    return emitOpError("'wrt' indices ")
           << ShapeStr(getWrt()) << " must be unique and in [0, " << numArgs
           << ")";
  return verifyGradientResults(*this, getArgs().getTypes(), getWrt(),
                               getResultTypes());
}

LogicalResult GradOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto callee =
      symbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this, getCalleeAttr());
  if (!callee)
    return emitOpError("'") << getCallee()
                            << "' does not reference a func.func in scope";
  FunctionType type = callee.getFunctionType();
  if (type.getNumInputs() != getArgs().size())
    return emitOpError("passes ")
           << getArgs().size() << " arguments but @" << getCallee()
           << " takes " << type.getNumInputs();
  for (auto [i, pair] : llvm::enumerate(
           llvm::zip_equal(getArgs().getTypes(), type.getInputs())))
    if (std::get<0>(pair) != std::get<1>(pair))
      return emitOpError("argument #")
             << i << " has type " << std::get<0>(pair) << " but @"
             << getCallee() << " expects " << std::get<1>(pair);
  if (type.getNumResults() != 1)
    return emitOpError("@")
           << getCallee() << " must return exactly one value to differentiate, "
           << "it returns " << type.getNumResults();
  if (type.getResult(0) != getValue().getType())
    return emitOpError("result #0 has type ")
           << getValue().getType() << " but @" << getCallee() << " returns "
           << type.getResult(0);
  return success();
}

//===----------------------------------------------------------------------===//
// tg.tape
//===----------------------------------------------------------------------===//

LogicalResult TapeOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getWatched().size())
    return emitOpError("region has ")
           << body.getNumArguments() << " arguments but "
           << getWatched().size() << " values are watched";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip_equal(body.getArgumentTypes(),
                                       getWatched().getTypes())))
    if (std::get<0>(pair) != std::get<1>(pair))
      return emitOpError("region argument #")
             << i << " has type " << std::get<0>(pair)
             << " but the watched value has type " << std::get<1>(pair);
  auto yield = body.empty() ? nullptr : dyn_cast<YieldOp>(body.back());
  if (!yield)
    return emitOpError("region must end with tg.yield");
  if (yield.getValues().size() != 1)
    return yield.emitOpError("must yield exactly one value, the tape's target; "
                             "found ")
           << yield.getValues().size();
  if (yield.getValues()[0].getType() != getValue().getType())
    return emitOpError("result #0 has type ")
           << getValue().getType() << " but the region yields "
           << yield.getValues()[0].getType();
  SmallVector<int64_t> all =
      llvm::to_vector(llvm::seq<int64_t>(0, getWatched().size()));
  if (all.empty())
    return emitOpError("expects at least one watched value");
  return verifyGradientResults(*this, getWatched().getTypes(), all,
                               getResultTypes());
}

//===----------------------------------------------------------------------===//
// tg.slice custom syntax: [start:limit(:stride)?, ...]
//===----------------------------------------------------------------------===//

static ParseResult parseSliceRanges(OpAsmParser &parser,
                                    DenseI64ArrayAttr &start,
                                    DenseI64ArrayAttr &limit,
                                    DenseI64ArrayAttr &stride) {
  SmallVector<int64_t> starts, limits, strides;
  auto parseRange = [&]() -> ParseResult {
    int64_t lo, hi, step = 1;
    if (parser.parseInteger(lo) || parser.parseColon() ||
        parser.parseInteger(hi))
      return failure();
    if (succeeded(parser.parseOptionalColon()) && parser.parseInteger(step))
      return failure();
    starts.push_back(lo);
    limits.push_back(hi);
    strides.push_back(step);
    return success();
  };
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, parseRange,
                                     " in slice ranges"))
    return failure();
  Builder &b = parser.getBuilder();
  start = b.getDenseI64ArrayAttr(starts);
  limit = b.getDenseI64ArrayAttr(limits);
  stride = b.getDenseI64ArrayAttr(strides);
  return success();
}

static void printSliceRanges(OpAsmPrinter &p, Operation *,
                             DenseI64ArrayAttr start, DenseI64ArrayAttr limit,
                             DenseI64ArrayAttr stride) {
  p << "[";
  for (int64_t i = 0, e = start.size(); i < e; ++i) {
    if (i)
      p << ", ";
    p << start[i] << ":" << limit[i];
    if (stride[i] != 1)
      p << ":" << stride[i];
  }
  p << "]";
}

#define GET_OP_CLASSES
#include "tg/Dialect/Tg/IR/TgOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

LogicalResult AllReduceOp::verify() {
  if (getKind() == CollectiveKind::mean &&
      !isa<FloatType>(getType().getElementType()))
    return emitOpError("mean needs a float tensor (an integer mean would "
                       "truncate; sum, then divide by the job's size)");
  return success();
}

LogicalResult BroadcastFromOp::verify() {
  if (getRootAttr().getInt() < 0)
    return emitOpError("root must be a process index (>= 0), got ")
           << getRootAttr().getInt();
  return success();
}

LogicalResult ProcessRankOp::verify() {
  if (getType().getRank() != 0)
    return emitOpError("result must be a 0-d tensor<i64>");
  return success();
}
