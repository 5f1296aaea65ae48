//===- TgDialect.h - tg dialect declaration ---------------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Declares the tg dialect class generated from TgBase.td.
//
//===----------------------------------------------------------------------===//

#ifndef TG_DIALECT_TG_IR_TGDIALECT_H
#define TG_DIALECT_TG_IR_TGDIALECT_H

#include "mlir/IR/Dialect.h"

#include "tg/Dialect/Tg/IR/TgOpsDialect.h.inc"

#endif // TG_DIALECT_TG_IR_TGDIALECT_H
