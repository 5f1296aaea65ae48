//===- GradientCheck.cpp - Finite-difference gradient checking ------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// tgCheckGradients: adds two helper entry points to the user's module,
// `__tg_check_analytic` (the entry's tg.grad alone) and `__tg_check_value`
// (the differentiated function with calls and nested gradients inlined and
// every float type widened to f64), compiles the result through the normal
// C API, and compares the analytic gradients with central differences of
// the f64 function.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "tg/Dialect/Tg/IR/TgOps.h"
#include "tg/Dialect/Tg/Transforms/Passes.h"
#include "tg/Support/InputLimits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

using namespace mlir;
using tgcapi::setError;

/// Widens every f16/bf16/f32 tensor in `func` to f64, in place.
static Type widen(Type t) {
  auto tensor = dyn_cast<RankedTensorType>(t);
  if (!tensor || !isa<FloatType>(tensor.getElementType()))
    return t;
  return tensor.clone(Float64Type::get(t.getContext()));
}

static void widenToF64(func::FuncOp func) {
  func.walk([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(widen(arg.getType()));
    for (OpResult r : op->getResults())
      r.setType(widen(r.getType()));
    if (auto c = dyn_cast<tg::ConstantOp>(op))
      if (auto dense = dyn_cast<DenseFPElementsAttr>(c.getValue())) {
        c.setValueAttr(dense.mapValues(
            Float64Type::get(op->getContext()), [](const APFloat &v) {
              APFloat w = v;
              bool losesInfo;
              w.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                        &losesInfo);
              return w.bitcastToAPInt();
            }));
      }
  });
  SmallVector<Type> inputs, results;
  for (Type t : func.getArgumentTypes())
    inputs.push_back(widen(t));
  for (Type t : func.getResultTypes())
    results.push_back(widen(t));
  func.setType(FunctionType::get(func.getContext(), inputs, results));
}

/// Builds the helper module's text, or an error message.
static FailureOr<std::string> buildCheckModule(StringRef path, StringRef entry,
                                               std::vector<int64_t> &argMap,
                                               std::vector<int64_t> &wrt,
                                               std::string &diagnostics) {
  tgcapi::CompilerSession session(diagnostics);
  MLIRContext &context = session.context();
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    diagnostics = path.str() + ": error: cannot open file: " +
                  buffer.getError().message() + "\n";
    return failure();
  }
  if (auto where = tg::findNestingBeyond((*buffer)->getBuffer())) {
    diagnostics = tg::nestingError(path, *where);
    return failure();
  }
  OwningOpRef<ModuleOp> module = session.parse(std::move(*buffer));
  if (!module)
    return failure();

  auto main = module->lookupSymbol<func::FuncOp>(entry);
  if (!main || main.isExternal()) {
    diagnostics += path.str() + ": error: no function @" + entry.str() +
                   " with a body to check\n";
    return failure();
  }
  tg::GradOp grad;
  main.walk([&](tg::GradOp g) {
    if (!grad)
      grad = g;
  });
  if (!grad) {
    emitError(main.getLoc(), "--check-grad: @")
        << entry << " contains no tg.grad to check";
    return failure();
  }
  for (Value v : grad.getArgs()) {
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner() != &main.getBody().front()) {
      emitError(grad.getLoc(), "--check-grad: the operands of this tg.grad "
                               "must be arguments of @")
          << entry;
      return failure();
    }
    argMap.push_back(arg.getArgNumber());
  }
  wrt.assign(grad.getWrt().begin(), grad.getWrt().end());
  auto callee = module->lookupSymbol<func::FuncOp>(grad.getCallee());

  // Only the two helpers below are compiled as entry points.
  for (auto f : module->getOps<func::FuncOp>())
    if (!f.isExternal())
      f.setPrivate();
  OpBuilder b(module->getBodyRegion());
  b.setInsertionPointToEnd(module->getBody());
  Location loc = grad.getLoc();
  // __tg_check_analytic(f's args) -> gradients.
  SmallVector<Type> gradTypes(grad.getGradients().getTypes());
  auto analytic = func::FuncOp::create(
      b, loc, "__tg_check_analytic",
      b.getFunctionType(callee.getArgumentTypes(), gradTypes));
  {
    OpBuilder::InsertionGuard guard(b);
    Block *body = analytic.addEntryBlock();
    b.setInsertionPointToStart(body);
    auto g = tg::GradOp::create(b, loc, grad.getResultTypes(),
                                grad.getCalleeAttr(), body->getArguments(),
                                grad.getWrtAttr());
    func::ReturnOp::create(b, loc, g.getGradients());
  }
  // __tg_check_value(f's args) -> f's value, in f64 after inlining.
  auto value = func::FuncOp::create(b, loc, "__tg_check_value",
                                    callee.getFunctionType());
  {
    OpBuilder::InsertionGuard guard(b);
    Block *body = value.addEntryBlock();
    b.setInsertionPointToStart(body);
    auto call = func::CallOp::create(b, loc, callee, body->getArguments());
    func::ReturnOp::create(b, loc, call.getResults());
  }
  // Lower nested gradients in the value function's callees and inline
  // everything, so that one function carries the whole computation.
  PassManager pm(&context, ModuleOp::getOperationName());
  pm.addPass(tg::createTgTapeToGradientPass());
  pm.addPass(createInlinerPass());
  if (failed(pm.run(*module)))
    return failure();
  value = module->lookupSymbol<func::FuncOp>("__tg_check_value");
  bool hasCalls = false;
  value.walk([&](func::CallOp) { hasCalls = true; });
  if (hasCalls) {
    emitError(loc, "--check-grad: @") << grad.getCallee()
                                      << " could not be inlined for checking";
    return failure();
  }
  widenToF64(value);
  if (failed(verify(*module)))
    return failure();
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

