// f16 and bf16 matmuls and convolutions sum their products in f32 and round
// once, as numpy and cuBLAS do: in f16 a sum of 3000 ones stopped at 2048
// (each +1 rounds away past 2048), and the CPU and GPU pipelines disagreed.
// Plain, batched and convolution forms, on the CPU and on the GPU kernels.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/a.npy "np.ones((2, 3000), np.float16)"
// RUN: %npycheck gen %t/b.npy "np.ones((3000, 3), np.float16)"
// RUN: %npycheck gen %t/ba.npy "np.ones((2, 2, 3000), np.float16)"
// RUN: %npycheck gen %t/x.npy "np.ones((1, 1, 3000, 1), np.float16)"
// RUN: %npycheck gen %t/w.npy "np.ones((1, 3000, 1, 2), np.float16)"
// RUN: %npycheck gen %t/r.npy "np.random.default_rng(1).uniform(0, 1, (8, 4000)).astype(np.float16)"
// RUN: %npycheck gen %t/s.npy "np.random.default_rng(2).uniform(0, 1, (4000, 5)).astype(np.float16)"
// RUN: tg-run %s --input=%t/a.npy --input=%t/b.npy --input=%t/ba.npy --input=%t/x.npy --input=%t/w.npy --input=%t/r.npy --input=%t/s.npy --output-dir=%t/cpu
// RUN: %gpu-run %s --input=%t/a.npy --input=%t/b.npy --input=%t/ba.npy --input=%t/x.npy --input=%t/w.npy --input=%t/r.npy --input=%t/s.npy --output-dir=%t/gpu
// RUN: %npycheck check %t/cpu/result0.npy "np.full((2, 3), 3000, np.float16)" --rtol 0 --atol 0
// RUN: %npycheck check %t/cpu/result1.npy "np.full((2, 2, 3), 3000, np.float16)" --rtol 0 --atol 0
// RUN: %npycheck check %t/cpu/result2.npy "np.full((1, 1, 1, 2), 3000, np.float16)" --rtol 0 --atol 0
// RUN: %npycheck check %t/cpu/result3.npy "(r.astype(np.float64) @ s.astype(np.float64)).astype(np.float16)" r=%t/r.npy s=%t/s.npy --rtol 1e-3 --atol 0
// RUN: %npycheck check %t/cpu/result4.npy "bf16(bf16(r.astype(np.float32)).astype(np.float64) @ bf16(s.astype(np.float32)).astype(np.float64))" r=%t/r.npy s=%t/s.npy --rtol 8e-3 --atol 0
// RUN: %npycheck check %t/gpu/result0.npy "np.full((2, 3), 3000, np.float16)" --rtol 0 --atol 0
// RUN: %npycheck check %t/gpu/result1.npy "np.full((2, 2, 3), 3000, np.float16)" --rtol 0 --atol 0
// RUN: %npycheck check %t/gpu/result2.npy "np.full((1, 1, 1, 2), 3000, np.float16)" --rtol 0 --atol 0
// RUN: %npycheck check %t/gpu/result3.npy "(r.astype(np.float64) @ s.astype(np.float64)).astype(np.float16)" r=%t/r.npy s=%t/s.npy --rtol 1e-3 --atol 0

func.func @main(%a: tensor<2x3000xf16>, %b: tensor<3000x3xf16>, %ba: tensor<2x2x3000xf16>,
                %x: tensor<1x1x3000x1xf16>, %w: tensor<1x3000x1x2xf16>,
                %r: tensor<8x4000xf16>, %s: tensor<4000x5xf16>)
    -> (tensor<2x3xf16>, tensor<2x2x3xf16>, tensor<1x1x1x2xf16>, tensor<8x5xf16>, tensor<8x5xf32>) {
  %m = tg.matmul %a, %b : (tensor<2x3000xf16>, tensor<3000x3xf16>) -> tensor<2x3xf16>
  %bm = tg.matmul %ba, %b : (tensor<2x2x3000xf16>, tensor<3000x3xf16>) -> tensor<2x2x3xf16>
  %c = tg.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<1x1x3000x1xf16>, tensor<1x3000x1x2xf16>) -> tensor<1x1x1x2xf16>
  %rs = tg.matmul %r, %s : (tensor<8x4000xf16>, tensor<4000x5xf16>) -> tensor<8x5xf16>
  %rb = tg.cast %r : tensor<8x4000xf16> to tensor<8x4000xbf16>
  %sb = tg.cast %s : tensor<4000x5xf16> to tensor<4000x5xbf16>
  %bs = tg.matmul %rb, %sb : (tensor<8x4000xbf16>, tensor<4000x5xbf16>) -> tensor<8x5xbf16>
  %bf = tg.cast %bs : tensor<8x5xbf16> to tensor<8x5xf32>
  return %m, %bm, %c, %rs, %bf : tensor<2x3xf16>, tensor<2x2x3xf16>, tensor<1x1x1x2xf16>, tensor<8x5xf16>, tensor<8x5xf32>
}
