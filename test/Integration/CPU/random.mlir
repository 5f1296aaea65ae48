// tg.random_uniform is Philox 4x32-10: bit-exact against a Python reference
// (itself checked against Random123's known-answer vectors), the same on 1
// and 2 threads and on the GPU kernels (the CPU emulation without a GPU),
// for f32, f64 and f16 results, vectorized and scalar tails, with keys whose
// words use all 64 bits.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/k0.npy "np.array([0, 0], np.int64)"
// RUN: %npycheck gen %t/k1.npy "np.array([-6148914691236517206, 1311768467463790320], np.int64)"
// RUN: tg-run %s --input=%t/k0.npy --output-dir=%t/a
// RUN: %npycheck check %t/a/result0.npy "philox_uniform(k, (3, 5), np.float64)" k=%t/k0.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/a/result1.npy "philox_uniform(k, (7, 33), np.float32)" k=%t/k0.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/a/result2.npy "philox_uniform(k, (19,), np.float16)" k=%t/k0.npy --rtol 0 --atol 0
// RUN: tg-run %s --input=%t/k1.npy --output-dir=%t/b --threads=2
// RUN: %npycheck check %t/b/result0.npy "philox_uniform(k, (3, 5), np.float64)" k=%t/k1.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/b/result1.npy "philox_uniform(k, (7, 33), np.float32)" k=%t/k1.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/b/result2.npy "philox_uniform(k, (19,), np.float16)" k=%t/k1.npy --rtol 0 --atol 0
// RUN: %gpu-run %s --input=%t/k1.npy --output-dir=%t/g
// RUN: %npycheck check %t/g/result0.npy "philox_uniform(k, (3, 5), np.float64)" k=%t/k1.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/g/result1.npy "philox_uniform(k, (7, 33), np.float32)" k=%t/k1.npy --rtol 0 --atol 0
//
// A large draw, split over threads: the same numbers on 1 and 2 threads,
// all in [0, 1), with the moments of a uniform distribution.
// RUN: tg-run %s -e large --input=%t/k1.npy --output-dir=%t/l1
// RUN: tg-run %s -e large --input=%t/k1.npy --output-dir=%t/l2 --threads=2
// RUN: %npycheck check %t/l2/result0.npy "l" l=%t/l1/result0.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/l1/result1.npy "np.array([True, True, True, True])" --rtol 0 --atol 0

func.func @main(%k: tensor<2xi64>) -> (tensor<3x5xf64>, tensor<7x33xf32>, tensor<19xf16>) {
  %a = tg.random_uniform %k : tensor<2xi64> -> tensor<3x5xf64>
  %b = tg.random_uniform %k : tensor<2xi64> -> tensor<7x33xf32>
  %c = tg.random_uniform %k : tensor<2xi64> -> tensor<19xf16>
  return %a, %b, %c : tensor<3x5xf64>, tensor<7x33xf32>, tensor<19xf16>
}

func.func @large(%k: tensor<2xi64>) -> (tensor<512x1024xf32>, tensor<4xi1>) {
  %u = tg.random_uniform %k : tensor<2xi64> -> tensor<512x1024xf32>
  %zero = tg.constant dense<0.0> : tensor<f32>
  %one = tg.constant dense<1.0> : tensor<f32>
  %min = tg.reduce_min %u [0, 1] : tensor<512x1024xf32> -> tensor<f32>
  %max = tg.reduce_max %u [0, 1] : tensor<512x1024xf32> -> tensor<f32>
  %mean = tg.reduce_mean %u [0, 1] : tensor<512x1024xf32> -> tensor<f32>
  %half = tg.constant dense<0.5> : tensor<f32>
  %d = tg.sub %u, %half : (tensor<512x1024xf32>, tensor<f32>) -> tensor<512x1024xf32>
  %d2 = tg.mul %d, %d : (tensor<512x1024xf32>, tensor<512x1024xf32>) -> tensor<512x1024xf32>
  %var = tg.reduce_mean %d2 [0, 1] : tensor<512x1024xf32> -> tensor<f32>
  %c0 = tg.cmp ge, %min, %zero : (tensor<f32>, tensor<f32>) -> tensor<i1>
  %c1 = tg.cmp lt, %max, %one : (tensor<f32>, tensor<f32>) -> tensor<i1>
  // |mean - 1/2| < 0.002 (about 7 standard errors) and |var - 1/12| < 0.001.
  %em = tg.sub %mean, %half : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %am = tg.abs %em : tensor<f32>
  %tm = tg.constant dense<0.002> : tensor<f32>
  %c2 = tg.cmp lt, %am, %tm : (tensor<f32>, tensor<f32>) -> tensor<i1>
  %twelfth = tg.constant dense<0.0833333358> : tensor<f32>
  %ev = tg.sub %var, %twelfth : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %av = tg.abs %ev : tensor<f32>
  %tv = tg.constant dense<0.001> : tensor<f32>
  %c3 = tg.cmp lt, %av, %tv : (tensor<f32>, tensor<f32>) -> tensor<i1>
  %r0 = tg.reshape %c0 : tensor<i1> -> tensor<1xi1>
  %r1 = tg.reshape %c1 : tensor<i1> -> tensor<1xi1>
  %r2 = tg.reshape %c2 : tensor<i1> -> tensor<1xi1>
  %r3 = tg.reshape %c3 : tensor<i1> -> tensor<1xi1>
  %all = tg.concat %r0, %r1, %r2, %r3 [0] : (tensor<1xi1>, tensor<1xi1>, tensor<1xi1>, tensor<1xi1>) -> tensor<4xi1>
  return %u, %all : tensor<512x1024xf32>, tensor<4xi1>
}
