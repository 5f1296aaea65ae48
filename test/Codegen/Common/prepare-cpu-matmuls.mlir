// RUN: tg-opt %s -split-input-file -tg-prepare-cpu-matmuls | FileCheck %s
// RUN: tg-opt %s -split-input-file -tg-prepare-cpu-matmuls=im2col-tile-bytes=600 | FileCheck %s --check-prefix=TILED

// A convolution becomes an scf.forall over tiles of output rows, each an
// im2col copy of the tile's input rows (strides and dilations in the input
// map) and one matmul on collapsed views. Here all 4 rows fit one tile; the
// tile reads input rows [0, 8): 3 row steps of stride 2 plus the 2-row
// filter.

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 + d4 * 3, d5)>
// CHECK-LABEL: func.func @conv
// CHECK:         %[[R:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1, 2], [3]] : tensor<2x2x3x8xf32> into tensor<12x8xf32>
// CHECK:         scf.forall (%[[B:.*]], %[[T:.*]]) in (1, 1) shared_outs(%[[OUT:.*]] = %arg2)
// CHECK:           %[[S:.*]] = tensor.extract_slice %arg0[%[[B]], %{{.*}}, 0, 0] [1, 8, 10, 3] [1, 1, 1, 1]
// CHECK:           %[[P:.*]] = linalg.generic {indexing_maps = [#[[IN]], {{.*}}]{{.*}} ins(%[[S]] : tensor<1x8x10x3xf32>) outs({{.*}} : tensor<1x4x4x2x2x3xf32>)
// CHECK:           %[[L:.*]] = tensor.collapse_shape %[[P]] {{\[\[}}0, 1, 2], [3, 4, 5]] : tensor<1x4x4x2x2x3xf32> into tensor<16x12xf32>
// CHECK:           %[[M:.*]] = linalg.matmul ins(%[[L]], %[[R]] : tensor<16x12xf32>, tensor<12x8xf32>)
// CHECK:           %[[E:.*]] = tensor.expand_shape %[[M]] {{\[\[}}0, 1, 2], [3]] output_shape [1, 4, 4, 8]
// CHECK:           tensor.parallel_insert_slice %[[E]] into %[[OUT]]
// CHECK-NOT:     linalg.conv_2d
func.func @conv(%x: tensor<1x9x10x3xf32>, %w: tensor<2x2x3x8xf32>, %init: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<[1, 3]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
       ins(%x, %w : tensor<1x9x10x3xf32>, tensor<2x2x3x8xf32>) outs(%init : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %0 : tensor<1x4x4x8xf32>
}

// -----

// A zero fill shared by two matmuls (as CSE leaves it) is duplicated, so
// that each matmul's buffer is written in place.

// CHECK-LABEL: func.func @shared_fill
// CHECK:         %[[E1:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK:         %[[F1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<4x4xf32>)
// CHECK:         linalg.matmul ins(%arg0, %arg1 : {{.*}}) outs(%[[F1]] : tensor<4x4xf32>)
// CHECK:         %[[E2:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK:         %[[F2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<4x4xf32>)
// CHECK:         linalg.matmul ins(%arg1, %arg0 : {{.*}}) outs(%[[F2]] : tensor<4x4xf32>)
func.func @shared_fill(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = linalg.matmul ins(%b, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0, %1 : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// The fill is the matmul's alone, but its tensor.empty is also the init of
// the matmul's consumer and of unrelated ops (as after CSE): the fill, the
// consumer (the micro-kernels' epilogue) and each transpose feeding a matmul
// get an empty of their own, so that bufferization writes none of them into
// a buffer another op still uses.

// CHECK-LABEL: func.func @shared_empty
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK:         %[[EF:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK:         %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[EF]] : tensor<4x4xf32>)
// CHECK:         %[[M:.*]] = linalg.matmul ins(%arg0, %arg1 : {{.*}}) outs(%[[F]] : tensor<4x4xf32>)
// CHECK:         %[[EG:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK:         %[[G:.*]] = linalg.generic {{.*}} ins(%[[M]] : tensor<4x4xf32>) outs(%[[EG]] : tensor<4x4xf32>)
// CHECK:         linalg.generic {{.*}} ins(%arg1 : tensor<4x4xf32>) outs(%[[E]] : tensor<4x4xf32>)
// CHECK:         %[[T1E:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK:         %[[T1:.*]] = linalg.transpose ins(%arg0 : tensor<4x4xf32>) outs(%[[T1E]] : tensor<4x4xf32>)
// CHECK:         %[[T2E:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK:         %[[T2:.*]] = linalg.transpose ins(%arg1 : tensor<4x4xf32>) outs(%[[T2E]] : tensor<4x4xf32>)
// CHECK:         linalg.matmul ins(%[[T1]], %[[T2]] : {{.*}})
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @shared_empty(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0 : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x4xf32>
  %n = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.negf %x : f32
    linalg.yield %r : f32
  } -> tensor<4x4xf32>
  %ta = linalg.transpose ins(%a : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) permutation = [1, 0]
  %tb = linalg.transpose ins(%b : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) permutation = [1, 0]
  %2 = linalg.matmul ins(%ta, %tb : tensor<4x4xf32>, tensor<4x4xf32>) outs(%1 : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %1, %2, %n : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A batched matmul with a broadcast batch dimension (as -convert-tg-to-linalg
// builds it) becomes a loop over the batch of 2-D matmuls on slices; the
// broadcast operand's slice stays at index 0.

// CHECK-LABEL: func.func @batched
// CHECK:         %[[FILL:.*]] = linalg.fill
// CHECK:         scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[O:.*]] = %[[FILL]])
// CHECK:           scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[P:.*]] = %[[O]])
// CHECK-DAG:         %[[A:.*]] = tensor.extract_slice %arg0[%[[J]], 0, 0] [1, 4, 5] [1, 1, 1] : tensor<3x4x5xf32> to tensor<4x5xf32>
// CHECK-DAG:         %[[B:.*]] = tensor.extract_slice %arg1[%[[I]], 0, 0, 0] [1, 1, 5, 6] [1, 1, 1, 1] : tensor<2x1x5x6xf32> to tensor<5x6xf32>
// CHECK-DAG:         %[[C:.*]] = tensor.extract_slice %[[P]][%[[I]], %[[J]], 0, 0] [1, 1, 4, 6] [1, 1, 1, 1] : tensor<2x3x4x6xf32> to tensor<4x6xf32>
// CHECK:             %[[M:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x5xf32>, tensor<5x6xf32>) outs(%[[C]] : tensor<4x6xf32>)
// CHECK:             tensor.insert_slice %[[M]] into %[[P]][%[[I]], %[[J]], 0, 0] [1, 1, 4, 6] [1, 1, 1, 1]
#lhs = affine_map<(b0, b1, m, n, k) -> (b1, m, k)>
#rhs = affine_map<(b0, b1, m, n, k) -> (b0, 0, k, n)>
#out = affine_map<(b0, b1, m, n, k) -> (b0, b1, m, n)>
func.func @batched(%a: tensor<3x4x5xf32>, %b: tensor<2x1x5x6xf32>) -> tensor<2x3x4x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3x4x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3x4x6xf32>) -> tensor<2x3x4x6xf32>
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<3x4x5xf32>, tensor<2x1x5x6xf32>) outs(%f : tensor<2x3x4x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4x6xf32>
  return %0 : tensor<2x3x4x6xf32>
}

// -----

// Not a matmul body (max instead of add): left alone.

// CHECK-LABEL: func.func @batched_not_a_matmul
// CHECK-NOT:     scf.for
// CHECK:         linalg.generic
#lhs = affine_map<(b0, m, n, k) -> (b0, m, k)>
#rhs = affine_map<(b0, m, n, k) -> (b0, k, n)>
#out = affine_map<(b0, m, n, k) -> (b0, m, n)>
func.func @batched_not_a_matmul(%a: tensor<2x4x5xf32>, %b: tensor<2x5x6xf32>, %f: tensor<2x4x6xf32>) -> tensor<2x4x6xf32> {
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<2x4x5xf32>, tensor<2x5x6xf32>) outs(%f : tensor<2x4x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x4x6xf32>
  return %0 : tensor<2x4x6xf32>
}

// -----

// Tiles of output rows, the reduction sliced by filter rows: 600 bytes
// cannot hold 64 rows of whole receptive fields (2 x 2 x 3 floats each), so
// each tile loops over the filter's 2 rows, copying patches of one filter
// row (3 output rows of 6 x 2 x 3 floats: the largest divisor of 6 whose
// patches fit) and adding their product with that row of the filter
// ([6, 4]) into the tile. Each tile fills its own part of the output (the
// fill of the whole output is gone).
// TILED-LABEL: func.func @conv_tiles
// TILED-NOT:     linalg.fill {{.*}} tensor<2x6x6x4xf32>
// TILED:         scf.forall (%[[B:.*]], %[[T:.*]]) in (2, 2) shared_outs(%[[OUT:.*]] = %{{.*}})
// TILED:           %[[Y:.*]] = arith.muli %[[T]], %c3
// TILED:           %[[O:.*]] = tensor.extract_slice %[[OUT]][%[[B]], %[[Y]], 0, 0] [1, 3, 6, 4]
// TILED:           %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[O]] : tensor<1x3x6x4xf32>)
// TILED:           %[[ACC:.*]] = tensor.collapse_shape %[[Z]]
// TILED:           scf.for %[[I:.*]] = %c0 to %c2 step %c1 iter_args(%[[A:.*]] = %[[ACC]]) -> (tensor<18x4xf32>)
// TILED:             %[[TOP:.*]] = arith.addi %[[Y]], %[[I]]
// TILED:             tensor.extract_slice %arg1[%[[I]], 0, 0, 0] [1, 2, 3, 4]
// TILED:             tensor.extract_slice %arg0[%[[B]], %[[TOP]], 0, 0] [1, 3, 7, 3] [1, 1, 1, 1]
// TILED:             tensor<1x3x6x1x2x3xf32>
// TILED:             linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<18x6xf32>, tensor<6x4xf32>) outs(%[[A]] : tensor<18x4xf32>)
// TILED:           tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[B]], %[[Y]], 0, 0] [1, 3, 6, 4]
func.func @conv_tiles(%x: tensor<2x7x7x3xf32>, %w: tensor<2x2x3x4xf32>) -> tensor<2x6x6x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x6x6x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x6x6x4xf32>) -> tensor<2x6x6x4xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%x, %w : tensor<2x7x7x3xf32>, tensor<2x2x3x4xf32>) outs(%init : tensor<2x6x6x4xf32>) -> tensor<2x6x6x4xf32>
  return %0 : tensor<2x6x6x4xf32>
}

