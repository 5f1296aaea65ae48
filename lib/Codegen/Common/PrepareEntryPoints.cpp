//===- PrepareEntryPoints.cpp - Mark functions for the JIT ----------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Adds `llvm.emit_c_interface`, `tg.signature` and read-only tensor
// arguments (`bufferization.writable = false`) to public functions; see
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
      // The caller's inputs are read, never written: one-shot bufferization
      // would otherwise update an argument's buffer in place (a
      // tensor.insert_slice into it, as a gradient's window accumulation
      // builds when an argument is another adjoint of the same value).
      for (BlockArgument arg : func.getArguments())
        if (isa<TensorType>(arg.getType()))
          func.setArgAttr(arg.getArgNumber(), "bufferization.writable",
                          BoolAttr::get(&getContext(), false));
    }
  }
};
} // namespace
