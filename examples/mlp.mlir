// A 2-layer MLP forward pass with a mean-squared-error loss, written as a
// user would: with redundant work (a double transpose, a multiply by one, a
// duplicated bias add, a dead activation, a constant expression) that
// -tg-optimize removes.
func.func private @unused_helper(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  return %x : tensor<4x8xf32>
}

func.func @main(%x: tensor<4x3xf32>, %w1: tensor<3x8xf32>, %b1: tensor<8xf32>,
                %w2: tensor<8x2xf32>, %y: tensor<4x2xf32>) -> tensor<f32> {
  %one = tg.constant dense<1.0> : tensor<f32>
  %half = tg.constant dense<0.5> : tensor<f32>
  %two = tg.constant dense<2.0> : tensor<f32>
  // 0.5 * 2.0 folds to 1.0, and the multiply by it goes.
  %scale = tg.mul %half, %two : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %w1t = tg.transpose %w1 [1, 0] : tensor<3x8xf32> -> tensor<8x3xf32>
  %w1tt = tg.transpose %w1t [1, 0] : tensor<8x3xf32> -> tensor<3x8xf32>
  %h = tg.matmul %x, %w1tt : (tensor<4x3xf32>, tensor<3x8xf32>) -> tensor<4x8xf32>
  %hb = tg.add %h, %b1 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %hb2 = tg.add %h, %b1 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %dead = tg.sigmoid %hb2 : tensor<4x8xf32>
  %a = tg.relu %hb : tensor<4x8xf32>
  %a1 = tg.mul %a, %one : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %o = tg.matmul %a1, %w2 : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  %os = tg.mul %o, %scale : (tensor<4x2xf32>, tensor<f32>) -> tensor<4x2xf32>
  %d = tg.sub %os, %y : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %sq = tg.mul %d, %d : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %loss = tg.reduce_mean %sq [0, 1] : tensor<4x2xf32> -> tensor<f32>
  return %loss : tensor<f32>
}
