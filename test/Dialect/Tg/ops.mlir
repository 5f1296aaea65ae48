// RUN: tg-opt %s | tg-opt | FileCheck %s
// RUN: tg-opt %s --mlir-print-op-generic | tg-opt | FileCheck %s
// RUN: tg-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// Every tg op in its textual form, printed back the same way; the second RUN
// goes through the generic form.

// CHECK-LABEL: func @constants
func.func @constants() -> (tensor<2xf32>, tensor<f64>, tensor<2x2xi32>, tensor<3xi1>, tensor<2xbf16>, tensor<f16>, tensor<i64>) {
  // CHECK: tg.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %0 = tg.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: tg.constant dense<3.500000e+00> : tensor<f64>
  %1 = tg.constant dense<3.5> : tensor<f64>
  // CHECK: tg.constant dense<{{\[\[}}1, 2], [3, 4]]> : tensor<2x2xi32>
  %2 = tg.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  // CHECK: tg.constant dense<[true, false, true]> : tensor<3xi1>
  %3 = tg.constant dense<[true, false, true]> : tensor<3xi1>
  // CHECK: tg.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xbf16>
  %4 = tg.constant dense<[1.0, 2.0]> : tensor<2xbf16>
  // CHECK: tg.constant dense<5.000000e-01> : tensor<f16>
  %5 = tg.constant dense<0.5> : tensor<f16>
  // CHECK: tg.constant dense<7> : tensor<i64>
  %6 = tg.constant dense<7> : tensor<i64>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2xf32>, tensor<f64>, tensor<2x2xi32>, tensor<3xi1>, tensor<2xbf16>, tensor<f16>, tensor<i64>
}

// CHECK-LABEL: func @binary
// CHECK-SAME: (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[S:.*]]: tensor<f32>, %[[I:.*]]: tensor<2x1xi32>, %[[J:.*]]: tensor<3xi32>)
func.func @binary(%a: tensor<4x3xf32>, %b: tensor<3xf32>, %s: tensor<f32>, %i: tensor<2x1xi32>, %j: tensor<3xi32>) {
  // CHECK: tg.add %[[A]], %[[B]] : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %0 = tg.add %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: tg.sub %[[B]], %[[A]] : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %1 = tg.sub %b, %a : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  // CHECK: tg.mul %[[A]], %[[S]] : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %2 = tg.mul %a, %s : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  // CHECK: tg.div %[[S]], %[[S]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %3 = tg.div %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  // CHECK: tg.pow %[[A]], %[[S]] : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %4 = tg.pow %a, %s : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  // CHECK: tg.maximum %[[I]], %[[J]] : (tensor<2x1xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %5 = tg.maximum %i, %j : (tensor<2x1xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // CHECK: tg.minimum %[[B]], %[[B]] : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %6 = tg.minimum %b, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  // CHECK: tg.floordiv %[[I]], %[[J]] : (tensor<2x1xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %7 = tg.floordiv %i, %j : (tensor<2x1xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // CHECK: tg.mod %[[A]], %[[B]] : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %8 = tg.mod %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return
}

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<4xf32>, %h: tensor<2x2xf16>, %d: tensor<f64>) {
  // CHECK: tg.neg %{{.*}} : tensor<4xf32>
  %0 = tg.neg %x : tensor<4xf32>
  // CHECK: tg.abs %{{.*}} : tensor<4xf32>
  %1 = tg.abs %x : tensor<4xf32>
  // CHECK: tg.exp %{{.*}} : tensor<2x2xf16>
  %2 = tg.exp %h : tensor<2x2xf16>
  // CHECK: tg.log %{{.*}} : tensor<f64>
  %3 = tg.log %d : tensor<f64>
  // CHECK: tg.sqrt %{{.*}} : tensor<4xf32>
  %4 = tg.sqrt %x : tensor<4xf32>
  // CHECK: tg.rsqrt %{{.*}} : tensor<4xf32>
  %5 = tg.rsqrt %x : tensor<4xf32>
  // CHECK: tg.tanh %{{.*}} : tensor<4xf32>
  %6 = tg.tanh %x : tensor<4xf32>
  // CHECK: tg.sigmoid %{{.*}} : tensor<4xf32>
  %7 = tg.sigmoid %x : tensor<4xf32>
  // CHECK: tg.relu %{{.*}} : tensor<4xf32>
  %8 = tg.relu %x : tensor<4xf32>
  // CHECK: tg.sin %{{.*}} : tensor<4xf32>
  %9 = tg.sin %x : tensor<4xf32>
  // CHECK: tg.cos %{{.*}} : tensor<4xf32>
  %10 = tg.cos %x : tensor<4xf32>
  return
}

