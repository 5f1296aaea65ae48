// The PTX that -tg-gpu-pipeline generates assembles with ptxas for sm_90:
// every kernel of every op category, the MLP training step's, and those of
// the GPU kernel tests.
// REQUIRES: ptxas
// RUN: tg-opt %S/gpu-pipeline.mlir -tg-gpu-pipeline | %extract-ptx --ptxas %ptxas --arch sm_90 | FileCheck %s
// RUN: tg-opt %S/../../examples/mlp_train_step.mlir -tg-gpu-pipeline | %extract-ptx --ptxas %ptxas --arch sm_90 | FileCheck %s --check-prefix=MLP
// CHECK: {{[0-9]+}} PTX modules, 0 rejected by ptxas
// MLP: {{[0-9]+}} PTX modules, 0 rejected by ptxas
// The GPU kernel tests' programs: f16 and f64 matmuls, fused dense layers,
// split reductions with atomics, empty tensors.
// RUN: tg-opt %S/../Integration/GPU/kernels.mlir -tg-gpu-pipeline | %extract-ptx --ptxas %ptxas --arch sm_90 | FileCheck %s --check-prefix=KERNELS
// KERNELS: {{[0-9]+}} PTX modules, 0 rejected by ptxas
// The new math ops and tg.gather, with their gradients.
// RUN: tg-opt %S/../Integration/CPU/math-and-gather.mlir -tg-gpu-pipeline | %extract-ptx --ptxas %ptxas --arch sm_90 | FileCheck %s --check-prefix=GATHER
// GATHER: {{[0-9]+}} PTX modules, 0 rejected by ptxas
// RUN: tg-opt %S/../Integration/CPU/random.mlir -tg-gpu-pipeline | %extract-ptx --ptxas %ptxas --arch sm_90 | FileCheck %s --check-prefix=GATHER
// The tensor-core kernels (f16 m16n8k16, and TF32 m16n8k8 with tf32=true)
// assemble, and the PTX holds the instructions; sm_75 has none of them.
// RUN: tg-opt %S/../Integration/GPU/tensor-cores.mlir -tg-gpu-pipeline=tf32=true | %extract-ptx --ptxas %ptxas --arch sm_90 | FileCheck %s --check-prefix=TC
// TC: {{[0-9]+}} PTX modules, 0 rejected by ptxas
// RUN: tg-opt %S/../Integration/GPU/tensor-cores.mlir -tg-gpu-pipeline="tf32=true format=isa" | FileCheck %s --check-prefix=MMA
// MMA-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// MMA-DAG: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// RUN: tg-opt %S/../Integration/GPU/tensor-cores.mlir -tg-gpu-pipeline="format=isa chip=sm_75" | FileCheck %s --check-prefix=SM75
// SM75-NOT: mma.sync
