// RUN: tg-opt %s -tg-cpu-pipeline=threads=1 | FileCheck %s
// RUN: tg-opt %s -tg-cpu-pipeline=threads=4 | FileCheck %s

// The CPU pipeline advises the planned arena of a large call (12 MiB here:
// the two 4 MiB products and the packed operands) as transparent huge
// pages, at one thread and at several: one madvise, on the arena.

// CHECK-LABEL: llvm.func @main
// CHECK:         llvm.call @malloc
// CHECK:         llvm.call @madvise
// CHECK-NOT:     llvm.call @madvise
// CHECK:         llvm.func @madvise(i64, i64, i32) -> i32
func.func @main(%a: tensor<1024x1024xf32>, %b: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %0 = tg.matmul %a, %b : (tensor<1024x1024xf32>, tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %1 = tg.tanh %0 : tensor<1024x1024xf32>
  %2 = tg.matmul %1, %b : (tensor<1024x1024xf32>, tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %2 : tensor<1024x1024xf32>
}
