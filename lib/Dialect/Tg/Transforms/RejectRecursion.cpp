//===- RejectRecursion.cpp - Reject recursive call graphs -----------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. A function that calls itself, directly or through others,
// would overflow the stack at run time with nothing to report it; tg code
// loops with scf instead, so a cycle of calls is rejected here, at the
// first stage of every pipeline, with an error at one of its calls.
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace tg {
#define GEN_PASS_DEF_TGREJECTRECURSIONPASS
#include "tg/Dialect/Tg/Transforms/Passes.h.inc"
} // namespace tg
} // namespace mlir

using namespace mlir;

namespace {
struct TgRejectRecursionPass
    : tg::impl::TgRejectRecursionPassBase<TgRejectRecursionPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    // The calls of each function, in program order.
    llvm::DenseMap<Operation *, SmallVector<std::pair<CallOpInterface, Operation *>>>
        calls;
    for (auto func : module.getOps<FunctionOpInterface>()) {
      func->walk([&](CallOpInterface call) {
        auto ref = dyn_cast<SymbolRefAttr>(call.getCallableForCallee());
        if (!ref)
          return;
        Operation *callee = symbols.lookup(ref.getRootReference());
        if (callee && isa<FunctionOpInterface>(callee))
          calls[func].push_back({call, callee});
      });
    }
    // Depth-first search with an explicit stack (no recursion here either:
    // call chains may be long). A callee on the current path closes a cycle.
    enum State { Unvisited, OnPath, Done };
    llvm::DenseMap<Operation *, State> state;
    struct Frame {
      Operation *func;
      size_t next;
    };
    for (auto root : module.getOps<FunctionOpInterface>()) {
      if (state.lookup(root) != Unvisited)
        continue;
      SmallVector<Frame> path{{root, 0}};
      state[root] = OnPath;
      while (!path.empty()) {
        Frame &top = path.back();
        auto &out = calls[top.func];
        if (top.next == out.size()) {
          state[top.func] = Done;
          path.pop_back();
          continue;
        }
        auto [call, callee] = out[top.next++];
        State s = state.lookup(callee);
        if (s == Done)
          continue;
        if (s == OnPath) {
          std::string cycle;
          bool inCycle = false;
          for (const Frame &f : path) {
            inCycle |= f.func == callee;
            if (inCycle)
              cycle += "@" + SymbolTable::getSymbolName(f.func).str() + " -> ";
          }
          cycle += "@" + SymbolTable::getSymbolName(callee).str();
          call->emitOpError("is recursive: ")
              << cycle
              << "; tg functions cannot call themselves (use scf.for or "
                 "scf.while)";
          return signalPassFailure();
        }
        state[callee] = OnPath;
        path.push_back({callee, 0});
      }
    }
  }
};
} // namespace
