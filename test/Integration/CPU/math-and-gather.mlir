// tg.floor/ceil/round/sign/erf/log1p/expm1 and tg.gather: values against
// numpy (f32, f64 and f16, vectorized and scalar tails), gradients against
// central finite differences in f64 (tg-run --check-grad), the same programs
// on the GPU kernels (the CPU emulation without a GPU), and their PTX
// through ptxas (test/Pipelines/gpu-ptxas.mlir).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/x.npy "np.concatenate([np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0.0, 0.0, np.nan, np.inf, -np.inf, 1e-8, -1e-8, 3.0, 16777215.0, -7.49]), np.random.default_rng(1).uniform(-6, 6, 45)]).astype(np.float32)"
// RUN: %npycheck gen %t/p.npy "np.concatenate([np.array([-0.999, -0.5, -1e-7, 0.0, 1e-9, 1e-4, 30.0, 85.0]), np.random.default_rng(2).uniform(-0.9, 20, 53)]).astype(np.float32)"
// RUN: tg-run %s -e unary_f32 --input=%t/x.npy --input=%t/p.npy --output-dir=%t/u32
// RUN: %npycheck check %t/u32/result0.npy "np.floor(x)" x=%t/x.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/u32/result1.npy "np.ceil(x)" x=%t/x.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/u32/result2.npy "np.round(x)" x=%t/x.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/u32/result3.npy "np.sign(x)" x=%t/x.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/u32/result4.npy "erf(x).astype(np.float32)" x=%t/x.npy --rtol 1e-6 --atol 1e-7
// RUN: %npycheck check %t/u32/result5.npy "np.log1p(p.astype(np.float64)).astype(np.float32)" p=%t/p.npy --rtol 1e-6 --atol 0
// RUN: %npycheck check %t/u32/result6.npy "np.expm1(p.astype(np.float64)).astype(np.float32)" p=%t/p.npy --rtol 1e-6 --atol 0
// RUN: %gpu-run %s -e unary_f32 --input=%t/x.npy --input=%t/p.npy --output-dir=%t/g32
// RUN: %npycheck check %t/g32/result0.npy "np.floor(x)" x=%t/x.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/g32/result2.npy "np.round(x)" x=%t/x.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/g32/result3.npy "np.sign(x)" x=%t/x.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/g32/result4.npy "erf(x).astype(np.float32)" x=%t/x.npy --rtol 1e-6 --atol 1e-7
// RUN: %npycheck check %t/g32/result6.npy "np.expm1(p.astype(np.float64)).astype(np.float32)" p=%t/p.npy --rtol 1e-6 --atol 0
//
// f64 keeps libm (correctly rounded or nearly); f16 computes in f32 and
// rounds once.
// RUN: %npycheck gen %t/x64.npy "np.random.default_rng(3).uniform(-3, 3, 37)"
// RUN: %npycheck gen %t/x16.npy "np.random.default_rng(4).uniform(-3, 3, 37).astype(np.float16)"
// RUN: tg-run %s -e unary_f64_f16 --input=%t/x64.npy --input=%t/x16.npy --output-dir=%t/u64
// RUN: %npycheck check %t/u64/result0.npy "erf(x)" x=%t/x64.npy --rtol 1e-14 --atol 1e-15
// RUN: %npycheck check %t/u64/result1.npy "np.log1p(np.abs(x))" x=%t/x64.npy --rtol 1e-14 --atol 0
// RUN: %npycheck check %t/u64/result2.npy "np.round(x)" x=%t/x64.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/u64/result3.npy "erf(x).astype(np.float16)" x=%t/x16.npy --rtol 1e-3 --atol 1e-3
// RUN: %npycheck check %t/u64/result4.npy "np.sign(x)" x=%t/x16.npy --rtol 0 --atol 0
//
// Gather along each axis, with repeated, negative and out-of-range indices
// (zeros), i32 and i64 indices, rank-0 and rank-2 index tensors.
// RUN: %npycheck gen %t/t.npy "np.random.default_rng(5).standard_normal((5, 4, 3)).astype(np.float32)"
// RUN: %npycheck gen %t/i.npy "np.array([[0, -1], [4, 4], [2, -5]], np.int64)"
// RUN: %npycheck gen %t/j.npy "np.array([3, 0, -4, 4, -5, 1], np.int32)"
// RUN: %npycheck gen %t/k.npy "np.array(2, np.int64)"
// RUN: tg-run %s -e gathers --input=%t/t.npy --input=%t/i.npy --input=%t/j.npy --input=%t/k.npy --output-dir=%t/ga
// RUN: %npycheck check %t/ga/result0.npy "np.take(t, i, axis=0)" t=%t/t.npy i=%t/i.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/ga/result1.npy "np.where((j >= -4) & (j < 4), np.take(t, np.clip(j, -4, 3), axis=1).transpose(2, 0, 1), 0).transpose(1, 2, 0)" t=%t/t.npy j=%t/j.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/ga/result2.npy "np.take(t, k, axis=2)" t=%t/t.npy k=%t/k.npy --rtol 0 --atol 0
// RUN: %gpu-run %s -e gathers --input=%t/t.npy --input=%t/i.npy --input=%t/j.npy --input=%t/k.npy --output-dir=%t/gg
// RUN: %npycheck check %t/gg/result0.npy "np.take(t, i, axis=0)" t=%t/t.npy i=%t/i.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/gg/result2.npy "np.take(t, k, axis=2)" t=%t/t.npy k=%t/k.npy --rtol 0 --atol 0
//
// Gradients: erf, log1p, expm1 against finite differences; floor/round/
// sign have none (zero); gather scatter-adds, repeated indices accumulate
// and out-of-range ones add nothing.
// RUN: %npycheck gen %t/g.npy "np.random.default_rng(6).uniform(-1.5, 1.5, (3, 4)).astype(np.float32)"
// RUN: %npycheck gen %t/w.npy "np.random.default_rng(7).standard_normal((3, 4)).astype(np.float32)"
// RUN: tg-run %s -e check_math --input=%t/g.npy --input=%t/w.npy --check-grad | FileCheck %s --check-prefix=MATH
// MATH: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_gather --input=%t/t.npy --input=%t/i.npy --input=%t/j.npy --check-grad | FileCheck %s --check-prefix=GATHER
// GATHER: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e check_gather_grad_values --input=%t/t.npy --input=%t/i.npy --output-dir=%t/gv
// RUN: %npycheck check %t/gv/result1.npy "np.bincount(i.ravel() % 5, minlength=5).astype(np.float32)[:, None, None] * np.ones((5, 4, 3), np.float32)" i=%t/i.npy --rtol 0 --atol 0

