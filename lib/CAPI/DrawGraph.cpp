//===- DrawGraph.cpp - The C API's graph drawing --------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// tgDrawGraph: parse, then tg::drawGraph (lib/Pipelines/Inspect.cpp), on
// the compile thread with the compiler's stack like tgCompileSource.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "tg/Dialect/Tg/IR/TgOps.h"
#include "tg/Pipelines/Inspect.h"
#include "tg/Support/InputLimits.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdlib>
#include <cstring>

using namespace mlir;

static bool drawHere(std::unique_ptr<llvm::MemoryBuffer> buffer,
                     tg::GraphStage stage, bool svg, std::string &result,
                     std::string &diagnostics) {
  tgcapi::CompilerSession session(diagnostics);
  MLIRContext &context = session.context();
  OwningOpRef<ModuleOp> module = session.parse(std::move(buffer));
  if (!module)
    return false;
  std::string dot;
  if (failed(tg::drawGraph(
          *module, stage, dot, [&](OpPassManager &stages, ModuleOp copy) {
            PassManager pm(&context, ModuleOp::getOperationName());
            static_cast<OpPassManager &>(pm) = stages;
            return pm.run(copy);
          })))
    return false;
  if (!svg) {
    result = std::move(dot);
    return true;
  }
  std::string error;
  if (failed(tg::dotToSvg(dot, result, error))) {
    diagnostics += "error: " + error + "\n";
    return false;
  }
  return true;
}

extern "C" char *tgDrawGraph(const char *source, size_t length,
                             const char *bufferName, const char *stage,
                             const char *format, TgError **error) {
  std::string stageName = stage ? stage : "fused";
  std::optional<tg::GraphStage> which = tg::parseGraphStage(stageName);
  if (!which) {
    tgcapi::setError(error, "error: unknown graph stage '" + stageName +
                                "' (expected tg, optimized or fused)\n");
    return nullptr;
  }
  std::string formatName = format ? format : "dot";
  if (!tg::isGraphFormat(formatName)) {
    tgcapi::setError(error, "error: unknown graph format '" + formatName +
                                "' (expected dot or svg)\n");
    return nullptr;
  }
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(source, length), bufferName ? bufferName : "<source>");
  if (auto where = tg::findNestingBeyond(buffer->getBuffer())) {
    tgcapi::setError(error,
                     tg::nestingError(buffer->getBufferIdentifier(), *where));
    return nullptr;
  }
  std::string result, diagnostics, name = buffer->getBufferIdentifier().str();
  bool ok = false;
  if (!tg::runWithCompileStack([&] {
        ok = drawHere(std::move(buffer), *which, formatName == "svg", result,
                      diagnostics);
      })) {
    tgcapi::setError(error,
                     diagnostics.empty() ? tg::crashError(name) : diagnostics);
    return nullptr;
  }
  if (!ok) {
    tgcapi::setError(error, diagnostics.empty() ? "error: drawing failed\n"
                                                : diagnostics);
    return nullptr;
  }
  return tgcapi::copyString(result);
}
