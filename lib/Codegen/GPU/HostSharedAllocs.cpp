//===- HostSharedAllocs.cpp - Host buffers that kernels can reach ---------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td (-tg-host-shared-allocs; -tg-gpu-host-ops-to-kernels, in
// GpuHostOpsToKernels.cpp, is the other pass that places the GPU pipeline's
// host code). Buffers that only kernels touch are GPU memory; those the
// host code reads or writes itself (the scalar condition of a branch or a
// loop) are managed memory, which both reach.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/GPU/Passes.h"

#include "tg/Codegen/GPU/KernelBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGHOSTSHAREDALLOCSPASS
#include "tg/Codegen/GPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
/// Frees `memref` with gpu.dealloc. gpu-to-llvm only lowers its async form,
/// so the free is ordered after a fresh token and waited for.
void createDealloc(OpBuilder &b, Location loc, Value memref) {
  Type token = gpu::AsyncTokenType::get(b.getContext());
  Value ready = gpu::WaitOp::create(b, loc, token, ValueRange{}).getAsyncToken();
  auto dealloc = gpu::DeallocOp::create(b, loc, TypeRange{token},
                                        ValueRange{ready}, memref);
  gpu::WaitOp::create(b, loc, Type(), ValueRange{dealloc.getAsyncToken()});
}

struct TgHostSharedAllocsPass
    : tg::impl::TgHostSharedAllocsPassBase<TgHostSharedAllocsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      SmallVector<memref::AllocOp> allocs;
      SmallVector<memref::DeallocOp> deallocs;
      SmallVector<memref::GetGlobalOp> globals;
      func.walk([&](Operation *op) {
        if (auto a = dyn_cast<memref::AllocOp>(op))
          allocs.push_back(a);
        else if (auto d = dyn_cast<memref::DeallocOp>(op))
          deallocs.push_back(d);
        else if (auto g = dyn_cast<memref::GetGlobalOp>(op))
          globals.push_back(g);
      });
      for (memref::AllocOp a : allocs) {
        OpBuilder b(a);
        Value buffer;
        if (tg::kernels::touchedOnHost(a.getResult())) {
          buffer = gpu::AllocOp::create(b, a.getLoc(), a.getType(),
                                        /*asyncToken=*/Type(), ValueRange{},
                                        a.getDynamicSizes(),
                                        a.getSymbolOperands(),
                                        /*hostShared=*/true)
                       .getMemref();
        } else {
          // GPU memory. gpu-to-llvm lowers only the async form of a device
          // allocation: ordered after a fresh token and waited for.
          Type token = gpu::AsyncTokenType::get(b.getContext());
          Value ready = gpu::WaitOp::create(b, a.getLoc(), token, ValueRange{})
                            .getAsyncToken();
          auto alloc = gpu::AllocOp::create(
              b, a.getLoc(), a.getType(), token, ValueRange{ready},
              a.getDynamicSizes(), a.getSymbolOperands(), /*hostShared=*/false);
          gpu::WaitOp::create(b, a.getLoc(), Type(),
                              ValueRange{alloc.getAsyncToken()});
          buffer = alloc.getMemref();
        }
        a.replaceAllUsesWith(buffer);
        a.erase();
      }
      for (memref::DeallocOp d : deallocs) {
        OpBuilder b(d);
        createDealloc(b, d.getLoc(), d.getMemref());
        d.erase();
      }
      SmallVector<Value> copies;
      for (memref::GetGlobalOp g : globals) {
        OpBuilder b(g->getNextNode());
        auto type = cast<MemRefType>(g.getType());
        auto shared = gpu::AllocOp::create(b, g.getLoc(), type, Type(),
                                           ValueRange{}, ValueRange{},
                                           ValueRange{}, /*hostShared=*/true);
        g.getResult().replaceAllUsesWith(shared.getMemref());
        memref::CopyOp::create(b, g.getLoc(), g.getResult(), shared.getMemref());
        copies.push_back(shared.getMemref());
      }
      if (copies.empty())
        continue;
      func.walk([&](func::ReturnOp ret) {
        OpBuilder b(ret);
        for (Value c : copies)
          createDealloc(b, ret.getLoc(), c);
      });
    }
  }
};
} // namespace
