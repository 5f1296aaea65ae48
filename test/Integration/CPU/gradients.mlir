// Every differentiable tg op, checked by tg-run --check-grad against central
// finite differences in f64 at random points (away from kinks), with
// broadcasting operands. Each op's result is weighted by a random tensor
// before the sum, so that the check sees a non-uniform adjoint.
// (Generated; one private function and one checked entry per op.)
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/n34.npy "np.random.default_rng(11).standard_normal((3,4,)).astype(np.float32)"
// RUN: %npycheck gen %t/n4.npy "np.random.default_rng(12).standard_normal((4,)).astype(np.float32)"
// RUN: %npycheck gen %t/w3x4.npy "np.random.default_rng(13).standard_normal((3,4,)).astype(np.float32)"
// RUN: %npycheck gen %t/p4.npy "np.random.default_rng(14).uniform(0.5, 2.0, (4,)).astype(np.float32)"
// RUN: %npycheck gen %t/p34.npy "np.random.default_rng(15).uniform(0.5, 2.0, (3,4,)).astype(np.float32)"
// RUN: %npycheck gen %t/n31.npy "np.random.default_rng(16).standard_normal((3,1,)).astype(np.float32)"
// RUN: %npycheck gen %t/n45.npy "np.random.default_rng(17).standard_normal((4,5,)).astype(np.float32)"
// RUN: %npycheck gen %t/w3x5.npy "np.random.default_rng(18).standard_normal((3,5,)).astype(np.float32)"
// RUN: %npycheck gen %t/n2134.npy "np.random.default_rng(19).standard_normal((2,1,3,4,)).astype(np.float32)"
// RUN: %npycheck gen %t/n345.npy "np.random.default_rng(20).standard_normal((3,4,5,)).astype(np.float32)"
// RUN: %npycheck gen %t/w2x3x3x5.npy "np.random.default_rng(21).standard_normal((2,3,3,5,)).astype(np.float32)"
// RUN: %npycheck gen %t/n234.npy "np.random.default_rng(22).standard_normal((2,3,4,)).astype(np.float32)"
// RUN: %npycheck gen %t/w4x2x3.npy "np.random.default_rng(23).standard_normal((4,2,3,)).astype(np.float32)"
// RUN: %npycheck gen %t/w4x6.npy "np.random.default_rng(24).standard_normal((4,6,)).astype(np.float32)"
// RUN: %npycheck gen %t/w2x3x4.npy "np.random.default_rng(25).standard_normal((2,3,4,)).astype(np.float32)"
// RUN: %npycheck gen %t/n24.npy "np.random.default_rng(26).standard_normal((2,4,)).astype(np.float32)"
// RUN: %npycheck gen %t/w5x4.npy "np.random.default_rng(27).standard_normal((5,4,)).astype(np.float32)"
// RUN: %npycheck gen %t/w1x2x2.npy "np.random.default_rng(28).standard_normal((1,2,2,)).astype(np.float32)"
// RUN: %npycheck gen %t/w2x4.npy "np.random.default_rng(29).standard_normal((2,4,)).astype(np.float32)"
// RUN: %npycheck gen %t/w1x3x1.npy "np.random.default_rng(30).standard_normal((1,3,1,)).astype(np.float32)"
// RUN: %npycheck gen %t/w2x3x1.npy "np.random.default_rng(31).standard_normal((2,3,1,)).astype(np.float32)"
// RUN: %npycheck gen %t/w4.npy "np.random.default_rng(32).standard_normal((4,)).astype(np.float32)"
// RUN: tg-run %s -e check_add --input=%t/n34.npy --input=%t/n4.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=ADD
// ADD: gradient check: argument #0 {{.*}}: ok
// ADD: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_sub --input=%t/n34.npy --input=%t/n4.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=SUB
// SUB: gradient check: argument #0 {{.*}}: ok
// SUB: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_mul --input=%t/n34.npy --input=%t/n4.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=MUL
// MUL: gradient check: argument #0 {{.*}}: ok
// MUL: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_div --input=%t/n34.npy --input=%t/p4.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=DIV
// DIV: gradient check: argument #0 {{.*}}: ok
// DIV: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_maximum --input=%t/n34.npy --input=%t/n4.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=MAXIMUM
// MAXIMUM: gradient check: argument #0 {{.*}}: ok
// MAXIMUM: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_minimum --input=%t/n34.npy --input=%t/n4.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=MINIMUM
// MINIMUM: gradient check: argument #0 {{.*}}: ok
// MINIMUM: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_pow --input=%t/p34.npy --input=%t/n31.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=POW
// POW: gradient check: argument #0 {{.*}}: ok
// POW: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_neg --input=%t/n34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=NEG
// NEG: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_abs --input=%t/n34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=ABS
// ABS: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_exp --input=%t/n34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=EXP
// EXP: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_tanh --input=%t/n34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=TANH
// TANH: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_sigmoid --input=%t/n34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=SIGMOID
// SIGMOID: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_relu --input=%t/n34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=RELU
// RELU: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_sin --input=%t/n34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=SIN
// SIN: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_cos --input=%t/n34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=COS
// COS: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_log --input=%t/p34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=LOG
// LOG: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_sqrt --input=%t/p34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=SQRT
// SQRT: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_rsqrt --input=%t/p34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=RSQRT
// RSQRT: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_select --input=%t/n34.npy --input=%t/n4.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=SELECT
// SELECT: gradient check: argument #0 {{.*}}: ok
// SELECT: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_cast --input=%t/n34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=CAST
// CAST: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_matmul --input=%t/n34.npy --input=%t/n45.npy --input=%t/w3x5.npy --check-grad | FileCheck %s --check-prefix=MATMUL
// MATMUL: gradient check: argument #0 {{.*}}: ok
// MATMUL: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_batch_matmul --input=%t/n2134.npy --input=%t/n345.npy --input=%t/w2x3x3x5.npy --check-grad | FileCheck %s --check-prefix=BATCH_MATMUL
// BATCH_MATMUL: gradient check: argument #0 {{.*}}: ok
// BATCH_MATMUL: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_transpose --input=%t/n234.npy --input=%t/w4x2x3.npy --check-grad | FileCheck %s --check-prefix=TRANSPOSE
// TRANSPOSE: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_reshape --input=%t/n234.npy --input=%t/w4x6.npy --check-grad | FileCheck %s --check-prefix=RESHAPE
// RESHAPE: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_broadcast_to --input=%t/n31.npy --input=%t/w2x3x4.npy --check-grad | FileCheck %s --check-prefix=BROADCAST_TO
// BROADCAST_TO: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_concat --input=%t/n34.npy --input=%t/n24.npy --input=%t/w5x4.npy --check-grad | FileCheck %s --check-prefix=CONCAT
// CONCAT: gradient check: argument #0 {{.*}}: ok
// CONCAT: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_slice --input=%t/n234.npy --input=%t/w1x2x2.npy --check-grad | FileCheck %s --check-prefix=SLICE
// SLICE: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_reduce_sum --input=%t/n234.npy --input=%t/w2x4.npy --check-grad | FileCheck %s --check-prefix=REDUCE_SUM
// REDUCE_SUM: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_reduce_mean --input=%t/n234.npy --input=%t/w1x3x1.npy --check-grad | FileCheck %s --check-prefix=REDUCE_MEAN
// REDUCE_MEAN: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_reduce_max --input=%t/n234.npy --input=%t/w2x3x1.npy --check-grad | FileCheck %s --check-prefix=REDUCE_MAX
// REDUCE_MAX: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_reduce_min --input=%t/n234.npy --input=%t/w4.npy --check-grad | FileCheck %s --check-prefix=REDUCE_MIN
// REDUCE_MIN: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_softmax --input=%t/n34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=SOFTMAX
// SOFTMAX: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_log_softmax --input=%t/n34.npy --input=%t/w3x4.npy --check-grad | FileCheck %s --check-prefix=LOG_SOFTMAX
// LOG_SOFTMAX: gradient check: argument #0 {{.*}}: ok
// RUN: %npycheck gen %t/img.npy "np.random.default_rng(90).standard_normal((2, 7, 6, 3)).astype(np.float32)"
// RUN: %npycheck gen %t/filt.npy "np.random.default_rng(91).standard_normal((3, 2, 3, 4)).astype(np.float32)"
// RUN: %npycheck gen %t/wconv1.npy "np.random.default_rng(92).standard_normal((2, 5, 5, 4)).astype(np.float32)"
// RUN: %npycheck gen %t/wconv2.npy "np.random.default_rng(93).standard_normal((2, 4, 5, 4)).astype(np.float32)"
// RUN: tg-run %s -e check_conv2d --input=%t/img.npy --input=%t/filt.npy --input=%t/wconv1.npy --check-grad | FileCheck %s --check-prefix=CONV2D
// CONV2D: gradient check: argument #0 {{.*}}: ok
// CONV2D: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e check_conv2d_strided --input=%t/img.npy --input=%t/filt.npy --input=%t/wconv2.npy --check-grad | FileCheck %s --check-prefix=CONV2DS
// CONV2DS: gradient check: argument #0 {{.*}}: ok
// CONV2DS: gradient check: argument #1 {{.*}}: ok

