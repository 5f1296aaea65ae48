//===- Inspect.cpp - Drawing graphs and explaining fusion -----------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Upstream's -view-op-graph draws every op of a module, regions as
// clusters; it knows nothing of source lines or of which ops a later
// fusion merges, which are what a tg user asks of a drawing. Here the
// graph is drawn from the tg ops themselves, and the kernels come from
// running the real pipeline's tensor stages and reading the source tags
// each kernel carries (Kernels.h), so the clusters are the kernels tg
// compiles, not a guess.
//
//===----------------------------------------------------------------------===//

#include "tg/Pipelines/Inspect.h"
#include "tg/Codegen/Common/Fusion.h"
#include "tg/Codegen/Common/Kernels.h"
#include "tg/Codegen/Common/Passes.h"
#include "tg/Dialect/Tg/Transforms/Passes.h"
#include "tg/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <set>

using namespace mlir;
using namespace mlir::tg;

std::optional<GraphStage> tg::parseGraphStage(StringRef name) {
  return llvm::StringSwitch<std::optional<GraphStage>>(name)
      .Case("tg", GraphStage::Tg)
      .Case("optimized", GraphStage::Optimized)
      .Case("fused", GraphStage::Fused)
      .Default(std::nullopt);
}

bool tg::isGraphFormat(StringRef name) {
  return name == "dot" || name == "svg";
}

/// The CPU pipeline's tensor stages, to its final kernels: as profiling
/// compiles them (each kernel's ops contiguous), so that drawings,
/// explanations and profiles name the same kernels. `optimize`: the
/// module has not been through buildDifferentiationStages yet.
static void addFusedStages(OpPassManager &pm, bool optimize) {
  TensorStagesOptions options;
  options.optimize = optimize;
  options.cpuMatmuls = resolveVectorISA(VectorISA::Host) != VectorISA::None;
  options.profile = true;
  buildTensorStages(pm, options);
}

//===----------------------------------------------------------------------===//
// Drawing
//===----------------------------------------------------------------------===//

static std::string quote(StringRef text) {
  std::string s = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      s += '\\';
    if (c == '\n') {
      s += "\\n";
      continue;
    }
    s += c;
  }
  return s + "\"";
}

/// "file.mlir:12" (the file's name only) of `loc`, or "".
static std::string shortLine(Location loc) {
  std::string line = sourceLine(loc);
  if (line.empty())
    return line;
  StringRef text(line);
  auto [file, number] = text.rsplit(':');
  return (llvm::sys::path::filename(file) + ":" + number).str();
}

static std::string typeText(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    for (int64_t d : tensor.getShape())
      os << (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d))
         << "x";
    os << tensor.getElementType();
  } else {
    os << type;
  }
  return s;
}

namespace {
class GraphWriter {
public:
  GraphWriter(const std::map<int64_t, std::string> &kernelOf)
      : kernelOf(kernelOf) {}

  std::string write(ModuleOp module) {
    os << "digraph tg {\n"
          "  compound=true; newrank=true; rankdir=TB;\n"
          "  node [shape=box, style=\"rounded\", fontname=\"Helvetica\", "
          "fontsize=10];\n"
          "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\"];\n";
    int index = 0;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      os << "  subgraph cluster_f" << index++
         << " {\n    label=" << quote("@" + func.getName().str())
         << "; fontsize=12;\n";
      for (BlockArgument arg : func.getArguments()) {
        std::string node = newNode();
        os << "    " << node << " [shape=ellipse, label="
           << quote("%arg" + std::to_string(arg.getArgNumber()) + "\n" +
                    typeText(arg.getType()))
           << "];\n";
        source[arg] = node;
      }
      writeBlock(func.getBody().front(), "    ");
      os << "  }\n";
    }
    os << edges << "}\n";
    return text;
  }

private:
  std::string newNode() { return "n" + std::to_string(counter++); }

  void addEdge(Value value, const std::string &to) {
    auto it = source.find(value);
    if (it == source.end())
      return;
    edges += "  " + it->second + " -> " + to +
             " [label=" + quote(typeText(value.getType())) + "];\n";
  }

  /// The kernel `op` went into, or "".
  std::string kernelOfOp(Operation *op) {
    auto tag = sourceTagOf(op);
    if (!tag)
      return "";
    auto it = kernelOf.find(tag->id);
    return it == kernelOf.end() ? "" : it->second;
  }

  std::string label(Operation &op) {
    std::string name = op.getName().getStringRef().str();
    if (StringRef(name).starts_with("tg."))
      name = name.substr(3);
    auto tag = sourceTagOf(&op);
    std::string line = shortLine(tag ? tag->loc : op.getLoc());
    std::string text = name;
    if (!line.empty())
      text += "\n" + line;
    if (op.getNumResults() == 1)
      text += "\n" + typeText(op.getResult(0).getType());
    return text;
  }

