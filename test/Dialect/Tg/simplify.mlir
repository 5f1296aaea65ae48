// RUN: tg-opt %s -tg-simplify -split-input-file | FileCheck %s

// -tg-simplify applies tg's rewrites and leaves other dialects alone.

// CHECK-LABEL: func @tg_only
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[I:.*]]: i32)
// CHECK: %[[C:.*]] = arith.constant 0 : i32
// CHECK: %[[S:.*]] = arith.addi %[[I]], %[[C]] : i32
// CHECK: return %[[X]], %[[S]]
func.func @tg_only(%x: tensor<4xf32>, %i: i32) -> (tensor<4xf32>, i32) {
  %one = tg.constant dense<1.0> : tensor<f32>
  %a = tg.mul %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %n = tg.neg %a : tensor<4xf32>
  %m = tg.neg %n : tensor<4xf32>
  %c = arith.constant 0 : i32
  %s = arith.addi %i, %c : i32
  return %m, %s : tensor<4xf32>, i32
}

// -----

// Rewrites reach into regions (tg.tape bodies, scf.if branches).
// CHECK-LABEL: func @in_regions
// CHECK: tg.tape
// CHECK-NEXT: ^bb0(%[[XW:.*]]: tensor<3xf32>):
// CHECK-NEXT: %[[T:.*]] = tg.reduce_sum %[[XW]] [0]
// CHECK-NEXT: tg.yield %[[T]]
func.func @in_regions(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y, %dx = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  ^bb0(%xw: tensor<3xf32>):
    %t = tg.transpose %xw [0] : tensor<3xf32> -> tensor<3xf32>
    %s = tg.reduce_sum %t [0] : tensor<3xf32> -> tensor<f32>
    tg.yield %s : tensor<f32>
  }
  return %dx : tensor<3xf32>
}
