// RUN: tg-opt %s -tg-dce | FileCheck %s

// Private functions nobody references go; ones referenced by tg.grad or
// func.call stay; public functions are entry points and always stay.

// CHECK-NOT: func.func private @unused
func.func private @unused(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}

// Referenced only from @unused_caller, which goes: it goes too.
// CHECK-NOT: func.func private @only_from_dead
func.func private @only_from_dead(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}
func.func private @unused_caller(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = func.call @only_from_dead(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK: func.func private @loss
func.func private @loss(%x: tensor<3xf32>) -> tensor<f32> {
  %s = tg.reduce_sum %x [0] : tensor<3xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// CHECK: func.func private @helper
func.func private @helper(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = tg.exp %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK: func.func @public_unused
func.func @public_unused() {
  return
}

// CHECK-LABEL: func.func @main
// CHECK-NOT: tg.exp
// CHECK-NOT: tg.mul
// CHECK: tg.grad @loss
// CHECK: call @helper
func.func @main(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %dead = tg.exp %x : tensor<3xf32>
  %dead2 = tg.mul %dead, %dead : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %v, %g = tg.grad @loss(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  %h = func.call @helper(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %g, %h : tensor<3xf32>, tensor<3xf32>
}