  void writeBlock(Block &block, const std::string &indent) {
    // Kernels in order of first appearance, each with its nodes.
    std::vector<std::pair<std::string, std::vector<std::string>>> clusters;
    for (Operation &op : block) {
      std::string node = writeOp(op, indent);
      std::string kernel = kernelOfOp(&op);
      if (kernel.empty())
        continue;
      auto it =
          llvm::find_if(clusters, [&](auto &c) { return c.first == kernel; });
      if (it == clusters.end())
        clusters.push_back({kernel, {node}});
      else
        it->second.push_back(node);
    }
    for (auto &[kernel, nodes] : clusters) {
      os << indent << "subgraph cluster_k" << counter++ << " {\n"
         << indent << "  label=" << quote("kernel " + kernel)
         << "; style=filled; color=\"#4a7dbf\"; fillcolor=\"#e8f0fe\";\n";
      for (const std::string &node : nodes)
        os << indent << "  " << node << ";\n";
      os << indent << "}\n";
    }
  }

  /// Writes `op` (a node, or a cluster for an op with regions) and the
  /// edges into it; returns its node.
  std::string writeOp(Operation &op, const std::string &indent) {
    std::string node = newNode();
    if (op.getNumRegions() == 0) {
      bool terminator = op.hasTrait<OpTrait::IsTerminator>();
      os << indent << node << " [label=" << quote(label(op))
         << (terminator ? ", shape=plaintext" : "") << "];\n";
    } else {
      os << indent << "subgraph cluster_" << node << " {\n"
         << indent << "  label=" << quote(label(op))
         << "; style=dashed; color=\"#888888\";\n";
      os << indent << "  " << node << " [shape=hexagon, label="
         << quote(op.getName().getStringRef().str()) << "];\n";
      for (Region &region : op.getRegions())
        for (Block &block : region) {
          for (BlockArgument arg : block.getArguments()) {
            std::string argNode = newNode();
            os << indent << "  " << argNode << " [shape=ellipse, label="
               << quote("block arg " + std::to_string(arg.getArgNumber()) +
                        "\n" + typeText(arg.getType()))
               << "];\n";
            source[arg] = argNode;
          }
          writeBlock(block, indent + "  ");
        }
      os << indent << "}\n";
    }
    for (Value operand : op.getOperands())
      addEdge(operand, node);
    for (Value result : op.getResults())
      source[result] = node;
    return node;
  }

  const std::map<int64_t, std::string> &kernelOf;
  std::string text, edges;
  llvm::raw_string_ostream os{text};
  llvm::DenseMap<Value, std::string> source;
  int counter = 0;
};
} // namespace

LogicalResult tg::drawGraph(ModuleOp module, GraphStage stage, std::string &dot,
                            RunPipelineFn run) {
  if (llvm::none_of(module.getOps<func::FuncOp>(),
                    [](func::FuncOp f) { return !f.isExternal(); }))
    return emitError(module.getLoc())
           << "nothing to draw: the module has no func.func with a body "
              "(the graph is drawn from tg or linalg-on-tensors input, "
              "before lowering)";
  // A copy is lowered: the module given stays as it is.
  OwningOpRef<ModuleOp> work = module.clone();
  // Every tg op numbered, so that kernels can name the ops they hold.
  OpPassManager pm(ModuleOp::getOperationName());
  if (stage != GraphStage::Tg)
    buildDifferentiationStages(pm, /*optimize=*/true);
  pm.addPass(createTgTagSourceOpsPass());
  if (failed(run(pm, *work)))
    return failure();
  OwningOpRef<ModuleOp> graph = work->clone();
  std::map<int64_t, std::string> kernelOf;
  if (stage == GraphStage::Fused) {
    OpPassManager fused(ModuleOp::getOperationName());
    addFusedStages(fused, /*optimize=*/false);
    if (failed(run(fused, *work)))
      return failure();
    for (auto func : work->getOps<func::FuncOp>())
      for (const Kernel &kernel : findKernels(func)) {
        std::optional<StringRef> name =
            kernelNameOf(kernel.ops.front()->getLoc());
        for (const SourceTag &tag : kernel.tags)
          kernelOf.emplace(tag.id, name ? name->str() : "?");
      }
  }
  dot = GraphWriter(kernelOf).write(*graph);
  return success();
}

