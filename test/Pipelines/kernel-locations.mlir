// Every kernel keeps the locations of the tg ops it was made of, from
// fusion to the LLVM dialect: one RUN line per stage of the CPU pipeline
// (fusion, annotation, bufferization, tiling and vectorization in the
// micro-kernels, loops, the LLVM dialect, the last pass), and for the GPU
// pipeline (loops mapped to GPU blocks and threads, outlined kernels).
// The matmul, its bias add and its relu are one kernel (the add and relu
// computed on the matmul's tile); the exp is another.
// DEFINE: %{stage} = tg-opt %s -mlir-disable-threading -mlir-print-ir-module-scope -mlir-print-debuginfo -mlir-print-local-scope -o /dev/null
// RUN: %{stage} -tg-cpu-pipeline=threads=1 -mlir-print-ir-after=tg-fuse-elementwise 2>&1 | FileCheck %s --check-prefix=FUSE
// RUN: %{stage} -tg-cpu-pipeline=threads=1 -mlir-print-ir-after=tg-annotate-kernels 2>&1 | FileCheck %s --check-prefix=KERNEL
// RUN: %{stage} -tg-cpu-pipeline=threads=1 -mlir-print-ir-after=one-shot-bufferize 2>&1 | FileCheck %s --check-prefix=KERNEL
// RUN: %{stage} -tg-cpu-pipeline=threads=1 -mlir-print-ir-after=tg-matmul-microkernels 2>&1 | tee %t.tiled | FileCheck %s --check-prefix=KERNEL
// RUN: FileCheck %s --check-prefix=TILED --input-file=%t.tiled
// RUN: %{stage} -tg-cpu-pipeline=threads=1 -mlir-print-ir-after=convert-linalg-to-loops 2>&1 | FileCheck %s --check-prefix=KERNEL
// RUN: %{stage} -tg-cpu-pipeline=threads=2 -mlir-print-ir-after=convert-scf-to-openmp 2>&1 | FileCheck %s --check-prefix=KERNEL
// RUN: %{stage} -tg-cpu-pipeline=threads=1 -mlir-print-ir-after=convert-to-llvm 2>&1 | tee %t.llvm | FileCheck %s --check-prefix=KERNEL
// RUN: FileCheck %s --check-prefix=LLVM --input-file=%t.llvm
// RUN: %{stage} -tg-cpu-pipeline=threads=1 -mlir-print-ir-after=tg-interleave-loops 2>&1 | tee %t.last | FileCheck %s --check-prefix=KERNEL
// RUN: FileCheck %s --check-prefix=LLVM --input-file=%t.last
// RUN: %{stage} -tg-gpu-pipeline -mlir-print-ir-after=convert-parallel-loops-to-gpu 2>&1 | FileCheck %s --check-prefix=KERNEL
// RUN: %{stage} -tg-gpu-pipeline -mlir-print-ir-after=gpu-kernel-outlining 2>&1 | FileCheck %s --check-prefix=KERNEL

// Fusion clones bodies with their locations: the fused generic's body
// still names the add, the relu and the exp (tg-tag-source-ops).
// FUSE: IR Dump After TgFuseElementwisePass
// FUSE-DAG: loc("tg.add#1"(
// FUSE-DAG: loc("tg.relu#2"(
// FUSE-DAG: loc("tg.exp#3"(

// From the annotation on, the kernels' fused locations.
// The micro-kernel's FMAs, in vector and LLVM ops, carry the matmul
// kernel's location.
// KERNEL: IR Dump After
// TILED: vector.fma {{.*}} loc(fused<"main/k0 matmul+add+relu">
// LLVM: llvm.func @main
// LLVM: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32> loc(fused<"main/k0 matmul+add+relu">
// KERNEL-DAG: loc(fused<"main/k0 matmul+add+relu">[
// KERNEL-DAG: loc(fused<"main/k1 exp">[
func.func @main(%a: tensor<64x32xf32>, %b: tensor<32x64xf32>, %c: tensor<64xf32>)
    -> (tensor<64x64xf32>, tensor<64x64xf32>) {
  %m = tg.matmul %a, %b : (tensor<64x32xf32>, tensor<32x64xf32>) -> tensor<64x64xf32>
  %s = tg.add %m, %c : (tensor<64x64xf32>, tensor<64xf32>) -> tensor<64x64xf32>
  %r = tg.relu %s : tensor<64x64xf32>
  %e = tg.exp %r : tensor<64x64xf32>
  return %r, %e : tensor<64x64xf32>, tensor<64x64xf32>
}
