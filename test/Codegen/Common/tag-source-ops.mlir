// RUN: tg-opt %s -tg-tag-source-ops -mlir-print-debuginfo | FileCheck %s
// RUN: tg-opt %s -tg-tag-source-ops -tg-tag-source-ops -mlir-print-debuginfo | FileCheck %s

// Every tg op's location is wrapped in a name "tg.<op>#<n>", numbered in
// the module; ops of other dialects keep theirs. Tagging again changes
// nothing (ops already tagged keep their tags).
// CHECK-LABEL: func.func @main
// CHECK: tg.matmul {{.*}} loc(#[[MM:loc[0-9]+]])
// CHECK: tg.add {{.*}} loc(#[[ADD:loc[0-9]+]])
// CHECK: tg.relu {{.*}} loc(#[[RELU:loc[0-9]+]])
// CHECK: return {{.*}} loc(#[[RET:loc[0-9]+]])
// CHECK-DAG: #[[RET]] = loc("{{.*}}tag-source-ops.mlir":{{[0-9]+}}:3)
// CHECK-DAG: #[[MM]] = loc("tg.matmul#0"(#{{loc[0-9]+}}))
// CHECK-DAG: #[[ADD]] = loc("tg.add#1"(#{{loc[0-9]+}}))
// CHECK-DAG: #[[RELU]] = loc("tg.relu#2"(#{{loc[0-9]+}}))
func.func @main(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>, %c: tensor<5xf32>) -> tensor<4x5xf32> {
  %m = tg.matmul %a, %b : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  %s = tg.add %m, %c : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  %r = tg.relu %s : tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}
