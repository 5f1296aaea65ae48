//===- Pipelines.cpp - tg's named pass pipelines --------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Each stage carries a one-line reason for being where it is.
//
//===----------------------------------------------------------------------===//

#include "tg/Pipelines/Pipelines.h"
#include "tg/Dialect/Tg/Transforms/Passes.h"

#include "tg/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Support/Program.h"

#include <cstdlib>
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::tg;

void mlir::tg::buildTgOptimizePipeline(OpPassManager &pm,
                                       const TgOptimizeOptions &options) {
  // Folding, algebraic simplification and trivial DCE for every dialect in
  // the module (tg, arith, scf, tensor), to a fixed point.
  pm.addPass(createCanonicalizerPass());
  // Merge identical pure computations, which canonicalization may expose.
  pm.addPass(createCSEPass());
  // CSE can leave duplicates unused; the last references to private
  // functions go with them.
  if (options.removeDeadFunctions)
    pm.addPass(createTgDeadCodeEliminationPass());
  // CSE and DCE open new folding opportunities (e.g. x - x after merging is
  // left alone on purpose, but broadcasts of merged values fold further).
  pm.addPass(createCanonicalizerPass());
}

/// Appends an upstream pipeline given in textual form (without the
/// builtin.module wrapper, which would nest the passes a level too deep).
static void addPipeline(OpPassManager &pm, StringRef text) {
  if (failed(parsePassPipeline(text, pm)))
    llvm::report_fatal_error(llvm::Twine("tg: bad built-in pipeline: ") + text);
}

/// The stages shared by the CPU and GPU pipelines: differentiation,
/// graph optimization, lowering to linalg, fusion and bufferization with
/// caller-owned out-parameters.
static void buildTensorToBufferStages(OpPassManager &pm, bool optimize,
                                      bool cpuMatmuls = false,
                                      bool gpuMatmuls = false) {
  // Recursion would overflow the stack at run time, and a loop whose step
  // is not positive never ends: located errors now.
  pm.addPass(createTgRejectRecursionPass());
  pm.addPass(createTgRejectNonPositiveStepsPass());
  // Gradients first, in tg ops, so that everything below applies to them.
  pm.addPass(createTgTapeToGradientPass());
  // Graph-level cleanup: everything removed here is never lowered.
  if (optimize)
    buildTgOptimizePipeline(pm, TgOptimizeOptions());
  // Record tensor signatures and ask for C interfaces while types are tensors.
  pm.addPass(createTgPrepareEntryPointsPass());
  // tg to linalg on tensors; broadcasting lives in indexing maps.
  pm.addPass(createConvertTgToLinalgPass());
  // Private functions (the gradient functions tg.grad outlines) are inlined
  // into their callers: across a call, bufferization can only return fresh
  // buffers that the caller then copies into its results.
  addPipeline(pm, "inline,canonicalize");
  // Fuse producer/consumer elementwise generics (and broadcasts) into one.
  addPipeline(pm, "func.func(linalg-fuse-elementwise-ops)");
  addPipeline(pm, "canonicalize,cse");
  // Convolutions as matmuls, and matmuls with inits of their own, for the
  // CPU's matmul micro-kernels (after fusion, which would fold the im2col
  // copy back into a convolution).
  if (cpuMatmuls) {
    // Softmax-like chains (reductions along rows and their elementwise
    // producers and consumers) computed one row tile at a time, in cache.
    // Unit dimensions dropped first: keepdims reductions become plain row
    // reductions read through (d0) maps, the form the chains are made of.
    addPipeline(pm, "func.func(linalg-fold-unit-extent-dims),canonicalize,cse");
    pm.addNestedPass<func::FuncOp>(createTgFuseRowReductionsPass());
    pm.addPass(createTgPrepareCpuMatmulsPass());
  }
  // The GPU matmul kernels take over the same fills, consumers and
  // transposes when these have buffers of their own.
  if (gpuMatmuls) {
    TgPrepareCpuMatmulsPassOptions prepare;
    prepare.privateInitsOnly = true;
    pm.addPass(createTgPrepareCpuMatmulsPass(prepare));
  }
  // Tensors to buffers across function boundaries with plain strided memrefs,
  // which is the ABI the runtime's descriptors follow. Loops may yield new
  // buffers (loop-carried tensors such as the autodiff tapes).
  addPipeline(pm, "one-shot-bufferize{bufferize-function-boundaries "
                  "allow-return-allocs-from-loops "
                  "function-boundary-type-conversion=identity-layout-map}");
  // A buffer returned twice gets a copy, so that each result has its own.
  pm.addNestedPass<func::FuncOp>(createTgDistinctResultBuffersPass());
  // Results become caller-provided out-parameters: the caller owns every
  // result and no ownership crosses the boundary. Static result buffers are
  // hoisted into the out-parameter, so most results are written in place.
  addPipeline(pm, "buffer-results-to-out-params{hoist-static-allocs=true modify-public-functions=true}");
  // Row tiles (scf.forall on buffers) run as scf.parallel: OpenMP or loops.
  if (cpuMatmuls)
    addPipeline(pm, "func.func(scf-forall-to-parallel)");
  // Ownership-based deallocation frees every intermediate buffer.
  addPipeline(pm, "buffer-deallocation-pipeline");
}

