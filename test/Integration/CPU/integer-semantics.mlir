// Integer division, floor division, modulo and float-to-integer casts never
// trap and agree with numpy, both when run on inputs and when folded from
// constants (docs/design.md, "Reliability: limits and integer semantics").
// numpy's `//` and `%` are the reference for tg.floordiv and tg.mod; tg.div
// truncates (trunc_div). x / 0, x // 0 and x % 0 are 0 on integers;
// INT_MIN / -1 wraps to INT_MIN.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/a32.npy "np.array([7, -7, 7, -7, 0, 5, -2147483648, -2147483648, 2147483647, -1], np.int32)"
// RUN: %npycheck gen %t/b32.npy "np.array([2, 2, -2, -2, 3, 0, -1, 0, -1, 3], np.int32)"
// RUN: %npycheck gen %t/a64.npy "np.array([9, -9, -9223372036854775808, 4, -5], np.int64)"
// RUN: %npycheck gen %t/b64.npy "np.array([-4, 0, -1, 4, 3], np.int64)"
// RUN: tg-run %s -e ints --input=%t/a32.npy --input=%t/b32.npy --input=%t/a64.npy --input=%t/b64.npy --output-dir=%t/ints
// RUN: %npycheck check %t/ints/result0.npy "trunc_div(a, b)" a=%t/a32.npy b=%t/b32.npy
// RUN: %npycheck check %t/ints/result1.npy "a // b" a=%t/a32.npy b=%t/b32.npy
// RUN: %npycheck check %t/ints/result2.npy "a % b" a=%t/a32.npy b=%t/b32.npy
// RUN: %npycheck check %t/ints/result3.npy "trunc_div(a, b)" a=%t/a64.npy b=%t/b64.npy
// RUN: %npycheck check %t/ints/result4.npy "a // b" a=%t/a64.npy b=%t/b64.npy
// RUN: %npycheck check %t/ints/result5.npy "a % b" a=%t/a64.npy b=%t/b64.npy
// The same, folded from constants by tg's folders: the same values.
// RUN: tg-opt %s -tg-fold-constants | FileCheck %s --check-prefix=FOLDED
// FOLDED-LABEL: func.func @ints_folded
// FOLDED-NOT: tg.div
// FOLDED-NOT: tg.mod
// FOLDED: return
// RUN: tg-run %s -e ints_folded --output-dir=%t/folded
// RUN: %npycheck check %t/folded/result0.npy "trunc_div(a, b)" a=%t/a32.npy b=%t/b32.npy
// RUN: %npycheck check %t/folded/result1.npy "a // b" a=%t/a32.npy b=%t/b32.npy
// RUN: %npycheck check %t/folded/result2.npy "a % b" a=%t/a32.npy b=%t/b32.npy
// RUN: %npycheck check %t/folded/result3.npy "trunc_div(a, b)" a=%t/a64.npy b=%t/b64.npy
// RUN: %npycheck check %t/folded/result4.npy "a // b" a=%t/a64.npy b=%t/b64.npy
// RUN: %npycheck check %t/folded/result5.npy "a % b" a=%t/a64.npy b=%t/b64.npy
// Broadcasting, and a scalar divisor of zero.
// RUN: %npycheck gen %t/z.npy "np.int32(0)"
// RUN: tg-run %s -e by_zero --input=%t/a32.npy --input=%t/z.npy --print | FileCheck %s --check-prefix=ZERO
// ZERO: tensor<10xi32>
// ZERO-NEXT: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
// ZERO-NEXT: tensor<10xi32>
// ZERO-NEXT: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

