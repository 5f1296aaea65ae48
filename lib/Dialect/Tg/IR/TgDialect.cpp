//===- TgDialect.cpp - tg dialect registration ----------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Registers the tg operations and tells the folding infrastructure how to
// turn a folded attribute back into a tg.constant.
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/IR/TgDialect.h"
#include "tg/Dialect/Tg/IR/TgOps.h"

#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace mlir::tg;

#include "tg/Dialect/Tg/IR/TgOpsDialect.cpp.inc"

namespace {
/// tg ops are pure and value-semantic, so any of them may be inlined (a
/// tg.grad keeps referring to its module-level callee).
struct TgInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Operation *, bool) const final {
    return true;
  }
  bool isLegalToInline(Region *, Region *, bool, IRMapping &) const final {
    return true;
  }
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void TgDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "tg/Dialect/Tg/IR/TgOps.cpp.inc"
      >();
  addInterfaces<TgInlinerInterface>();
}

Operation *TgDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
