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