func.func @ints(%a: tensor<10xi32>, %b: tensor<10xi32>, %c: tensor<5xi64>, %d: tensor<5xi64>)
    -> (tensor<10xi32>, tensor<10xi32>, tensor<10xi32>, tensor<5xi64>, tensor<5xi64>, tensor<5xi64>) {
  %0 = tg.div %a, %b : (tensor<10xi32>, tensor<10xi32>) -> tensor<10xi32>
  %1 = tg.floordiv %a, %b : (tensor<10xi32>, tensor<10xi32>) -> tensor<10xi32>
  %2 = tg.mod %a, %b : (tensor<10xi32>, tensor<10xi32>) -> tensor<10xi32>
  %3 = tg.div %c, %d : (tensor<5xi64>, tensor<5xi64>) -> tensor<5xi64>
  %4 = tg.floordiv %c, %d : (tensor<5xi64>, tensor<5xi64>) -> tensor<5xi64>
  %5 = tg.mod %c, %d : (tensor<5xi64>, tensor<5xi64>) -> tensor<5xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<10xi32>, tensor<10xi32>, tensor<10xi32>, tensor<5xi64>, tensor<5xi64>, tensor<5xi64>
}

func.func @ints_folded()
    -> (tensor<10xi32>, tensor<10xi32>, tensor<10xi32>, tensor<5xi64>, tensor<5xi64>, tensor<5xi64>) {
  %a = tg.constant dense<[7, -7, 7, -7, 0, 5, -2147483648, -2147483648, 2147483647, -1]> : tensor<10xi32>
  %b = tg.constant dense<[2, 2, -2, -2, 3, 0, -1, 0, -1, 3]> : tensor<10xi32>
  %c = tg.constant dense<[9, -9, -9223372036854775808, 4, -5]> : tensor<5xi64>
  %d = tg.constant dense<[-4, 0, -1, 4, 3]> : tensor<5xi64>
  %0 = tg.div %a, %b : (tensor<10xi32>, tensor<10xi32>) -> tensor<10xi32>
  %1 = tg.floordiv %a, %b : (tensor<10xi32>, tensor<10xi32>) -> tensor<10xi32>
  %2 = tg.mod %a, %b : (tensor<10xi32>, tensor<10xi32>) -> tensor<10xi32>
  %3 = tg.div %c, %d : (tensor<5xi64>, tensor<5xi64>) -> tensor<5xi64>
  %4 = tg.floordiv %c, %d : (tensor<5xi64>, tensor<5xi64>) -> tensor<5xi64>
  %5 = tg.mod %c, %d : (tensor<5xi64>, tensor<5xi64>) -> tensor<5xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<10xi32>, tensor<10xi32>, tensor<10xi32>, tensor<5xi64>, tensor<5xi64>, tensor<5xi64>
}

func.func @by_zero(%a: tensor<10xi32>, %z: tensor<i32>) -> (tensor<10xi32>, tensor<10xi32>) {
  %0 = tg.div %a, %z : (tensor<10xi32>, tensor<i32>) -> tensor<10xi32>
  %1 = tg.mod %a, %z : (tensor<10xi32>, tensor<i32>) -> tensor<10xi32>
  return %0, %1 : tensor<10xi32>, tensor<10xi32>
}

