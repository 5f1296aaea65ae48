// Elementwise ops through tg-run, compared with numpy: f32, f64, f16 and
// integers; broadcasting with size-1 dims, rank 0 and rank 4.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/a.npy "np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)"
// RUN: %npycheck gen %t/v.npy "np.random.default_rng(2).standard_normal(3).astype(np.float32)"
// RUN: %npycheck gen %t/c.npy "np.random.default_rng(3).uniform(0.5, 2, (4, 1)).astype(np.float32)"
// RUN: %npycheck gen %t/s.npy "np.float32(1.5)"
// RUN: tg-run %s -e binary_f32 --input=%t/a.npy --input=%t/v.npy --input=%t/c.npy --input=%t/s.npy --output-dir=%t/b32
// RUN: %npycheck check %t/b32/result0.npy "a + v" a=%t/a.npy v=%t/v.npy
// RUN: %npycheck check %t/b32/result1.npy "c - v" c=%t/c.npy v=%t/v.npy
// RUN: %npycheck check %t/b32/result2.npy "a * s" a=%t/a.npy s=%t/s.npy
// RUN: %npycheck check %t/b32/result3.npy "v / c" v=%t/v.npy c=%t/c.npy
// RUN: %npycheck check %t/b32/result4.npy "c ** v" c=%t/c.npy v=%t/v.npy
// RUN: %npycheck check %t/b32/result5.npy "np.maximum(a, v)" a=%t/a.npy v=%t/v.npy
// RUN: %npycheck check %t/b32/result6.npy "np.minimum(s, c)" s=%t/s.npy c=%t/c.npy

