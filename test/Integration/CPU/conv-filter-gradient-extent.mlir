// The filter gradient of a convolution reads only the input rows and
// columns the forward pass read ((k - 1) * dilation + (out - 1) * stride + 1
// of the padded input): the input is cropped, or padded only where that
// range needs it, so that the gradient's convolution has exactly the
// filter's size. Each case is checked against central finite differences
// in f64: unread rows (10x10, 2x2 filter, stride 3), a padded row left
// unread (8x8 padded by 1, stride 2), asymmetric padding, dilations,
// padding wider than the filter's span.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/x0.npy "np.random.default_rng(0).standard_normal((2, 10, 10, 3))"
// RUN: %npycheck gen %t/w0.npy "np.random.default_rng(10).standard_normal((2, 2, 3, 4))"
// RUN: tg-run %s -e case0 --check-grad --grad-tolerance=1e-6 --input=%t/x0.npy --input=%t/w0.npy | FileCheck %s --check-prefix=OK
// RUN: %npycheck gen %t/x1.npy "np.random.default_rng(1).standard_normal((2, 8, 8, 3))"
// RUN: %npycheck gen %t/w1.npy "np.random.default_rng(11).standard_normal((3, 3, 3, 4))"
// RUN: tg-run %s -e case1 --check-grad --grad-tolerance=1e-6 --input=%t/x1.npy --input=%t/w1.npy | FileCheck %s --check-prefix=OK
// RUN: %npycheck gen %t/x2.npy "np.random.default_rng(2).standard_normal((1, 11, 9, 2))"
// RUN: %npycheck gen %t/w2.npy "np.random.default_rng(12).standard_normal((3, 2, 2, 3))"
// RUN: tg-run %s -e case2 --check-grad --grad-tolerance=1e-6 --input=%t/x2.npy --input=%t/w2.npy | FileCheck %s --check-prefix=OK
// RUN: %npycheck gen %t/x3.npy "np.random.default_rng(3).standard_normal((1, 12, 12, 2))"
// RUN: %npycheck gen %t/w3.npy "np.random.default_rng(13).standard_normal((3, 3, 2, 2))"
// RUN: tg-run %s -e case3 --check-grad --grad-tolerance=1e-6 --input=%t/x3.npy --input=%t/w3.npy | FileCheck %s --check-prefix=OK
// RUN: %npycheck gen %t/x4.npy "np.random.default_rng(4).standard_normal((2, 7, 7, 2))"
// RUN: %npycheck gen %t/w4.npy "np.random.default_rng(14).standard_normal((3, 3, 2, 2))"
// RUN: tg-run %s -e case4 --check-grad --grad-tolerance=1e-6 --input=%t/x4.npy --input=%t/w4.npy | FileCheck %s --check-prefix=OK
// OK: argument #0 {{.*}}: ok
// OK-NEXT: argument #1 {{.*}}: ok
//
// The 8x8 stride-2 case: the filter gradient's convolution reads a 9x9
// input (10x10 padded before) and gives the 3x3 filter, no slice after it.
// The padding (one row and column before, none after) is the gradient
// convolution's own, so that it is lowered like the forward pass's.
// RUN: tg-opt %s -tg-tape-to-gradient -tg-optimize | FileCheck %s --check-prefix=EXTENT
// EXTENT-LABEL: func.func private @f1_grad_0_1
// EXTENT: tg.transpose {{.*}} : tensor<2x8x8x3xf64> -> tensor<3x8x8x2xf64>
// EXTENT: %[[G:.*]] = tg.conv2d {{.*}} strides [1, 1] padding [1, 0, 1, 0] dilations [2, 2] : (tensor<3x8x8x2xf64>, tensor<4x4x2x4xf64>) -> tensor<3x3x3x4xf64>
// EXTENT-NEXT: tg.transpose %[[G]] [1, 2, 0, 3] : tensor<3x3x3x4xf64> -> tensor<3x3x3x4xf64>

func.func private @f0(%x: tensor<2x10x10x3xf64>, %w: tensor<2x2x3x4xf64>) -> tensor<f64> {
  %c = tg.conv2d %x, %w strides [3, 3] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<2x10x10x3xf64>, tensor<2x2x3x4xf64>) -> tensor<2x3x3x4xf64>
  %s = tg.mul %c, %c : (tensor<2x3x3x4xf64>, tensor<2x3x3x4xf64>) -> tensor<2x3x3x4xf64>
  %r = tg.reduce_sum %s [0, 1, 2, 3] : tensor<2x3x3x4xf64> -> tensor<f64>
  return %r : tensor<f64>
}
func.func @case0(%x: tensor<2x10x10x3xf64>, %w: tensor<2x2x3x4xf64>) -> (tensor<f64>, tensor<2x10x10x3xf64>, tensor<2x2x3x4xf64>) {
  %l, %gx, %gw = tg.grad @f0(%x, %w) wrt [0, 1] : (tensor<2x10x10x3xf64>, tensor<2x2x3x4xf64>) -> (tensor<f64>, tensor<2x10x10x3xf64>, tensor<2x2x3x4xf64>)
  return %l, %gx, %gw : tensor<f64>, tensor<2x10x10x3xf64>, tensor<2x2x3x4xf64>
}

