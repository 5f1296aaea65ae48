// The GPU pipeline's own kernels at shapes that leave partial tiles and
// partial blocks, compared with numpy: the shared-memory matmul (plain,
// batched with B broadcast, through transposed operands, f64, f16, with its
// fill, transpose and bias-relu consumer taken over, both tile sizes, a
// convolution as an implicit GEMM), and the block reductions (rows with a
// fused producer, short rows, integer rows, a mean and a maximum of 37000
// elements split over 9 blocks that combine atomically, and a column sum,
// one thread per output), and empty tensors. Runs on the GPU where there is
// one, on the CPU emulation of the kernels elsewhere (%gpu-run, see
// lit.cfg.py).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/a.npy "np.random.default_rng(1).standard_normal((200, 70)).astype(np.float32)"
// RUN: %npycheck gen %t/b.npy "np.random.default_rng(2).standard_normal((70, 300)).astype(np.float32)"
// RUN: %npycheck gen %t/ba.npy "np.random.default_rng(3).standard_normal((3, 33, 20)).astype(np.float32)"
// RUN: %npycheck gen %t/bb.npy "np.random.default_rng(4).standard_normal((20, 17)).astype(np.float32)"
// RUN: %npycheck gen %t/da.npy "np.random.default_rng(5).standard_normal((9, 130))"
// RUN: %gpu-run %s -e matmuls --input=%t/a.npy --input=%t/b.npy --input=%t/ba.npy --input=%t/bb.npy --input=%t/da.npy --output-dir=%t/mm
// RUN: %npycheck check %t/mm/result0.npy "a @ b" a=%t/a.npy b=%t/b.npy --rtol 1e-4 --atol 1e-4
// RUN: %npycheck check %t/mm/result1.npy "ba @ bb" ba=%t/ba.npy bb=%t/bb.npy --rtol 1e-4 --atol 1e-4
// RUN: %npycheck check %t/mm/result2.npy "b.T @ a.T" a=%t/a.npy b=%t/b.npy --rtol 1e-4 --atol 1e-4
// RUN: %npycheck check %t/mm/result3.npy "da @ da.T" da=%t/da.npy
// RUN: %npycheck check %t/mm/result4.npy "-ba @ ba.transpose(0, 2, 1)" ba=%t/ba.npy --rtol 1e-4 --atol 1e-4
// RUN: %npycheck gen %t/ha.npy "np.random.default_rng(10).standard_normal((40, 300)).astype(np.float16)"
// RUN: %npycheck gen %t/hb.npy "np.random.default_rng(11).standard_normal((300, 24)).astype(np.float16)"
// RUN: %gpu-run %s -e half --input=%t/ha.npy --input=%t/hb.npy --output-dir=%t/half
// RUN: %npycheck check %t/half/result0.npy "(ha.astype(np.float32) @ hb.astype(np.float32)).astype(np.float16)" ha=%t/ha.npy hb=%t/hb.npy --rtol 2e-3 --atol 2e-3
//
// A grid big enough (33 x 2 x 2 blocks) to keep the 128x128 tiles, with
// partial tiles; the products above are small enough for 32x32 tiles.
// RUN: %npycheck gen %t/ga.npy "np.random.default_rng(12).standard_normal((33, 129, 16)).astype(np.float32)"
// RUN: %npycheck gen %t/gb.npy "np.random.default_rng(13).standard_normal((33, 16, 129)).astype(np.float32)"
// RUN: %gpu-run %s -e tiles --input=%t/ga.npy --input=%t/gb.npy --output-dir=%t/tiles
// RUN: %npycheck check %t/tiles/result0.npy "ga @ gb" ga=%t/ga.npy gb=%t/gb.npy --rtol 1e-4 --atol 1e-4
//
// A strided, dilated, padded convolution as an implicit GEMM in the matmul
// kernel (M = images x output pixels, N = filters, K = filter taps x input
// channels; the input read through the convolution's map).
// RUN: %npycheck gen %t/img.npy "np.random.default_rng(14).standard_normal((2, 9, 8, 3)).astype(np.float32)"
// RUN: %npycheck gen %t/filt.npy "np.random.default_rng(15).standard_normal((3, 2, 3, 5)).astype(np.float32)"
// RUN: %gpu-run %s -e conv --input=%t/img.npy --input=%t/filt.npy --output-dir=%t/conv
// RUN: %npycheck check %t/conv/result0.npy "conv2d(x, w, (2, 2), (1, 0, 1, 0), (1, 2))" x=%t/img.npy w=%t/filt.npy --rtol 1e-5 --atol 1e-5
//
// The gradients of a strided convolution (the CPU's are checked against
// finite differences in CPU/gradients.mlir), on the GPU kernels.
// RUN: %npycheck gen %t/gimg.npy "np.random.default_rng(90).standard_normal((2, 7, 6, 3)).astype(np.float32)"
// RUN: %npycheck gen %t/gfilt.npy "np.random.default_rng(91).standard_normal((3, 2, 3, 4)).astype(np.float32)"
// RUN: %npycheck gen %t/gw.npy "np.random.default_rng(93).standard_normal((2, 4, 5, 4)).astype(np.float32)"
// RUN: tg-run %S/../CPU/gradients.mlir -e check_conv2d_strided --input=%t/gimg.npy --input=%t/gfilt.npy --input=%t/gw.npy --output-dir=%t/gcpu
// RUN: %gpu-run %S/../CPU/gradients.mlir -e check_conv2d_strided --input=%t/gimg.npy --input=%t/gfilt.npy --input=%t/gw.npy --output-dir=%t/ggpu
// RUN: %npycheck check %t/ggpu/result0.npy "cpu" cpu=%t/gcpu/result0.npy --rtol 1e-4 --atol 1e-4
// RUN: %npycheck check %t/ggpu/result1.npy "cpu" cpu=%t/gcpu/result1.npy --rtol 1e-4 --atol 1e-4
// RUN: %npycheck check %t/ggpu/result2.npy "cpu" cpu=%t/gcpu/result2.npy --rtol 1e-4 --atol 1e-4
//
// Empty tensors: the grids are empty (the runtime skips such launches; the
// driver would reject them).
// RUN: %npycheck gen %t/z.npy "np.zeros((0, 3), np.float32)"
// RUN: %npycheck gen %t/zb.npy "np.ones((3, 4), np.float32)"
// RUN: %gpu-run %s -e empty --input=%t/z.npy --input=%t/zb.npy --output-dir=%t/empty
// RUN: %npycheck check %t/empty/result0.npy "z @ zb" z=%t/z.npy zb=%t/zb.npy
// RUN: %npycheck check %t/empty/result1.npy "(z @ zb).sum(1)" z=%t/z.npy zb=%t/zb.npy
//
// A dense layer whose kernel takes over the zero fill, the transpose of its
// input and the bias-add-relu consumer; the product is also returned, so
// that one matmul keeps its result and its consumer separate.
// RUN: %npycheck gen %t/bias.npy "np.random.default_rng(9).standard_normal(300).astype(np.float32)"
// RUN: %gpu-run %s -e dense --input=%t/a.npy --input=%t/b.npy --input=%t/bias.npy --output-dir=%t/dense
// RUN: %npycheck check %t/dense/result0.npy "np.maximum(a @ b + bias, 0)" a=%t/a.npy b=%t/b.npy bias=%t/bias.npy --rtol 1e-4 --atol 1e-4
// RUN: %npycheck check %t/dense/result1.npy "np.tanh(b.T @ a.T)" a=%t/a.npy b=%t/b.npy --rtol 1e-4 --atol 1e-4
// RUN: %npycheck check %t/dense/result2.npy "b.T @ a.T" a=%t/a.npy b=%t/b.npy --rtol 1e-4 --atol 1e-4
//
// RUN: %npycheck gen %t/x.npy "np.random.default_rng(6).standard_normal((37, 1000)).astype(np.float32)"
// RUN: %npycheck gen %t/s.npy "np.random.default_rng(7).standard_normal((300, 10)).astype(np.float32)"
// RUN: %npycheck gen %t/i.npy "np.random.default_rng(8).integers(-50, 50, (5, 300)).astype(np.int32)"
// RUN: %gpu-run %s -e reductions --input=%t/x.npy --input=%t/s.npy --input=%t/i.npy --output-dir=%t/red
// RUN: %npycheck check %t/red/result0.npy "np.exp(x).sum(1)" x=%t/x.npy --rtol 1e-5
// RUN: %npycheck check %t/red/result1.npy "s.max(1)" s=%t/s.npy
// RUN: %npycheck check %t/red/result2.npy "x.mean()" x=%t/x.npy --rtol 1e-4 --atol 1e-6
// RUN: %npycheck check %t/red/result3.npy "i.sum(1, dtype=np.int32)" i=%t/i.npy
// RUN: %npycheck check %t/red/result4.npy "x.sum(0)" x=%t/x.npy --rtol 1e-4 --atol 1e-4
// RUN: %npycheck check %t/red/result6.npy "x.max()" x=%t/x.npy
// RUN: %npycheck check %t/red/result5.npy "np.exp(s - s.max(1, keepdims=True)) / np.exp(s - s.max(1, keepdims=True)).sum(1, keepdims=True)" s=%t/s.npy

