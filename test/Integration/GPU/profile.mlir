// tg-run --target=gpu --profile: the GPU pipeline's kernels (a matmul, and
// a row reduction with its fused bias-relu producer), each timed around its launch
// (the runtime waits for the device at both ends), mapped to this file's
// lines; the results are those of the unprofiled run. On the GPU where
// there is one, on the CPU emulation of the kernels elsewhere (%gpu-run).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/x.npy "np.random.default_rng(1).standard_normal((64, 48)).astype(np.float32)"
// RUN: %npycheck gen %t/w.npy "np.random.default_rng(2).standard_normal((48, 96)).astype(np.float32)"
// RUN: %npycheck gen %t/b.npy "np.random.default_rng(3).standard_normal(96).astype(np.float32)"
// RUN: %gpu-run %s --input=%t/x.npy --input=%t/w.npy --input=%t/b.npy --repeat=2 --profile=%t/trace.json --profile-summary --output-dir=%t/out | FileCheck %s
// RUN: %python %S/../check_trace.py %t/trace.json --calls 3 --kernel "matmul=20" --kernel "add+relu+reduce_sum=21,22,23"
// RUN: %npycheck check %t/out/result0.npy "np.maximum(x @ w + b, 0).sum(axis=1)" x=%t/x.npy w=%t/w.npy b=%t/b.npy --rtol 1e-4 --atol 1e-3

// CHECK: kernel calls time (ms) % GFLOP/s %peak GB/s source lines
// CHECK-DAG: main/k{{[0-9]+}} matmul {{.*}} profile.mlir:20
// CHECK-DAG: main/k{{[0-9]+}} add+relu+reduce_sum {{.*}} profile.mlir:21,22,23
// CHECK: total 3 {{.*}} 100.0
func.func @main(%x: tensor<64x48xf32>, %w: tensor<48x96xf32>, %b: tensor<96xf32>) -> tensor<64xf32> {
  %m = tg.matmul %x, %w : (tensor<64x48xf32>, tensor<48x96xf32>) -> tensor<64x96xf32>
  %a = tg.add %m, %b : (tensor<64x96xf32>, tensor<96xf32>) -> tensor<64x96xf32>
  %r = tg.relu %a : tensor<64x96xf32>
  %s = tg.reduce_sum %r [1] : tensor<64x96xf32> -> tensor<64xf32>
  return %s : tensor<64xf32>
}