LogicalResult tg::dotToSvg(StringRef dot, std::string &svg,
                           std::string &error) {
  auto program = llvm::sys::findProgramByName("dot");
  if (!program) {
    error = "SVG needs Graphviz's 'dot', which is not installed (Debian: "
            "apt-get install graphviz); ask for format=dot instead";
    return failure();
  }
  // Input, output and Graphviz's messages in temporary files, all removed.
  SmallString<128> paths[3];
  const char *suffixes[3] = {"dot", "svg", "txt"};
  for (int i = 0; i < 3; ++i)
    if (llvm::sys::fs::createTemporaryFile("tg-graph", suffixes[i], paths[i])) {
      for (int j = 0; j < i; ++j)
        llvm::sys::fs::remove(paths[j]);
      error = "cannot create a temporary file for Graphviz";
      return failure();
    }
  llvm::scope_exit cleanup([&] {
    for (auto &path : paths)
      llvm::sys::fs::remove(path);
  });
  {
    std::error_code ec;
    llvm::raw_fd_ostream file(paths[0], ec);
    if (ec) {
      error = "cannot write a temporary file for Graphviz: " + ec.message();
      return failure();
    }
    file << dot;
  }
  std::string message;
  std::optional<StringRef> redirects[3] = {std::nullopt, std::nullopt,
                                           StringRef(paths[2])};
  int status = llvm::sys::ExecuteAndWait(
      *program, {*program, "-Tsvg", paths[0].str(), "-o", paths[1].str()},
      std::nullopt, redirects, /*SecondsToWait=*/60, /*MemoryLimit=*/0,
      &message);
  auto buffer = llvm::MemoryBuffer::getFile(paths[1]);
  if (status != 0 || !buffer) {
    std::string said;
    if (auto log = llvm::MemoryBuffer::getFile(paths[2]))
      said = (*log)->getBuffer().take_front(400).trim().str();
    error = "Graphviz's dot failed" +
            (message.empty() ? std::string() : ": " + message) +
            (said.empty() ? std::string() : " (" + said + ")");
    return failure();
  }
  svg = (*buffer)->getBuffer().str();
  return success();
}

//===----------------------------------------------------------------------===//
// Explaining fusion
//===----------------------------------------------------------------------===//

/// The op a value comes from, through reshapes and slices (which are views,
/// not kernels); `through` gets the first view's name.
static Operation *producerThroughViews(Value value, std::string &through) {
  Operation *def = value.getDefiningOp();
  while (def && isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
                    tensor::ExtractSliceOp, tensor::CastOp>(def)) {
    if (through.empty())
      through = def->getName().getStringRef().str();
    def = def->getOperand(0).getDefiningOp();
  }
  return def;
}

/// Where to put the remark about `consumer` reading from `producer`: the
/// first tg op of the consumer that comes after every op of the producer
/// (tags number ops in program order), else the consumer's first.
static std::optional<SourceTag> consumerTag(const Kernel &consumer,
                                            const Kernel &producer) {
  int64_t last = producer.tags.empty() ? -1 : producer.tags.back().id;
  for (const SourceTag &tag : consumer.tags)
    if (tag.id > last)
      return tag;
  if (!consumer.tags.empty())
    return consumer.tags.front();
  return std::nullopt;
}

