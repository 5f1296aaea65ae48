// Reductions (keepdims and not, several axes, to rank 0), softmax and
// log-softmax (with inputs large enough to overflow a naive exp).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/x.npy "np.random.default_rng(1).standard_normal((3, 4, 5)).astype(np.float32)"
// RUN: tg-run %s -e reduce_f32 --input=%t/x.npy --output-dir=%t/r
// RUN: %npycheck check %t/r/result0.npy "x.sum(axis=1)" x=%t/x.npy
// RUN: %npycheck check %t/r/result1.npy "x.sum(axis=(0, 2), keepdims=True)" x=%t/x.npy
// RUN: %npycheck check %t/r/result2.npy "x.mean(axis=2)" x=%t/x.npy
// RUN: %npycheck check %t/r/result3.npy "x.mean(axis=(0, 1, 2))" x=%t/x.npy
// RUN: %npycheck check %t/r/result4.npy "x.max(axis=0, keepdims=True)" x=%t/x.npy
// RUN: %npycheck check %t/r/result5.npy "x.min(axis=(2, 1))" x=%t/x.npy
// RUN: %npycheck check %t/r/result6.npy "x.max(axis=(0, 1, 2), keepdims=True)" x=%t/x.npy
func.func @reduce_f32(%x: tensor<3x4x5xf32>)
    -> (tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<3x4xf32>, tensor<f32>, tensor<1x4x5xf32>, tensor<3xf32>, tensor<1x1x1xf32>) {
  %0 = tg.reduce_sum %x [1] : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %1 = tg.reduce_sum %x [0, 2] : tensor<3x4x5xf32> -> tensor<1x4x1xf32>
  %2 = tg.reduce_mean %x [2] : tensor<3x4x5xf32> -> tensor<3x4xf32>
  %3 = tg.reduce_mean %x [0, 1, 2] : tensor<3x4x5xf32> -> tensor<f32>
  %4 = tg.reduce_max %x [0] : tensor<3x4x5xf32> -> tensor<1x4x5xf32>
  %5 = tg.reduce_min %x [2, 1] : tensor<3x4x5xf32> -> tensor<3xf32>
  %6 = tg.reduce_max %x [0, 1, 2] : tensor<3x4x5xf32> -> tensor<1x1x1xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<3x4xf32>, tensor<f32>, tensor<1x4x5xf32>, tensor<3xf32>, tensor<1x1x1xf32>
}

// RUN: %npycheck gen %t/i.npy "np.array([[3, -1, 7], [0, 9, -4]], np.int64)"
// RUN: %npycheck gen %t/d.npy "np.random.default_rng(2).standard_normal((2, 6))"
// RUN: tg-run %s -e reduce_other --input=%t/i.npy --input=%t/d.npy --output-dir=%t/o
// RUN: %npycheck check %t/o/result0.npy "i.sum(axis=1)" i=%t/i.npy
// RUN: %npycheck check %t/o/result1.npy "i.max(axis=0)" i=%t/i.npy
// RUN: %npycheck check %t/o/result2.npy "i.min(axis=(0, 1), keepdims=True)" i=%t/i.npy
// RUN: %npycheck check %t/o/result3.npy "d.mean(axis=1, keepdims=True)" d=%t/d.npy --rtol 1e-12 --atol 1e-14
func.func @reduce_other(%i: tensor<2x3xi64>, %d: tensor<2x6xf64>)
    -> (tensor<2xi64>, tensor<3xi64>, tensor<1x1xi64>, tensor<2x1xf64>) {
  %0 = tg.reduce_sum %i [1] : tensor<2x3xi64> -> tensor<2xi64>
  %1 = tg.reduce_max %i [0] : tensor<2x3xi64> -> tensor<3xi64>
  %2 = tg.reduce_min %i [0, 1] : tensor<2x3xi64> -> tensor<1x1xi64>
  %3 = tg.reduce_mean %d [1] : tensor<2x6xf64> -> tensor<2x1xf64>
  return %0, %1, %2, %3 : tensor<2xi64>, tensor<3xi64>, tensor<1x1xi64>, tensor<2x1xf64>
}

// Inputs near 1000: exp(1000) overflows f32, so only a max-subtracted
// softmax gets these right.
// RUN: %npycheck gen %t/z.npy "(np.random.default_rng(3).standard_normal((4, 3)) * 5 + 1000).astype(np.float32)"
// RUN: tg-run %s -e softmaxes --input=%t/z.npy --output-dir=%t/sm
// RUN: %npycheck check %t/sm/result0.npy "softmax(z, 1)" z=%t/z.npy
// RUN: %npycheck check %t/sm/result1.npy "softmax(z, 0)" z=%t/z.npy
// RUN: %npycheck check %t/sm/result2.npy "np.log(softmax(z.astype(np.float64), 1)).astype(np.float32)" z=%t/z.npy --rtol 1e-5 --atol 1e-5
func.func @softmaxes(%z: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
  %0 = tg.softmax %z [1] : tensor<4x3xf32>
  %1 = tg.softmax %z [0] : tensor<4x3xf32>
  %2 = tg.log_softmax %z [1] : tensor<4x3xf32>
  return %0, %1, %2 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>
}
