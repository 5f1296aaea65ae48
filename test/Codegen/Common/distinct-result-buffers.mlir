// RUN: tg-opt %s -pass-pipeline='builtin.module(func.func(tg-distinct-result-buffers))' -split-input-file | FileCheck %s

// A buffer returned three times: the second and third results are copies.
// CHECK-LABEL: func @twice
// CHECK-SAME: (%[[B:.*]]: memref<3xf32>)
// CHECK: %[[C:.*]] = memref.alloc() : memref<3xf32>
// CHECK: memref.copy %[[B]], %[[C]] : memref<3xf32> to memref<3xf32>
// CHECK: %[[D:.*]] = memref.alloc() : memref<3xf32>
// CHECK: memref.copy %[[B]], %[[D]] : memref<3xf32> to memref<3xf32>
// CHECK: return %[[B]], %[[C]], %[[D]] :
func.func @twice(%b: memref<3xf32>) -> (memref<3xf32>, memref<3xf32>, memref<3xf32>) {
  return %b, %b, %b : memref<3xf32>, memref<3xf32>, memref<3xf32>
}

// -----

// Distinct results are left alone.
// CHECK-LABEL: func @distinct
// CHECK-NOT: memref.alloc
// CHECK: return %{{.*}}, %{{.*}} :
func.func @distinct(%a: memref<3xf32>, %b: memref<3xf32>) -> (memref<3xf32>, memref<3xf32>) {
  return %a, %b : memref<3xf32>, memref<3xf32>
}
