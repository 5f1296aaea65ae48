// A multi-op graph (matmuls, bias, relu, softmax, transpose, concat, a
// reduction) run 20 times under valgrind: the compiled code frees every
// intermediate buffer, and the results belong to the caller.
//
// REQUIRES: valgrind
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/x.npy "np.random.default_rng(1).standard_normal((8, 16)).astype(np.float32)"
// RUN: %npycheck gen %t/w1.npy "np.random.default_rng(2).standard_normal((16, 32)).astype(np.float32)"
// RUN: %npycheck gen %t/b1.npy "np.random.default_rng(3).standard_normal(32).astype(np.float32)"
// RUN: %npycheck gen %t/w2.npy "np.random.default_rng(4).standard_normal((32, 4)).astype(np.float32)"
// RUN: valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible tg-run %s --input=%t/x.npy --input=%t/w1.npy --input=%t/b1.npy --input=%t/w2.npy --threads=1 --repeat=20 --output-dir=%t/out 2>&1 | FileCheck %s
// With OpenMP, libomp keeps its thread team's blocks until exit (valgrind
// counts them as "possibly lost"); nothing of ours may be lost.
// RUN: valgrind --leak-check=full tg-run %s --input=%t/x.npy --input=%t/w1.npy --input=%t/b1.npy --input=%t/w2.npy --threads=2 --repeat=5 2>&1 | FileCheck %s --check-prefix=OMP
// RUN: %npycheck check %t/out/result1.npy "(lambda p: np.concatenate([p.T, p.T], 1).mean())(softmax(np.maximum(x @ w1 + b1, 0) @ w2, 1))" x=%t/x.npy w1=%t/w1.npy b1=%t/b1.npy w2=%t/w2.npy

// CHECK: total heap usage: [[ALLOCS:[0-9,]+]] allocs
// CHECK: LEAK SUMMARY:
// CHECK-NEXT: definitely lost: 0 bytes in 0 blocks
// CHECK-NEXT: indirectly lost: 0 bytes in 0 blocks
// CHECK-NEXT: possibly lost: 0 bytes in 0 blocks
// OMP: LEAK SUMMARY:
// OMP-NEXT: definitely lost: 0 bytes in 0 blocks
// OMP-NEXT: indirectly lost: 0 bytes in 0 blocks

func.func @main(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>, %b1: tensor<32xf32>, %w2: tensor<32x4xf32>) -> (tensor<8x4xf32>, tensor<f32>) {
  %h = tg.matmul %x, %w1 : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %hb = tg.add %h, %b1 : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  %a = tg.relu %hb : tensor<8x32xf32>
  %o = tg.matmul %a, %w2 : (tensor<8x32xf32>, tensor<32x4xf32>) -> tensor<8x4xf32>
  %p = tg.softmax %o [1] : tensor<8x4xf32>
  %t = tg.transpose %p [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
  %c = tg.concat %t, %t [1] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x16xf32>
  %m = tg.reduce_mean %c [0, 1] : tensor<4x16xf32> -> tensor<f32>
  return %p, %m : tensor<8x4xf32>, tensor<f32>
}
