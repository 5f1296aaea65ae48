//===- Pipelines.cpp - tg's named pass pipelines --------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Each pipeline is built from create...Pass(options) calls only (upstream's
// GPUToNVVMPipeline.cpp is the model), so that a misspelled pass or option is
// a compile error, not a run-time one, and no pass registry is needed to
// build them. Each stage carries a one-line reason for being where it is.
//
//===----------------------------------------------------------------------===//

#include "tg/Pipelines/Pipelines.h"
#include "tg/Pipelines/Inspect.h"
#include "tg/Codegen/CPU/Passes.h"
#include "tg/Codegen/Common/Passes.h"
#include "tg/Codegen/GPU/Passes.h"
#include "tg/Conversion/Passes.h"
#include "tg/Dialect/Tg/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/TargetParser/Host.h"

#include <cstdlib>
#include <thread>

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

/// The host-side lowering of memrefs that both back ends end with:
/// subviews and reshapes as plain descriptor arithmetic, affine maps as
/// arith, then memref ops (allocations, loads, stores) in the LLVM dialect.
static void addMemRefToLLVMStages(OpPassManager &pm) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
}

/// The stages shared by the CPU and GPU pipelines: differentiation,
/// graph optimization, lowering to linalg, fusion and bufferization with
/// caller-owned out-parameters.
void mlir::tg::buildDifferentiationStages(OpPassManager &pm, bool optimize) {
  // Recursion would overflow the stack at run time, and a loop whose step
  // is not positive never ends: located errors now.
  pm.addPass(createTgRejectRecursionPass());
  pm.addPass(createTgRejectNonPositiveStepsPass());
  // Gradients first, in tg ops, so that everything below applies to them.
  pm.addPass(createTgTapeToGradientPass());
  // Graph-level cleanup: everything removed here is never lowered.
  if (optimize)
    buildTgOptimizePipeline(pm, TgOptimizeOptions());
}

