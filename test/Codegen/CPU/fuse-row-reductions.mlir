// RUN: tg-opt %s -split-input-file -convert-tg-to-linalg -canonicalize -linalg-fuse-elementwise-ops -canonicalize -cse -tg-fuse-row-reductions | FileCheck %s
// RUN: tg-opt %s -split-input-file -convert-tg-to-linalg -canonicalize -linalg-fuse-elementwise-ops -canonicalize -cse -tg-fuse-row-reductions=tile-bytes=4000 | FileCheck %s --check-prefix=SMALL

// Softmax: the row maximum, the exponentials, their row sum and the
// division all run inside one scf.forall over row tiles (16 KiB of 1000-wide
// f32 rows: 4 rows), on tile-sized temporaries; nothing is left outside.
// CHECK-LABEL: func.func @softmax
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall (%[[R:.*]]) = (0) to (256) step (4) shared_outs(%[[OUT:.*]] = %{{.*}})
// CHECK:           %[[X:.*]] = tensor.extract_slice %arg0[%[[R]], 0] [4, 1000] [1, 1]
// CHECK:           %[[T:.*]] = tensor.empty() : tensor<4xf32>
// CHECK:           %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<4x1000xf32>)
// CHECK:             arith.maximumf
// CHECK:           %[[E:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[MAX]] : tensor<4x1000xf32>, tensor<4xf32>)
// CHECK:             math.exp
// CHECK:           %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<4x1000xf32>)
// CHECK:             arith.addf
// CHECK:           %[[DIV:.*]] = linalg.generic {{.*}} ins(%[[E]], %[[SUM]] : tensor<4x1000xf32>, tensor<4xf32>)
// CHECK:             arith.divf
// CHECK:           tensor.parallel_insert_slice %[[DIV]] into %[[OUT]][%[[R]], 0] [4, 1000] [1, 1]
// CHECK-NOT:     linalg.generic
// SMALL-LABEL: func.func @softmax
// SMALL:         scf.forall (%{{.*}}) in (256)
// SMALL:           tensor.extract_slice %arg0[%{{.*}}, 0] [1, 1000] [1, 1]
func.func @softmax(%x: tensor<256x1000xf32>) -> tensor<256x1000xf32> {
  %0 = tg.softmax %x [1] : tensor<256x1000xf32>
  return %0 : tensor<256x1000xf32>
}

// -----

// The row maximum is also a result: computing it inside the tiles would
// leave a second copy outside, so the chain stops before it (the maximum is
// computed once, outside; the rest is fused). (Written in linalg: tg ops
// with keepdims reduce over an expanded input, which this pass leaves.)
// CHECK-LABEL: func.func @shared_reduction
// CHECK:         %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]}
// CHECK:         scf.forall
// CHECK:           tensor.extract_slice %[[MAX]]
// CHECK:           math.exp
// CHECK:           arith.addf
// CHECK:           arith.divf
// CHECK:         return %{{.*}}, %[[MAX]]
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
func.func @shared_reduction(%arg0: tensor<64x100xf32>) -> (tensor<64x100xf32>, tensor<64xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %cst_0 = arith.constant 0xFF800000 : f32
  %0 = tensor.empty() : tensor<64xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<64xf32>) -> tensor<64xf32>
  %2 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<64x100xf32>) outs(%1 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %8 = arith.maximumf %out, %in fastmath<reassoc> : f32
    linalg.yield %8 : f32
  } -> tensor<64xf32>
  %3 = tensor.empty() : tensor<64x100xf32>
  %4 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %2 : tensor<64x100xf32>, tensor<64xf32>) outs(%3 : tensor<64x100xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %8 = arith.subf %in, %in_1 : f32
    %9 = math.exp %8 : f32
    linalg.yield %9 : f32
  } -> tensor<64x100xf32>
  %5 = linalg.fill ins(%cst : f32) outs(%0 : tensor<64xf32>) -> tensor<64xf32>
  %6 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%4 : tensor<64x100xf32>) outs(%5 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %8 = arith.addf %out, %in fastmath<reassoc> : f32
    linalg.yield %8 : f32
  } -> tensor<64xf32>
  %7 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%4, %6 : tensor<64x100xf32>, tensor<64xf32>) outs(%3 : tensor<64x100xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %8 = arith.divf %in, %in_1 : f32
    linalg.yield %8 : f32
  } -> tensor<64x100xf32>
  return %7, %2 : tensor<64x100xf32>, tensor<64xf32>
}

// -----

// A reduction over the outer dimension (column sums) is not a row chain.
// CHECK-LABEL: func.func @column_sums
// CHECK-NOT:     scf.forall
func.func @column_sums(%x: tensor<64x100xf32>) -> tensor<64x100xf32> {
  %s = tg.reduce_sum %x [0] {keepdims} : tensor<64x100xf32> -> tensor<1x100xf32>
  %r = tg.div %x, %s : (tensor<64x100xf32>, tensor<1x100xf32>) -> tensor<64x100xf32>
  return %r : tensor<64x100xf32>
}