// -----

// A zero-padded input is not padded as a whole: each tile takes its rows of
// the unpadded input (fewer at the top and bottom edges) and pads them on
// its own, into the [2, 8, 7, 3] rows of padded input the tile reads.

// CHECK-LABEL: func.func @conv_padded
// CHECK-NOT:     tensor.pad {{.*}} to tensor<2x8x7x3xf32>
// CHECK:         scf.forall
// CHECK:           %[[S:.*]] = tensor.extract_slice %arg0[%{{.*}}, %[[START:.*]], 0, 0] [2, %[[COUNT:.*]], 5, 3] [1, 1, 1, 1] : tensor<2x6x5x3xf32> to tensor<2x?x5x3xf32>
// CHECK:           %[[P:.*]] = tensor.pad %[[S]] low[0, %{{.*}}, 1, 0] high[0, %{{.*}}, 1, 0]
// CHECK:           } : tensor<2x?x5x3xf32> to tensor<2x8x7x3xf32>
// CHECK:           linalg.generic {{.*}} ins(%[[P]] : tensor<2x8x7x3xf32>)
// CHECK:           linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<60x27xf32>, tensor<27x4xf32>)
func.func @conv_padded(%x: tensor<2x6x5x3xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<2x6x5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<2x6x5x3xf32> to tensor<2x8x7x3xf32>
  %e = tensor.empty() : tensor<2x6x5x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x6x5x4xf32>) -> tensor<2x6x5x4xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%p, %w : tensor<2x8x7x3xf32>, tensor<3x3x3x4xf32>) outs(%init : tensor<2x6x5x4xf32>) -> tensor<2x6x5x4xf32>
  return %0 : tensor<2x6x5x4xf32>
}