// CHECK-LABEL: func @cmp_select_cast
func.func @cmp_select_cast(%a: tensor<4xf32>, %s: tensor<f32>, %i: tensor<4xi64>) {
  // CHECK: %[[P:.*]] = tg.cmp gt, %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
  %p = tg.cmp gt, %a, %s : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
  // CHECK: tg.cmp eq, {{.*}} -> tensor<4xi1>
  %0 = tg.cmp eq, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: tg.cmp ne, {{.*}} -> tensor<4xi1>
  %1 = tg.cmp ne, %i, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi1>
  // CHECK: tg.cmp lt,
  %2 = tg.cmp lt, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: tg.cmp le,
  %3 = tg.cmp le, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: tg.cmp ge,
  %4 = tg.cmp ge, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: tg.select %[[P]], %{{.*}}, %{{.*}} : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %5 = tg.select %p, %a, %s : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  // CHECK: tg.cast %{{.*}} : tensor<4xf32> to tensor<4xf16>
  %6 = tg.cast %a : tensor<4xf32> to tensor<4xf16>
  // CHECK: tg.cast %{{.*}} : tensor<4xi64> to tensor<4xf64>
  %7 = tg.cast %i : tensor<4xi64> to tensor<4xf64>
  // CHECK: tg.cast %{{.*}} : tensor<4xi1> to tensor<4xi32>
  %8 = tg.cast %p : tensor<4xi1> to tensor<4xi32>
  return
}

// CHECK-LABEL: func @layout
func.func @layout(%a: tensor<8x4xf32>, %b: tensor<4x5xf32>, %c: tensor<2x1x8x4xf32>, %d: tensor<3x4x5xf32>, %x: tensor<2x3xf32>, %v: tensor<3xf32>) {
  // CHECK: tg.matmul %{{.*}}, %{{.*}} : (tensor<8x4xf32>, tensor<4x5xf32>) -> tensor<8x5xf32>
  %0 = tg.matmul %a, %b : (tensor<8x4xf32>, tensor<4x5xf32>) -> tensor<8x5xf32>
  // CHECK: tg.matmul %{{.*}}, %{{.*}} : (tensor<2x1x8x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x8x5xf32>
  %1 = tg.matmul %c, %d : (tensor<2x1x8x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x8x5xf32>
  // CHECK: tg.transpose %{{.*}} [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %2 = tg.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  // CHECK: tg.reshape %{{.*}} : tensor<2x3xf32> -> tensor<6xf32>
  %3 = tg.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  // CHECK: tg.broadcast_to %{{.*}} : tensor<3xf32> -> tensor<4x3xf32>
  %4 = tg.broadcast_to %v : tensor<3xf32> -> tensor<4x3xf32>
  // CHECK: tg.concat %{{.*}}, %{{.*}} [0] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %5 = tg.concat %x, %x [0] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  // CHECK: tg.slice %{{.*}} [0:2, 1:4:2] : tensor<8x4xf32> -> tensor<2x2xf32>
  %6 = tg.slice %a [0:2, 1:4:2] : tensor<8x4xf32> -> tensor<2x2xf32>
  // CHECK: tg.insert_slice %{{.*}} into %{{.*}} [0:2, 1:4:2] : tensor<2x2xf32> into tensor<8x4xf32>
  %7 = tg.insert_slice %6 into %a [0:2, 1:4:2] : tensor<2x2xf32> into tensor<8x4xf32>
  return
}

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<4x3xf32>, %i: tensor<4x3xi32>) {
  // CHECK: tg.reduce_sum %{{.*}} [1] : tensor<4x3xf32> -> tensor<4xf32>
  %0 = tg.reduce_sum %x [1] : tensor<4x3xf32> -> tensor<4xf32>
  // CHECK: tg.reduce_mean %{{.*}} [0, 1] : tensor<4x3xf32> -> tensor<1x1xf32>
  %1 = tg.reduce_mean %x [0, 1] : tensor<4x3xf32> -> tensor<1x1xf32>
  // CHECK: tg.reduce_max %{{.*}} [0] : tensor<4x3xi32> -> tensor<3xi32>
  %2 = tg.reduce_max %i [0] : tensor<4x3xi32> -> tensor<3xi32>
  // CHECK: tg.reduce_min %{{.*}} [1, 0] : tensor<4x3xf32> -> tensor<f32>
  %3 = tg.reduce_min %x [1, 0] : tensor<4x3xf32> -> tensor<f32>
  // CHECK: tg.softmax %{{.*}} [1] : tensor<4x3xf32>
  %4 = tg.softmax %x [1] : tensor<4x3xf32>
  // CHECK: tg.log_softmax %{{.*}} [0] : tensor<4x3xf32>
  %5 = tg.log_softmax %x [0] : tensor<4x3xf32>
  return
}

// CHECK-LABEL: func @conv
func.func @conv(%in: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x16xf32>) -> tensor<1x4x4x16xf32> {
  // CHECK: tg.conv2d %{{.*}}, %{{.*}} strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x6x6x16xf32>
  %0 = tg.conv2d %in, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x6x6x16xf32>
  // CHECK: tg.conv2d %{{.*}}, %{{.*}} strides [2, 2] padding [1, 1, 1, 1] dilations [1, 1] : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x4x4x16xf32>
  %1 = tg.conv2d %in, %w strides [2, 2] padding [1, 1, 1, 1] dilations [1, 1] : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x4x4x16xf32>
  return %1 : tensor<1x4x4x16xf32>
}