func.func @matmuls(%a: tensor<200x70xf32>, %b: tensor<70x300xf32>,
                   %ba: tensor<3x33x20xf32>, %bb: tensor<20x17xf32>,
                   %da: tensor<9x130xf64>)
    -> (tensor<200x300xf32>, tensor<3x33x17xf32>, tensor<300x200xf32>, tensor<9x9xf64>, tensor<3x33x33xf32>) {
  %0 = tg.matmul %a, %b : (tensor<200x70xf32>, tensor<70x300xf32>) -> tensor<200x300xf32>
  %1 = tg.matmul %ba, %bb : (tensor<3x33x20xf32>, tensor<20x17xf32>) -> tensor<3x33x17xf32>
  %at = tg.transpose %a [1, 0] : tensor<200x70xf32> -> tensor<70x200xf32>
  %bt = tg.transpose %b [1, 0] : tensor<70x300xf32> -> tensor<300x70xf32>
  %2 = tg.matmul %bt, %at : (tensor<300x70xf32>, tensor<70x200xf32>) -> tensor<300x200xf32>
  %dt = tg.transpose %da [1, 0] : tensor<9x130xf64> -> tensor<130x9xf64>
  %3 = tg.matmul %da, %dt : (tensor<9x130xf64>, tensor<130x9xf64>) -> tensor<9x9xf64>
  // A negation that elementwise fusion puts inside a batched contraction.
  %nba = tg.neg %ba : tensor<3x33x20xf32>
  %bat = tg.transpose %ba [0, 2, 1] : tensor<3x33x20xf32> -> tensor<3x20x33xf32>
  %4 = tg.matmul %nba, %bat : (tensor<3x33x20xf32>, tensor<3x20x33xf32>) -> tensor<3x33x33xf32>
  return %0, %1, %2, %3, %4 : tensor<200x300xf32>, tensor<3x33x17xf32>, tensor<300x200xf32>, tensor<9x9xf64>, tensor<3x33x33xf32>
}

