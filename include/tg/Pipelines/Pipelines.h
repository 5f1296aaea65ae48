//===- Pipelines.h - tg's named pass pipelines ------------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The pipelines tg-opt, tg-run and the Python package run by name.
//
//===----------------------------------------------------------------------===//

#ifndef TG_PIPELINES_PIPELINES_H
#define TG_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
namespace tg {

/// Options of -tg-optimize.
struct TgOptimizeOptions : public PassPipelineOptions<TgOptimizeOptions> {
  PassOptions::Option<bool> removeDeadFunctions{
      *this, "remove-dead-functions",
      llvm::cl::desc("Erase private functions that nothing references"),
      llvm::cl::init(true)};
};

/// Graph-level optimization of a module of tg functions.
void buildTgOptimizePipeline(OpPassManager &pm,
                             const TgOptimizeOptions &options);

/// The vector ISA CPU code is shaped for.
enum class VectorISA { Host, AVX512, AVX2, None };

/// Options of -tg-cpu-pipeline.
struct TgCpuPipelineOptions : public PassPipelineOptions<TgCpuPipelineOptions> {
  PassOptions::Option<bool> optimize{
      *this, "optimize",
      llvm::cl::desc("Run -tg-optimize before lowering"), llvm::cl::init(true)};
  PassOptions::Option<unsigned> threads{
      *this, "threads",
      llvm::cl::desc("Worker threads: 1 keeps loops sequential; 0 means "
                     "OpenMP's default (every core)"),
      llvm::cl::init(1)};
  PassOptions::Option<int64_t> parallelMinIterations{
      *this, "parallel-min-iterations",
      llvm::cl::desc("Loop nests with fewer iterations stay sequential (a "
                     "thread fork costs more than they take)"),
      llvm::cl::init(32768)};
  PassOptions::Option<VectorISA> vectorISA{
      *this, "vector-isa",
      llvm::cl::desc("Vector ISA the matmul micro-kernels are shaped for"),
      llvm::cl::init(VectorISA::Host),
      llvm::cl::values(
          clEnumValN(VectorISA::Host, "host", "the widest this machine has"),
          clEnumValN(VectorISA::AVX512, "avx512", "AVX-512 (8x32 tile)"),
          clEnumValN(VectorISA::AVX2, "avx2", "AVX2 with FMA (6x16 tile)"),
          clEnumValN(VectorISA::None, "none",
                     "no micro-kernels: generic loops only"))};
  PassOptions::Option<bool> profile{
      *this, "profile",
      llvm::cl::desc("Time every kernel (-tg-annotate-kernels' profile)"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> profileIdBase{
      *this, "profile-id-base",
      llvm::cl::desc("The first kernel id when profiling"), llvm::cl::init(0)};
};

/// tg (or linalg on tensors) to the LLVM dialect for the host CPU.
void buildTgCpuPipeline(OpPassManager &pm, const TgCpuPipelineOptions &options);

/// The ISA `isa` names, with Host resolved to the widest this machine has.
VectorISA resolveVectorISA(VectorISA isa);

/// Where every pipeline starts: located errors for recursion and loops
/// that never end, then differentiation (-tg-tape-to-gradient) and, with
/// `optimize`, -tg-optimize. What -tg-draw-graph calls the "optimized"
/// stage.
void buildDifferentiationStages(OpPassManager &pm, bool optimize);

/// The stages both back ends run on tensors: differentiation, graph
/// optimization, lowering to linalg, fusion, the back end's preparation of
/// matmuls, and the kernels' annotation (-tg-annotate-kernels), which
/// leaves each kernel final and located. -tg-draw-graph and
/// -tg-explain-fusion stop here.
struct TensorStagesOptions {
  bool optimize = true;
  /// Shape matmuls and convolutions for the CPU micro-kernels.
  bool cpuMatmuls = false;
  /// Give matmuls the private inits the GPU matmul kernels take over.
  bool gpuMatmuls = false;
  bool profile = false;
  int64_t profileIdBase = 0;
};
void buildTensorStages(OpPassManager &pm, const TensorStagesOptions &options);

/// Options of -tg-gpu-pipeline.
struct TgGpuPipelineOptions : public PassPipelineOptions<TgGpuPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("The NVIDIA GPU architecture"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Kernel binary format: fatbin (needs ptxas), bin, or "
                     "isa (PTX, compiled by the driver at load time)"),
      llvm::cl::init("isa")};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit directory (for ptxas) when format is not isa"),
      llvm::cl::init("")};
  PassOptions::Option<bool> optimize{
      *this, "optimize",
      llvm::cl::desc("Run -tg-optimize before lowering"), llvm::cl::init(true)};
  PassOptions::Option<bool> emulate{
      *this, "emulate",
      llvm::cl::desc("Run the kernels on the CPU, one OpenMP thread per GPU "
                     "thread (-tg-gpu-emulate): the result is host-only LLVM "
                     "dialect that tg-run runs, for testing the kernels "
                     "without a GPU"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> profile{
      *this, "profile",
      llvm::cl::desc("Time every kernel (-tg-annotate-kernels' profile)"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> profileIdBase{
      *this, "profile-id-base",
      llvm::cl::desc("The first kernel id when profiling"), llvm::cl::init(0)};
  PassOptions::Option<bool> tf32{
      *this, "tf32",
      llvm::cl::desc("f32 matmuls and convolutions on tensor cores, their "
                     "operands reduced to TF32 (f16 ones always are, on "
                     "sm_80 and later)"),
      llvm::cl::init(false)};
};

/// tg to host code in the LLVM dialect that launches NVVM kernels.
void buildTgGpuPipeline(OpPassManager &pm, const TgGpuPipelineOptions &options);

/// Registers the pipelines with the global registry (for tg-opt).
void registerTgPipelines();

/// Makes one-shot bufferization's read and buffer-type queries of nested
/// scf.for loops polynomial in the nesting depth (upstream's are
/// exponential), with upstream's answers (LoopReadAnalysis.cpp). Add after
/// upstream's dialects and extensions.
void registerLinearLoopBufferization(DialectRegistry &registry);

} // namespace tg
} // namespace mlir

#endif // TG_PIPELINES_PIPELINES_H