// Floats: numpy's floor_divide and remainder, signs and zeros included (by
// zero: a / b and NaN), in f32, f64 and f16 (computed in f32, as numpy).
// RUN: %npycheck gen %t/fa.npy "np.array([7, -7, 7, -7, 1, -1, 0, 5.5, -0.5, np.inf, 3, 3, -3, np.nan], np.float32)"
// RUN: %npycheck gen %t/fb.npy "np.array([2, 2, -2, -2, 0, 0, 0, 1.5, 2, 2, np.inf, -np.inf, np.inf, 1], np.float32)"
// RUN: %npycheck gen %t/ra.npy "np.random.default_rng(1).standard_normal(64).astype(np.float32) * 10"
// RUN: %npycheck gen %t/rb.npy "np.random.default_rng(2).standard_normal(64).astype(np.float32)"
// RUN: tg-run %s -e floats --input=%t/fa.npy --input=%t/fb.npy --input=%t/ra.npy --input=%t/rb.npy --output-dir=%t/f
// RUN: %npycheck check %t/f/result0.npy "a // b" a=%t/fa.npy b=%t/fb.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/f/result1.npy "a % b" a=%t/fa.npy b=%t/fb.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/f/result2.npy "a // b" a=%t/ra.npy b=%t/rb.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/f/result3.npy "a % b" a=%t/ra.npy b=%t/rb.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/f/result4.npy "a.astype(np.float64) // b" a=%t/ra.npy b=%t/rb.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/f/result5.npy "a.astype(np.float64) % b" a=%t/ra.npy b=%t/rb.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/f/result6.npy "a.astype(np.float16) // b.astype(np.float16)" a=%t/ra.npy b=%t/rb.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/f/result7.npy "a.astype(np.float16) % b.astype(np.float16)" a=%t/ra.npy b=%t/rb.npy --rtol 0 --atol 0
func.func @floats(%a: tensor<14xf32>, %b: tensor<14xf32>, %c: tensor<64xf32>, %d: tensor<64xf32>)
    -> (tensor<14xf32>, tensor<14xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf64>, tensor<64xf64>, tensor<64xf16>, tensor<64xf16>) {
  %0 = tg.floordiv %a, %b : (tensor<14xf32>, tensor<14xf32>) -> tensor<14xf32>
  %1 = tg.mod %a, %b : (tensor<14xf32>, tensor<14xf32>) -> tensor<14xf32>
  %2 = tg.floordiv %c, %d : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %3 = tg.mod %c, %d : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %c64 = tg.cast %c : tensor<64xf32> to tensor<64xf64>
  %d64 = tg.cast %d : tensor<64xf32> to tensor<64xf64>
  %4 = tg.floordiv %c64, %d64 : (tensor<64xf64>, tensor<64xf64>) -> tensor<64xf64>
  %5 = tg.mod %c64, %d64 : (tensor<64xf64>, tensor<64xf64>) -> tensor<64xf64>
  %c16 = tg.cast %c : tensor<64xf32> to tensor<64xf16>
  %d16 = tg.cast %d : tensor<64xf32> to tensor<64xf16>
  %6 = tg.floordiv %c16, %d16 : (tensor<64xf16>, tensor<64xf16>) -> tensor<64xf16>
  %7 = tg.mod %c16, %d16 : (tensor<64xf16>, tensor<64xf16>) -> tensor<64xf16>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<14xf32>, tensor<14xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf64>, tensor<64xf64>, tensor<64xf16>, tensor<64xf16>
}

// The float special cases folded from constants give the same values.
// RUN: tg-run %s -e floats_folded --output-dir=%t/ff
// RUN: %npycheck check %t/ff/result0.npy "a // b" a=%t/fa.npy b=%t/fb.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/ff/result1.npy "a % b" a=%t/fa.npy b=%t/fb.npy --rtol 0 --atol 0
func.func @floats_folded() -> (tensor<14xf32>, tensor<14xf32>) {
  %a = tg.constant dense<[7.0, -7.0, 7.0, -7.0, 1.0, -1.0, 0.0, 5.5, -0.5, 0x7F800000, 3.0, 3.0, -3.0, 0x7FC00000]> : tensor<14xf32>
  %b = tg.constant dense<[2.0, 2.0, -2.0, -2.0, 0.0, 0.0, 0.0, 1.5, 2.0, 2.0, 0x7F800000, 0xFF800000, 0x7F800000, 1.0]> : tensor<14xf32>
  %0 = tg.floordiv %a, %b : (tensor<14xf32>, tensor<14xf32>) -> tensor<14xf32>
  %1 = tg.mod %a, %b : (tensor<14xf32>, tensor<14xf32>) -> tensor<14xf32>
  return %0, %1 : tensor<14xf32>, tensor<14xf32>
}

