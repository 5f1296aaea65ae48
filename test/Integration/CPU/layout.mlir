// Matmul (plain and batched with broadcast batch dims), transpose, reshape,
// broadcast_to, concat, slice and conv2d through tg-run, against numpy.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/a.npy "np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)"
// RUN: %npycheck gen %t/b.npy "np.random.default_rng(2).standard_normal((4, 6)).astype(np.float32)"
// RUN: %npycheck gen %t/c.npy "np.random.default_rng(3).standard_normal((2, 1, 5, 4)).astype(np.float32)"
// RUN: %npycheck gen %t/d.npy "np.random.default_rng(4).standard_normal((3, 4, 6)).astype(np.float32)"
// RUN: %npycheck gen %t/i.npy "np.arange(-6, 6, dtype=np.int32).reshape(3, 4)"
// RUN: tg-run %s -e matmuls --input=%t/a.npy --input=%t/b.npy --input=%t/c.npy --input=%t/d.npy --input=%t/i.npy --output-dir=%t/mm
// RUN: %npycheck check %t/mm/result0.npy "a @ b" a=%t/a.npy b=%t/b.npy
// RUN: %npycheck check %t/mm/result1.npy "np.matmul(c, d)" c=%t/c.npy d=%t/d.npy
// RUN: %npycheck check %t/mm/result2.npy "np.matmul(a, d)" a=%t/a.npy d=%t/d.npy
// RUN: %npycheck check %t/mm/result3.npy "i @ i.T" i=%t/i.npy
func.func @matmuls(%a: tensor<5x4xf32>, %b: tensor<4x6xf32>, %c: tensor<2x1x5x4xf32>, %d: tensor<3x4x6xf32>, %i: tensor<3x4xi32>)
    -> (tensor<5x6xf32>, tensor<2x3x5x6xf32>, tensor<3x5x6xf32>, tensor<3x3xi32>) {
  %0 = tg.matmul %a, %b : (tensor<5x4xf32>, tensor<4x6xf32>) -> tensor<5x6xf32>
  %1 = tg.matmul %c, %d : (tensor<2x1x5x4xf32>, tensor<3x4x6xf32>) -> tensor<2x3x5x6xf32>
  %2 = tg.matmul %a, %d : (tensor<5x4xf32>, tensor<3x4x6xf32>) -> tensor<3x5x6xf32>
  %it = tg.transpose %i [1, 0] : tensor<3x4xi32> -> tensor<4x3xi32>
  %3 = tg.matmul %i, %it : (tensor<3x4xi32>, tensor<4x3xi32>) -> tensor<3x3xi32>
  return %0, %1, %2, %3 : tensor<5x6xf32>, tensor<2x3x5x6xf32>, tensor<3x5x6xf32>, tensor<3x3xi32>
}

