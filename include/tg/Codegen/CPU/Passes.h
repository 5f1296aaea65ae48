//===- Passes.h - tg Codegen/CPU passes -------------------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Declarations of the passes in Passes.td: options structs, create
// functions and registration. No dialect header is needed here; each pass's
// file includes the dialects it works on and creates.
//
//===----------------------------------------------------------------------===//

#ifndef TG_CODEGEN_CPU_PASSES_H
#define TG_CODEGEN_CPU_PASSES_H

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
