// The CPU matmul micro-kernels (-tg-matmul-microkernels) against numpy:
// sizes that leave partial register tiles, panels and k slices (k = 2100:
// a 2048-deep slice and a partial one, the C tile stored and reloaded between
// them, the epilogues after the second; f32 sums of 2100 products are
// checked to 2e-3 absolute, about 4e-5 of their typical size); fused
// epilogues (bias + relu, relu's gradient mask); transposed operands read in
// place; convolutions through im2col; each at 1 and 2 threads.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/a.npy "np.random.default_rng(1).standard_normal((37, 2100)).astype(np.float32)"
// RUN: %npycheck gen %t/b.npy "np.random.default_rng(2).standard_normal((2100, 45)).astype(np.float32)"
// RUN: %npycheck gen %t/bias.npy "np.random.default_rng(3).standard_normal((45,)).astype(np.float32)"
// RUN: %npycheck gen %t/m.npy "np.random.default_rng(4).standard_normal((37, 45)).astype(np.float32)"
// RUN: %npycheck gen %t/x.npy "np.random.default_rng(5).standard_normal((2, 11, 13, 5)).astype(np.float32)"
// RUN: %npycheck gen %t/w.npy "np.random.default_rng(6).standard_normal((3, 2, 5, 7)).astype(np.float32)"
// RUN: tg-run %s -e kernels --threads=1 --input=%t/a.npy --input=%t/b.npy --input=%t/bias.npy --input=%t/m.npy --output-dir=%t/k1
// RUN: tg-run %s -e kernels --threads=2 --input=%t/a.npy --input=%t/b.npy --input=%t/bias.npy --input=%t/m.npy --output-dir=%t/k2
// RUN: %npycheck check %t/k1/result0.npy "a @ b" a=%t/a.npy b=%t/b.npy --atol 2e-3
// RUN: %npycheck check %t/k2/result0.npy "a @ b" a=%t/a.npy b=%t/b.npy --atol 2e-3
// RUN: %npycheck check %t/k1/result1.npy "np.maximum(a @ b + bias, 0)" a=%t/a.npy b=%t/b.npy bias=%t/bias.npy --atol 2e-3
// RUN: %npycheck check %t/k2/result1.npy "np.maximum(a @ b + bias, 0)" a=%t/a.npy b=%t/b.npy bias=%t/bias.npy --atol 2e-3
// RUN: %npycheck check %t/k1/result2.npy "np.where(m > 0, a @ b, 0)" a=%t/a.npy b=%t/b.npy m=%t/m.npy --atol 2e-3
// RUN: %npycheck check %t/k2/result2.npy "np.where(m > 0, a @ b, 0)" a=%t/a.npy b=%t/b.npy m=%t/m.npy --atol 2e-3
// RUN: %npycheck check %t/k1/result3.npy "a.T @ m" a=%t/a.npy m=%t/m.npy
// RUN: %npycheck check %t/k2/result3.npy "a.T @ m" a=%t/a.npy m=%t/m.npy
// RUN: %npycheck check %t/k1/result4.npy "m @ b.T" m=%t/m.npy b=%t/b.npy
// RUN: %npycheck check %t/k2/result4.npy "m @ b.T" m=%t/m.npy b=%t/b.npy
func.func @kernels(%a: tensor<37x2100xf32>, %b: tensor<2100x45xf32>, %bias: tensor<45xf32>, %m: tensor<37x45xf32>)
    -> (tensor<37x45xf32>, tensor<37x45xf32>, tensor<37x45xf32>, tensor<2100x45xf32>, tensor<37x2100xf32>) {
  %0 = tg.matmul %a, %b : (tensor<37x2100xf32>, tensor<2100x45xf32>) -> tensor<37x45xf32>
  %1 = tg.matmul %a, %b : (tensor<37x2100xf32>, tensor<2100x45xf32>) -> tensor<37x45xf32>
  %2 = tg.add %1, %bias : (tensor<37x45xf32>, tensor<45xf32>) -> tensor<37x45xf32>
  %3 = tg.relu %2 : tensor<37x45xf32>
  %zero = tg.constant dense<0.0> : tensor<f32>
  %pos = tg.cmp gt, %m, %zero : (tensor<37x45xf32>, tensor<f32>) -> tensor<37x45xi1>
  %4 = tg.matmul %a, %b : (tensor<37x2100xf32>, tensor<2100x45xf32>) -> tensor<37x45xf32>
  %5 = tg.select %pos, %4, %zero : (tensor<37x45xi1>, tensor<37x45xf32>, tensor<f32>) -> tensor<37x45xf32>
  %at = tg.transpose %a [1, 0] : tensor<37x2100xf32> -> tensor<2100x37xf32>
  %6 = tg.matmul %at, %m : (tensor<2100x37xf32>, tensor<37x45xf32>) -> tensor<2100x45xf32>
  %bt = tg.transpose %b [1, 0] : tensor<2100x45xf32> -> tensor<45x2100xf32>
  %7 = tg.matmul %m, %bt : (tensor<37x45xf32>, tensor<45x2100xf32>) -> tensor<37x2100xf32>
  return %0, %3, %5, %6, %7 : tensor<37x45xf32>, tensor<37x45xf32>, tensor<37x45xf32>, tensor<2100x45xf32>, tensor<37x2100xf32>
}

// RUN: tg-run %s -e convs --threads=1 --input=%t/x.npy --input=%t/w.npy --output-dir=%t/c1
// RUN: tg-run %s -e convs --threads=2 --input=%t/x.npy --input=%t/w.npy --output-dir=%t/c2
// RUN: %npycheck check %t/c1/result0.npy "conv2d(x, w, (1, 1), (1, 1, 0, 1), (1, 1))" x=%t/x.npy w=%t/w.npy
// RUN: %npycheck check %t/c2/result0.npy "conv2d(x, w, (1, 1), (1, 1, 0, 1), (1, 1))" x=%t/x.npy w=%t/w.npy
// RUN: %npycheck check %t/c1/result1.npy "conv2d(x, w, (2, 1), (0, 0, 2, 0), (2, 3))" x=%t/x.npy w=%t/w.npy
// RUN: %npycheck check %t/c2/result1.npy "conv2d(x, w, (2, 1), (0, 0, 2, 0), (2, 3))" x=%t/x.npy w=%t/w.npy
func.func @convs(%x: tensor<2x11x13x5xf32>, %w: tensor<3x2x5x7xf32>) -> (tensor<2x11x13x7xf32>, tensor<2x4x12x7xf32>) {
  %0 = tg.conv2d %x, %w strides [1, 1] padding [1, 1, 0, 1] dilations [1, 1] : (tensor<2x11x13x5xf32>, tensor<3x2x5x7xf32>) -> tensor<2x11x13x7xf32>
  %1 = tg.conv2d %x, %w strides [2, 1] padding [0, 0, 2, 0] dilations [2, 3] : (tensor<2x11x13x5xf32>, tensor<3x2x5x7xf32>) -> tensor<2x4x12x7xf32>
  return %0, %1 : tensor<2x11x13x7xf32>, tensor<2x4x12x7xf32>
}