void mlir::tg::buildTensorStages(OpPassManager &pm,
                                 const TensorStagesOptions &options) {
  bool optimize = options.optimize, cpuMatmuls = options.cpuMatmuls,
       gpuMatmuls = options.gpuMatmuls;
  buildDifferentiationStages(pm, optimize);
  // Record tensor signatures and ask for C interfaces while types are tensors.
  pm.addPass(createTgPrepareEntryPointsPass());
  // Each tg op named in its location, so that the kernels it ends up in
  // can say which ops, on which lines, they were made of.
  pm.addPass(createTgTagSourceOpsPass());
  // tg to linalg on tensors; broadcasting lives in indexing maps.
  pm.addPass(createConvertTgToLinalgPass());
  // Private functions (the gradient functions tg.grad outlines) are inlined
  // into their callers: across a call, bufferization can only return fresh
  // buffers that the caller then copies into its results.
  pm.addPass(createInlinerPass());
  pm.addPass(createCanonicalizerPass());
  // The inlined gradient functions recompute the forward ops of a
  // GradientTape (the tape's function replays them): merged here, before
  // fusion makes the two copies different generics. The profile of a
  // Python training step showed its forward kernels twice.
  pm.addPass(createCSEPass());
  // Fuse producer/consumer elementwise generics (and broadcasts) into one,
  // up to a body size that keeps compile time linear in the program.
  pm.addNestedPass<func::FuncOp>(createTgFuseElementwisePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Convolutions as matmuls, and matmuls with inits of their own, for the
  // CPU's matmul micro-kernels (after fusion, which would fold the im2col
  // copy back into a convolution).
  if (cpuMatmuls) {
    // Softmax-like chains (reductions along rows and their elementwise
    // producers and consumers) computed one row tile at a time, in cache.
    // Unit dimensions dropped first: keepdims reductions become plain row
    // reductions read through (d0) maps, the form the chains are made of.
    pm.addNestedPass<func::FuncOp>(createLinalgFoldUnitExtentDimsPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    pm.addNestedPass<func::FuncOp>(createTgFuseRowReductionsPass());
    // Large reductions as trees of partial results (accuracy: no
    // accumulator sums more than a block). After the row fusion, whose
    // chains are plain row reductions.
    pm.addNestedPass<func::FuncOp>(createTgSplitReductionsPass());
    pm.addPass(createTgPrepareCpuMatmulsPass());
  }
  // The GPU matmul kernels take over the same fills, consumers and
  // transposes when these have buffers of their own.
  if (gpuMatmuls) {
    TgPrepareCpuMatmulsPassOptions prepare;
    prepare.privateInitsOnly = true;
    pm.addPass(createTgPrepareCpuMatmulsPass(prepare));
  }
  // Kernels are final: each gets the fused location of its tg ops (and,
  // when profiling, its timing calls) before bufferization copies it on.
  TgAnnotateKernelsPassOptions annotate;
  annotate.profile = options.profile;
  annotate.idBase = options.profileIdBase;
  pm.addPass(createTgAnnotateKernelsPass(annotate));
}

static void buildTensorToBufferStages(OpPassManager &pm,
                                      const TensorStagesOptions &options) {
  bool cpuMatmuls = options.cpuMatmuls;
  buildTensorStages(pm, options);
  // Tensors to buffers across function boundaries with plain strided memrefs,
  // which is the ABI the runtime's descriptors follow. Loops may yield new
  // buffers (loop-carried tensors such as the autodiff tapes).
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // A tensor.empty whose value only ends up inserted into a larger tensor
  // (a concat's inputs, a tile's output) becomes a slice of that tensor, so
  // that what fills it is computed in place: the strided convolution's data
  // gradient writes its stride phases straight into the interleaved result.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  // The slices it creates may duplicate ones already read: an elementwise
  // op that reads a window and writes it back (a strided slice's adjoint
  // accumulated into another) bufferizes in place only when its input and
  // its init are one value.
  pm.addNestedPass<func::FuncOp>(createTgMergeEquivalentSlicesPass());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // A buffer returned twice gets a copy, so that each result has its own.
  pm.addNestedPass<func::FuncOp>(createTgDistinctResultBuffersPass());
  // Results become caller-provided out-parameters: the caller owns every
  // result and no ownership crosses the boundary. Static result buffers are
  // hoisted into the out-parameter, so most results are written in place.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  // Row tiles (scf.forall on buffers) run as scf.parallel: OpenMP or loops.
  if (cpuMatmuls)
    pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  // Ownership-based deallocation frees every intermediate buffer.
  bufferization::buildBufferDeallocationPipeline(pm);
}

/// The vector ISA named by -tg-cpu-pipeline's vector-isa option, with
/// "host" resolved to the widest one this machine has.
VectorISA mlir::tg::resolveVectorISA(VectorISA isa) {
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
  TensorStagesOptions stages;
  stages.optimize = options.optimize;
  stages.cpuMatmuls = isa != VectorISA::None;
  stages.profile = options.profile;
  stages.profileIdBase = options.profileIdBase;
  buildTensorToBufferStages(pm, stages);
  // Matmuls become packed, register-tiled vector code, with their
  // elementwise consumer computed on the tile. AVX-512: 8 x 32 (16 zmm
  // accumulators); AVX2: 6 x 16 (12 ymm accumulators).
  if (isa != VectorISA::None) {
    TgMatmulMicrokernelsPassOptions mk;
    mk.mr = isa == VectorISA::AVX512 ? 8 : 6;
    mk.nr = isa == VectorISA::AVX512 ? 32 : 16;
    pm.addNestedPass<func::FuncOp>(createTgMatmulMicrokernelsPass(mk));
    // One mask and one index computation per tile, not one per row.
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  // One arena per call for the intermediate buffers, bytes reused between
  // buffers whose live ranges are disjoint (after the micro-kernels, whose
  // fusions look for buffers of their own). Multithreaded, once the loops
  // that stay parallel are known: their buffers get a slice per thread.
  TgPlanMemoryPassOptions plan;
  plan.sequential = options.threads == 1;
  // threads=0 (OpenMP's default team): one chunk per core. Any count is
  // correct (a chunk owns its slice whichever thread runs it); it only
  // needs to match the team for the work to spread evenly.
  plan.workers = options.threads != 0
                     ? int64_t(options.threads)
                     : int64_t(std::max(1u, std::thread::hardware_concurrency()));
  // Small buffers (reduction accumulators) stay out of the arena, so that
  // LLVM knows they do not alias the arena's other buffers (see Passes.td).
  plan.minBytes = 4096;
  if (options.threads == 1)
    pm.addNestedPass<func::FuncOp>(createTgPlanMemoryPass(plan));
  // Copies into or out of strided views as vectorizable loops, not the
  // runner's element-by-element memrefCopy.
  pm.addNestedPass<func::FuncOp>(createTgStridedCopiesToLoopsPass());
  // Elementwise generics over whole buffers iterate one flat dimension.
  pm.addNestedPass<func::FuncOp>(createTgCollapseElementwiseDimsPass());
  // Loops over buffers (the performance work tiles and vectorizes here).
  // Large buffers (the arena, packed matmul operands) on transparent huge
  // pages, once the arena is planned: 4 KiB pages cost a 2048^3 sgemm 2.5%
  // of its time.
  if (options.threads == 1) {
    pm.addPass(createTgAdviseHugePagesPass());
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
    pm.addPass(createSCFToControlFlowPass());
    addMemRefToLLVMStages(pm);
  } else {
    // Parallel dimensions become scf.parallel, then OpenMP worksharing
    // loops; reduction dimensions stay sequential inside each iteration.
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
    // Nests too small to pay for forking a thread team stay sequential.
    pm.addNestedPass<func::FuncOp>(createTgSequentializeSmallParallelLoopsPass(
        {options.parallelMinIterations}));
    pm.addNestedPass<func::FuncOp>(createTgPlanMemoryPass(plan));
    pm.addPass(createTgAdviseHugePagesPass());
    ConvertSCFToOpenMPPassOptions openmp;
    openmp.numThreads = options.threads;
    pm.addPass(createConvertSCFToOpenMPPass(openmp));
    // memref lowering must precede scf-to-cf when OpenMP regions are present.
    addMemRefToLLVMStages(pm);
    pm.addPass(createSCFToControlFlowPass());
  }
  // bf16 conversions become integer ops (no runtime library call needed).
  pm.addPass(createTgExpandArithPass());
  // f32 math functions as polynomials that LLVM vectorizes with the loops
  // around them (f64 keeps libm).
  if (isa != VectorISA::None)
    pm.addPass(createTgApproximateMathPass());
  // Math ops with LLVM intrinsics first; the rest (tanh, ...) call libm.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // convert-openmp-to-llvm must follow the func conversion in convert-to-llvm.
  // Vector masks need the vector conversion's own mask materialization.
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  // Long elementwise loop bodies: several vector iterations in flight.
  if (isa != VectorISA::None)
    pm.addNestedPass<LLVM::LLVMFuncOp>(createTgInterleaveLoopsPass());
}

/// The CUDA toolkit directory for gpu-module-to-binary: the option, else
/// $CUDA_HOME, else the toolkit around the ptxas on PATH (or in
/// /usr/local/cuda); empty when there is none.
static std::string findCudaToolkit(StringRef option) {
  if (!option.empty())
    return option.str();
  if (const char *env = std::getenv("CUDA_HOME"))
    return env;
  if (auto ptxas =
          llvm::sys::findProgramByName("ptxas", {"/usr/local/cuda/bin"}))
    return llvm::sys::path::parent_path(llvm::sys::path::parent_path(*ptxas))
        .str();
  return "";
}

void mlir::tg::buildTgGpuPipeline(OpPassManager &pm,
                                  const TgGpuPipelineOptions &options) {
  TensorStagesOptions stages;
  stages.optimize = options.optimize;
  stages.gpuMatmuls = true;
  stages.profile = options.profile;
  stages.profileIdBase = options.profileIdBase;
  buildTensorToBufferStages(pm, stages);
  // Matmuls tiled through shared memory (with their fill, consumer and
  // transposes) and row reductions as block reductions, each one kernel
  // written out directly; first, while buffers are still memref.allocs.
  // Tensor cores (mma.sync m16n8k16/m16n8k8) from sm_80 on; the emulation
  // runs them whatever the chip.
  StringRef chip = options.chip;
  int64_t smVersion = 0;
  bool tensorCores =
      options.emulate || (chip.consume_front("sm_") &&
                          !chip.take_while(llvm::isDigit).getAsInteger(10, smVersion) &&
                          smVersion >= 80);
  TgGpuMatmulKernelsPassOptions matmul;
  matmul.tensorCores = tensorCores;
  matmul.tf32 = tensorCores && options.tf32;
  pm.addNestedPass<func::FuncOp>(createTgGpuMatmulKernelsPass(matmul));
  pm.addNestedPass<func::FuncOp>(createTgGpuBlockReductionsPass());
  // Host code only launches kernels: copies and scalar ops become kernels.
  pm.addNestedPass<func::FuncOp>(createTgGpuHostOpsToKernelsPass());
  // The other ops (elementwise chains fused into one generic, layout ops,
  // column reductions) as parallel loops, flattened (consecutive threads
  // take consecutive elements), tiled by 256 and mapped to blocks x
  // threads: one thread per output element.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createTgGpuFlattenParallelLoopsPass());
  // (No canonicalization before the mapping: it would inline the
  // one-iteration loops that keep scalar ops off the host.)
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createParallelLoopTilingPass(/*tileSize=*/{256},
                                             /*noMinMaxBounds=*/true));
    fpm.addPass(createGpuMapParallelLoopsPass());
    fpm.addPass(createConvertParallelLoopToGpuPass());
    // Kernels are gpu.launch ops now: what is left touches memory on the
    // host, and device buffers passed to those arguments need staging.
    fpm.addPass(createTgGpuMarkHostAccessedArgsPass());
  }
  // Buffers in GPU memory, or managed memory where host code touches them.
  if (!options.emulate)
    pm.addPass(createTgHostSharedAllocsPass());
  if (options.emulate) {
    // The launches as OpenMP teams, then the CPU back end.
    pm.addPass(createTgGpuEmulatePass());
    pm.addPass(createCanonicalizerPass());
    addMemRefToLLVMStages(pm);
    pm.addPass(createSCFToControlFlowPass());
    pm.addPass(createTgExpandArithPass());
    pm.addPass(createConvertMathToLLVMPass());
    pm.addPass(createConvertMathToLibmPass());
    pm.addPass(createConvertToLLVMPass());
    pm.addPass(createConvertOpenMPToLLVMPass());
    pm.addPass(createReconcileUnrealizedCastsPass());
    return;
  }
  // Each mapped nest outlined as a kernel.
  pm.addPass(createGpuKernelOutliningPass());
  // Consecutive launches on one stream, the host waiting once for them.
  pm.addNestedPass<func::FuncOp>(createTgGpuAsyncLaunchesPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  // Kernels to NVVM for the chosen chip.
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createSCFToControlFlowPass());
  {
    OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
    kernels.addPass(createConvertNVGPUToNVVMPass());
    kernels.addPass(createConvertGpuOpsToNVVMOps());
    kernels.addPass(createCanonicalizerPass());
    kernels.addPass(createCSEPass());
    kernels.addPass(createReconcileUnrealizedCastsPass());
  }
  // Host code to LLVM; launches become calls of the mgpu* runtime.
  addMemRefToLLVMStages(pm);
  pm.addPass(createGpuToLLVMConversionPass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  // Kernels to PTX (or cubin/fatbin through ptxas), embedded in the host code.
  // The toolkit provides libdevice (math functions in kernels) and ptxas.
  // Find it here rather than rely on the environment of whoever runs us.
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = findCudaToolkit(options.toolkit);
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void mlir::tg::registerTgPipelines() {
  registerInspectPasses();
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
