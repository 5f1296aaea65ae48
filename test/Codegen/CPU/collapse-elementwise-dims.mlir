// RUN: tg-opt %s -tg-collapse-elementwise-dims -split-input-file | FileCheck %s

// Whole buffers and a scalar: one flat loop over views of the buffers.
// CHECK-LABEL: func.func @whole_and_scalar
// CHECK-DAG: %[[A:.*]] = memref.collapse_shape %arg0 {{\[}}[0, 1, 2]] : memref<4x8x16xf32> into memref<512xf32>
// CHECK-DAG: %[[C:.*]] = memref.collapse_shape %arg2 {{\[}}[0, 1, 2]] : memref<4x8x16xf32> into memref<512xf32>
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel"]
// CHECK-SAME: ins(%[[A]], %arg1 : memref<512xf32>, memref<f32>)
// CHECK-SAME: outs(%[[C]] : memref<512xf32>)
// CHECK: arith.mulf
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#sc3 = affine_map<(d0, d1, d2) -> ()>
func.func @whole_and_scalar(%a: memref<4x8x16xf32>, %s: memref<f32>, %c: memref<4x8x16xf32>) {
  linalg.generic {indexing_maps = [#id3, #sc3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a, %s : memref<4x8x16xf32>, memref<f32>) outs(%c : memref<4x8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A broadcast along the inner dimension keeps its loops.
// CHECK-LABEL: func.func @broadcast_row
// CHECK-NOT: memref.collapse_shape
// CHECK: iterator_types = ["parallel", "parallel"]
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @broadcast_row(%a: memref<3x4xf32>, %b: memref<4xf32>, %c: memref<3x4xf32>) {
  linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : memref<3x4xf32>, memref<4xf32>) outs(%c : memref<3x4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.addf %x, %y : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Transposes, strided views and reductions keep their loops.
// CHECK-LABEL: func.func @not_elementwise_on_whole_buffers
// CHECK-NOT: memref.collapse_shape
// CHECK: iterator_types = ["parallel", "parallel"]
// CHECK: iterator_types = ["parallel", "parallel"]
// CHECK: iterator_types = ["parallel", "reduction"]
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
#rd = affine_map<(d0, d1) -> (d0)>
func.func @not_elementwise_on_whole_buffers(%a: memref<4x4xf32>, %v: memref<4x4xf32, strided<[8, 1]>>,
                                            %c: memref<4x4xf32>, %r: memref<4xf32>) {
  linalg.generic {indexing_maps = [#tr, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<4x4xf32>) outs(%c : memref<4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%v : memref<4x4xf32, strided<[8, 1]>>) outs(%c : memref<4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  }
  linalg.generic {indexing_maps = [#id2, #rd], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<4x4xf32>) outs(%r : memref<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %o : f32
    linalg.yield %s : f32
  }
  return
}