// -----

// One image, padded the way unit-dimension folding leaves it (collapsed to
// [h, w, c], padded, expanded back): also padded tile by tile, from the
// unpadded image.

// CHECK-LABEL: func.func @conv_padded_one_image
// CHECK-NOT:     tensor<1x8x7x3xf32>
// CHECK:         scf.forall
// CHECK:           %[[S:.*]] = tensor.extract_slice %arg0[%{{.*}}, %{{.*}}, 0, 0] [1, %{{.*}}, 5, 3] [1, 1, 1, 1] : tensor<1x6x5x3xf32> to tensor<1x?x5x3xf32>
// CHECK:           %[[P:.*]] = tensor.pad %[[S]] low[0, %{{.*}}, 1, 0] high[0, %{{.*}}, 1, 0]
// CHECK:           linalg.generic {{.*}} ins(%[[P]] : tensor<1x8x7x3xf32>)
func.func @conv_padded_one_image(%x: tensor<1x6x5x3xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<1x6x5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %c = tensor.collapse_shape %x [[0, 1], [2], [3]] : tensor<1x6x5x3xf32> into tensor<6x5x3xf32>
  %p = tensor.pad %c low[1, 1, 0] high[1, 1, 0] {
  ^bb0(%a: index, %b: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<6x5x3xf32> to tensor<8x7x3xf32>
  %ex = tensor.expand_shape %p [[0, 1], [2], [3]] output_shape [1, 8, 7, 3] : tensor<8x7x3xf32> into tensor<1x8x7x3xf32>
  %e = tensor.empty() : tensor<1x6x5x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x5x4xf32>) -> tensor<1x6x5x4xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%ex, %w : tensor<1x8x7x3xf32>, tensor<3x3x3x4xf32>) outs(%init : tensor<1x6x5x4xf32>) -> tensor<1x6x5x4xf32>
  return %0 : tensor<1x6x5x4xf32>
}