/// The vector ISA named by -tg-cpu-pipeline's vector-isa option, with
/// "host" resolved to the widest one this machine has.
static VectorISA resolveVectorISA(VectorISA isa) {
  if (isa != VectorISA::Host)
    return isa;
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return VectorISA::AVX512;
  if (features.lookup("avx2") && features.lookup("fma"))
    return VectorISA::AVX2;
  return VectorISA::None;
}

void mlir::tg::buildTgCpuPipeline(OpPassManager &pm,
                                  const TgCpuPipelineOptions &options) {
  VectorISA isa = resolveVectorISA(options.vectorISA);
  buildTensorToBufferStages(pm, options.optimize, isa != VectorISA::None);
  // Matmuls become packed, register-tiled vector code, with their
  // elementwise consumer computed on the tile. AVX-512: 8 x 32 (16 zmm
  // accumulators); AVX2: 6 x 16 (12 ymm accumulators).
  if (isa != VectorISA::None) {
    TgMatmulMicrokernelsPassOptions mk;
    mk.mr = isa == VectorISA::AVX512 ? 8 : 6;
    mk.nr = isa == VectorISA::AVX512 ? 32 : 16;
    pm.addNestedPass<func::FuncOp>(createTgMatmulMicrokernelsPass(mk));
    // One mask and one index computation per tile, not one per row.
    addPipeline(pm, "canonicalize,cse");
  }
  // Elementwise generics over whole buffers iterate one flat dimension.
  pm.addNestedPass<func::FuncOp>(createTgCollapseElementwiseDimsPass());
  // Loops over buffers (the performance work tiles and vectorizes here).
  if (options.threads == 1) {
    addPipeline(pm, "func.func(convert-linalg-to-loops)");
    addPipeline(pm, "convert-scf-to-cf,expand-strided-metadata,lower-affine,"
                    "finalize-memref-to-llvm");
  } else {
    // Parallel dimensions become scf.parallel, then OpenMP worksharing
    // loops; reduction dimensions stay sequential inside each iteration.
    addPipeline(pm, "func.func(convert-linalg-to-parallel-loops)");
    // Nests too small to pay for forking a thread team stay sequential.
    pm.addNestedPass<func::FuncOp>(createTgSequentializeSmallParallelLoopsPass(
        {options.parallelMinIterations}));
    addPipeline(pm, "convert-scf-to-openmp{num-threads=" +
                        std::to_string(options.threads) + "}");
    // memref lowering must precede scf-to-cf when OpenMP regions are present.
    addPipeline(pm, "expand-strided-metadata,lower-affine,"
                    "finalize-memref-to-llvm,convert-scf-to-cf");
  }
  // bf16 conversions become integer ops (no runtime library call needed).
  pm.addPass(createTgExpandArithPass());
  // f32 math functions as polynomials that LLVM vectorizes with the loops
  // around them (f64 keeps libm).
  if (isa != VectorISA::None)
    pm.addPass(createTgApproximateMathPass());
  // Math ops with LLVM intrinsics first; the rest (tanh, ...) call libm.
  addPipeline(pm, "convert-math-to-llvm,convert-math-to-libm");
  // convert-openmp-to-llvm must follow the func conversion in convert-to-llvm.
  // Vector masks need the vector conversion's own mask materialization.
  addPipeline(pm, "convert-vector-to-llvm,convert-to-llvm,convert-openmp-to-llvm,"
                  "reconcile-unrealized-casts");
  // Long elementwise loop bodies: several vector iterations in flight.
  if (isa != VectorISA::None)
    pm.addNestedPass<LLVM::LLVMFuncOp>(createTgInterleaveLoopsPass());
}