// f16 operands, accumulated in f32 (with an f16 accumulator, this result
// was off by up to 0.22).
func.func @half(%a: tensor<40x300xf16>, %b: tensor<300x24xf16>) -> tensor<40x24xf16> {
  %0 = tg.matmul %a, %b : (tensor<40x300xf16>, tensor<300x24xf16>) -> tensor<40x24xf16>
  return %0 : tensor<40x24xf16>
}

func.func @tiles(%a: tensor<33x129x16xf32>, %b: tensor<33x16x129xf32>) -> tensor<33x129x129xf32> {
  %0 = tg.matmul %a, %b : (tensor<33x129x16xf32>, tensor<33x16x129xf32>) -> tensor<33x129x129xf32>
  return %0 : tensor<33x129x129xf32>
}

func.func @conv(%x: tensor<2x9x8x3xf32>, %k: tensor<3x2x3x5xf32>) -> tensor<2x4x4x5xf32> {
  %r = tg.conv2d %x, %k strides [2, 2] padding [1, 0, 1, 0] dilations [1, 2] : (tensor<2x9x8x3xf32>, tensor<3x2x3x5xf32>) -> tensor<2x4x4x5xf32>
  return %r : tensor<2x4x4x5xf32>
}

func.func @empty(%a: tensor<0x3xf32>, %b: tensor<3x4xf32>) -> (tensor<0x4xf32>, tensor<0xf32>) {
  %m = tg.matmul %a, %b : (tensor<0x3xf32>, tensor<3x4xf32>) -> tensor<0x4xf32>
  %r = tg.reduce_sum %m [1] : tensor<0x4xf32> -> tensor<0xf32>
  return %m, %r : tensor<0x4xf32>, tensor<0xf32>
}

