// RUN: tg-opt %s -tg-optimize | FileCheck %s
// RUN: tg-opt %s -tg-optimize=remove-dead-functions=false | FileCheck %s --check-prefix=KEEP

// The whole graph-level pipeline on a small graph: constants fold, identities
// go, duplicates merge, dead code and dead private functions disappear.

// CHECK-NOT: @dead_helper
// KEEP: func.func private @dead_helper
func.func private @dead_helper(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  return %x : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK-DAG: %[[C:.*]] = tg.constant dense<[2.000000e+00, 4.000000e+00, 6.000000e+00]> : tensor<3xf32>
// CHECK: %[[T:.*]] = tg.transpose %[[X]] [1, 0]
// CHECK: %[[A:.*]] = tg.add %[[X]], %[[B]] : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK: %[[S:.*]] = tg.mul %[[A]], %[[C]]
// CHECK-NOT: tg.add
// CHECK: %[[R:.*]] = tg.mul %[[S]], %[[S]]
// CHECK: %[[M:.*]] = tg.matmul %[[X]], %[[T]]
// CHECK: return %[[R]], %[[M]]
func.func @main(%x: tensor<4x3xf32>, %b: tensor<3xf32>) -> (tensor<4x3xf32>, tensor<4x4xf32>) {
  %one = tg.constant dense<1.0> : tensor<3xf32>
  %two = tg.constant dense<2.0> : tensor<f32>
  %k = tg.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %scale = tg.mul %k, %two : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %xt = tg.transpose %x [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  %xtt = tg.transpose %xt [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
  %x1 = tg.mul %xtt, %one : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %bb = tg.broadcast_to %b : tensor<3xf32> -> tensor<4x3xf32>
  %a1 = tg.add %x1, %bb : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %a2 = tg.add %x, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %s1 = tg.mul %a1, %scale : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %s2 = tg.mul %a2, %scale : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %r = tg.mul %s1, %s2 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %unused = tg.exp %r : tensor<4x3xf32>
  %m = tg.matmul %x, %xt : (tensor<4x3xf32>, tensor<3x4xf32>) -> tensor<4x4xf32>
  return %r, %m : tensor<4x3xf32>, tensor<4x4xf32>
}