// CHECK-LABEL: func @math_and_gather
func.func @math_and_gather(%x: tensor<5x3xf32>, %i: tensor<2x2xi64>, %j: tensor<i32>) -> tensor<3xf32> {
  // CHECK: tg.floor %{{.*}} : tensor<5x3xf32>
  %0 = tg.floor %x : tensor<5x3xf32>
  // CHECK: tg.ceil %{{.*}} : tensor<5x3xf32>
  %1 = tg.ceil %0 : tensor<5x3xf32>
  // CHECK: tg.round %{{.*}} : tensor<5x3xf32>
  %2 = tg.round %1 : tensor<5x3xf32>
  // CHECK: tg.sign %{{.*}} : tensor<5x3xf32>
  %3 = tg.sign %2 : tensor<5x3xf32>
  // CHECK: tg.erf %{{.*}} : tensor<5x3xf32>
  %4 = tg.erf %3 : tensor<5x3xf32>
  // CHECK: tg.log1p %{{.*}} : tensor<5x3xf32>
  %5 = tg.log1p %4 : tensor<5x3xf32>
  // CHECK: tg.expm1 %{{.*}} : tensor<5x3xf32>
  %6 = tg.expm1 %5 : tensor<5x3xf32>
  // CHECK: tg.gather %{{.*}}, %{{.*}} [1] : (tensor<5x3xf32>, tensor<2x2xi64>) -> tensor<5x2x2xf32>
  %7 = tg.gather %6, %i [1] : (tensor<5x3xf32>, tensor<2x2xi64>) -> tensor<5x2x2xf32>
  // CHECK: tg.gather %{{.*}}, %{{.*}} [0] : (tensor<5x3xf32>, tensor<i32>) -> tensor<3xf32>
  %8 = tg.gather %6, %j [0] : (tensor<5x3xf32>, tensor<i32>) -> tensor<3xf32>
  return %8 : tensor<3xf32>
}

// CHECK-LABEL: func @random
func.func @random(%k: tensor<2xi64>) -> tensor<4x3xf32> {
  // CHECK: tg.random_uniform %{{.*}} : tensor<2xi64> -> tensor<4x3xf32>
  %0 = tg.random_uniform %k : tensor<2xi64> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

func.func private @square_sum(%x: tensor<3xf32>) -> tensor<f32> {
  %s = tg.mul %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %t = tg.reduce_sum %s [0] : tensor<3xf32> -> tensor<f32>
  return %t : tensor<f32>
}

func.func private @two_args(%x: tensor<3xf32>, %y: tensor<f32>) -> tensor<3xf32> {
  %m = tg.mul %x, %y : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  return %m : tensor<3xf32>
}

// CHECK-LABEL: func @autodiff
func.func @autodiff(%x: tensor<3xf32>, %y: tensor<f32>) {
  // CHECK: %{{.*}}:2 = tg.grad @square_sum(%{{.*}}) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  %v, %g = tg.grad @square_sum(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  // CHECK: %{{.*}}:3 = tg.grad @two_args(%{{.*}}, %{{.*}}) wrt [1, 0] : (tensor<3xf32>, tensor<f32>) -> (tensor<3xf32>, tensor<f32>, tensor<3xf32>)
  %w:3 = tg.grad @two_args(%x, %y) wrt [1, 0] : (tensor<3xf32>, tensor<f32>) -> (tensor<3xf32>, tensor<f32>, tensor<3xf32>)
  // CHECK: %{{.*}}:2 = tg.tape wrt(%{{.*}}) : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  // CHECK-NEXT: ^bb0(%[[XW:.*]]: tensor<3xf32>):
  // CHECK-NEXT: %[[S:.*]] = tg.mul %[[XW]], %[[XW]]
  // CHECK-NEXT: %[[T:.*]] = tg.reduce_sum %[[S]] [0]
  // CHECK-NEXT: tg.yield %[[T]] : tensor<f32>
  %t, %dx = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  ^bb0(%xw: tensor<3xf32>):
    %s = tg.mul %xw, %xw : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %r = tg.reduce_sum %s [0] : tensor<3xf32> -> tensor<f32>
    tg.yield %r : tensor<f32>
  }
  // A tape that captures %y from above (a constant of the tape).
  // CHECK: tg.tape wrt(%{{.*}}) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  %u, %du = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  ^bb0(%xw: tensor<3xf32>):
    %m = tg.mul %xw, %y : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
    tg.yield %m : tensor<3xf32>
  }
  return
}

// GENERIC: "tg.add"
// GENERIC: "tg.slice"(%{{.*}}) <{limit = array<i64: 2, 4>, start = array<i64: 0, 1>, stride = array<i64: 1, 2>}>
// GENERIC: "tg.insert_slice"(%{{.*}}, %{{.*}}) <{limit = array<i64: 2, 4>, start = array<i64: 0, 1>, stride = array<i64: 1, 2>}> : (tensor<2x2xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
// GENERIC: "tg.tape"
// GENERIC: "tg.yield"