func.func private @add(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.add %x, %y : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_add(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>) {
  %v, %g0, %g1 = tg.grad @add(%x, %y, %w) wrt [0, 1] : (tensor<3x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>)
  return %v, %g0, %g1 : tensor<f32>, tensor<3x4xf32>, tensor<4xf32>
}

func.func private @sub(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.sub %x, %y : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_sub(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>) {
  %v, %g0, %g1 = tg.grad @sub(%x, %y, %w) wrt [0, 1] : (tensor<3x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>)
  return %v, %g0, %g1 : tensor<f32>, tensor<3x4xf32>, tensor<4xf32>
}

func.func private @mul(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.mul %x, %y : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_mul(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>) {
  %v, %g0, %g1 = tg.grad @mul(%x, %y, %w) wrt [0, 1] : (tensor<3x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>)
  return %v, %g0, %g1 : tensor<f32>, tensor<3x4xf32>, tensor<4xf32>
}

func.func private @div(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.div %x, %y : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_div(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>) {
  %v, %g0, %g1 = tg.grad @div(%x, %y, %w) wrt [0, 1] : (tensor<3x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>)
  return %v, %g0, %g1 : tensor<f32>, tensor<3x4xf32>, tensor<4xf32>
}

func.func private @maximum(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.maximum %x, %y : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_maximum(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>) {
  %v, %g0, %g1 = tg.grad @maximum(%x, %y, %w) wrt [0, 1] : (tensor<3x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>)
  return %v, %g0, %g1 : tensor<f32>, tensor<3x4xf32>, tensor<4xf32>
}

func.func private @minimum(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.minimum %x, %y : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_minimum(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>) {
  %v, %g0, %g1 = tg.grad @minimum(%x, %y, %w) wrt [0, 1] : (tensor<3x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>)
  return %v, %g0, %g1 : tensor<f32>, tensor<3x4xf32>, tensor<4xf32>
}

func.func private @pow(%x: tensor<3x4xf32>, %y: tensor<3x1xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.pow %x, %y : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_pow(%x: tensor<3x4xf32>, %y: tensor<3x1xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<3x1xf32>) {
  %v, %g0, %g1 = tg.grad @pow(%x, %y, %w) wrt [0, 1] : (tensor<3x4xf32>, tensor<3x1xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<3x1xf32>)
  return %v, %g0, %g1 : tensor<f32>, tensor<3x4xf32>, tensor<3x1xf32>
}

func.func private @neg(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.neg %x : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_neg(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @neg(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @abs(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.abs %x : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_abs(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @abs(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @exp(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.exp %x : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_exp(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @exp(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @tanh(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.tanh %x : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_tanh(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @tanh(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @sigmoid(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.sigmoid %x : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_sigmoid(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @sigmoid(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @relu(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.relu %x : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_relu(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @relu(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @sin(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.sin %x : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_sin(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @sin(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @cos(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.cos %x : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_cos(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @cos(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @log(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.log %x : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_log(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @log(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @sqrt(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.sqrt %x : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_sqrt(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @sqrt(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @rsqrt(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.rsqrt %x : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_rsqrt(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @rsqrt(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @select(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %z = tg.constant dense<0.3> : tensor<f32>
  %p = tg.cmp gt, %x, %z : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xi1>
  %r = tg.select %p, %x, %y : (tensor<3x4xi1>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_select(%x: tensor<3x4xf32>, %y: tensor<4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>) {
  %v, %g0, %g1 = tg.grad @select(%x, %y, %w) wrt [0, 1] : (tensor<3x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>)
  return %v, %g0, %g1 : tensor<f32>, tensor<3x4xf32>, tensor<4xf32>
}

func.func private @cast(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %d = tg.cast %x : tensor<3x4xf32> to tensor<3x4xf64>
  %e = tg.exp %d : tensor<3x4xf64>
  %r = tg.cast %e : tensor<3x4xf64> to tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_cast(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @cast(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @matmul(%x: tensor<3x4xf32>, %y: tensor<4x5xf32>, %w: tensor<3x5xf32>) -> tensor<f32> {
  %r = tg.matmul %x, %y : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %m = tg.mul %r, %w : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x5xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_matmul(%x: tensor<3x4xf32>, %y: tensor<4x5xf32>, %w: tensor<3x5xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4x5xf32>) {
  %v, %g0, %g1 = tg.grad @matmul(%x, %y, %w) wrt [0, 1] : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<3x5xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4x5xf32>)
  return %v, %g0, %g1 : tensor<f32>, tensor<3x4xf32>, tensor<4x5xf32>
}

func.func private @batch_matmul(%x: tensor<2x1x3x4xf32>, %y: tensor<3x4x5xf32>, %w: tensor<2x3x3x5xf32>) -> tensor<f32> {
  %r = tg.matmul %x, %y : (tensor<2x1x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x3x5xf32>
  %m = tg.mul %r, %w : (tensor<2x3x3x5xf32>, tensor<2x3x3x5xf32>) -> tensor<2x3x3x5xf32>
  %s = tg.reduce_sum %m [0, 1, 2, 3] : tensor<2x3x3x5xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_batch_matmul(%x: tensor<2x1x3x4xf32>, %y: tensor<3x4x5xf32>, %w: tensor<2x3x3x5xf32>) -> (tensor<f32>, tensor<2x1x3x4xf32>, tensor<3x4x5xf32>) {
  %v, %g0, %g1 = tg.grad @batch_matmul(%x, %y, %w) wrt [0, 1] : (tensor<2x1x3x4xf32>, tensor<3x4x5xf32>, tensor<2x3x3x5xf32>) -> (tensor<f32>, tensor<2x1x3x4xf32>, tensor<3x4x5xf32>)
  return %v, %g0, %g1 : tensor<f32>, tensor<2x1x3x4xf32>, tensor<3x4x5xf32>
}

func.func private @transpose(%x: tensor<2x3x4xf32>, %w: tensor<4x2x3xf32>) -> tensor<f32> {
  %r = tg.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %m = tg.mul %r, %w : (tensor<4x2x3xf32>, tensor<4x2x3xf32>) -> tensor<4x2x3xf32>
  %s = tg.reduce_sum %m [0, 1, 2] : tensor<4x2x3xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_transpose(%x: tensor<2x3x4xf32>, %w: tensor<4x2x3xf32>) -> (tensor<f32>, tensor<2x3x4xf32>) {
  %v, %g0 = tg.grad @transpose(%x, %w) wrt [0] : (tensor<2x3x4xf32>, tensor<4x2x3xf32>) -> (tensor<f32>, tensor<2x3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<2x3x4xf32>
}

func.func private @reshape(%x: tensor<2x3x4xf32>, %w: tensor<4x6xf32>) -> tensor<f32> {
  %r = tg.reshape %x : tensor<2x3x4xf32> -> tensor<4x6xf32>
  %m = tg.mul %r, %w : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<4x6xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_reshape(%x: tensor<2x3x4xf32>, %w: tensor<4x6xf32>) -> (tensor<f32>, tensor<2x3x4xf32>) {
  %v, %g0 = tg.grad @reshape(%x, %w) wrt [0] : (tensor<2x3x4xf32>, tensor<4x6xf32>) -> (tensor<f32>, tensor<2x3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<2x3x4xf32>
}

func.func private @broadcast_to(%x: tensor<3x1xf32>, %w: tensor<2x3x4xf32>) -> tensor<f32> {
  %r = tg.broadcast_to %x : tensor<3x1xf32> -> tensor<2x3x4xf32>
  %m = tg.mul %r, %w : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %s = tg.reduce_sum %m [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_broadcast_to(%x: tensor<3x1xf32>, %w: tensor<2x3x4xf32>) -> (tensor<f32>, tensor<3x1xf32>) {
  %v, %g0 = tg.grad @broadcast_to(%x, %w) wrt [0] : (tensor<3x1xf32>, tensor<2x3x4xf32>) -> (tensor<f32>, tensor<3x1xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x1xf32>
}

func.func private @concat(%x: tensor<3x4xf32>, %y: tensor<2x4xf32>, %w: tensor<5x4xf32>) -> tensor<f32> {
  %r = tg.concat %x, %y [0] : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<5x4xf32>
  %m = tg.mul %r, %w : (tensor<5x4xf32>, tensor<5x4xf32>) -> tensor<5x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<5x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_concat(%x: tensor<3x4xf32>, %y: tensor<2x4xf32>, %w: tensor<5x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<2x4xf32>) {
  %v, %g0, %g1 = tg.grad @concat(%x, %y, %w) wrt [0, 1] : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<5x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<2x4xf32>)
  return %v, %g0, %g1 : tensor<f32>, tensor<3x4xf32>, tensor<2x4xf32>
}

func.func private @slice(%x: tensor<2x3x4xf32>, %w: tensor<1x2x2xf32>) -> tensor<f32> {
  %r = tg.slice %x [1:2, 0:3:2, 1:4:2] : tensor<2x3x4xf32> -> tensor<1x2x2xf32>
  %m = tg.mul %r, %w : (tensor<1x2x2xf32>, tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %s = tg.reduce_sum %m [0, 1, 2] : tensor<1x2x2xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_slice(%x: tensor<2x3x4xf32>, %w: tensor<1x2x2xf32>) -> (tensor<f32>, tensor<2x3x4xf32>) {
  %v, %g0 = tg.grad @slice(%x, %w) wrt [0] : (tensor<2x3x4xf32>, tensor<1x2x2xf32>) -> (tensor<f32>, tensor<2x3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<2x3x4xf32>
}

func.func private @reduce_sum(%x: tensor<2x3x4xf32>, %w: tensor<2x4xf32>) -> tensor<f32> {
  %r = tg.reduce_sum %x [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %m = tg.mul %r, %w : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_reduce_sum(%x: tensor<2x3x4xf32>, %w: tensor<2x4xf32>) -> (tensor<f32>, tensor<2x3x4xf32>) {
  %v, %g0 = tg.grad @reduce_sum(%x, %w) wrt [0] : (tensor<2x3x4xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<2x3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<2x3x4xf32>
}

func.func private @reduce_mean(%x: tensor<2x3x4xf32>, %w: tensor<1x3x1xf32>) -> tensor<f32> {
  %r = tg.reduce_mean %x [0, 2] : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  %m = tg.mul %r, %w : (tensor<1x3x1xf32>, tensor<1x3x1xf32>) -> tensor<1x3x1xf32>
  %s = tg.reduce_sum %m [0, 1, 2] : tensor<1x3x1xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_reduce_mean(%x: tensor<2x3x4xf32>, %w: tensor<1x3x1xf32>) -> (tensor<f32>, tensor<2x3x4xf32>) {
  %v, %g0 = tg.grad @reduce_mean(%x, %w) wrt [0] : (tensor<2x3x4xf32>, tensor<1x3x1xf32>) -> (tensor<f32>, tensor<2x3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<2x3x4xf32>
}

func.func private @reduce_max(%x: tensor<2x3x4xf32>, %w: tensor<2x3x1xf32>) -> tensor<f32> {
  %r = tg.reduce_max %x [2] : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
  %m = tg.mul %r, %w : (tensor<2x3x1xf32>, tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
  %s = tg.reduce_sum %m [0, 1, 2] : tensor<2x3x1xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_reduce_max(%x: tensor<2x3x4xf32>, %w: tensor<2x3x1xf32>) -> (tensor<f32>, tensor<2x3x4xf32>) {
  %v, %g0 = tg.grad @reduce_max(%x, %w) wrt [0] : (tensor<2x3x4xf32>, tensor<2x3x1xf32>) -> (tensor<f32>, tensor<2x3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<2x3x4xf32>
}

func.func private @reduce_min(%x: tensor<2x3x4xf32>, %w: tensor<4xf32>) -> tensor<f32> {
  %r = tg.reduce_min %x [0, 1] : tensor<2x3x4xf32> -> tensor<4xf32>
  %m = tg.mul %r, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %s = tg.reduce_sum %m [0] : tensor<4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_reduce_min(%x: tensor<2x3x4xf32>, %w: tensor<4xf32>) -> (tensor<f32>, tensor<2x3x4xf32>) {
  %v, %g0 = tg.grad @reduce_min(%x, %w) wrt [0] : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<f32>, tensor<2x3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<2x3x4xf32>
}

func.func private @softmax(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.softmax %x [1] : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_softmax(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @softmax(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @log_softmax(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.log_softmax %x [0] : tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_log_softmax(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g0 = tg.grad @log_softmax(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g0 : tensor<f32>, tensor<3x4xf32>
}

func.func private @conv2d(%x: tensor<2x7x6x3xf32>, %k: tensor<3x2x3x4xf32>, %w: tensor<2x5x5x4xf32>) -> tensor<f32> {
  %r = tg.conv2d %x, %k strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>) -> tensor<2x5x5x4xf32>
  %m = tg.mul %r, %w : (tensor<2x5x5x4xf32>, tensor<2x5x5x4xf32>) -> tensor<2x5x5x4xf32>
  %s = tg.reduce_sum %m [0, 1, 2, 3] : tensor<2x5x5x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_conv2d(%x: tensor<2x7x6x3xf32>, %k: tensor<3x2x3x4xf32>, %w: tensor<2x5x5x4xf32>) -> (tensor<f32>, tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>) {
  %v, %gx, %gk = tg.grad @conv2d(%x, %k, %w) wrt [0, 1] : (tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>, tensor<2x5x5x4xf32>) -> (tensor<f32>, tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>)
  return %v, %gx, %gk : tensor<f32>, tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>
}

// Strides, asymmetric padding and dilation together.
func.func private @conv2d_strided(%x: tensor<2x7x6x3xf32>, %k: tensor<3x2x3x4xf32>, %w: tensor<2x4x5x4xf32>) -> tensor<f32> {
  %r = tg.conv2d %x, %k strides [2, 1] padding [1, 2, 0, 1] dilations [1, 2] : (tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>) -> tensor<2x4x5x4xf32>
  %m = tg.mul %r, %w : (tensor<2x4x5x4xf32>, tensor<2x4x5x4xf32>) -> tensor<2x4x5x4xf32>
  %s = tg.reduce_sum %m [0, 1, 2, 3] : tensor<2x4x5x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_conv2d_strided(%x: tensor<2x7x6x3xf32>, %k: tensor<3x2x3x4xf32>, %w: tensor<2x4x5x4xf32>) -> (tensor<f32>, tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>) {
  %v, %gx, %gk = tg.grad @conv2d_strided(%x, %k, %w) wrt [0, 1] : (tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>, tensor<2x4x5x4xf32>) -> (tensor<f32>, tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>)
  return %v, %gx, %gk : tensor<f32>, tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>
}