// RUN: %npycheck gen %t/x.npy "np.arange(24, dtype=np.float64).reshape(2, 3, 4)"
// RUN: %npycheck gen %t/s.npy "np.float64(7)"
// RUN: tg-run %s -e layout --input=%t/x.npy --input=%t/s.npy --output-dir=%t/lay
// RUN: %npycheck check %t/lay/result0.npy "x.transpose(2, 0, 1)" x=%t/x.npy
// RUN: %npycheck check %t/lay/result1.npy "x.reshape(6, 4)" x=%t/x.npy
// RUN: %npycheck check %t/lay/result2.npy "x.reshape(4, 6)" x=%t/x.npy
// RUN: %npycheck check %t/lay/result3.npy "x.reshape(2, 3, 2, 2)" x=%t/x.npy
// RUN: %npycheck check %t/lay/result4.npy "s.reshape(1, 1)" s=%t/s.npy
// RUN: %npycheck check %t/lay/result5.npy "np.broadcast_to(x[:, :1, :], (5, 2, 3, 4))" x=%t/x.npy
// RUN: %npycheck check %t/lay/result6.npy "np.concatenate([x, x[:, :2, :]], axis=1)" x=%t/x.npy
// RUN: %npycheck check %t/lay/result7.npy "x[1:2, 0:3:2, 1:4:2]" x=%t/x.npy
// RUN: %npycheck check %t/lay/result8.npy "x.reshape(24)[5:6].reshape(())" x=%t/x.npy
func.func @layout(%x: tensor<2x3x4xf64>, %s: tensor<f64>)
    -> (tensor<4x2x3xf64>, tensor<6x4xf64>, tensor<4x6xf64>, tensor<2x3x2x2xf64>, tensor<1x1xf64>,
        tensor<5x2x3x4xf64>, tensor<2x5x4xf64>, tensor<1x2x2xf64>, tensor<f64>) {
  %0 = tg.transpose %x [2, 0, 1] : tensor<2x3x4xf64> -> tensor<4x2x3xf64>
  %1 = tg.reshape %x : tensor<2x3x4xf64> -> tensor<6x4xf64>
  %2 = tg.reshape %x : tensor<2x3x4xf64> -> tensor<4x6xf64>
  %3 = tg.reshape %x : tensor<2x3x4xf64> -> tensor<2x3x2x2xf64>
  %4 = tg.reshape %s : tensor<f64> -> tensor<1x1xf64>
  %row = tg.slice %x [0:2, 0:1, 0:4] : tensor<2x3x4xf64> -> tensor<2x1x4xf64>
  %5 = tg.broadcast_to %row : tensor<2x1x4xf64> -> tensor<5x2x3x4xf64>
  %two = tg.slice %x [0:2, 0:2, 0:4] : tensor<2x3x4xf64> -> tensor<2x2x4xf64>
  %6 = tg.concat %x, %two [1] : (tensor<2x3x4xf64>, tensor<2x2x4xf64>) -> tensor<2x5x4xf64>
  %7 = tg.slice %x [1:2, 0:3:2, 1:4:2] : tensor<2x3x4xf64> -> tensor<1x2x2xf64>
  %flat = tg.reshape %x : tensor<2x3x4xf64> -> tensor<24xf64>
  %one = tg.slice %flat [5:6] : tensor<24xf64> -> tensor<1xf64>
  %8 = tg.reshape %one : tensor<1xf64> -> tensor<f64>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<4x2x3xf64>, tensor<6x4xf64>, tensor<4x6xf64>, tensor<2x3x2x2xf64>, tensor<1x1xf64>, tensor<5x2x3x4xf64>, tensor<2x5x4xf64>, tensor<1x2x2xf64>, tensor<f64>
}

// RUN: %npycheck gen %t/img.npy "np.random.default_rng(5).standard_normal((2, 7, 6, 3)).astype(np.float32)"
// RUN: %npycheck gen %t/w.npy "np.random.default_rng(6).standard_normal((3, 2, 3, 4)).astype(np.float32)"
// RUN: tg-run %s -e convs --input=%t/img.npy --input=%t/w.npy --output-dir=%t/conv
// RUN: %npycheck check %t/conv/result0.npy "conv2d(img, w)" img=%t/img.npy w=%t/w.npy
// RUN: %npycheck check %t/conv/result1.npy "conv2d(img, w, (2, 1), (1, 2, 0, 1), (1, 2))" img=%t/img.npy w=%t/w.npy
func.func @convs(%img: tensor<2x7x6x3xf32>, %w: tensor<3x2x3x4xf32>) -> (tensor<2x5x5x4xf32>, tensor<2x4x5x4xf32>) {
  %0 = tg.conv2d %img, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>) -> tensor<2x5x5x4xf32>
  %1 = tg.conv2d %img, %w strides [2, 1] padding [1, 2, 0, 1] dilations [1, 2] : (tensor<2x7x6x3xf32>, tensor<3x2x3x4xf32>) -> tensor<2x4x5x4xf32>
  return %0, %1 : tensor<2x5x5x4xf32>, tensor<2x4x5x4xf32>
}
