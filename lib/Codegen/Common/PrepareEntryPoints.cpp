//===- PrepareEntryPoints.cpp - Mark functions for the JIT ----------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Adds `llvm.emit_c_interface` and `tg.signature` to public functions; see
// Passes.td. Runs before bufferization, while signatures are still tensors.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/Common/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGPREPAREENTRYPOINTSPASS
#include "tg/Codegen/Common/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
struct TgPrepareEntryPointsPass
    : tg::impl::TgPrepareEntryPointsPassBase<TgPrepareEntryPointsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    UnitAttr::get(&getContext()));
      if (!func->hasAttr("tg.signature"))
        func->setAttr("tg.signature", TypeAttr::get(func.getFunctionType()));
    }
  }
};
} // namespace
