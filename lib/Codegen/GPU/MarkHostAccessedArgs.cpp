//===- MarkHostAccessedArgs.cpp - Arguments the host code touches ---------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td (-tg-gpu-mark-host-accessed-args). The attribute tells the
// C API which device buffers need staging in managed memory; a function
// whose host code only launches kernels gets an empty list, so its device
// buffers go to the kernels as they are.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/GPU/Passes.h"

#include "tg/Codegen/GPU/KernelBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGGPUMARKHOSTACCESSEDARGSPASS
#include "tg/Codegen/GPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

bool tg::kernels::touchedOnHost(Value buffer) {
  SmallVector<Value> work{buffer};
  while (!work.empty()) {
    Value value = work.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      // Kernels capture buffers from above: their uses are inside.
      if (user->getParentOfType<gpu::LaunchOp>() ||
          isa<gpu::LaunchFuncOp, memref::DeallocOp>(user))
        continue;
      // Yielded out of a region or carried into one (a loop's iter_args):
      // where it goes is not followed, so it counts as touched.
      if (user->hasTrait<OpTrait::IsTerminator>() ? !isa<func::ReturnOp>(user)
                                                  : user->getNumRegions() != 0)
        return true;
      // Views and casts: their uses count. Ops without memory effects
      // (memref.dim, extract_strided_metadata) only read the descriptor,
      // but what they return may be a view again.
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if ((view && view.getViewSource() == value) || isMemoryEffectFree(user)) {
        for (Value result : user->getResults())
          if (isa<BaseMemRefType>(result.getType()))
            work.push_back(result);
        continue;
      }
      return true;
    }
  }
  return false;
}

namespace {
struct TgGpuMarkHostAccessedArgsPass
    : tg::impl::TgGpuMarkHostAccessedArgsPassBase<
          TgGpuMarkHostAccessedArgsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || func.isPrivate())
      return;
    SmallVector<int64_t> accessed;
    for (BlockArgument arg : func.getArguments())
      if (isa<BaseMemRefType>(arg.getType()) &&
          tg::kernels::touchedOnHost(arg))
        accessed.push_back(arg.getArgNumber());
    func->setAttr("tg.host_accessed_args",
                  DenseI64ArrayAttr::get(func.getContext(), accessed));
  }
};
} // namespace
