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

using namespace mlir;
using namespace mlir::tg;

#include "tg/Dialect/Tg/IR/TgOpsDialect.cpp.inc"

void TgDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "tg/Dialect/Tg/IR/TgOps.cpp.inc"
      >();
}

Operation *TgDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
