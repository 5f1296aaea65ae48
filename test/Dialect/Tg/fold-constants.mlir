// RUN: tg-opt %s -tg-fold-constants -split-input-file | FileCheck %s

// Constant folding; the expected values are what numpy computes.

// CHECK-LABEL: func @binary_broadcast
// CHECK-DAG: tg.constant dense<{{\[\[}}1.100000e+01, 2.200000e+01], [1.300000e+01, 2.400000e+01]]> : tensor<2x2xf32>
// CHECK-DAG: tg.constant dense<{{\[\[}}-9.000000e+00, -1.800000e+01], [-7.000000e+00, -1.600000e+01]]> : tensor<2x2xf32>
// CHECK-DAG: tg.constant dense<{{\[\[}}1.000000e+01, 4.000000e+01], [3.000000e+01, 8.000000e+01]]> : tensor<2x2xf32>
// CHECK-DAG: tg.constant dense<{{\[\[}}1.000000e+01, 2.000000e+01], [3.33333325, 6.66666651]]> : tensor<2x2xf32>
// CHECK-NOT: tg.add
// CHECK-NOT: tg.sub
// CHECK-NOT: tg.mul
// CHECK-NOT: tg.div
func.func @binary_broadcast() -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
  %a = tg.constant dense<[[1.0], [3.0]]> : tensor<2x1xf32>
  %b = tg.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %c = tg.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = tg.add %c, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %1 = tg.sub %c, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %2 = tg.mul %c, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %3 = tg.div %b, %a : (tensor<2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  return %0, %1, %2, %3 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func @pow_max_min
// CHECK-DAG: tg.constant dense<[8.000000e+00, 2.500000e-01]> : tensor<2xf64>
// CHECK-DAG: tg.constant dense<[3.000000e+00, 0x7FF8000000000000]> : tensor<2xf64>
// CHECK-DAG: tg.constant dense<[2.000000e+00, 0x7FF8000000000000]> : tensor<2xf64>
func.func @pow_max_min() -> (tensor<2xf64>, tensor<2xf64>, tensor<2xf64>) {
  %a = tg.constant dense<[2.0, 0.5]> : tensor<2xf64>
  %b = tg.constant dense<[3.0, 2.0]> : tensor<2xf64>
  %n = tg.constant dense<[3.0, 0x7FF8000000000000]> : tensor<2xf64>
  %0 = tg.pow %a, %b : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  // numpy.maximum/minimum propagate NaN.
  %1 = tg.maximum %a, %n : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  %2 = tg.minimum %a, %n : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  return %0, %1, %2 : tensor<2xf64>, tensor<2xf64>, tensor<2xf64>
}

// -----

// CHECK-LABEL: func @integers
// CHECK-DAG: tg.constant dense<[7, -5]> : tensor<2xi32>
// CHECK-DAG: tg.constant dense<[-5, 2]> : tensor<2xi32>
// CHECK-DAG: tg.constant dense<[5, 2]> : tensor<2xi32>
// CHECK-DAG: tg.constant dense<[5, 0]> : tensor<2xi32>
// CHECK-NOT: tg.div
func.func @integers() -> (tensor<2xi32>, tensor<2xi32>, tensor<2xi32>, tensor<2xi32>) {
  %a = tg.constant dense<[5, -7]> : tensor<2xi32>
  %b = tg.constant dense<2> : tensor<i32>
  %z = tg.constant dense<[1, 0]> : tensor<2xi32>
  %0 = tg.add %a, %b : (tensor<2xi32>, tensor<i32>) -> tensor<2xi32>
  %r = tg.add %a, %b : (tensor<2xi32>, tensor<i32>) -> tensor<2xi32>
  // Integer division truncates toward zero: -7 / 2 == -3.
  %1 = tg.div %a, %b : (tensor<2xi32>, tensor<i32>) -> tensor<2xi32>
  %2 = tg.maximum %a, %b : (tensor<2xi32>, tensor<i32>) -> tensor<2xi32>
  // Division by zero gives 0 (numpy's value), as compiled code does.
  %3 = tg.div %a, %z : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  %s = tg.sub %1, %0 : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0, %s, %2, %3 : tensor<2xi32>, tensor<2xi32>, tensor<2xi32>, tensor<2xi32>
}

// -----

// CHECK-LABEL: func @unary
// CHECK-DAG: tg.constant dense<[1.000000e+00, 2.71828175]> : tensor<2xf32>
// CHECK-DAG: tg.constant dense<0.462117165> : tensor<f32>
// CHECK-DAG: tg.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG: tg.constant dense<1.41421354> : tensor<f32>
// CHECK-DAG: tg.constant dense<[0.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: tg.constant dense<[-0.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: tg.constant dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf32>
func.func @unary() -> (tensor<2xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = tg.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %h = tg.constant dense<0.5> : tensor<f32>
  %z = tg.constant dense<0.0> : tensor<f32>
  %two = tg.constant dense<2.0> : tensor<f32>
  %m = tg.constant dense<[-3.0, 2.0]> : tensor<2xf32>
  %0 = tg.exp %a : tensor<2xf32>
  %1 = tg.tanh %h : tensor<f32>
  %2 = tg.sigmoid %z : tensor<f32>
  %3 = tg.sqrt %two : tensor<f32>
  %4 = tg.relu %m : tensor<2xf32>
  %5 = tg.neg %a : tensor<2xf32>
  %6 = tg.abs %5 : tensor<2xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func @cmp_select
// CHECK-DAG: %[[A:.*]] = tg.constant dense<[1.000000e+00, 5.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[P:.*]] = tg.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK: return %[[P]], %[[A]], %[[P]]
func.func @cmp_select() -> (tensor<3xi1>, tensor<3xf32>, tensor<3xi1>) {
  %a = tg.constant dense<[1.0, 5.0, 3.0]> : tensor<3xf32>
  %b = tg.constant dense<2.0> : tensor<f32>
  %n = tg.constant dense<[1.0, 2.0, 0x7FC00000]> : tensor<3xf32>
  %0 = tg.cmp gt, %a, %b : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  %1 = tg.select %0, %a, %a : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  // ne is true with a NaN, as in numpy.
  %2 = tg.cmp ne, %n, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  return %0, %1, %2 : tensor<3xi1>, tensor<3xf32>, tensor<3xi1>
}

// -----

// CHECK-LABEL: func @select_elementwise
// CHECK: tg.constant dense<[1.000000e+00, 2.000000e+01]> : tensor<2xf32>
func.func @select_elementwise() -> tensor<2xf32> {
  %p = tg.constant dense<[true, false]> : tensor<2xi1>
  %a = tg.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = tg.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %0 = tg.select %p, %a, %b : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @casts
// CHECK-DAG: tg.constant dense<[1, -2]> : tensor<2xi32>
// CHECK-DAG: tg.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-DAG: tg.constant dense<[true, false]> : tensor<2xi1>
// CHECK-DAG: tg.constant dense<9.997550e-02> : tensor<f16>
// CHECK-DAG: tg.constant dense<-2147483648> : tensor<i32>
// CHECK-NOT: tg.cast
func.func @casts() -> (tensor<2xi32>, tensor<2xf32>, tensor<2xi1>, tensor<f16>, tensor<i32>) {
  %f = tg.constant dense<[1.5, -2.7]> : tensor<2xf32>
  %p = tg.constant dense<[true, false]> : tensor<2xi1>
  %i = tg.constant dense<[3, 0]> : tensor<2xi64>
  %t = tg.constant dense<0.1> : tensor<f32>
  %nan = tg.constant dense<0x7FC00000> : tensor<f32>
  // Float to integer truncates toward zero.
  %0 = tg.cast %f : tensor<2xf32> to tensor<2xi32>
  // A true i1 converts to 1.0, not -1.0.
  %1 = tg.cast %p : tensor<2xi1> to tensor<2xf32>
  %2 = tg.cast %i : tensor<2xi64> to tensor<2xi1>
  // Rounded to nearest even.
  %3 = tg.cast %t : tensor<f32> to tensor<f16>
  // NaN (and infinities, out-of-range values) become INT_MIN, as x86 and
  // numpy there, and as compiled code does.
  %4 = tg.cast %nan : tensor<f32> to tensor<i32>
  return %0, %1, %2, %3, %4 : tensor<2xi32>, tensor<2xf32>, tensor<2xi1>, tensor<f16>, tensor<i32>
}

// -----

// CHECK-LABEL: func @layout
// CHECK-DAG: tg.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: tg.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]> : tensor<6xf32>
// CHECK-DAG: tg.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [1.000000e+00, 2.000000e+00, 3.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: tg.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00]]> : tensor<1x2xf32>
func.func @layout() -> (tensor<3x2xf32>, tensor<6xf32>, tensor<2x3xf32>, tensor<1x2xf32>) {
  %a = tg.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %v = tg.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %0 = tg.transpose %a [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = tg.reshape %a : tensor<2x3xf32> -> tensor<6xf32>
  %2 = tg.broadcast_to %v : tensor<3xf32> -> tensor<2x3xf32>
  %3 = tg.slice %a [1:2, 0:3:2] : tensor<2x3xf32> -> tensor<1x2xf32>
  return %0, %1, %2, %3 : tensor<3x2xf32>, tensor<6xf32>, tensor<2x3xf32>, tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func @reductions
// CHECK-DAG: tg.constant dense<[6.000000e+00, 1.500000e+01]> : tensor<2xf32>
// CHECK-DAG: tg.constant dense<[2.500000e+00, 3.500000e+00, 4.500000e+00]> : tensor<3xf32>
// CHECK-DAG: tg.constant dense<6.000000e+00> : tensor<f32>
// CHECK-DAG: tg.constant dense<{{\[\[}}1.000000e+00], [4.000000e+00]]> : tensor<2x1xf32>
// CHECK-DAG: tg.constant dense<21> : tensor<i32>
func.func @reductions() -> (tensor<2xf32>, tensor<3xf32>, tensor<f32>, tensor<2x1xf32>, tensor<i32>) {
  %a = tg.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %i = tg.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %0 = tg.reduce_sum %a [1] : tensor<2x3xf32> -> tensor<2xf32>
  %1 = tg.reduce_mean %a [0] : tensor<2x3xf32> -> tensor<3xf32>
  %2 = tg.reduce_max %a [0, 1] : tensor<2x3xf32> -> tensor<f32>
  %3 = tg.reduce_min %a [1] : tensor<2x3xf32> -> tensor<2x1xf32>
  %4 = tg.reduce_sum %i [1, 0] : tensor<2x3xi32> -> tensor<i32>
  return %0, %1, %2, %3, %4 : tensor<2xf32>, tensor<3xf32>, tensor<f32>, tensor<2x1xf32>, tensor<i32>
}

// -----

// Splats fold at any size; other results only up to 65536 elements.
// CHECK-LABEL: func @size_limit
// CHECK-DAG: tg.constant dense<3.000000e+00> : tensor<1024x1024xf32>
// CHECK-DAG: %[[BIG:.*]] = tg.broadcast_to %{{.*}} : tensor<2xf32> -> tensor<40000x2xf32>
// CHECK-DAG: tg.constant dense<{{.*}}> : tensor<256x2xf32>
// CHECK: return {{.*}}, {{.*}}, %[[BIG]]
func.func @size_limit() -> (tensor<1024x1024xf32>, tensor<256x2xf32>, tensor<40000x2xf32>) {
  %one = tg.constant dense<1.0> : tensor<1024x1024xf32>
  %two = tg.constant dense<2.0> : tensor<f32>
  %v = tg.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = tg.add %one, %two : (tensor<1024x1024xf32>, tensor<f32>) -> tensor<1024x1024xf32>
  %1 = tg.broadcast_to %v : tensor<2xf32> -> tensor<256x2xf32>
  %2 = tg.broadcast_to %v : tensor<2xf32> -> tensor<40000x2xf32>
  %3 = tg.broadcast_to %two : tensor<f32> -> tensor<1024x1024xf32>
  return %0, %1, %2 : tensor<1024x1024xf32>, tensor<256x2xf32>, tensor<40000x2xf32>
}

// -----

// Only folding happens: x * 1 with a non-constant x is -tg-simplify's job.
// CHECK-LABEL: func @no_simplification
// CHECK: tg.mul
func.func @no_simplification(%x: tensor<2xf32>) -> tensor<2xf32> {
  %one = tg.constant dense<1.0> : tensor<f32>
  %b = tg.broadcast_to %x : tensor<2xf32> -> tensor<2x2xf32>
  %r = tg.reshape %b : tensor<2x2xf32> -> tensor<4xf32>
  %0 = tg.mul %x, %one : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Integer division never traps and matches numpy: x / 0 == x // 0 ==
// x % 0 == 0, INT_MIN / -1 == INT_MIN // -1 == INT_MIN, INT_MIN % -1 == 0.
// floordiv and mod floor (numpy's signs); div truncates.
// CHECK-LABEL: func @int_division
// CHECK-DAG: tg.constant dense<[0, -3, -2147483648, 2, -2]> : tensor<5xi32>
// CHECK-DAG: tg.constant dense<[0, -4, -2147483648, 2, -3]> : tensor<5xi32>
// CHECK-DAG: tg.constant dense<[0, 1, 0, 1, -1]> : tensor<5xi32>
// CHECK-DAG: tg.constant dense<[0, -9223372036854775808]> : tensor<2xi64>
// CHECK-NOT: tg.div
// CHECK-NOT: tg.floordiv
// CHECK-NOT: tg.mod
func.func @int_division() -> (tensor<5xi32>, tensor<5xi32>, tensor<5xi32>, tensor<2xi64>) {
  %a = tg.constant dense<[7, -7, -2147483648, 7, 5]> : tensor<5xi32>
  %b = tg.constant dense<[0, 2, -1, 3, -2]> : tensor<5xi32>
  %0 = tg.div %a, %b : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  %1 = tg.floordiv %a, %b : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  %2 = tg.mod %a, %b : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  %c = tg.constant dense<[5, -9223372036854775808]> : tensor<2xi64>
  %d = tg.constant dense<[0, -1]> : tensor<2xi64>
  %3 = tg.div %c, %d : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0, %1, %2, %3 : tensor<5xi32>, tensor<5xi32>, tensor<5xi32>, tensor<2xi64>
}

// -----

// Float floordiv and mod as numpy: floor of the quotient, remainder with
// the divisor's sign; by zero, a / b and NaN.
// CHECK-LABEL: func @float_floordiv_mod
// CHECK-DAG: tg.constant dense<[3.000000e+00, -4.000000e+00, -4.000000e+00, 3.000000e+00, 0x7F800000]> : tensor<5xf32>
// CHECK-DAG: tg.constant dense<[1.000000e+00, 1.000000e+00, -1.000000e+00, -1.000000e+00, 0x7FC00000]> : tensor<5xf32>
// CHECK-NOT: tg.floordiv
// CHECK-NOT: tg.mod
func.func @float_floordiv_mod() -> (tensor<5xf32>, tensor<5xf32>) {
  %a = tg.constant dense<[7.0, -7.0, 7.0, -7.0, 1.0]> : tensor<5xf32>
  %b = tg.constant dense<[2.0, 2.0, -2.0, -2.0, 0.0]> : tensor<5xf32>
  %0 = tg.floordiv %a, %b : (tensor<5xf32>, tensor<5xf32>) -> tensor<5xf32>
  %1 = tg.mod %a, %b : (tensor<5xf32>, tensor<5xf32>) -> tensor<5xf32>
  return %0, %1 : tensor<5xf32>, tensor<5xf32>
}

// -----

// A splat of any size folds without materializing its elements; a
// reduction over more than 65536 elements is not folded.
// CHECK-LABEL: func @huge_splat
// CHECK: tg.constant dense<2.000000e+00> : tensor<100000000xf32>
// CHECK: tg.reduce_sum
func.func @huge_splat() -> tensor<f32> {
  %a = tg.constant dense<1.0> : tensor<100000000xf32>
  %b = tg.add %a, %a : (tensor<100000000xf32>, tensor<100000000xf32>) -> tensor<100000000xf32>
  %s = tg.reduce_sum %b [0] : tensor<100000000xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// -----

// Rounding folds exactly in the element type (ties to even for round);
// sign keeps zeros and NaN; erf, log1p, expm1 through double.
// CHECK-LABEL: func @rounding_and_math
// CHECK-DAG: tg.constant dense<[-3.000000e+00, -1.000000e+00, 0.000000e+00, 2.000000e+00]> : tensor<4xf32>
// CHECK-DAG: tg.constant dense<[-2.000000e+00, -0.000000e+00, 1.000000e+00, 3.000000e+00]> : tensor<4xf32>
// CHECK-DAG: tg.constant dense<[-2.000000e+00, -0.000000e+00, 0.000000e+00, 2.000000e+00]> : tensor<4xf32>
// CHECK-DAG: tg.constant dense<[-1.000000e+00, -0.000000e+00, 0x7FC00000, 1.000000e+00]> : tensor<4xf32>
// CHECK-DAG: tg.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: tg.constant dense<0.842700779> : tensor<f32>
// CHECK-DAG: tg.constant dense<9.99999971E-10> : tensor<f32>
// CHECK-DAG: tg.constant dense<-0.632120549> : tensor<f32>
// CHECK-NOT: tg.floor
// CHECK-NOT: tg.ceil
// CHECK-NOT: tg.round
// CHECK-NOT: tg.sign
// CHECK-NOT: tg.erf
// CHECK-NOT: tg.log1p
// CHECK-NOT: tg.expm1
func.func @rounding_and_math() -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  %x = tg.constant dense<[-2.5, -0.5, 0.5, 2.5]> : tensor<4xf32>
  %y = tg.constant dense<[-2.5, -0.0, 0x7FC00000, 2.5]> : tensor<4xf32>
  %0 = tg.floor %x : tensor<4xf32>
  %1 = tg.ceil %x : tensor<4xf32>
  %2 = tg.round %x : tensor<4xf32>
  %3 = tg.sign %y : tensor<4xf32>
  %z = tg.constant dense<0.0> : tensor<f32>
  %one = tg.constant dense<1.0> : tensor<f32>
  %tiny = tg.constant dense<1.0e-9> : tensor<f32>
  %m1 = tg.constant dense<-1.0> : tensor<f32>
  %4 = tg.erf %z : tensor<f32>
  %5 = tg.erf %one : tensor<f32>
  %6 = tg.log1p %tiny : tensor<f32>
  %7 = tg.expm1 %m1 : tensor<f32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// -----

// A gather of constants folds, negative indices wrapped and out-of-range
// ones giving zeros.
// CHECK-LABEL: func @gather
// CHECK: tg.constant dense<{{\[\[}}5.000000e+00, 6.000000e+00], [1.000000e+00, 2.000000e+00], [0.000000e+00, 0.000000e+00]]> : tensor<3x2xf32>
// CHECK-NOT: tg.gather
func.func @gather() -> tensor<3x2xf32> {
  %x = tg.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %i = tg.constant dense<[-1, 0, 3]> : tensor<3xi32>
  %0 = tg.gather %x, %i [0] : (tensor<3x2xf32>, tensor<3xi32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