static double readElement(const TgTensor &t, int64_t i) {
  const char *p = static_cast<const char *>(t.data);
  switch (t.dtype) {
  case TG_DTYPE_F32: { float v; std::memcpy(&v, p + 4 * i, 4); return v; }
  case TG_DTYPE_F64: { double v; std::memcpy(&v, p + 8 * i, 8); return v; }
  case TG_DTYPE_F16: {
    uint16_t h; std::memcpy(&h, p + 2 * i, 2);
    APFloat f(APFloat::IEEEhalf(), APInt(16, h));
    return f.convertToDouble();
  }
  case TG_DTYPE_BF16: {
    uint16_t h; std::memcpy(&h, p + 2 * i, 2);
    APFloat f(APFloat::BFloat(), APInt(16, h));
    return f.convertToDouble();
  }
  default: return 0;
  }
}

static int64_t numElements(const TgTensor &t) {
  int64_t n = 1;
  for (int64_t i = 0; i < t.rank; ++i)
    n *= t.shape[i];
  return n;
}

/// An f64 copy of `t` (float tensors), or a view of it (others).
struct WideTensor {
  std::vector<double> values;
  TgTensor view;
};

extern "C" int tgCheckGradients(const char *path, const char *entry,
                                const TgTensor *args, int64_t numArgs,
                                TgGradientCheck *checks, int64_t maxChecks,
                                int64_t *numChecks, TgError **error) {
  std::vector<int64_t> argMap, wrt;
  std::string diagnostics;
  FailureOr<std::string> text = failure();
  // Parsing and the passes recurse per level of nesting: a large stack,
  // which also recovers from a crash.
  if (!tg::runWithCompileStack([&] {
        text = buildCheckModule(path, entry, argMap, wrt, diagnostics);
      })) {
    setError(error, diagnostics.empty() ? tg::crashError(path) : diagnostics);
    return 1;
  }
  if (failed(text)) {
    setError(error, diagnostics);
    return 1;
  }
  for (int64_t a : argMap)
    if (a >= numArgs) {
      setError(error, "error: --check-grad: missing argument #" +
                          std::to_string(a) + "\n");
      return 1;
    }
  TgCompileOptions options = tgDefaultCompileOptions();
  options.threads = 1;
  std::unique_ptr<TgExecutable, void (*)(TgExecutable *)> exe(
      tgCompileSource(text->data(), text->size(), path, &options, error),
      tgExecutableDestroy);
  if (!exe)
    return 1;
  const TgFunction *analytic =
      tgExecutableLookup(exe.get(), "__tg_check_analytic", error);
  const TgFunction *value =
      analytic ? tgExecutableLookup(exe.get(), "__tg_check_value", error)
               : nullptr;
  if (!value)
    return 1;

  // The analytic gradients, at the arguments' own precision.
  std::vector<TgTensor> fArgs;
  for (int64_t a : argMap)
    fArgs.push_back(args[a]);
  std::vector<std::vector<char>> gradBuffers;
  std::vector<TgTensor> grads;
  for (int64_t i = 0; i < tgFunctionNumResults(analytic); ++i) {
    TgTensorType t = tgFunctionResultType(analytic, i);
    int64_t n = 1;
    for (int64_t d = 0; d < t.rank; ++d)
      n *= t.shape[d];
    gradBuffers.emplace_back(n * tgDTypeSize(t.dtype));
    grads.push_back({t.dtype, t.rank, t.shape, gradBuffers.back().data()});
  }
  if (tgFunctionRun(analytic, fArgs.data(), fArgs.size(), grads.data(),
                    grads.size(), error))
    return 1;

  // f64 copies of the float arguments, perturbed one element at a time.
  std::vector<WideTensor> wide(fArgs.size());
  for (size_t i = 0; i < fArgs.size(); ++i) {
    TgTensorType t = tgFunctionArgType(value, i);
    wide[i].view = fArgs[i];
    if (t.dtype == TG_DTYPE_F64 && fArgs[i].dtype != TG_DTYPE_F64) {
      wide[i].values.resize(numElements(fArgs[i]));
      for (size_t j = 0; j < wide[i].values.size(); ++j)
        wide[i].values[j] = readElement(fArgs[i], j);
      wide[i].view = {TG_DTYPE_F64, t.rank, t.shape, wide[i].values.data()};
    } else if (t.dtype == TG_DTYPE_F64) {
      wide[i].values.assign(static_cast<const double *>(fArgs[i].data),
                            static_cast<const double *>(fArgs[i].data) +
                                numElements(fArgs[i]));
      wide[i].view.data = wide[i].values.data();
    }
  }
  TgTensorType outType = tgFunctionResultType(value, 0);
  int64_t outCount = 1;
  for (int64_t d = 0; d < outType.rank; ++d)
    outCount *= outType.shape[d];
  std::vector<double> out(outCount);
  TgTensor outTensor{TG_DTYPE_F64, outType.rank, outType.shape, out.data()};
  std::vector<TgTensor> views;
  for (auto &w : wide)
    views.push_back(w.view);
  auto evaluate = [&](double &sum) -> bool {
    if (tgFunctionRun(value, views.data(), views.size(), &outTensor, 1, error))
      return false;
    sum = 0;
    for (double v : out)
      sum += v;
    return true;
  };

  *numChecks = 0;
  for (size_t k = 0; k < wrt.size(); ++k) {
    int64_t i = wrt[k];
    std::vector<double> &x = wide[i].values;
    double worst = 0, scale = 1e-2;
    std::vector<double> numeric(x.size());
    for (size_t j = 0; j < x.size(); ++j) {
      double saved = x[j];
      double h = 1e-6 * std::max(1.0, std::fabs(saved));
      double plus, minus;
      x[j] = saved + h;
      if (!evaluate(plus))
        return 1;
      x[j] = saved - h;
      if (!evaluate(minus))
        return 1;
      x[j] = saved;
      numeric[j] = (plus - minus) / (2 * h);
      scale = std::max(scale, std::fabs(numeric[j]));
    }
    for (size_t j = 0; j < x.size(); ++j)
      worst = std::max(worst, std::fabs(readElement(grads[k], j) - numeric[j]));
    if (*numChecks < maxChecks)
      checks[(*numChecks)++] = {argMap[i], worst / scale};
  }
  return 0;
}
