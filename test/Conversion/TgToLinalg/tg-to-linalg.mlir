// RUN: tg-opt %s -convert-tg-to-linalg -split-input-file | FileCheck %s

// Elementwise ops broadcast through indexing maps: no broadcast is
// materialized.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[COL0:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @broadcasting
// CHECK-SAME: (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[C:.*]]: tensor<4x1xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x3xf32>, tensor<3xf32>) outs(%[[E]] : tensor<4x3xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[COL0]], #[[ROW]], #[[ID]]]
// CHECK: arith.mulf
// CHECK-NOT: tg.
func.func @broadcasting(%a: tensor<4x3xf32>, %b: tensor<3xf32>, %c: tensor<4x1xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %0 = tg.add %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %1 = tg.mul %c, %b : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Half precision is computed in f32 and rounded once.
// CHECK-LABEL: func @half
// CHECK: ^bb0(%[[IN:.*]]: f16, %{{.*}}: f16):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[IN]] : f16 to f32
// CHECK-NEXT: %[[X:.*]] = math.exp %[[W]] : f32
// CHECK-NEXT: %[[T:.*]] = arith.truncf %[[X]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[T]] : f16
func.func @half(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = tg.exp %x : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func @scalar_ops
// CHECK: arith.divsi
// CHECK: arith.maximumf
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf une
// CHECK: arith.select
// CHECK: arith.fptosi
// CHECK: arith.uitofp
// CHECK: math.powf
func.func @scalar_ops(%i: tensor<4xi32>, %x: tensor<4xf32>, %p: tensor<4xi1>, %y: tensor<4xf32>) {
  %0 = tg.div %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = tg.relu %x : tensor<4xf32>
  %2 = tg.cmp lt, %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %3 = tg.cmp ne, %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %4 = tg.select %p, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %5 = tg.cast %x : tensor<4xf32> to tensor<4xi32>
  %6 = tg.cast %p : tensor<4xi1> to tensor<4xf32>
  %7 = tg.pow %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @matmuls
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x4xf32>, tensor<4x5xf32>) outs(%[[Z]] : tensor<8x5xf32>)
// The batched form broadcasts the lhs batch dim of size 1 (index 0).
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
func.func @matmuls(%a: tensor<8x4xf32>, %b: tensor<4x5xf32>, %c: tensor<2x1x8x4xf32>, %d: tensor<3x4x5xf32>) -> (tensor<8x5xf32>, tensor<2x3x8x5xf32>) {
  %0 = tg.matmul %a, %b : (tensor<8x4xf32>, tensor<4x5xf32>) -> tensor<8x5xf32>
  %1 = tg.matmul %c, %d : (tensor<2x1x8x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x8x5xf32>
  return %0, %1 : tensor<8x5xf32>, tensor<2x3x8x5xf32>
}

// -----

// CHECK-LABEL: func @layout
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<3x2xf32>) permutation = [1, 0]
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// A reshape whose shapes do not nest goes through rank 1.
// CHECK: %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: tensor.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [2, 1] [1, 2] : tensor<2x3xf32> to tensor<2x1xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<4x3xf32>
// CHECK: tensor.insert_slice %{{.*}} into %[[I0]][2, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<4x3xf32>
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[1, 1] [2, 1] [2, 1] : tensor<2x1xf32> into tensor<4x3xf32>
func.func @layout(%x: tensor<2x3xf32>) {
  %0 = tg.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = tg.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %2 = tg.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>
  %3 = tg.slice %x [0:2, 1:3:2] : tensor<2x3xf32> -> tensor<2x1xf32>
  %4 = tg.concat %x, %x [0] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %5 = tg.insert_slice %3 into %4 [1:4:2, 1:2] : tensor<2x1xf32> into tensor<4x3xf32>
  return
}

// -----

// Reductions: identity-filled init, reduction iterators, keepdims through
// expand_shape, the mean as a sum and a scale. Float reduction steps may be
// reassociated (so that LLVM vectorizes them).
// CHECK-LABEL: func @reductions
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// CHECK: arith.constant 1.200000e+01 : f32
// CHECK: arith.divf
func.func @reductions(%x: tensor<4x3xf32>) -> (tensor<4x1xf32>, tensor<f32>) {
  %0 = tg.reduce_max %x [1] : tensor<4x3xf32> -> tensor<4x1xf32>
  %1 = tg.reduce_mean %x [0, 1] : tensor<4x3xf32> -> tensor<f32>
  return %0, %1 : tensor<4x1xf32>, tensor<f32>
}

// -----

// Softmax subtracts the maximum along the axis before exp.
// CHECK-LABEL: func @softmax
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = tg.softmax %x [1] : tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @conv
// CHECK: tensor.pad %{{.*}} low[0, 1, 0, 0] high[0, 1, 2, 0]
// CHECK: linalg.conv_2d_nhwc_hwcf {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
func.func @conv(%in: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x16xf32>) -> tensor<1x4x6x16xf32> {
  %0 = tg.conv2d %in, %w strides [2, 1] padding [1, 1, 0, 2] dilations [1, 2] : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x4x6x16xf32>
  return %0 : tensor<1x4x6x16xf32>
}

// -----

// tg.gather: one parallel generic over the result that reads the index
// (through the map of the index dimensions), wraps and bounds-checks it, and
// extracts from the operand; out-of-range indices yield zero.
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @gather
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK: arith.extsi
// CHECK: arith.cmpi ult
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] : tensor<4x5x3xf32>
// CHECK: arith.select
func.func @gather(%x: tensor<4x5x3xf32>, %i: tensor<6xi32>) -> tensor<4x6x3xf32> {
  %0 = tg.gather %x, %i [1] : (tensor<4x5x3xf32>, tensor<6xi32>) -> tensor<4x6x3xf32>
  return %0 : tensor<4x6x3xf32>
}

// -----

// Rounding ops map to math; log1p and expm1 are Kahan's forms on log/exp.
// CHECK-LABEL: func @rounding
// CHECK: math.floor
// CHECK: math.ceil
// CHECK: math.roundeven
// CHECK: math.erf
// CHECK: math.log
// CHECK: math.exp
func.func @rounding(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = tg.floor %x : tensor<4xf32>
  %1 = tg.ceil %x : tensor<4xf32>
  %2 = tg.round %x : tensor<4xf32>
  %3 = tg.erf %x : tensor<4xf32>
  %4 = tg.log1p %x : tensor<4xf32>
  %5 = tg.expm1 %x : tensor<4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Ops of other dialects around tg ops are untouched; tg ops inside their
// regions are lowered.
// CHECK-LABEL: func @in_scf
// CHECK: scf.if
// CHECK: linalg.generic
// CHECK: math.exp
func.func @in_scf(%c: i1, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = scf.if %c -> tensor<4xf32> {
    %e = tg.exp %x : tensor<4xf32>
    scf.yield %e : tensor<4xf32>
  } else {
    scf.yield %x : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

// A window updated by an addition accumulates into the window itself (the
// generic's init), so that it bufferizes in place in the destination; the
// addition's own generic is left dead (for canonicalization to remove).
// CHECK-LABEL: func @window_add
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %arg1 : tensor<2x3xf32>, tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK:         %[[W:.*]] = tensor.extract_slice %arg0[1, 0] [2, 3] [2, 1] : tensor<4x3xf32> to tensor<2x3xf32>
// CHECK-NEXT:    %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%arg1 : tensor<2x3xf32>) outs(%[[W]] : tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK-NEXT:      %[[SUM:.*]] = arith.addf %[[OUT]], %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[SUM]]
// CHECK:         %[[R:.*]] = tensor.insert_slice %[[S]] into %arg0[1, 0] [2, 3] [2, 1]
// CHECK:         return %[[R]]
func.func @window_add(%acc: tensor<4x3xf32>, %g: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %w = tg.slice %acc [1:4:2, 0:3] : tensor<4x3xf32> -> tensor<2x3xf32>
  %s = tg.add %w, %g : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = tg.insert_slice %s into %acc [1:4:2, 0:3] : tensor<2x3xf32> into tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

// Another window than the one inserted into: a plain sum and insert.
// CHECK-LABEL: func @other_window_add
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %arg1 : tensor<2x3xf32>, tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK:         tensor.insert_slice %[[SUM]] into %arg0[0, 0] [2, 3] [2, 1]
func.func @other_window_add(%acc: tensor<4x3xf32>, %g: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %w = tg.slice %acc [1:4:2, 0:3] : tensor<4x3xf32> -> tensor<2x3xf32>
  %s = tg.add %w, %g : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = tg.insert_slice %s into %acc [0:3:2, 0:3] : tensor<2x3xf32> into tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}
