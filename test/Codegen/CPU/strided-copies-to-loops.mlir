// RUN: tg-opt %s -split-input-file -tg-strided-copies-to-loops | FileCheck %s

// A copy into the interior of a padded buffer becomes a linalg.copy (a loop
// nest LLVM vectorizes); a copy between contiguous buffers stays a memcpy.

// CHECK-LABEL: func.func @strided_and_contiguous
// CHECK:         linalg.copy ins(%arg0 : memref<4x5xf32>) outs(%{{.*}} : memref<4x5xf32, strided<[7, 1], offset: 8>>)
// CHECK:         memref.copy %arg0, %arg2 : memref<4x5xf32> to memref<4x5xf32>
func.func @strided_and_contiguous(%a: memref<4x5xf32>, %padded: memref<6x7xf32>, %b: memref<4x5xf32>) {
  %inner = memref.subview %padded[1, 1] [4, 5] [1, 1] : memref<6x7xf32> to memref<4x5xf32, strided<[7, 1], offset: 8>>
  memref.copy %a, %inner : memref<4x5xf32> to memref<4x5xf32, strided<[7, 1], offset: 8>>
  memref.copy %a, %b : memref<4x5xf32> to memref<4x5xf32>
  return
}

// -----

// A tile written through a collapsed view of its slice and copied back
// into the slice (what bufferization leaves for a tile inserted into the
// slice it was computed in) copies each element onto itself: erased.

// CHECK-LABEL: func.func @self_copy
// CHECK-NOT:     memref.copy
// CHECK-NOT:     linalg.copy
// CHECK:         return
func.func @self_copy(%out: memref<1x8x6x4xf32>, %i: index) {
  %s = memref.subview %out[0, %i, 0, 0] [1, 2, 6, 4] [1, 1, 1, 1] : memref<1x8x6x4xf32> to memref<1x2x6x4xf32, strided<[192, 24, 4, 1], offset: ?>>
  %c = memref.collapse_shape %s [[0, 1, 2], [3]] : memref<1x2x6x4xf32, strided<[192, 24, 4, 1], offset: ?>> into memref<12x4xf32, strided<[4, 1], offset: ?>>
  %e = memref.expand_shape %c [[0, 1, 2], [3]] output_shape [1, 2, 6, 4] : memref<12x4xf32, strided<[4, 1], offset: ?>> into memref<1x2x6x4xf32, strided<[48, 24, 4, 1], offset: ?>>
  memref.copy %e, %s : memref<1x2x6x4xf32, strided<[48, 24, 4, 1], offset: ?>> to memref<1x2x6x4xf32, strided<[192, 24, 4, 1], offset: ?>>
  return
}

// -----

// A transposed view of a buffer, or another part of the same buffer, is a
// real copy.

// CHECK-LABEL: func.func @not_self_copies
// CHECK:         linalg.copy ins(%{{.*}} : memref<3x2xf32, strided<[1, 3]>>) outs(%{{.*}} : memref<3x2xf32>)
// CHECK:         linalg.copy ins(%{{.*}} : memref<2x3xf32, strided<[3, 1], offset: 6>>) outs(%{{.*}} : memref<2x3xf32, strided<[3, 1]>>)
func.func @not_self_copies(%a: memref<2x3xf32>, %b: memref<3x2xf32>, %big: memref<4x3xf32>) {
  %t = memref.transpose %a (i, j) -> (j, i) : memref<2x3xf32> to memref<3x2xf32, strided<[1, 3]>>
  memref.copy %t, %b : memref<3x2xf32, strided<[1, 3]>> to memref<3x2xf32>
  %top = memref.subview %big[0, 0] [2, 3] [1, 1] : memref<4x3xf32> to memref<2x3xf32, strided<[3, 1]>>
  %bottom = memref.subview %big[2, 0] [2, 3] [1, 1] : memref<4x3xf32> to memref<2x3xf32, strided<[3, 1], offset: 6>>
  memref.copy %bottom, %top : memref<2x3xf32, strided<[3, 1], offset: 6>> to memref<2x3xf32, strided<[3, 1]>>
  return
}