func.func @unary_f32(%x: tensor<61xf32>, %p: tensor<61xf32>) -> (tensor<61xf32>, tensor<61xf32>, tensor<61xf32>, tensor<61xf32>, tensor<61xf32>, tensor<61xf32>, tensor<61xf32>) {
  %0 = tg.floor %x : tensor<61xf32>
  %1 = tg.ceil %x : tensor<61xf32>
  %2 = tg.round %x : tensor<61xf32>
  %3 = tg.sign %x : tensor<61xf32>
  %4 = tg.erf %x : tensor<61xf32>
  %5 = tg.log1p %p : tensor<61xf32>
  %6 = tg.expm1 %p : tensor<61xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<61xf32>, tensor<61xf32>, tensor<61xf32>, tensor<61xf32>, tensor<61xf32>, tensor<61xf32>, tensor<61xf32>
}

func.func @unary_f64_f16(%x: tensor<37xf64>, %h: tensor<37xf16>) -> (tensor<37xf64>, tensor<37xf64>, tensor<37xf64>, tensor<37xf16>, tensor<37xf16>) {
  %0 = tg.erf %x : tensor<37xf64>
  %a = tg.abs %x : tensor<37xf64>
  %1 = tg.log1p %a : tensor<37xf64>
  %2 = tg.round %x : tensor<37xf64>
  %3 = tg.erf %h : tensor<37xf16>
  %4 = tg.sign %h : tensor<37xf16>
  return %0, %1, %2, %3, %4 : tensor<37xf64>, tensor<37xf64>, tensor<37xf64>, tensor<37xf16>, tensor<37xf16>
}