// Float to integer: NaN, infinities and out-of-range values give INT_MIN
// (numpy's value on x86), run and folded alike.
// RUN: %npycheck gen %t/fc.npy "np.array([np.nan, 1e30, -1e30, np.inf, -np.inf, 2.5, -2.5, 2147483520.0], np.float32)"
// RUN: tg-run %s -e casts --input=%t/fc.npy --output-dir=%t/c
// RUN: %npycheck check %t/c/result0.npy "x.astype(np.int32)" x=%t/fc.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/c/result1.npy "x.astype(np.int64)" x=%t/fc.npy --rtol 0 --atol 0
// RUN: tg-run %s -e casts_folded --output-dir=%t/cf
// RUN: %npycheck check %t/cf/result0.npy "x.astype(np.int32)" x=%t/fc.npy --rtol 0 --atol 0
// RUN: %npycheck check %t/cf/result1.npy "x.astype(np.int64)" x=%t/fc.npy --rtol 0 --atol 0
func.func @casts(%x: tensor<8xf32>) -> (tensor<8xi32>, tensor<8xi64>) {
  %0 = tg.cast %x : tensor<8xf32> to tensor<8xi32>
  %1 = tg.cast %x : tensor<8xf32> to tensor<8xi64>
  return %0, %1 : tensor<8xi32>, tensor<8xi64>
}
func.func @casts_folded() -> (tensor<8xi32>, tensor<8xi64>) {
  %x = tg.constant dense<[0x7FC00000, 1.0e30, -1.0e30, 0x7F800000, 0xFF800000, 2.5, -2.5, 2147483520.0]> : tensor<8xf32>
  %0 = tg.cast %x : tensor<8xf32> to tensor<8xi32>
  %1 = tg.cast %x : tensor<8xf32> to tensor<8xi64>
  return %0, %1 : tensor<8xi32>, tensor<8xi64>
}

// Gradients: floordiv has none (zero); mod has da = 1, db = -floor(a / b),
// checked against finite differences away from the jumps.
// RUN: %npycheck gen %t/gb.npy "np.random.default_rng(3).uniform(1, 2, (3, 4)).astype(np.float32)"
// RUN: %npycheck gen %t/ga.npy "(np.load('%t/gb.npy') * (np.random.default_rng(4).integers(-3, 3, (3, 4)) + np.random.default_rng(5).uniform(0.2, 0.8, (3, 4)))).astype(np.float32)"
// RUN: %npycheck gen %t/gw.npy "np.random.default_rng(6).standard_normal((3, 4)).astype(np.float32)"
// RUN: tg-run %s -e check_mod --input=%t/ga.npy --input=%t/gb.npy --input=%t/gw.npy --check-grad | FileCheck %s --check-prefix=GRAD
// GRAD: gradient check: argument #0 {{.*}}: ok
// GRAD: gradient check: argument #1 {{.*}}: ok
// RUN: tg-run %s -e floordiv_grad --input=%t/ga.npy --input=%t/gb.npy --print | FileCheck %s --check-prefix=FLOORGRAD
// FLOORGRAD: tensor<3x4xf32>
// FLOORGRAD-NEXT: {{\[\[}}0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
func.func private @mod(%a: tensor<3x4xf32>, %b: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.mod %a, %b : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %m = tg.mul %r, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @check_mod(%a: tensor<3x4xf32>, %b: tensor<3x4xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<3x4xf32>) {
  %v, %ga, %gb = tg.grad @mod(%a, %b, %w) wrt [0, 1] : (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<3x4xf32>)
  return %v, %ga, %gb : tensor<f32>, tensor<3x4xf32>, tensor<3x4xf32>
}
func.func private @floordiv(%a: tensor<3x4xf32>, %b: tensor<3x4xf32>) -> tensor<f32> {
  %r = tg.floordiv %a, %b : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %s = tg.reduce_sum %r [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @floordiv_grad(%a: tensor<3x4xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %v, %ga = tg.grad @floordiv(%a, %b) wrt [0] : (tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %ga : tensor<3x4xf32>
}
