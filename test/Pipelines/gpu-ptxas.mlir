// The PTX that -tg-gpu-pipeline generates assembles with ptxas for sm_90:
// every kernel of every op category, and the MLP training step's.
// REQUIRES: ptxas
// RUN: tg-opt %S/gpu-pipeline.mlir -tg-gpu-pipeline | %extract-ptx --ptxas %ptxas --arch sm_90 | FileCheck %s
// RUN: tg-opt %S/../../examples/mlp_train_step.mlir -tg-gpu-pipeline | %extract-ptx --ptxas %ptxas --arch sm_90 | FileCheck %s --check-prefix=MLP
// CHECK: {{[0-9]+}} PTX modules, 0 rejected by ptxas
// MLP: {{[0-9]+}} PTX modules, 0 rejected by ptxas