func.func @dense(%a: tensor<200x70xf32>, %b: tensor<70x300xf32>, %bias: tensor<300xf32>)
    -> (tensor<200x300xf32>, tensor<300x200xf32>, tensor<300x200xf32>) {
  %at = tg.transpose %a [1, 0] : tensor<200x70xf32> -> tensor<70x200xf32>
  %att = tg.transpose %at [1, 0] : tensor<70x200xf32> -> tensor<200x70xf32>
  %m = tg.matmul %att, %b : (tensor<200x70xf32>, tensor<70x300xf32>) -> tensor<200x300xf32>
  %s = tg.add %m, %bias : (tensor<200x300xf32>, tensor<300xf32>) -> tensor<200x300xf32>
  %r = tg.relu %s : tensor<200x300xf32>
  %bt = tg.transpose %b [1, 0] : tensor<70x300xf32> -> tensor<300x70xf32>
  %p = tg.matmul %bt, %at : (tensor<300x70xf32>, tensor<70x200xf32>) -> tensor<300x200xf32>
  %th = tg.tanh %p : tensor<300x200xf32>
  return %r, %th, %p : tensor<200x300xf32>, tensor<300x200xf32>, tensor<300x200xf32>
}

func.func @reductions(%x: tensor<37x1000xf32>, %s: tensor<300x10xf32>, %i: tensor<5x300xi32>)
    -> (tensor<37xf32>, tensor<300xf32>, tensor<f32>, tensor<5xi32>, tensor<1000xf32>, tensor<300x10xf32>, tensor<f32>) {
  %e = tg.exp %x : tensor<37x1000xf32>
  %0 = tg.reduce_sum %e [1] : tensor<37x1000xf32> -> tensor<37xf32>
  %1 = tg.reduce_max %s [1] : tensor<300x10xf32> -> tensor<300xf32>
  %2 = tg.reduce_mean %x [0, 1] : tensor<37x1000xf32> -> tensor<f32>
  %3 = tg.reduce_sum %i [1] : tensor<5x300xi32> -> tensor<5xi32>
  %4 = tg.reduce_sum %x [0] : tensor<37x1000xf32> -> tensor<1000xf32>
  %5 = tg.softmax %s [1] : tensor<300x10xf32>
  %6 = tg.reduce_max %x [0, 1] : tensor<37x1000xf32> -> tensor<f32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<37xf32>, tensor<300xf32>, tensor<f32>, tensor<5xi32>, tensor<1000xf32>, tensor<300x10xf32>, tensor<f32>
}
