//===- Inspect.h - Drawing graphs and explaining fusion --------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// What -tg-draw-graph, -tg-explain-fusion, tgDrawGraph and Python's
// f.graph() share: the graph of a module at a stage of the pipeline, as
// Graphviz DOT, with the kernels it is fused into as clusters.
//
//===----------------------------------------------------------------------===//

#ifndef TG_PIPELINES_INSPECT_H
#define TG_PIPELINES_INSPECT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <string>

namespace mlir {
namespace tg {

enum class GraphStage { Tg, Optimized, Fused };

/// "tg", "optimized" or "fused".
std::optional<GraphStage> parseGraphStage(llvm::StringRef name);

/// Whether `name` is a drawing format: "dot" or "svg".
bool isGraphFormat(llvm::StringRef name);

/// Runs a pass pipeline on a module (the copy being lowered).
using RunPipelineFn =
    llvm::function_ref<LogicalResult(OpPassManager &, ModuleOp)>;

/// Draws `module` at `stage` as DOT into `dot`: ops as nodes labelled with
/// their source line, control flow and (at "fused") kernels as clusters.
/// Runs the stages it needs through `run` on a copy: `module` is left as
/// it is.
LogicalResult drawGraph(ModuleOp module, GraphStage stage, std::string &dot,
                        RunPipelineFn run);

/// `dot` through Graphviz's dot -Tsvg; an error message when it fails
/// (dot not installed: Debian's graphviz package).
LogicalResult dotToSvg(llvm::StringRef dot, std::string &svg,
                       std::string &error);

/// Lowers a copy of `module` to the fused stage through `run` and emits a
/// remark for every value one kernel produces and another consumes: why
/// the two were not fused.
LogicalResult explainFusion(ModuleOp module, RunPipelineFn run);

/// Registers -tg-draw-graph and -tg-explain-fusion.
void registerInspectPasses();

} // namespace tg
} // namespace mlir

#endif // TG_PIPELINES_INSPECT_H