func.func @binary_f32(%a: tensor<4x3xf32>, %v: tensor<3xf32>, %c: tensor<4x1xf32>, %s: tensor<f32>)
    -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>) {
  %0 = tg.add %a, %v : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %1 = tg.sub %c, %v : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %2 = tg.mul %a, %s : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %3 = tg.div %v, %c : (tensor<3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %4 = tg.pow %c, %v : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %5 = tg.maximum %a, %v : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %6 = tg.minimum %s, %c : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>
}

// Rank 4 against rank 3, both with size-1 dims; rank 0 against rank 0.
// RUN: %npycheck gen %t/x4.npy "np.random.default_rng(4).standard_normal((2, 1, 3, 1))"
// RUN: %npycheck gen %t/y3.npy "np.random.default_rng(5).standard_normal((4, 1, 5))"
// RUN: %npycheck gen %t/z0.npy "np.float64(-0.25)"
// RUN: tg-run %s -e binary_f64 --input=%t/x4.npy --input=%t/y3.npy --input=%t/z0.npy --output-dir=%t/b64
// RUN: %npycheck check %t/b64/result0.npy "x * y - x" x=%t/x4.npy y=%t/y3.npy
// RUN: %npycheck check %t/b64/result1.npy "z / (z + 1.0)" z=%t/z0.npy
// RUN: %npycheck check %t/b64/result2.npy "np.maximum(x, z)" x=%t/x4.npy z=%t/z0.npy
func.func @binary_f64(%x: tensor<2x1x3x1xf64>, %y: tensor<4x1x5xf64>, %z: tensor<f64>)
    -> (tensor<2x4x3x5xf64>, tensor<f64>, tensor<2x1x3x1xf64>) {
  %m = tg.mul %x, %y : (tensor<2x1x3x1xf64>, tensor<4x1x5xf64>) -> tensor<2x4x3x5xf64>
  %0 = tg.sub %m, %x : (tensor<2x4x3x5xf64>, tensor<2x1x3x1xf64>) -> tensor<2x4x3x5xf64>
  %one = tg.constant dense<1.0> : tensor<f64>
  %z1 = tg.add %z, %one : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %1 = tg.div %z, %z1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %2 = tg.maximum %x, %z : (tensor<2x1x3x1xf64>, tensor<f64>) -> tensor<2x1x3x1xf64>
  return %0, %1, %2 : tensor<2x4x3x5xf64>, tensor<f64>, tensor<2x1x3x1xf64>
}

// Integers: division truncates toward zero (numpy's // floors, hence
// trunc_div), maximum and minimum are signed.
// RUN: %npycheck gen %t/i.npy "np.array([[7, -7, 9], [-9, 0, 5]], np.int32)"
// RUN: %npycheck gen %t/j.npy "np.array([2, 3, -4], np.int32)"
// RUN: %npycheck gen %t/k.npy "np.array([[3], [-5]], np.int64)"
// RUN: tg-run %s -e integers --input=%t/i.npy --input=%t/j.npy --input=%t/k.npy --output-dir=%t/int
// RUN: %npycheck check %t/int/result0.npy "i + j * i - j" i=%t/i.npy j=%t/j.npy
// RUN: %npycheck check %t/int/result1.npy "trunc_div(i, j)" i=%t/i.npy j=%t/j.npy
// RUN: %npycheck check %t/int/result2.npy "np.maximum(i, j)" i=%t/i.npy j=%t/j.npy
// RUN: %npycheck check %t/int/result3.npy "np.minimum(k, k * 2)" k=%t/k.npy
func.func @integers(%i: tensor<2x3xi32>, %j: tensor<3xi32>, %k: tensor<2x1xi64>)
    -> (tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x1xi64>) {
  %m = tg.mul %j, %i : (tensor<3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %a = tg.add %i, %m : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %0 = tg.sub %a, %j : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %1 = tg.div %i, %j : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %2 = tg.maximum %i, %j : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %two = tg.constant dense<2> : tensor<i64>
  %k2 = tg.mul %k, %two : (tensor<2x1xi64>, tensor<i64>) -> tensor<2x1xi64>
  %3 = tg.minimum %k, %k2 : (tensor<2x1xi64>, tensor<2x1xi64>) -> tensor<2x1xi64>
  return %0, %1, %2, %3 : tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x1xi64>
}

// Every unary op, f32 (positive inputs where the function needs them).
// RUN: %npycheck gen %t/u.npy "np.random.default_rng(6).standard_normal((3, 5)).astype(np.float32) * 2"
// RUN: %npycheck gen %t/p.npy "np.random.default_rng(7).uniform(0.1, 4, (3, 5)).astype(np.float32)"
// RUN: tg-run %s -e unary_f32 --input=%t/u.npy --input=%t/p.npy --output-dir=%t/u32
// RUN: %npycheck check %t/u32/result0.npy "-u" u=%t/u.npy
// RUN: %npycheck check %t/u32/result1.npy "np.abs(u)" u=%t/u.npy
// RUN: %npycheck check %t/u32/result2.npy "np.exp(u)" u=%t/u.npy
// RUN: %npycheck check %t/u32/result3.npy "np.log(p)" p=%t/p.npy
// RUN: %npycheck check %t/u32/result4.npy "np.sqrt(p)" p=%t/p.npy
// RUN: %npycheck check %t/u32/result5.npy "1 / np.sqrt(p)" p=%t/p.npy
// RUN: %npycheck check %t/u32/result6.npy "np.tanh(u)" u=%t/u.npy
// RUN: %npycheck check %t/u32/result7.npy "1 / (1 + np.exp(-u))" u=%t/u.npy
// RUN: %npycheck check %t/u32/result8.npy "np.maximum(u, 0)" u=%t/u.npy
// RUN: %npycheck check %t/u32/result9.npy "np.sin(u)" u=%t/u.npy
// RUN: %npycheck check %t/u32/result10.npy "np.cos(u)" u=%t/u.npy
func.func @unary_f32(%u: tensor<3x5xf32>, %p: tensor<3x5xf32>)
    -> (tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>,
        tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>) {
  %0 = tg.neg %u : tensor<3x5xf32>
  %1 = tg.abs %u : tensor<3x5xf32>
  %2 = tg.exp %u : tensor<3x5xf32>
  %3 = tg.log %p : tensor<3x5xf32>
  %4 = tg.sqrt %p : tensor<3x5xf32>
  %5 = tg.rsqrt %p : tensor<3x5xf32>
  %6 = tg.tanh %u : tensor<3x5xf32>
  %7 = tg.sigmoid %u : tensor<3x5xf32>
  %8 = tg.relu %u : tensor<3x5xf32>
  %9 = tg.sin %u : tensor<3x5xf32>
  %10 = tg.cos %u : tensor<3x5xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10 : tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>
}

// The same in f64, to f64 accuracy, and in f16 (computed in f32, rounded).
// RUN: %npycheck gen %t/d.npy "np.random.default_rng(8).uniform(0.2, 3, (2, 3))"
// RUN: tg-run %s -e unary_f64 --input=%t/d.npy --output-dir=%t/u64
// RUN: %npycheck check %t/u64/result0.npy "np.tanh(np.log(d)) + np.sqrt(d) * np.exp(-d)" d=%t/d.npy --rtol 1e-12 --atol 1e-14
// RUN: %npycheck check %t/u64/result1.npy "np.maximum(np.sin(d) - np.cos(d), 0) + 1 / (1 + np.exp(-d)) - np.abs(-d) + 1 / np.sqrt(d)" d=%t/d.npy --rtol 1e-12 --atol 1e-14
// RUN: %npycheck gen %t/h.npy "np.array([0.5, 1.0, 2.0, -3.0], np.float16)"
// RUN: tg-run %s -e unary_f16 --input=%t/h.npy --output-dir=%t/u16
// RUN: %npycheck check %t/u16/result0.npy "np.exp(h) * h" h=%t/h.npy --rtol 1e-3
func.func @unary_f64(%d: tensor<2x3xf64>) -> (tensor<2x3xf64>, tensor<2x3xf64>) {
  %l = tg.log %d : tensor<2x3xf64>
  %t = tg.tanh %l : tensor<2x3xf64>
  %s = tg.sqrt %d : tensor<2x3xf64>
  %n = tg.neg %d : tensor<2x3xf64>
  %e = tg.exp %n : tensor<2x3xf64>
  %se = tg.mul %s, %e : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %0 = tg.add %t, %se : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %sin = tg.sin %d : tensor<2x3xf64>
  %cos = tg.cos %d : tensor<2x3xf64>
  %sc = tg.sub %sin, %cos : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %r = tg.relu %sc : tensor<2x3xf64>
  %sg = tg.sigmoid %d : tensor<2x3xf64>
  %ab = tg.abs %n : tensor<2x3xf64>
  %rs = tg.rsqrt %d : tensor<2x3xf64>
  %a1 = tg.add %r, %sg : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %a2 = tg.sub %a1, %ab : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %1 = tg.add %a2, %rs : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  return %0, %1 : tensor<2x3xf64>, tensor<2x3xf64>
}
func.func @unary_f16(%h: tensor<4xf16>) -> tensor<4xf16> {
  %e = tg.exp %h : tensor<4xf16>
  %0 = tg.mul %e, %h : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// Comparisons (every predicate, with equal elements), select with
// broadcasting, and casts between every kind of element type.
// RUN: %npycheck gen %t/q.npy "np.array([[0, 1, 2], [2, 1, 0]], np.float32)"
// RUN: %npycheck gen %t/r.npy "np.array([1, 1, 1], np.float32)"
// RUN: tg-run %s -e compare_select --input=%t/q.npy --input=%t/r.npy --output-dir=%t/cmp
// RUN: %npycheck check %t/cmp/result0.npy "q == r" q=%t/q.npy r=%t/r.npy
// RUN: %npycheck check %t/cmp/result1.npy "q != r" q=%t/q.npy r=%t/r.npy
// RUN: %npycheck check %t/cmp/result2.npy "q < r" q=%t/q.npy r=%t/r.npy
// RUN: %npycheck check %t/cmp/result3.npy "q <= r" q=%t/q.npy r=%t/r.npy
// RUN: %npycheck check %t/cmp/result4.npy "q > r" q=%t/q.npy r=%t/r.npy
// RUN: %npycheck check %t/cmp/result5.npy "q >= r" q=%t/q.npy r=%t/r.npy
// RUN: %npycheck check %t/cmp/result6.npy "np.where(q > r, q, np.float32(-1))" q=%t/q.npy r=%t/r.npy
func.func @compare_select(%q: tensor<2x3xf32>, %r: tensor<3xf32>)
    -> (tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xf32>) {
  %0 = tg.cmp eq, %q, %r : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %1 = tg.cmp ne, %q, %r : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %2 = tg.cmp lt, %q, %r : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %3 = tg.cmp le, %q, %r : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %4 = tg.cmp gt, %q, %r : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %5 = tg.cmp ge, %q, %r : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %m1 = tg.constant dense<-1.0> : tensor<f32>
  %6 = tg.select %4, %q, %m1 : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xf32>
}

// RUN: %npycheck gen %t/f.npy "np.array([1.5, -2.7, 0.0, 3.25e4, 1e-3, -0.0], np.float32)"
// RUN: %npycheck gen %t/n.npy "np.array([3, -4, 0, 70000, 1, -1], np.int64)"
// RUN: %npycheck gen %t/b.npy "np.array([True, False, True, True, False, False])"
// RUN: tg-run %s -e casts --input=%t/f.npy --input=%t/n.npy --input=%t/b.npy --output-dir=%t/cast
// RUN: %npycheck check %t/cast/result0.npy "f.astype(np.int32)" f=%t/f.npy
// RUN: %npycheck check %t/cast/result1.npy "f.astype(np.float16)" f=%t/f.npy
// RUN: %npycheck check %t/cast/result2.npy "f.astype(np.float64)" f=%t/f.npy
// RUN: %npycheck check %t/cast/result3.npy "f != 0" f=%t/f.npy
// RUN: %npycheck check %t/cast/result4.npy "n.astype(np.float32)" n=%t/n.npy
// RUN: %npycheck check %t/cast/result5.npy "n.astype(np.int32)" n=%t/n.npy
// RUN: %npycheck check %t/cast/result6.npy "b.astype(np.float32)" b=%t/b.npy
// RUN: %npycheck check %t/cast/result7.npy "b.astype(np.int64)" b=%t/b.npy
// RUN: %npycheck check %t/cast/result8.npy "bf16(f)" f=%t/f.npy --rtol 0 --atol 0
func.func @casts(%f: tensor<6xf32>, %n: tensor<6xi64>, %b: tensor<6xi1>)
    -> (tensor<6xi32>, tensor<6xf16>, tensor<6xf64>, tensor<6xi1>, tensor<6xf32>, tensor<6xi32>, tensor<6xf32>, tensor<6xi64>, tensor<6xf32>) {
  %0 = tg.cast %f : tensor<6xf32> to tensor<6xi32>
  %1 = tg.cast %f : tensor<6xf32> to tensor<6xf16>
  %2 = tg.cast %f : tensor<6xf32> to tensor<6xf64>
  %3 = tg.cast %f : tensor<6xf32> to tensor<6xi1>
  %4 = tg.cast %n : tensor<6xi64> to tensor<6xf32>
  %5 = tg.cast %n : tensor<6xi64> to tensor<6xi32>
  %6 = tg.cast %b : tensor<6xi1> to tensor<6xf32>
  %7 = tg.cast %b : tensor<6xi1> to tensor<6xi64>
  %bf = tg.cast %f : tensor<6xf32> to tensor<6xbf16>
  %8 = tg.cast %bf : tensor<6xbf16> to tensor<6xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<6xi32>, tensor<6xf16>, tensor<6xf64>, tensor<6xi1>, tensor<6xf32>, tensor<6xi32>, tensor<6xf32>, tensor<6xi64>, tensor<6xf32>
}