// -----

// A collapse, pad and expand that pads the batch (three images of one row
// from one image) is no single image's padding: the tiles read the padded
// tensor.

// CHECK-LABEL: func.func @batch_padded
// CHECK:         %[[P:.*]] = tensor.pad
// CHECK:         %[[E:.*]] = tensor.expand_shape %[[P]]
// CHECK:         scf.forall
// CHECK:           tensor.extract_slice %[[E]]
// CHECK-NOT:       tensor.extract_slice %arg0
func.func @batch_padded(%x: tensor<1x1x5x3xf32>, %w: tensor<1x3x3x4xf32>) -> tensor<3x1x5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %c = tensor.collapse_shape %x [[0, 1], [2], [3]] : tensor<1x1x5x3xf32> into tensor<1x5x3xf32>
  %p = tensor.pad %c low[1, 1, 0] high[1, 1, 0] {
  ^bb0(%a: index, %b: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x5x3xf32> to tensor<3x7x3xf32>
  %ex = tensor.expand_shape %p [[0, 1], [2], [3]] output_shape [3, 1, 7, 3] : tensor<3x7x3xf32> into tensor<3x1x7x3xf32>
  %e = tensor.empty() : tensor<3x1x5x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x1x5x4xf32>) -> tensor<3x1x5x4xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%ex, %w : tensor<3x1x7x3xf32>, tensor<1x3x3x4xf32>) outs(%init : tensor<3x1x5x4xf32>) -> tensor<3x1x5x4xf32>
  return %0 : tensor<3x1x5x4xf32>
}

// -----

// The filter gradient of a 3x3 stride-2 convolution of 4 images of 6x6x3
// padded by 1 before (as Conv2DOp::buildAdjoints builds it: the input with
// batch and channels swapped, padded, by the result's adjoint as a 3x3
// filter, at dilation 2) is computed from the input and the adjoint where
// they are: the forward pass's im2col of each tile of the adjoint's rows
// (here one tile: 4 images x 3 x 3 pixels), transposed, times the tile of
// the adjoint, summed into [kh*kw*c, f] per parallel group (here one).

