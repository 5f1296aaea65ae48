// RUN: tg-opt %s -tg-cpu-pipeline | FileCheck %s --check-prefix=OFF
// RUN: tg-opt %s '-tg-cpu-pipeline=profile=1 profile-id-base=7' | FileCheck %s --check-prefix=CPU
// RUN: tg-opt %s '-tg-cpu-pipeline=profile=1 threads=2 parallel-min-iterations=1' | FileCheck %s --check-prefix=OMP
// RUN: tg-opt %s '-tg-gpu-pipeline=profile=1' | FileCheck %s --check-prefix=GPU

// Without profile, no timing call is compiled in: profiling costs nothing
// unless it is asked for.
// OFF-NOT: tg_profile
// OFF-NOT: tg.kernels

// With it, each kernel is bracketed in the host code that calls it, ids
// from profile-id-base, and the module keeps the kernel table for the
// runtime.
// CPU: module attributes {tg.kernels = [{{.*}}id = 7 : i64, label = "main/k0", name = "matmul+add+relu"{{.*}}id = 8 : i64, label = "main/k1", name = "exp"
// CPU-LABEL: llvm.func @main(
// CPU: %[[ID:.*]] = llvm.mlir.constant(7 : i64)
// CPU: llvm.call @tg_profile_begin(%[[ID]])
// CPU: llvm.intr.fmuladd
// CPU: llvm.call @tg_profile_end(%[[ID]])
// CPU: llvm.call @tg_profile_begin(
// CPU: llvm.call @tg_profile_end(
// CPU-DAG: llvm.func @tg_profile_begin(i64)
// CPU-DAG: llvm.func @tg_profile_end(i64)

// Multithreaded: the calls stay outside the parallel regions (on the
// thread that runs the entry point).
// OMP-LABEL: llvm.func @main(
// OMP: llvm.call @tg_profile_begin(
// OMP: omp.parallel
// OMP: omp.terminator
// OMP: llvm.call @tg_profile_end(

// On the GPU the calls are host code around the launches, never inside a
// kernel.
// GPU-NOT: gpu.func {{.*}}tg_profile
// GPU: llvm.call @tg_profile_begin(
// GPU: gpu.launch_func
// GPU: llvm.call @tg_profile_end(
func.func @main(%a: tensor<64x32xf32>, %b: tensor<32x64xf32>, %c: tensor<64xf32>)
    -> (tensor<64x64xf32>, tensor<64x64xf32>) {
  %m = tg.matmul %a, %b : (tensor<64x32xf32>, tensor<32x64xf32>) -> tensor<64x64xf32>
  %s = tg.add %m, %c : (tensor<64x64xf32>, tensor<64xf32>) -> tensor<64x64xf32>
  %r = tg.relu %s : tensor<64x64xf32>
  %e = tg.exp %r : tensor<64x64xf32>
  return %r, %e : tensor<64x64xf32>, tensor<64x64xf32>
}
