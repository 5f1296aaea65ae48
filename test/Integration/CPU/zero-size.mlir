// Zero-size tensors end to end: softmax/log_softmax over an empty
// dimension (the row fusion has no rows to tile), concat with empty inputs,
// conv2d with an empty batch.
//
// RUN: rm -rf %t && split-file %s %t
// RUN: %npycheck gen %t/e04.npy "np.zeros((0, 4), np.float32)"
// RUN: %npycheck gen %t/e03.npy "np.zeros((0, 3), np.float32)"
// RUN: %npycheck gen %t/y23.npy "np.ones((2, 3), np.float32)"
// RUN: %npycheck gen %t/e0442.npy "np.zeros((0, 4, 4, 2), np.float32)"
// RUN: %npycheck gen %t/w.npy "np.ones((3, 3, 2, 5), np.float32)"

// Zero-size tensors: softmax and log_softmax over an empty dimension,
// concat with an empty input, conv2d with an empty batch.
// RUN: tg-run %t/zero.mlir -e softmax --input=%t/e04.npy --print | FileCheck %s --check-prefix=ZSOFTMAX
// ZSOFTMAX: tensor<0x4xf32>
// ZSOFTMAX-NEXT: []
// ZSOFTMAX-NEXT: tensor<4x0xf32>
// ZSOFTMAX-NEXT: {{\[\[}}], [], [], []]
// RUN: tg-run %t/zero.mlir -e concat --input=%t/e03.npy --input=%t/y23.npy --print | FileCheck %s --check-prefix=ZCONCAT
// ZCONCAT: tensor<2x3xf32>
// ZCONCAT-NEXT: {{\[\[}}1, 1, 1], [1, 1, 1]]
// ZCONCAT-NEXT: tensor<0x3xf32>
// ZCONCAT-NEXT: []
// RUN: tg-run %t/zero.mlir -e conv --input=%t/e0442.npy --input=%t/w.npy --print | FileCheck %s --check-prefix=ZCONV
// ZCONV: tensor<0x2x2x5xf32>
// ZCONV-NEXT: []
// ZCONV-NEXT: tensor<5xf32>
// ZCONV-NEXT: [0, 0, 0, 0, 0]

//--- zero.mlir
func.func @softmax(%x: tensor<0x4xf32>) -> (tensor<0x4xf32>, tensor<4x0xf32>) {
  %y = tg.softmax %x [1] : tensor<0x4xf32>
  %t = tg.transpose %x [1, 0] : tensor<0x4xf32> -> tensor<4x0xf32>
  %z = tg.log_softmax %t [1] : tensor<4x0xf32>
  return %y, %z : tensor<0x4xf32>, tensor<4x0xf32>
}
func.func @concat(%x: tensor<0x3xf32>, %y: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<0x3xf32>) {
  %r = tg.concat %x, %y [0] : (tensor<0x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %e = tg.concat %x, %x [0] : (tensor<0x3xf32>, tensor<0x3xf32>) -> tensor<0x3xf32>
  return %r, %e : tensor<2x3xf32>, tensor<0x3xf32>
}
func.func @conv(%x: tensor<0x4x4x2xf32>, %w: tensor<3x3x2x5xf32>) -> (tensor<0x2x2x5xf32>, tensor<5xf32>) {
  %r = tg.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<0x4x4x2xf32>, tensor<3x3x2x5xf32>) -> tensor<0x2x2x5xf32>
  %s = tg.reduce_sum %r [0, 1, 2] : tensor<0x2x2x5xf32> -> tensor<5xf32>
  return %r, %s : tensor<0x2x2x5xf32>, tensor<5xf32>
}