// CHECK-LABEL: func.func @filter_gradient
// CHECK-NOT:     linalg.transpose ins(%arg
// CHECK-NOT:     linalg.conv_2d
// CHECK:         scf.forall (%[[G:.*]]) in (1) shared_outs(%[[PART:.*]] = %{{.*}}) -> (tensor<1x27x5xf32>)
// CHECK:           %[[Z:.*]] = linalg.fill {{.*}} -> tensor<27x5xf32>
// CHECK:           scf.for {{.*}} iter_args(%[[A:.*]] = %[[Z]]) -> (tensor<27x5xf32>)
// CHECK:             %[[S:.*]] = tensor.extract_slice %arg0[%{{.*}}, %{{.*}}, 0, 0] [4, %{{.*}}, 6, 3]
// CHECK:             %[[P:.*]] = tensor.pad %[[S]] low[0, %{{.*}}, 1, 0] high[0, %{{.*}}, 0, 0]
// CHECK:             linalg.generic {indexing_maps = [#[[IN:.*]], #{{.*}}]{{.*}} ins(%[[P]] : tensor<4x7x7x3xf32>) outs(%{{.*}} : tensor<4x3x3x3x3x3xf32>)
// CHECK:             %[[L:.*]] = linalg.transpose ins(%{{.*}} : tensor<36x27xf32>) outs(%{{.*}} : tensor<27x36xf32>) permutation = [1, 0]
// CHECK:             %[[D:.*]] = tensor.extract_slice %arg1[{{.*}}] [4, 3, 3, 5]
// CHECK:             %[[R:.*]] = tensor.collapse_shape %[[D]] {{\[\[}}0, 1, 2], [3]] : tensor<4x3x3x5xf32> into tensor<36x5xf32>
// CHECK:             linalg.matmul ins(%[[L]], %[[R]] : tensor<27x36xf32>, tensor<36x5xf32>) outs(%[[A]] : tensor<27x5xf32>)
// CHECK:         %[[SUM:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x27x5xf32> into tensor<27x5xf32>
// CHECK:         %[[HWCF:.*]] = tensor.expand_shape %[[SUM]] {{.*}} into tensor<3x3x3x5xf32>
// CHECK:         linalg.transpose ins(%[[HWCF]] : tensor<3x3x3x5xf32>) {{.*}} permutation = [2, 0, 1, 3]
func.func @filter_gradient(%x: tensor<4x6x6x3xf32>, %d: tensor<4x3x3x5xf32>) -> tensor<3x3x3x5xf32> {
  %zero = arith.constant 0.0 : f32
  %ei = tensor.empty() : tensor<3x6x6x4xf32>
  %images = linalg.transpose ins(%x : tensor<4x6x6x3xf32>) outs(%ei : tensor<3x6x6x4xf32>) permutation = [3, 1, 2, 0]
  %p = tensor.pad %images low[0, 1, 1, 0] high[0, 0, 0, 0] {
  ^bb0(%a: index, %b: index, %c: index, %e: index):
    tensor.yield %zero : f32
  } : tensor<3x6x6x4xf32> to tensor<3x7x7x4xf32>
  %et = tensor.empty() : tensor<3x3x4x5xf32>
  %taps = linalg.transpose ins(%d : tensor<4x3x3x5xf32>) outs(%et : tensor<3x3x4x5xf32>) permutation = [1, 2, 0, 3]
  %e = tensor.empty() : tensor<3x3x3x5xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x3x3x5xf32>) -> tensor<3x3x3x5xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%p, %taps : tensor<3x7x7x4xf32>, tensor<3x3x4x5xf32>) outs(%init : tensor<3x3x3x5xf32>) -> tensor<3x3x3x5xf32>
  return %0 : tensor<3x3x3x5xf32>
}

// -----

// Twelve tiles of the adjoint's rows (12 images of 20x20 pixels, patches of
// 576 floats: 455 rows fit 1 MiB, a tile is one image's 400) in 6
// parallel groups of 2 tiles (up to 8 groups): the groups' partial
// gradients are added at the end.

// CHECK-LABEL: func.func @filter_gradient_groups
// CHECK:         scf.forall ({{.*}}) in (6) shared_outs({{.*}}) -> (tensor<6x576x8xf32>)
// CHECK:           scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:             linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<576x400xf32>, tensor<400x8xf32>)
// CHECK:         linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "parallel"]{{.*}} ins(%{{.*}} : tensor<6x576x8xf32>) outs(%{{.*}} : tensor<576x8xf32>)
func.func @filter_gradient_groups(%x: tensor<12x20x20x64xf32>, %d: tensor<12x20x20x8xf32>) -> tensor<64x3x3x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ei = tensor.empty() : tensor<64x20x20x12xf32>
  %images = linalg.transpose ins(%x : tensor<12x20x20x64xf32>) outs(%ei : tensor<64x20x20x12xf32>) permutation = [3, 1, 2, 0]
  %p = tensor.pad %images low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %e: index):
    tensor.yield %zero : f32
  } : tensor<64x20x20x12xf32> to tensor<64x22x22x12xf32>
  %et = tensor.empty() : tensor<20x20x12x8xf32>
  %taps = linalg.transpose ins(%d : tensor<12x20x20x8xf32>) outs(%et : tensor<20x20x12x8xf32>) permutation = [1, 2, 0, 3]
  %e = tensor.empty() : tensor<64x3x3x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<64x3x3x8xf32>) -> tensor<64x3x3x8xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%p, %taps : tensor<64x22x22x12xf32>, tensor<20x20x12x8xf32>) outs(%init : tensor<64x3x3x8xf32>) -> tensor<64x3x3x8xf32>
  return %0 : tensor<64x3x3x8xf32>
}
