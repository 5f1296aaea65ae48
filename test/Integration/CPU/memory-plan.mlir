// The planned arena of a two-layer forward pass and its gradient, reported
// by tg-run --report-memory, and the planned program's results against
// numpy's (every integration test runs planned programs too).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/x.npy "np.random.default_rng(1).standard_normal((64, 32)).astype(np.float32)"
// RUN: %npycheck gen %t/w.npy "np.random.default_rng(2).standard_normal((32, 32)).astype(np.float32) / 6"
// RUN: tg-run %s --input=%t/x.npy --input=%t/w.npy --threads=1 --report-memory --output-dir=%t/out | FileCheck %s
// Buffers under 4 KiB keep their own allocation (the loss's 32-byte
// partial sums; see -tg-plan-memory's min-bytes): the peak is the arena plus
// them.
// CHECK: @main: peak bytes of intermediates 32800 ({{[0-9.]+}} MiB): an arena of {{[0-9]+}} buffers, 32768 bytes (lower bound {{[0-9]+}}, the most bytes live at once; {{[0-9.]+}} MiB allocated one by one), and 32 bytes left unplanned
// CHECK-NEXT: @forward: peak bytes of intermediates [[FPEAK:[0-9]+]] ({{[0-9.]+}} MiB): an arena of {{[0-9]+}} buffers, [[FPEAK]] bytes (lower bound {{[0-9]+}}, the most bytes live at once; {{[0-9.]+}} MiB allocated one by one), and 0 bytes left unplanned
// RUN: %npycheck check %t/out/result0.npy "(np.tanh(np.tanh(x @ w) @ w) ** 2).sum()" x=%t/x.npy w=%t/w.npy
// d2 = d(sum h2^2)/db = 2 h2 (1 - h2^2), d1 = (d2 w^T)(1 - h1^2): dw = x^T d1 + h1^T d2.
// RUN: %npycheck check %t/out/result1.npy "(lambda h1, h2: x.T @ (((2 * h2 * (1 - h2 ** 2)) @ w.T) * (1 - h1 ** 2)) + h1.T @ (2 * h2 * (1 - h2 ** 2)))(np.tanh(x @ w), np.tanh(np.tanh(x @ w) @ w))" x=%t/x.npy w=%t/w.npy --rtol 1e-5 --atol 1e-4

func.func private @loss(%x: tensor<64x32xf32>, %w: tensor<32x32xf32>) -> tensor<f32> {
  %a = tg.matmul %x, %w : (tensor<64x32xf32>, tensor<32x32xf32>) -> tensor<64x32xf32>
  %h1 = tg.tanh %a : tensor<64x32xf32>
  %b = tg.matmul %h1, %w : (tensor<64x32xf32>, tensor<32x32xf32>) -> tensor<64x32xf32>
  %h2 = tg.tanh %b : tensor<64x32xf32>
  %sq = tg.mul %h2, %h2 : (tensor<64x32xf32>, tensor<64x32xf32>) -> tensor<64x32xf32>
  %s = tg.reduce_sum %sq [0, 1] : tensor<64x32xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @main(%x: tensor<64x32xf32>, %w: tensor<32x32xf32>) -> (tensor<f32>, tensor<32x32xf32>) {
  %v, %g = tg.grad @loss(%x, %w) wrt [1] : (tensor<64x32xf32>, tensor<32x32xf32>) -> (tensor<f32>, tensor<32x32xf32>)
  return %v, %g : tensor<f32>, tensor<32x32xf32>
}

// A second entry, reported too (its intermediates: tanh(x @ w) and the
// matmuls' packed panels).
func.func @forward(%x: tensor<64x32xf32>, %w: tensor<32x32xf32>) -> tensor<64x32xf32> {
  %a = tg.matmul %x, %w : (tensor<64x32xf32>, tensor<32x32xf32>) -> tensor<64x32xf32>
  %h = tg.tanh %a : tensor<64x32xf32>
  %b = tg.matmul %h, %w : (tensor<64x32xf32>, tensor<32x32xf32>) -> tensor<64x32xf32>
  return %b : tensor<64x32xf32>
}
