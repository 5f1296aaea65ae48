//===- DistinctResultBuffers.cpp - One buffer per function result ---------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. Runs between bufferization and
// buffer-results-to-out-params: that pass gives each result an out-parameter
// and copies the returned buffer into it, and a buffer returned twice (the
// same tensor returned twice) is beyond it. A copy per repeated result
// keeps the results distinct; static allocations are then hoisted into the
// out-parameters like any other.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/Common/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGDISTINCTRESULTBUFFERSPASS
#include "tg/Codegen/Common/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
struct TgDistinctResultBuffersPass
    : tg::impl::TgDistinctResultBuffersPassBase<TgDistinctResultBuffersPass> {
  void runOnOperation() override {
    getOperation().walk([&](func::ReturnOp ret) {
      llvm::SmallDenseSet<Value> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<MemRefType>(v.getType());
        if (!type || seen.insert(v).second)
          continue;
        if (!type.hasStaticShape()) {
          ret.emitOpError("returns the same dynamically shaped buffer twice");
          return signalPassFailure();
        }
        auto plain = MemRefType::get(type.getShape(), type.getElementType(),
                                     MemRefLayoutAttrInterface(),
                                     type.getMemorySpace());
        Value copy = memref::AllocOp::create(b, ret.getLoc(), plain);
        memref::CopyOp::create(b, ret.getLoc(), v, copy);
        if (plain != type)
          copy = memref::CastOp::create(b, ret.getLoc(), type, copy);
        operand.set(copy);
      }
    });
  }
};
} // namespace
