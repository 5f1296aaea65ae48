// RUN: tg-opt %s -split-input-file -tg-merge-equivalent-slices | FileCheck %s

// A later slice of the same static window of the same tensor reads the
// first one; other windows, strides, sources and dynamic offsets stay.
// CHECK-LABEL: func.func @windows
// CHECK:         %[[A:.*]] = tensor.extract_slice %arg0[0, 1] [4, 4] [1, 1]
// CHECK-NEXT:    %[[B:.*]] = tensor.extract_slice %arg0[1, 1] [4, 4] [1, 1]
// CHECK-NEXT:    %[[C:.*]] = tensor.extract_slice %arg0[0, 1] [4, 4] [1, 2]
// CHECK-NEXT:    %[[D:.*]] = tensor.extract_slice %arg1[0, 1] [4, 4] [1, 1]
// CHECK-NEXT:    %[[E:.*]] = tensor.extract_slice %arg0[%arg2, 1] [4, 4] [1, 1]
// CHECK-NEXT:    %[[F:.*]] = tensor.extract_slice %arg0[%arg2, 1] [4, 4] [1, 1]
// CHECK-NEXT:    return %[[A]], %[[A]], %[[B]], %[[C]], %[[D]], %[[E]], %[[F]]
func.func @windows(%t: tensor<6x9xf32>, %u: tensor<6x9xf32>, %i: index)
    -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %a = tensor.extract_slice %t[0, 1] [4, 4] [1, 1] : tensor<6x9xf32> to tensor<4x4xf32>
  %b = tensor.extract_slice %t[1, 1] [4, 4] [1, 1] : tensor<6x9xf32> to tensor<4x4xf32>
  %c = tensor.extract_slice %t[0, 1] [4, 4] [1, 2] : tensor<6x9xf32> to tensor<4x4xf32>
  %d = tensor.extract_slice %u[0, 1] [4, 4] [1, 1] : tensor<6x9xf32> to tensor<4x4xf32>
  %e = tensor.extract_slice %t[%i, 1] [4, 4] [1, 1] : tensor<6x9xf32> to tensor<4x4xf32>
  %f = tensor.extract_slice %t[%i, 1] [4, 4] [1, 1] : tensor<6x9xf32> to tensor<4x4xf32>
  %a2 = tensor.extract_slice %t[0, 1] [4, 4] [1, 1] : tensor<6x9xf32> to tensor<4x4xf32>
  return %a, %a2, %b, %c, %d, %e, %f : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Slices in different blocks are not compared (the first need not
// dominate the second).
// CHECK-LABEL: func.func @blocks
// CHECK:         tensor.extract_slice
// CHECK:         scf.if
// CHECK:           tensor.extract_slice
func.func @blocks(%t: tensor<6x9xf32>, %p: i1) -> tensor<4x4xf32> {
  %a = tensor.extract_slice %t[0, 1] [4, 4] [1, 1] : tensor<6x9xf32> to tensor<4x4xf32>
  %r = scf.if %p -> tensor<4x4xf32> {
    %b = tensor.extract_slice %t[0, 1] [4, 4] [1, 1] : tensor<6x9xf32> to tensor<4x4xf32>
    scf.yield %b : tensor<4x4xf32>
  } else {
    scf.yield %a : tensor<4x4xf32>
  }
  return %r : tensor<4x4xf32>
}
