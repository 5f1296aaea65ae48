//===- Passes.h - tg Codegen/CPU passes -------------------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Declarations of the passes in Passes.td, and the dialects they create.
//
//===----------------------------------------------------------------------===//

#ifndef TG_CODEGEN_CPU_PASSES_H
#define TG_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace tg {

#define GEN_PASS_DECL
#include "tg/Codegen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tg/Codegen/CPU/Passes.h.inc"

} // namespace tg
} // namespace mlir

#endif // TG_CODEGEN_CPU_PASSES_H
