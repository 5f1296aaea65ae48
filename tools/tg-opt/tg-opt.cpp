//===- tg-opt.cpp - mlir-opt with the tg dialect and passes ---------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// mlir-opt plus the tg dialect, its passes and named pipelines. Every upstream
// dialect and pass stays available so that tests can mix tg with linalg, scf
// and the rest.
//
//===----------------------------------------------------------------------===//

#include "tg/Conversion/Passes.h"
#include "tg/Dialect/Tg/IR/TgDialect.h"
#include "tg/Dialect/Tg/Transforms/Passes.h"
#include "tg/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::tg::registerTgPasses();
  mlir::tg::registerTgConversionPasses();
  mlir::tg::registerTgPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR inside tg-opt.
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<mlir::tg::TgDialect>();

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "tg optimizer driver\n", registry));
}
