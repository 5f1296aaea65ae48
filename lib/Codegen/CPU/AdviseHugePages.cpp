//===- AdviseHugePages.cpp - madvise(MADV_HUGEPAGE) for large buffers -----===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. A pass of our own: upstream's memref lowering calls malloc
// and has no hook for allocation advice, and the memory is tg's own
// (arenas, packed operands), so neither the caller nor glibc's
// process-wide tunable (glibc.malloc.hugetlb, read at start-up) is the
// place for it.
//
//===----------------------------------------------------------------------===//

#include "tg/Codegen/CPU/Passes.h"

#include "tg/Codegen/Common/MatmulFusion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGADVISEHUGEPAGESPASS
#include "tg/Codegen/CPU/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

/// Linux's MADV_HUGEPAGE (the same on every architecture).
static constexpr int32_t kMadvHugePage = 14;
static constexpr int64_t kPageBytes = 4096;

namespace {
struct TgAdviseHugePagesPass
    : tg::impl::TgAdviseHugePagesPassBase<TgAdviseHugePagesPass> {
  using Base::Base;
  void runOnOperation() override {
    if (minBytes <= 0)
      return;
    ModuleOp module = getOperation();
    SmallVector<std::pair<memref::AllocOp, int64_t>> allocs;
    module.walk([&](memref::AllocOp alloc) {
      // Buffers of at least two pages (so that a whole page lies inside),
      // in functions of this module's symbol table (the declaration is
      // not visible in nested ones).
      int64_t bytes = tg::staticBytes(alloc.getType());
      if (bytes >= std::max(minBytes.getValue(), 2 * kPageBytes) &&
          alloc->getParentWithTrait<OpTrait::SymbolTable>() == module)
        allocs.push_back({alloc, bytes});
    });
    if (allocs.empty())
      return;
    OpBuilder b(module.getContext());
    auto i64 = b.getI64Type(), i32 = b.getI32Type();
    auto type = b.getFunctionType({i64, i64, i32}, {i32});
    auto madvise = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        module, b.getStringAttr("madvise"));
    if (!madvise) {
      if (SymbolTable::lookupSymbolIn(module, "madvise"))
        return; // another kind of symbol of that name
      b.setInsertionPointToEnd(module.getBody());
      madvise = func::FuncOp::create(b, module.getLoc(), "madvise", type);
      madvise.setPrivate();
    } else if (madvise.getFunctionType() != type || !madvise.isExternal()) {
      return; // not libc's
    }
    for (auto [alloc, bytes] : allocs) {
      b.setInsertionPointAfter(alloc);
      Location loc = alloc.getLoc();
      auto cst = [&](int64_t v) -> Value {
        return arith::ConstantIndexOp::create(b, loc, v);
      };
      // The whole pages in [pointer, pointer + bytes).
      Value pointer =
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, alloc);
      Value pageMask = cst(-kPageBytes);
      Value start = arith::AndIOp::create(
          b, loc, arith::AddIOp::create(b, loc, pointer, cst(kPageBytes - 1)),
          pageMask);
      Value end = arith::AndIOp::create(
          b, loc, arith::AddIOp::create(b, loc, pointer, cst(bytes)),
          pageMask);
      Value length = arith::SubIOp::create(b, loc, end, start);
      Value advice = arith::ConstantIntOp::create(b, loc, i32, kMadvHugePage);
      func::CallOp::create(
          b, loc, madvise,
          ValueRange{arith::IndexCastOp::create(b, loc, i64, start),
                     arith::IndexCastOp::create(b, loc, i64, length), advice});
    }
  }
};
} // namespace
