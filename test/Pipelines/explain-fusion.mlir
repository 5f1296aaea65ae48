// RUN: tg-opt %s -tg-explain-fusion -verify-diagnostics -o /dev/null
// RUN: tg-opt %s -tg-explain-fusion 2>/dev/null | FileCheck %s

// The module itself is left as it was (a copy is lowered).
// CHECK-LABEL: func.func @main
// CHECK: tg.matmul
// CHECK-NOT: linalg.
// CHECK-NOT: tg_profile

// Each value one kernel passes to another gets a remark at the consuming
// op: which kernel it was not fused with, and the reason the fusion pass
// itself used. The matmul's bias add is its epilogue (same kernel: no
// remark); the exp's producer has two users, and so does the exp; a reduction's result is complete only
// after its loop; a matmul's operands are not fused into it.
func.func @main(%x: tensor<8x4xf32>, %w: tensor<4x16xf32>, %b: tensor<16xf32>,
                %v: tensor<16x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<8x16xf32>) {
  %m = tg.matmul %x, %w : (tensor<8x4xf32>, tensor<4x16xf32>) -> tensor<8x16xf32>
  %a = tg.add %m, %b : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  // expected-remark @below {{kernel 'main/k1 exp' is not fused with its producer 'main/k0 matmul+add' (explain-fusion.mlir:18): the producer's result has 2 uses (fusing would compute it once per use)}}
  %e = tg.exp %a : tensor<8x16xf32>
  // expected-remark @below {{kernel 'main/k2 reduce_sum' is not fused with its producer 'main/k1 exp' (explain-fusion.mlir:20): the producer's result has 3 uses (fusing would compute it once per use)}}
  %s = tg.reduce_sum %e [1] : tensor<8x16xf32> -> tensor<8xf32>
  // expected-remark @below {{kernel 'main/k3 sqrt' is not fused with its producer 'main/k2 reduce_sum' (explain-fusion.mlir:22): the producer is a reduction: its result is complete only after its whole loop}}
  %q = tg.sqrt %s : tensor<8xf32>
  // expected-remark @below {{kernel 'main/k4 matmul' is not fused with its producer 'main/k1 exp' (explain-fusion.mlir:20): the consumer is a matmul: its operands are not fused into it}}
  %n = tg.matmul %e, %v : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
  return %a, %e, %q, %n : tensor<8x16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<8x16xf32>
}