func.func @gathers(%t: tensor<5x4x3xf32>, %i: tensor<3x2xi64>, %j: tensor<6xi32>, %k: tensor<i64>) -> (tensor<3x2x4x3xf32>, tensor<5x6x3xf32>, tensor<5x4xf32>) {
  %0 = tg.gather %t, %i [0] : (tensor<5x4x3xf32>, tensor<3x2xi64>) -> tensor<3x2x4x3xf32>
  %1 = tg.gather %t, %j [1] : (tensor<5x4x3xf32>, tensor<6xi32>) -> tensor<5x6x3xf32>
  %2 = tg.gather %t, %k [2] : (tensor<5x4x3xf32>, tensor<i64>) -> tensor<5x4xf32>
  return %0, %1, %2 : tensor<3x2x4x3xf32>, tensor<5x6x3xf32>, tensor<5x4xf32>
}

func.func private @math(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %e = tg.erf %x : tensor<3x4xf32>
  %l = tg.log1p %e : tensor<3x4xf32>
  %m = tg.expm1 %l : tensor<3x4xf32>
  %f = tg.floor %x : tensor<3x4xf32>
  %r = tg.round %x : tensor<3x4xf32>
  %s = tg.sign %x : tensor<3x4xf32>
  %c = tg.ceil %x : tensor<3x4xf32>
  %a = tg.add %m, %f : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %b = tg.add %a, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %d = tg.add %b, %s : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %g = tg.add %d, %c : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %h = tg.mul %g, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %o = tg.reduce_sum %h [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %o : tensor<f32>
}
func.func @check_math(%x: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g = tg.grad @math(%x, %w) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g : tensor<f32>, tensor<3x4xf32>
}

func.func private @gather(%t: tensor<5x4x3xf32>, %i: tensor<3x2xi64>, %j: tensor<6xi32>) -> tensor<f32> {
  %0 = tg.gather %t, %i [0] : (tensor<5x4x3xf32>, tensor<3x2xi64>) -> tensor<3x2x4x3xf32>
  %1 = tg.gather %0, %j [2] : (tensor<3x2x4x3xf32>, tensor<6xi32>) -> tensor<3x2x6x3xf32>
  %2 = tg.sin %1 : tensor<3x2x6x3xf32>
  %3 = tg.reduce_sum %2 [0, 1, 2, 3] : tensor<3x2x6x3xf32> -> tensor<f32>
  return %3 : tensor<f32>
}
func.func @check_gather(%t: tensor<5x4x3xf32>, %i: tensor<3x2xi64>, %j: tensor<6xi32>) -> (tensor<f32>, tensor<5x4x3xf32>) {
  %v, %g = tg.grad @gather(%t, %i, %j) wrt [0] : (tensor<5x4x3xf32>, tensor<3x2xi64>, tensor<6xi32>) -> (tensor<f32>, tensor<5x4x3xf32>)
  return %v, %g : tensor<f32>, tensor<5x4x3xf32>
}

func.func private @gather_sum(%t: tensor<5x4x3xf32>, %i: tensor<3x2xi64>) -> tensor<f32> {
  %0 = tg.gather %t, %i [0] : (tensor<5x4x3xf32>, tensor<3x2xi64>) -> tensor<3x2x4x3xf32>
  %1 = tg.reduce_sum %0 [0, 1, 2, 3] : tensor<3x2x4x3xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
func.func @check_gather_grad_values(%t: tensor<5x4x3xf32>, %i: tensor<3x2xi64>) -> (tensor<f32>, tensor<5x4x3xf32>) {
  %v, %g = tg.grad @gather_sum(%t, %i) wrt [0] : (tensor<5x4x3xf32>, tensor<3x2xi64>) -> (tensor<f32>, tensor<5x4x3xf32>)
  return %v, %g : tensor<f32>, tensor<5x4x3xf32>
}