LogicalResult tg::explainFusion(ModuleOp module, RunPipelineFn run) {
  // A copy is lowered: the module given stays as it is.
  OwningOpRef<ModuleOp> work = module.clone();
  OpPassManager pm(ModuleOp::getOperationName());
  addFusedStages(pm, /*optimize=*/true);
  if (failed(run(pm, *work)))
    return failure();
  for (auto func : work->getOps<func::FuncOp>()) {
    SmallVector<Kernel> kernels = findKernels(func);
    llvm::DenseMap<Operation *, unsigned> kernelIndex;
    for (auto [i, kernel] : llvm::enumerate(kernels))
      for (Operation *op : kernel.ops)
        kernelIndex[op] = i;
    std::set<std::pair<unsigned, unsigned>> explained;
    for (auto [k, kernel] : llvm::enumerate(kernels)) {
      for (Operation *op : kernel.ops) {
        // What it reads: its operands, and (row tiles) what its body
        // captures from above.
        SmallVector<std::pair<Value, OpOperand *>> reads;
        for (OpOperand &use : op->getOpOperands())
          reads.push_back({use.get(), &use});
        if (isa<scf::ForallOp>(op)) {
          SetVector<Value> captured;
          getUsedValuesDefinedAbove(op->getRegions(), captured);
          for (Value value : captured)
            reads.push_back({value, nullptr});
        }
        for (auto [value, use] : reads) {
          std::string through;
          Operation *producer = producerThroughViews(value, through);
          auto it = producer ? kernelIndex.find(producer) : kernelIndex.end();
          if (it == kernelIndex.end() || it->second == k ||
              !explained.insert({it->second, unsigned(k)}).second)
            continue;
          std::string reason;
          if (!through.empty())
            reason = "a '" + through +
                     "' (a reshape or slice) lies between "
                     "them, and fusion does not see through this one";
          else if (producer->getBlock() != op->getBlock())
            reason = "they are in different blocks (a loop or branch body "
                     "and its outside)";
          else if (!use)
            reason = "the consumer is a chain of row tiles (scf.forall) "
                     "that reads the value tile by tile";
          else if (auto why = whyNotFused(*use, kDefaultMaxFusedBodyOps))
            reason = *why;
          else
            reason = "the producer was fused into another consumer or "
                     "tiled first (no rule keeps them apart)";
          const Kernel &from = kernels[it->second];
          std::optional<StringRef> fromName =
              kernelNameOf(from.ops.front()->getLoc());
          std::optional<StringRef> toName =
              kernelNameOf(kernel.ops.front()->getLoc());
          std::optional<SourceTag> at = consumerTag(kernel, from);
          std::string producerLine = from.tags.empty()
                                         ? std::string()
                                         : shortLine(from.tags.back().loc);
          emitRemark(at ? at->loc : op->getLoc())
              << "kernel '" << (toName ? *toName : "?")
              << "' is not fused with its producer '"
              << (fromName ? *fromName : "?") << "'"
              << (producerLine.empty() ? "" : " (" + producerLine + ")") << ": "
              << reason;
        }
      }
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Passes
//===----------------------------------------------------------------------===//

/// The dialects the stages drawGraph and explainFusion run may create.
static void stageDialects(DialectRegistry &registry) {
  OpPassManager pm(ModuleOp::getOperationName());
  addFusedStages(pm, /*optimize=*/true);
  pm.getDependentDialects(registry);
}

/// Runs a pipeline on the copy drawGraph or explainFusion lowers (not
/// nested in the pass's module, so not through runPipeline). Diagnostics
/// go to the context's handler, as the pass's own would.
static std::function<LogicalResult(OpPassManager &, ModuleOp)>
runOnCopy(MLIRContext &context) {
  return [&context](OpPassManager &stages, ModuleOp copy) {
    PassManager pm(&context, ModuleOp::getOperationName());
    static_cast<OpPassManager &>(pm) = stages;
    return pm.run(copy);
  };
}

namespace {
// Written by hand rather than in a Passes.td: they drive the pipelines of
// this library (a Codegen pass cannot depend on them).
struct TgDrawGraphPass : PassWrapper<TgDrawGraphPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TgDrawGraphPass)
  TgDrawGraphPass() = default;
  TgDrawGraphPass(const TgDrawGraphPass &other) : PassWrapper(other) {}
  StringRef getArgument() const override { return "tg-draw-graph"; }
  void getDependentDialects(DialectRegistry &registry) const override {
    stageDialects(registry);
  }
  StringRef getDescription() const override {
    return "Draw the graph at a stage (tg, optimized, fused) as DOT or SVG: "
           "ops labelled with their source lines, kernels as clusters";
  }
  Option<std::string> stage{*this, "stage",
                            llvm::cl::desc("tg, optimized or fused"),
                            llvm::cl::init("fused")};
  Option<std::string> format{*this, "format", llvm::cl::desc("dot or svg"),
                             llvm::cl::init("dot")};
  Option<std::string> output{
      *this, "output",
      llvm::cl::desc("File to write (tg-opt passes its -o here); - is "
                     "standard output"),
      llvm::cl::init("-")};

  /// A wrong stage or format is a command-line error, before any input is
  /// read.
  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    if (!parseGraphStage(stage))
      return errorHandler("unknown stage '" + stage +
                          "' for -tg-draw-graph (expected tg, optimized or "
                          "fused)");
    if (!isGraphFormat(format))
      return errorHandler("unknown format '" + format +
                          "' for -tg-draw-graph (expected dot or svg)");
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<GraphStage> which = parseGraphStage(stage);
    std::string dot;
    if (failed(drawGraph(module, *which, dot, runOnCopy(getContext()))))
      return signalPassFailure();
    std::string text = dot, error;
    if (format == "svg" && failed(dotToSvg(dot, text, error))) {
      mlir::emitError(module.getLoc()) << error;
      return signalPassFailure();
    }
    auto file = openOutputFile(output, &error);
    if (!file) {
      mlir::emitError(module.getLoc()) << "cannot write the graph: " << error;
      return signalPassFailure();
    }
    file->os() << text;
    file->keep();
  }
};

struct TgExplainFusionPass
    : PassWrapper<TgExplainFusionPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TgExplainFusionPass)
  StringRef getArgument() const override { return "tg-explain-fusion"; }
  void getDependentDialects(DialectRegistry &registry) const override {
    stageDialects(registry);
  }
  StringRef getDescription() const override {
    return "Lower to the fused kernels and remark, for each value one "
           "kernel passes to another, why the two were not fused";
  }
  void runOnOperation() override {
    if (failed(explainFusion(getOperation(), runOnCopy(getContext()))))
      signalPassFailure();
  }
};
} // namespace

void tg::registerInspectPasses() {
  PassRegistration<TgDrawGraphPass>();
  PassRegistration<TgExplainFusionPass>();
}
