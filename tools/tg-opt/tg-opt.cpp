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

#include <algorithm>
#include <string>
#include <vector>

/// `tg-opt FILE -tg-draw-graph=stage=fused -o out.dot` writes the drawing,
/// not the IR, to out.dot: the pass gets the -o file as its output option
/// and the IR goes nowhere. (MlirOptMain always prints the module after the
/// passes; a pass cannot take the output file over.) An explicit output=
/// option leaves -o to the IR. Not rerouted: the pass inside a
/// --pass-pipeline string, which needs its own output= option.
static std::vector<std::string> routeDrawGraphOutput(int argc, char **argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto isDraw = [](const std::string &a) {
    return a.rfind("-tg-draw-graph", 0) == 0 ||
           a.rfind("--tg-draw-graph", 0) == 0;
  };
  auto draw = std::find_if(args.begin(), args.end(), isDraw);
  if (draw == args.end())
    return args;
  // An explicit output= option keeps -o for the IR.
  if (draw->find("output=") != std::string::npos)
    return args;
  std::string output = "-";
  for (size_t i = 1; i < args.size(); ++i) {
    if ((args[i] == "-o" || args[i] == "--o") && i + 1 < args.size()) {
      output = args[i + 1];
      args.erase(args.begin() + i, args.begin() + i + 2);
      break;
    }
    if (args[i].rfind("-o=", 0) == 0 || args[i].rfind("--o=", 0) == 0) {
      output = args[i].substr(args[i].find('=') + 1);
      args.erase(args.begin() + i);
      break;
    }
  }
  draw = std::find_if(args.begin(), args.end(), isDraw);
  std::string &flag = *draw;
  size_t eq = flag.find('=');
  std::string options = eq == std::string::npos ? "" : flag.substr(eq + 1);
  if (options.size() >= 2 && options.front() == '{' && options.back() == '}')
    options = options.substr(1, options.size() - 2);
  // Quoted: the path may hold spaces (pass options split at them).
  options += (options.empty() ? "" : " ") + std::string("output=\"") +
             output + "\"";
  flag = flag.substr(0, eq) + "=" + options;
  args.push_back("-o");
  args.push_back("/dev/null");
  return args;
}

int main(int argc, char **argv) {
  std::vector<std::string> routed = routeDrawGraphOutput(argc, argv);
  std::vector<char *> routedArgv;
  for (std::string &arg : routed)
    routedArgv.push_back(arg.data());
  routedArgv.push_back(nullptr);
  argc = static_cast<int>(routed.size());
  argv = routedArgv.data();
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
  mlir::tg::registerLinearLoopBufferization(registry);

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
