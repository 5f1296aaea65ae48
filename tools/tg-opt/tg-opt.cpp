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

#include "tg/Codegen/CPU/Passes.h"
#include "tg/Codegen/Common/Passes.h"
#include "tg/Codegen/GPU/Passes.h"
#include "tg/Conversion/Passes.h"
#include "tg/Dialect/Tg/IR/TgDialect.h"
#include "tg/Dialect/Tg/Transforms/Passes.h"
#include "tg/Pipelines/Pipelines.h"
#include "tg/Support/InputLimits.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::tg::registerTgPasses();
  mlir::tg::registerTgConversionPasses();
  mlir::tg::registerTgCodegenCommonPasses();
  mlir::tg::registerTgCodegenCPUPasses();
  mlir::tg::registerTgCodegenGPUPasses();
  mlir::tg::registerTgPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR inside tg-opt.
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<mlir::tg::TgDialect>();

  std::pair<std::string, std::string> files =
      mlir::registerAndParseCLIOptions(argc, argv, "tg optimizer driver\n",
                                       registry);
  const std::string &inputFilename = files.first,
                    &outputFilename = files.second;
  // Input nested too deeply for the parser is a located error, not a stack
  // overflow (standard input is not read twice: only the stack guards it).
  if (inputFilename != "-") {
    if (auto buffer = llvm::MemoryBuffer::getFile(inputFilename,
                                                  /*IsText=*/true)) {
      if (auto where = mlir::tg::findNestingBeyond((*buffer)->getBuffer())) {
        llvm::errs() << mlir::tg::nestingError(inputFilename, *where);
        return 1;
      }
    }
  }
  // LLVM's signal handlers are installed lazily, with an alternate signal
  // stack for the thread that installs them; install them here, so that it
  // is not the compile thread (whose exit would then leave ASan to unmap a
  // stack it did not map).
  llvm::sys::PrintStackTraceOnErrorSignal(argv[0]);
  mlir::LogicalResult result = mlir::failure();
  uint64_t printed = llvm::errs().tell();
  if (!mlir::tg::runWithCompileStack([&] {
        result = mlir::MlirOptMain(argc, argv, inputFilename, outputFilename,
                                   registry);
      })) {
    // A crash (an upstream bug) after a diagnostic: that diagnostic is the
    // report. Otherwise say what happened.
    if (llvm::errs().tell() == printed)
      llvm::errs() << mlir::tg::crashError(inputFilename);
    return 1;
  }
  return mlir::asMainReturnCode(result);
}
