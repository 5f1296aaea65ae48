// A 2-layer MLP classifier: probabilities = softmax(relu(x W1 + b1) W2 + b2).
// Run it with scripts/demo.sh, or:
//   tg-run examples/mlp_forward.mlir --input=x.npy --input=w1.npy \
//     --input=b1.npy --input=w2.npy --input=b2.npy --print
func.func @main(%x: tensor<4x3xf32>, %w1: tensor<3x8xf32>, %b1: tensor<8xf32>,
                %w2: tensor<8x2xf32>, %b2: tensor<2xf32>) -> tensor<4x2xf32> {
  %h = tg.matmul %x, %w1 : (tensor<4x3xf32>, tensor<3x8xf32>) -> tensor<4x8xf32>
  %hb = tg.add %h, %b1 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %a = tg.relu %hb : tensor<4x8xf32>
  %o = tg.matmul %a, %w2 : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  %ob = tg.add %o, %b2 : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %p = tg.softmax %ob [1] : tensor<4x2xf32>
  return %p : tensor<4x2xf32>
}
