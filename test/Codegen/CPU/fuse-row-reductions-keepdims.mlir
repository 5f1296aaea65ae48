// RUN: tg-opt %s -convert-tg-to-linalg -canonicalize -linalg-fuse-elementwise-ops -canonicalize -cse -linalg-fold-unit-extent-dims -canonicalize -cse -tg-fuse-row-reductions | FileCheck %s

// Softmax written by hand with keepdims reductions. Elementwise fusion
// propagates the keepdims reshape into the reductions (a unit dimension in
// their iteration space); the CPU pipeline drops unit dimensions first, as
// here, which leaves the row chain -tg-fuse-row-reductions fuses. 64 rows
// of 400 B: the largest divisor of 64 within a 16 KiB tile is 32 rows.
// CHECK-LABEL: func.func @main
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall (%{{.*}}) = (0) to (64) step (32)
// CHECK:           arith.maximumf
// CHECK:           math.exp
// CHECK:           arith.addf
// CHECK:           arith.divf
// CHECK:           tensor.parallel_insert_slice %{{.*}} : tensor<32x100xf32> into tensor<64x100xf32>
// CHECK-NOT:     linalg.generic
func.func @main(%x: tensor<64x100xf32>) -> tensor<64x100xf32> {
  %m = tg.reduce_max %x [1] {keepdims} : tensor<64x100xf32> -> tensor<64x1xf32>
  %d = tg.sub %x, %m : (tensor<64x100xf32>, tensor<64x1xf32>) -> tensor<64x100xf32>
  %e = tg.exp %d : tensor<64x100xf32>
  %s = tg.reduce_sum %e [1] {keepdims} : tensor<64x100xf32> -> tensor<64x1xf32>
  %r = tg.div %e, %s : (tensor<64x100xf32>, tensor<64x1xf32>) -> tensor<64x100xf32>
  return %r : tensor<64x100xf32>
}
