// RUN: tg-opt %s -tg-split-reductions="vector-block=8 sequential-block=4 min-vector-extent=4" -split-input-file | FileCheck %s

// A sum of 32 with blocks of 8: four partial sums of 8 (the fused exp stays
// in the blocks), then one sum of the partials into the original init,
// with the combiner alone.
// CHECK-LABEL: func.func @sum_of_exp
// CHECK: %[[X:.*]] = tensor.expand_shape %arg0 {{\[}}[0, 1]] output_shape [4, 8] : tensor<32xf32> into tensor<4x8xf32>
// CHECK: %[[P0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK: %[[P:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[X]] : tensor<4x8xf32>) outs(%[[P0]] : tensor<4xf32>)
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: %[[R:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK-SAME: ins(%[[P]] : tensor<4xf32>) outs(%arg1 : tensor<f32>)
// CHECK-NOT: math.exp
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc>
// CHECK: return %[[R]]
#id1 = affine_map<(d0) -> (d0)>
#s1 = affine_map<(d0) -> ()>
func.func @sum_of_exp(%x: tensor<32xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [#id1, #s1], iterator_types = ["reduction"]}
      ins(%x : tensor<32xf32>) outs(%init : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %e = math.exp %a : f32
    %s = arith.addf %acc, %e fastmath<reassoc> : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// 37 is prime: four blocks of 8, and the remainder of 5 reduced by the
// original body from the neutral element (here -inf for a maximum), then
// combined with the blocks' result.
// CHECK-LABEL: func.func @max_with_remainder
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[HEAD:.*]] = tensor.extract_slice %arg0[0] [32] [1] : tensor<37xf32> to tensor<32xf32>
// CHECK: tensor.expand_shape %[[HEAD]] {{\[}}[0, 1]] output_shape [4, 8]
// CHECK: linalg.fill ins(%[[NEG]] : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK: %[[BLOCKS:.*]] = linalg.generic {{.*}} outs(%arg1 : tensor<f32>)
// CHECK: %[[TAIL0:.*]] = linalg.fill ins(%[[NEG]] : f32) outs(%{{.*}} : tensor<f32>)
// CHECK: %[[TAIL_IN:.*]] = tensor.extract_slice %arg0[32] [5] [1] : tensor<37xf32> to tensor<5xf32>
// CHECK: %[[TAIL:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK-SAME: ins(%[[TAIL_IN]] : tensor<5xf32>) outs(%[[TAIL0]] : tensor<f32>)
// CHECK: %[[R:.*]] = linalg.generic
// CHECK-SAME: iterator_types = []
// CHECK-SAME: ins(%[[BLOCKS]], %[[TAIL]] : tensor<f32>, tensor<f32>)
// CHECK: arith.maximumf
// CHECK: return %[[R]]
#id1 = affine_map<(d0) -> (d0)>
#s1 = affine_map<(d0) -> ()>
func.func @max_with_remainder(%x: tensor<37xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [#id1, #s1], iterator_types = ["reduction"]}
      ins(%x : tensor<37xf32>) outs(%init : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %acc, %a fastmath<reassoc> : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// A column sum: the innermost loop is parallel, so a block is the
// sequential size (4 rows); the partials put the columns innermost.
// CHECK-LABEL: func.func @column_sum
// CHECK: tensor.expand_shape %arg0 {{\[}}[0, 1], [2]] output_shape [4, 4, 3] : tensor<16x3xf32> into tensor<4x4x3xf32>
// CHECK: %[[P:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME: outs(%{{.*}} : tensor<4x3xf32>)
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK-SAME: ins(%[[P]] : tensor<4x3xf32>) outs(%arg1 : tensor<3xf32>)
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @column_sum(%x: tensor<16x3xf32>, %init: tensor<3xf32>) -> tensor<3xf32> {
  %r = linalg.generic {indexing_maps = [#id2, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<16x3xf32>) outs(%init : tensor<3xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc> : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

// Two reduction dimensions: the inner one (16) is split in blocks of 8 and
// the outer one becomes parallel, so each partial covers one block: 6 x 2
// partials, whose sum (12 elements, but an innermost reduction of 2, shorter
// than min-vector-extent: a sequential chain, blocks of 4) is split again,
// 2 rows of 2 per partial.
// CHECK-LABEL: func.func @full_sum_2d
// CHECK: tensor.expand_shape %arg0 {{\[}}[0], [1, 2]] output_shape [6, 2, 8]
// CHECK: %[[P:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<6x2xf32>)
// CHECK: tensor.expand_shape %[[P]] {{\[}}[0, 1], [2]] output_shape [3, 2, 2]
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<3xf32>)
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK-SAME: outs(%arg1 : tensor<f32>)
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#s2 = affine_map<(d0, d1) -> ()>
func.func @full_sum_2d(%x: tensor<6x16xf32>, %init: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [#id2, #s2], iterator_types = ["reduction", "reduction"]}
      ins(%x : tensor<6x16xf32>) outs(%init : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc> : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// Left alone: a contraction (the matmul micro-kernels' business), an
// integer sum (exact in any order), a reduction within a block, and one
// that reads its reduced dimension through an expression.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: tensor.expand_shape
// CHECK-NOT: tensor.extract_slice
// CHECK: return
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
#id1 = affine_map<(d0) -> (d0)>
#s1 = affine_map<(d0) -> ()>
#shift = affine_map<(d0, d1) -> (d0 + d1)>
#tap = affine_map<(d0, d1) -> (d1)>
#s2 = affine_map<(d0, d1) -> (d0)>
func.func @left_alone(%a: tensor<4x64xf32>, %b: tensor<64x4xf32>, %c: tensor<4x4xf32>,
                      %i: tensor<64xi32>, %ii: tensor<i32>, %f: tensor<8xf32>, %ff: tensor<f32>,
                      %w: tensor<80xf32>, %k: tensor<65xf32>, %ww: tensor<16xf32>)
    -> (tensor<4x4xf32>, tensor<i32>, tensor<f32>, tensor<16xf32>) {
  %mm = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<4x64xf32>, tensor<64x4xf32>) outs(%c : tensor<4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m fastmath<reassoc> : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  %is = linalg.generic {indexing_maps = [#id1, #s1], iterator_types = ["reduction"]}
      ins(%i : tensor<64xi32>) outs(%ii : tensor<i32>) {
  ^bb0(%x: i32, %acc: i32):
    %s = arith.addi %acc, %x : i32
    linalg.yield %s : i32
  } -> tensor<i32>
  %fs = linalg.generic {indexing_maps = [#id1, #s1], iterator_types = ["reduction"]}
      ins(%f : tensor<8xf32>) outs(%ff : tensor<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x fastmath<reassoc> : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %win = linalg.generic {indexing_maps = [#shift, #tap, #s2], iterator_types = ["parallel", "reduction"]}
      ins(%w, %k : tensor<80xf32>, tensor<65xf32>) outs(%ww : tensor<16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %s = arith.addf %acc, %x fastmath<reassoc> : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  return %mm, %is, %fs, %win : tensor<4x4xf32>, tensor<i32>, tensor<f32>, tensor<16xf32>
}