func.func private @f1(%x: tensor<2x8x8x3xf64>, %w: tensor<3x3x3x4xf64>) -> tensor<f64> {
  %c = tg.conv2d %x, %w strides [2, 2] padding [1, 1, 1, 1] dilations [1, 1] : (tensor<2x8x8x3xf64>, tensor<3x3x3x4xf64>) -> tensor<2x4x4x4xf64>
  %s = tg.mul %c, %c : (tensor<2x4x4x4xf64>, tensor<2x4x4x4xf64>) -> tensor<2x4x4x4xf64>
  %r = tg.reduce_sum %s [0, 1, 2, 3] : tensor<2x4x4x4xf64> -> tensor<f64>
  return %r : tensor<f64>
}
func.func @case1(%x: tensor<2x8x8x3xf64>, %w: tensor<3x3x3x4xf64>) -> (tensor<f64>, tensor<2x8x8x3xf64>, tensor<3x3x3x4xf64>) {
  %l, %gx, %gw = tg.grad @f1(%x, %w) wrt [0, 1] : (tensor<2x8x8x3xf64>, tensor<3x3x3x4xf64>) -> (tensor<f64>, tensor<2x8x8x3xf64>, tensor<3x3x3x4xf64>)
  return %l, %gx, %gw : tensor<f64>, tensor<2x8x8x3xf64>, tensor<3x3x3x4xf64>
}

func.func private @f2(%x: tensor<1x11x9x2xf64>, %w: tensor<3x2x2x3xf64>) -> tensor<f64> {
  %c = tg.conv2d %x, %w strides [2, 3] padding [2, 0, 1, 1] dilations [1, 1] : (tensor<1x11x9x2xf64>, tensor<3x2x2x3xf64>) -> tensor<1x6x4x3xf64>
  %s = tg.mul %c, %c : (tensor<1x6x4x3xf64>, tensor<1x6x4x3xf64>) -> tensor<1x6x4x3xf64>
  %r = tg.reduce_sum %s [0, 1, 2, 3] : tensor<1x6x4x3xf64> -> tensor<f64>
  return %r : tensor<f64>
}
func.func @case2(%x: tensor<1x11x9x2xf64>, %w: tensor<3x2x2x3xf64>) -> (tensor<f64>, tensor<1x11x9x2xf64>, tensor<3x2x2x3xf64>) {
  %l, %gx, %gw = tg.grad @f2(%x, %w) wrt [0, 1] : (tensor<1x11x9x2xf64>, tensor<3x2x2x3xf64>) -> (tensor<f64>, tensor<1x11x9x2xf64>, tensor<3x2x2x3xf64>)
  return %l, %gx, %gw : tensor<f64>, tensor<1x11x9x2xf64>, tensor<3x2x2x3xf64>
}

func.func private @f3(%x: tensor<1x12x12x2xf64>, %w: tensor<3x3x2x2xf64>) -> tensor<f64> {
  %c = tg.conv2d %x, %w strides [2, 2] padding [1, 2, 0, 1] dilations [2, 2] : (tensor<1x12x12x2xf64>, tensor<3x3x2x2xf64>) -> tensor<1x6x5x2xf64>
  %s = tg.mul %c, %c : (tensor<1x6x5x2xf64>, tensor<1x6x5x2xf64>) -> tensor<1x6x5x2xf64>
  %r = tg.reduce_sum %s [0, 1, 2, 3] : tensor<1x6x5x2xf64> -> tensor<f64>
  return %r : tensor<f64>
}
func.func @case3(%x: tensor<1x12x12x2xf64>, %w: tensor<3x3x2x2xf64>) -> (tensor<f64>, tensor<1x12x12x2xf64>, tensor<3x3x2x2xf64>) {
  %l, %gx, %gw = tg.grad @f3(%x, %w) wrt [0, 1] : (tensor<1x12x12x2xf64>, tensor<3x3x2x2xf64>) -> (tensor<f64>, tensor<1x12x12x2xf64>, tensor<3x3x2x2xf64>)
  return %l, %gx, %gw : tensor<f64>, tensor<1x12x12x2xf64>, tensor<3x3x2x2xf64>
}

func.func private @f4(%x: tensor<2x7x7x2xf64>, %w: tensor<3x3x2x2xf64>) -> tensor<f64> {
  %c = tg.conv2d %x, %w strides [3, 2] padding [3, 3, 3, 3] dilations [1, 1] : (tensor<2x7x7x2xf64>, tensor<3x3x2x2xf64>) -> tensor<2x4x6x2xf64>
  %s = tg.mul %c, %c : (tensor<2x4x6x2xf64>, tensor<2x4x6x2xf64>) -> tensor<2x4x6x2xf64>
  %r = tg.reduce_sum %s [0, 1, 2, 3] : tensor<2x4x6x2xf64> -> tensor<f64>
  return %r : tensor<f64>
}
func.func @case4(%x: tensor<2x7x7x2xf64>, %w: tensor<3x3x2x2xf64>) -> (tensor<f64>, tensor<2x7x7x2xf64>, tensor<3x3x2x2xf64>) {
  %l, %gx, %gw = tg.grad @f4(%x, %w) wrt [0, 1] : (tensor<2x7x7x2xf64>, tensor<3x3x2x2xf64>) -> (tensor<f64>, tensor<2x7x7x2xf64>, tensor<3x3x2x2xf64>)
  return %l, %gx, %gw : tensor<f64>, tensor<2x7x7x2xf64>, tensor<3x3x2x2xf64>
}
