// The gradients of an MLP's softmax cross-entropy loss equal a hand-written
// numpy backward pass, and finite differences.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/x.npy "np.random.default_rng(1).standard_normal((8, 5)).astype(np.float32)"
// RUN: %npycheck gen %t/w1.npy "(np.random.default_rng(2).standard_normal((5, 16)) * 0.5).astype(np.float32)"
// RUN: %npycheck gen %t/b1.npy "(np.random.default_rng(3).standard_normal(16) * 0.1).astype(np.float32)"
// RUN: %npycheck gen %t/w2.npy "(np.random.default_rng(4).standard_normal((16, 3)) * 0.5).astype(np.float32)"
// RUN: %npycheck gen %t/b2.npy "(np.random.default_rng(5).standard_normal(3) * 0.1).astype(np.float32)"
// RUN: %npycheck gen %t/y.npy "np.eye(3, dtype=np.float32)[np.random.default_rng(6).integers(0, 3, 8)]"
// RUN: tg-run %s --input=%t/x.npy --input=%t/w1.npy --input=%t/b1.npy --input=%t/w2.npy --input=%t/b2.npy --input=%t/y.npy --output-dir=%t/out --check-grad | FileCheck %s
// RUN: %npycheck check %t/out/result0.npy "np.float32(mlp_backward(x, w1, b1, w2, b2, y)[0])" x=%t/x.npy w1=%t/w1.npy b1=%t/b1.npy w2=%t/w2.npy b2=%t/b2.npy y=%t/y.npy
// RUN: %npycheck check %t/out/result1.npy "mlp_backward(x, w1, b1, w2, b2, y)[1]" x=%t/x.npy w1=%t/w1.npy b1=%t/b1.npy w2=%t/w2.npy b2=%t/b2.npy y=%t/y.npy
// RUN: %npycheck check %t/out/result2.npy "mlp_backward(x, w1, b1, w2, b2, y)[2]" x=%t/x.npy w1=%t/w1.npy b1=%t/b1.npy w2=%t/w2.npy b2=%t/b2.npy y=%t/y.npy
// RUN: %npycheck check %t/out/result3.npy "mlp_backward(x, w1, b1, w2, b2, y)[3]" x=%t/x.npy w1=%t/w1.npy b1=%t/b1.npy w2=%t/w2.npy b2=%t/b2.npy y=%t/y.npy
// RUN: %npycheck check %t/out/result4.npy "mlp_backward(x, w1, b1, w2, b2, y)[4]" x=%t/x.npy w1=%t/w1.npy b1=%t/b1.npy w2=%t/w2.npy b2=%t/b2.npy y=%t/y.npy
// CHECK: gradient check: argument #1 (tensor<5x16xf32>): {{.*}}: ok
// CHECK: gradient check: argument #2 (tensor<16xf32>): {{.*}}: ok
// CHECK: gradient check: argument #3 (tensor<16x3xf32>): {{.*}}: ok
// CHECK: gradient check: argument #4 (tensor<3xf32>): {{.*}}: ok

func.func private @loss(%x: tensor<8x5xf32>, %w1: tensor<5x16xf32>, %b1: tensor<16xf32>,
                        %w2: tensor<16x3xf32>, %b2: tensor<3xf32>, %y: tensor<8x3xf32>) -> tensor<f32> {
  %h = tg.matmul %x, %w1 : (tensor<8x5xf32>, tensor<5x16xf32>) -> tensor<8x16xf32>
  %hb = tg.add %h, %b1 : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %a = tg.relu %hb : tensor<8x16xf32>
  %o = tg.matmul %a, %w2 : (tensor<8x16xf32>, tensor<16x3xf32>) -> tensor<8x3xf32>
  %ob = tg.add %o, %b2 : (tensor<8x3xf32>, tensor<3xf32>) -> tensor<8x3xf32>
  %lp = tg.log_softmax %ob [1] : tensor<8x3xf32>
  %yl = tg.mul %y, %lp : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<8x3xf32>
  %s = tg.reduce_sum %yl [1] : tensor<8x3xf32> -> tensor<8xf32>
  %m = tg.reduce_mean %s [0] : tensor<8xf32> -> tensor<f32>
  %l = tg.neg %m : tensor<f32>
  return %l : tensor<f32>
}

func.func @main(%x: tensor<8x5xf32>, %w1: tensor<5x16xf32>, %b1: tensor<16xf32>,
                %w2: tensor<16x3xf32>, %b2: tensor<3xf32>, %y: tensor<8x3xf32>)
    -> (tensor<f32>, tensor<5x16xf32>, tensor<16xf32>, tensor<16x3xf32>, tensor<3xf32>) {
  %l, %g1, %gb1, %g2, %gb2 = tg.grad @loss(%x, %w1, %b1, %w2, %b2, %y) wrt [1, 2, 3, 4]
      : (tensor<8x5xf32>, tensor<5x16xf32>, tensor<16xf32>, tensor<16x3xf32>, tensor<3xf32>, tensor<8x3xf32>)
      -> (tensor<f32>, tensor<5x16xf32>, tensor<16xf32>, tensor<16x3xf32>, tensor<3xf32>)
  return %l, %g1, %gb1, %g2, %gb2 : tensor<f32>, tensor<5x16xf32>, tensor<16xf32>, tensor<16x3xf32>, tensor<3xf32>
}
