// The loss of a 2-layer MLP classifier (mean softmax cross-entropy) and its
// gradients with respect to every weight, in one compiled graph: tg.grad
// differentiates @loss, -tg-optimize cleans the reverse sweep, and the CPU
// pipeline fuses and compiles forward and backward together.
func.func private @loss(%x: tensor<4x3xf32>, %w1: tensor<3x8xf32>, %b1: tensor<8xf32>,
                        %w2: tensor<8x2xf32>, %b2: tensor<2xf32>, %y: tensor<4x2xf32>) -> tensor<f32> {
  %h = tg.matmul %x, %w1 : (tensor<4x3xf32>, tensor<3x8xf32>) -> tensor<4x8xf32>
  %hb = tg.add %h, %b1 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %a = tg.relu %hb : tensor<4x8xf32>
  %o = tg.matmul %a, %w2 : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  %ob = tg.add %o, %b2 : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %lp = tg.log_softmax %ob [1] : tensor<4x2xf32>
  %yl = tg.mul %y, %lp : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %s = tg.reduce_sum %yl [1] : tensor<4x2xf32> -> tensor<4xf32>
  %m = tg.reduce_mean %s [0] : tensor<4xf32> -> tensor<f32>
  %l = tg.neg %m : tensor<f32>
  return %l : tensor<f32>
}

func.func @main(%x: tensor<4x3xf32>, %w1: tensor<3x8xf32>, %b1: tensor<8xf32>,
                %w2: tensor<8x2xf32>, %b2: tensor<2xf32>, %y: tensor<4x2xf32>)
    -> (tensor<f32>, tensor<3x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<2xf32>) {
  %l, %g1, %gb1, %g2, %gb2 = tg.grad @loss(%x, %w1, %b1, %w2, %b2, %y) wrt [1, 2, 3, 4]
      : (tensor<4x3xf32>, tensor<3x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<2xf32>, tensor<4x2xf32>)
      -> (tensor<f32>, tensor<3x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<2xf32>)
  return %l, %g1, %gb1, %g2, %gb2 : tensor<f32>, tensor<3x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<2xf32>
}