void mlir::tg::buildTgGpuPipeline(OpPassManager &pm,
                                  const TgGpuPipelineOptions &options) {
  buildTensorToBufferStages(pm, options.optimize, /*cpuMatmuls=*/false,
                            /*gpuMatmuls=*/true);
  // Matmuls tiled through shared memory (with their fill, consumer and
  // transposes) and row reductions as block reductions, each one kernel
  // written out directly; first, while buffers are still memref.allocs.
  pm.addNestedPass<func::FuncOp>(createTgGpuMatmulKernelsPass());
  pm.addNestedPass<func::FuncOp>(createTgGpuBlockReductionsPass());
  // Host code only launches kernels: copies and scalar ops become kernels.
  pm.addNestedPass<func::FuncOp>(createTgGpuHostOpsToKernelsPass());
  // Host buffers in managed memory, so that kernels and host code share them.
  if (!options.emulate)
    pm.addPass(createTgHostSharedAllocsPass());
  // The other ops (elementwise chains fused into one generic, layout ops,
  // column reductions) as parallel loops, flattened (consecutive threads
  // take consecutive elements), tiled by 256 and mapped to blocks x
  // threads: one thread per output element.
  addPipeline(pm, "func.func(convert-linalg-to-parallel-loops)");
  pm.addNestedPass<func::FuncOp>(createTgGpuFlattenParallelLoopsPass());
  // (No canonicalization before the mapping: it would inline the
  // one-iteration loops that keep scalar ops off the host.)
  addPipeline(pm, "func.func(scf-parallel-loop-tiling{parallel-loop-tile-sizes=256 "
                  "no-min-max-bounds=true},"
                  "gpu-map-parallel-loops,convert-parallel-loops-to-gpu)");
  if (options.emulate) {
    // The launches as OpenMP teams, then the CPU back end.
    pm.addPass(createTgGpuEmulatePass());
    addPipeline(pm, "canonicalize,expand-strided-metadata,lower-affine,"
                    "finalize-memref-to-llvm,convert-scf-to-cf");
    pm.addPass(createTgExpandArithPass());
    addPipeline(pm, "convert-math-to-llvm,convert-math-to-libm,convert-to-llvm,"
                    "convert-openmp-to-llvm,reconcile-unrealized-casts");
    return;
  }
  // Each mapped nest outlined as a kernel.
  addPipeline(pm, "gpu-kernel-outlining,lower-affine,canonicalize");
  // Kernels to NVVM for the chosen chip.
  addPipeline(pm, "nvvm-attach-target{chip=" + options.chip + " O=3}");
  addPipeline(pm, "convert-scf-to-cf,gpu.module(convert-gpu-to-nvvm,"
                  "canonicalize,cse,reconcile-unrealized-casts)");
  // Host code to LLVM; launches become calls of the mgpu* runtime.
  addPipeline(pm, "expand-strided-metadata,lower-affine,"
                  "finalize-memref-to-llvm,gpu-to-llvm,arith-expand{include-bf16=true},"
                  "convert-math-to-llvm,convert-math-to-libm,convert-to-llvm,"
                  "reconcile-unrealized-casts");
  // Kernels to PTX (or cubin/fatbin through ptxas), embedded in the host code.
  // The toolkit provides libdevice (math functions in kernels) and ptxas.
  // Find it here rather than rely on the environment of whoever runs us.
  std::string toolkitDir = options.toolkit;
  if (toolkitDir.empty()) {
    if (const char *env = std::getenv("CUDA_HOME"))
      toolkitDir = env;
    else if (auto ptxas = llvm::sys::findProgramByName(
                 "ptxas", {"/usr/local/cuda/bin"}))
      toolkitDir = llvm::sys::path::parent_path(
                       llvm::sys::path::parent_path(*ptxas))
                       .str();
  }
  std::string toolkit = toolkitDir.empty() ? "" : " toolkit=" + toolkitDir;
  addPipeline(pm, "gpu-module-to-binary{format=" + options.format + toolkit +
                      "}");
}

void mlir::tg::registerTgPipelines() {
  PassPipelineRegistration<TgGpuPipelineOptions>(
      "tg-gpu-pipeline",
      "tg to host code launching NVVM kernels through the mgpu* runtime",
      buildTgGpuPipeline);
  PassPipelineRegistration<TgCpuPipelineOptions>(
      "tg-cpu-pipeline",
      "tg (or linalg on tensors) to the LLVM dialect for the host CPU",
      buildTgCpuPipeline);
  PassPipelineRegistration<TgOptimizeOptions>(
      "tg-optimize",
      "Graph optimizations: canonicalization and constant folding, algebraic "
      "simplification, CSE, dead-code elimination",
      buildTgOptimizePipeline);
}
