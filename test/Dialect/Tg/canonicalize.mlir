// RUN: tg-opt %s -canonicalize -split-input-file | FileCheck %s

// Algebraic simplifications. Only IEEE-exact identities fold.

// CHECK-LABEL: func @add_negative_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @add_negative_zero(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %z = tg.constant dense<-0.0> : tensor<4xf32>
  %a = tg.add %x, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = tg.add %z, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// x + (+0.0) turns -0.0 into +0.0: it must stay.
// CHECK-LABEL: func @add_positive_zero_kept
// CHECK: %[[R:.*]] = tg.add
// CHECK: return %[[R]]
func.func @add_positive_zero_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = tg.constant dense<0.0> : tensor<4xf32>
  %a = tg.add %x, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

// Integers have one zero.
// CHECK-LABEL: func @add_integer_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK-NEXT: return %[[X]]
func.func @add_integer_zero(%x: tensor<4xi32>) -> tensor<4xi32> {
  %z = tg.constant dense<0> : tensor<4xi32>
  %a = tg.add %z, %x : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %a : tensor<4xi32>
}

// -----

// CHECK-LABEL: func @sub_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @sub_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = tg.constant dense<0.0> : tensor<f32>
  %a = tg.sub %x, %z : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

// x - x is NaN for infinite or NaN x, 0 - x is not -x for x = 0: neither folds.
// CHECK-LABEL: func @sub_not_folded
// CHECK: tg.sub %{{.*}}, %{{.*}}
// CHECK: tg.sub %{{.*}}, %{{.*}}
func.func @sub_not_folded(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %z = tg.constant dense<0.0> : tensor<4xf32>
  %a = tg.sub %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = tg.sub %z, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func @mul_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @mul_one(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %one = tg.constant dense<1.0> : tensor<f32>
  %a = tg.mul %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %b = tg.mul %one, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// x * 0 is NaN for infinite x and -0.0 for negative x: it must stay.
// CHECK-LABEL: func @mul_zero_kept
// CHECK: tg.mul
func.func @mul_zero_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = tg.constant dense<0.0> : tensor<4xf32>
  %a = tg.mul %x, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

// An identity constant that broadcasts x keeps the broadcast.
// CHECK-LABEL: func @mul_one_broadcasts
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: %[[B:.*]] = tg.broadcast_to %[[X]] : tensor<3xf32> -> tensor<4x3xf32>
// CHECK-NEXT: return %[[B]]
func.func @mul_one_broadcasts(%x: tensor<3xf32>) -> tensor<4x3xf32> {
  %one = tg.constant dense<1.0> : tensor<4x3xf32>
  %a = tg.mul %x, %one : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %a : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @div_and_pow_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @div_and_pow_one(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %one = tg.constant dense<1.0> : tensor<f32>
  %a = tg.div %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %b = tg.pow %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// 1 / x and x / x are not x or 1.
// CHECK-LABEL: func @div_not_folded
// CHECK: tg.div
// CHECK: tg.div
func.func @div_not_folded(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %one = tg.constant dense<1.0> : tensor<f32>
  %a = tg.div %one, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %b = tg.div %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[N:.*]] = tg.neg %[[X]]
// CHECK-NEXT: return %[[X]], %[[N]]
func.func @neg_neg(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = tg.neg %x : tensor<4xf32>
  %b = tg.neg %a : tensor<4xf32>
  %c = tg.neg %b : tensor<4xf32>
  return %b, %c : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func @transpose_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = tg.transpose %[[X]] [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[T]], %[[X]]
func.func @transpose_transpose(%x: tensor<2x3x4xf32>) -> (tensor<4x2x3xf32>, tensor<2x3x4xf32>) {
  %a = tg.transpose %x [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %b = tg.transpose %a [2, 1, 0] : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  // Composes to the identity, which is removed.
  %c = tg.transpose %a [1, 0, 2] : tensor<3x2x4xf32> -> tensor<2x3x4xf32>
  return %b, %c : tensor<4x2x3xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func @identity_layout_ops
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identity_layout_ops(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %a = tg.transpose %x [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  %b = tg.reshape %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %c = tg.broadcast_to %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %d = tg.slice %x [0:2, 0:3] : tensor<2x3xf32> -> tensor<2x3xf32>
  %e = tg.concat %x [0] : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %a, %b, %c, %d, %e : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A slice with a stride that still yields the full shape is no identity:
// 0:1:2 over size 1 is, 0:2:2 over size 2 is not (shape 1).
// CHECK-LABEL: func @strided_slice_kept
// CHECK: tg.slice
func.func @strided_slice_kept(%x: tensor<4xf32>) -> tensor<2xf32> {
  %a = tg.slice %x [0:4:2] : tensor<4xf32> -> tensor<2xf32>
  return %a : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @reshape_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[R:.*]] = tg.reshape %[[X]] : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK-NEXT: return %[[R]], %[[X]]
func.func @reshape_reshape(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<2x3xf32>) {
  %a = tg.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %b = tg.reshape %a : tensor<6xf32> -> tensor<3x2xf32>
  %c = tg.reshape %a : tensor<6xf32> -> tensor<2x3xf32>
  return %b, %c : tensor<3x2xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @broadcast_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: %[[B:.*]] = tg.broadcast_to %[[X]] : tensor<3xf32> -> tensor<5x4x3xf32>
// CHECK-NEXT: return %[[B]]
func.func @broadcast_broadcast(%x: tensor<3xf32>) -> tensor<5x4x3xf32> {
  %a = tg.broadcast_to %x : tensor<3xf32> -> tensor<4x3xf32>
  %b = tg.broadcast_to %a : tensor<4x3xf32> -> tensor<5x4x3xf32>
  return %b : tensor<5x4x3xf32>
}

// -----

// CHECK-LABEL: func @broadcast_into_consumers
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<4x3xf32>, %[[P:.*]]: tensor<4x3xi1>)
// CHECK-NEXT: %[[A:.*]] = tg.add %[[X]], %[[Y]] : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: %[[C:.*]] = tg.cmp lt, %[[Y]], %[[X]] : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi1>
// CHECK-NEXT: %[[S:.*]] = tg.select %[[P]], %[[X]], %[[Y]] : (tensor<4x3xi1>, tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: return %[[A]], %[[C]], %[[S]]
func.func @broadcast_into_consumers(%x: tensor<3xf32>, %y: tensor<4x3xf32>, %p: tensor<4x3xi1>) -> (tensor<4x3xf32>, tensor<4x3xi1>, tensor<4x3xf32>) {
  %b = tg.broadcast_to %x : tensor<3xf32> -> tensor<4x3xf32>
  %a = tg.add %b, %y : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %c = tg.cmp lt, %y, %b : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xi1>
  %s = tg.select %p, %b, %y : (tensor<4x3xi1>, tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %a, %c, %s : tensor<4x3xf32>, tensor<4x3xi1>, tensor<4x3xf32>
}

// -----

// The broadcast is the only thing giving the result its shape: it stays.
// CHECK-LABEL: func @broadcast_needed
// CHECK: %[[B:.*]] = tg.broadcast_to
// CHECK: tg.mul %[[B]], %{{.*}} : (tensor<4x3xf32>, tensor<3xf32>)
func.func @broadcast_needed(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<4x3xf32> {
  %b = tg.broadcast_to %x : tensor<3xf32> -> tensor<4x3xf32>
  %a = tg.mul %b, %y : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %a : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @select_folds
// CHECK-SAME: (%[[P:.*]]: tensor<4xi1>, %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[Y]], %[[X]]
func.func @select_folds(%p: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %t = tg.constant dense<true> : tensor<4xi1>
  %f = tg.constant dense<false> : tensor<i1>
  %a = tg.select %t, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = tg.select %f, %x, %y : (tensor<i1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c = tg.select %p, %x, %x : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %a, %b, %c : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func @cast_identity
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @cast_identity(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tg.cast %x : tensor<4xf32> to tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

// f32 -> f16 -> f32 rounds: not an identity.
// CHECK-LABEL: func @cast_round_trip_kept
// CHECK: tg.cast
// CHECK: tg.cast
func.func @cast_round_trip_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tg.cast %x : tensor<4xf32> to tensor<4xf16>
  %b = tg.cast %a : tensor<4xf16> to tensor<4xf32>
  return %b : tensor<4xf32>
}

// -----

// Reducing only size-1 dimensions with keepdims is the identity.
// CHECK-LABEL: func @reduce_unit_dims
// CHECK-SAME: (%[[X:.*]]: tensor<4x1xf32>)
// CHECK-NEXT: %[[R:.*]] = tg.reduce_sum %[[X]] [1] : tensor<4x1xf32> -> tensor<4xf32>
// CHECK-NEXT: return %[[X]], %[[X]], %[[R]]
func.func @reduce_unit_dims(%x: tensor<4x1xf32>) -> (tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>) {
  %a = tg.reduce_sum %x [1] : tensor<4x1xf32> -> tensor<4x1xf32>
  %b = tg.reduce_max %x [1] : tensor<4x1xf32> -> tensor<4x1xf32>
  %c = tg.reduce_sum %x [1] : tensor<4x1xf32> -> tensor<4xf32>
  return %a, %b, %c : tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>
}

// -----

// Unused pure ops go.
// CHECK-LABEL: func @dead_ops
// CHECK-NEXT: return
func.func @dead_ops(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %a = tg.exp %x : tensor<4x4xf32>
  %b = tg.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %x : tensor<4x4xf32>
}

// -----

// An insert_slice whose window is the whole tensor is its source; a strided
// or partial one stays.
// CHECK-LABEL: func.func @insert_slice_whole
// CHECK-NEXT:    %[[R:.*]] = tg.insert_slice %arg1 into %arg0 [0:4:2, 0:3] : tensor<2x3xf32> into tensor<4x3xf32>
// CHECK-NEXT:    return %arg2, %[[R]]
func.func @insert_slice_whole(%a: tensor<4x3xf32>, %s: tensor<2x3xf32>, %t: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %0 = tg.insert_slice %t into %a [0:4, 0:3] : tensor<4x3xf32> into tensor<4x3xf32>
  %1 = tg.insert_slice %s into %a [0:4:2, 0:3] : tensor<2x3xf32> into tensor<4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}
