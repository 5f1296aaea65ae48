//===- FuzzParse.cpp - Fuzz the parser and the tg verifiers ---------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// libFuzzer target (a): any bytes as an MLIR module with tg and the upstream
// dialects tg programs use; parsed and verified as tg's tools do (nesting
// bounded first, on the compile stack), then printed. Every input must end
// in a module or in diagnostics, never in a crash, a sanitizer report or a
// leak.
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include "tg/Dialect/Tg/IR/TgDialect.h"
#include "tg/Dialect/Tg/IR/TgOps.h"
#include "tg/Support/InputLimits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A copy: MLIR's lexer reads the NUL after the buffer, which the
  // fuzzer's bytes lack (tgCompileSource copies into a terminated buffer
  // too; parseSourceString on unterminated bytes reads past them).
  std::string source(reinterpret_cast<const char *>(data), size);
  llvm::StringRef text(source);
  if (tg::findNestingBeyond(text))
    return 0; // tg's tools reject it before parsing
  if (hasKnownUpstreamCrash(text))
    return 0;
  tg::runWithCompileStack([&] {
    DialectRegistry registry;
    registry.insert<tg::TgDialect, func::FuncDialect, arith::ArithDialect,
                    scf::SCFDialect, tensor::TensorDialect,
                    linalg::LinalgDialect, math::MathDialect,
                    memref::MemRefDialect>();
    MLIRContext context(registry, MLIRContext::Threading::DISABLED);
    ScopedDiagnosticHandler quiet(&context, [](Diagnostic &) {
      return success();
    });
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
    if (!module)
      return;
    (void)tg::verifyAllTensorSizes(*module);
    std::string printed;
    llvm::raw_string_ostream os(printed);
    module->print(os);
  });
  return 0;
}
