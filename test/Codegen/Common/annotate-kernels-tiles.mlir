// RUN: tg-opt %s -tg-annotate-kernels="profile=1" | FileCheck %s

// Row tiles with a loop inside each tile (a convolution's filter rows, a
// filter gradient's tiles per group): a tile's matmul runs once per trip,
// so the kernel's FLOPs are 2 tiles * 3 trips * 2*4*4*16 = 3072, not one
// trip's 1024.
// CHECK: tg.kernels = [{{{.*}}flops = 3072 : i64, function = "tiles"
// CHECK-SAME: {bytes = 2432 : i64, flops = -1 : i64, function = "unknown_trips"
func.func @tiles(%a: tensor<8x3x16xf32>, %b: tensor<3x16x4xf32>) -> tensor<8x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %r = scf.forall (%t) in (2) shared_outs(%o = %e) -> tensor<8x4xf32> {
    %row = affine.apply affine_map<(d0) -> (d0 * 4)>(%t)
    %acc0 = tensor.extract_slice %o[%row, 0] [4, 4] [1, 1] : tensor<8x4xf32> to tensor<4x4xf32>
    %z = linalg.fill ins(%cst : f32) outs(%acc0 : tensor<4x4xf32>) -> tensor<4x4xf32>
    %acc = scf.for %k = %c0 to %c3 step %c1 iter_args(%s = %z) -> tensor<4x4xf32> {
      %lhs = tensor.extract_slice %a[%row, %k, 0] [4, 1, 16] [1, 1, 1] : tensor<8x3x16xf32> to tensor<4x16xf32>
      %rhs = tensor.extract_slice %b[%k, 0, 0] [1, 16, 4] [1, 1, 1] : tensor<3x16x4xf32> to tensor<16x4xf32>
      %m = linalg.matmul ins(%lhs, %rhs : tensor<4x16xf32>, tensor<16x4xf32>) outs(%s : tensor<4x4xf32>) -> tensor<4x4xf32>
      scf.yield %m : tensor<4x4xf32>
    }
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %acc into %o[%row, 0] [4, 4] [1, 1] : tensor<4x4xf32> into tensor<8x4xf32>
    }
  }
  return %r : tensor<8x4xf32>
}

// A loop bound known only at run time: the FLOPs are unknown (-1), not
// one trip's; the bytes the tiles read and write are still known.
func.func @unknown_trips(%a: tensor<8x3x16xf32>, %b: tensor<3x16x4xf32>, %n: index) -> tensor<8x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %r = scf.forall (%t) in (2) shared_outs(%o = %e) -> tensor<8x4xf32> {
    %row = affine.apply affine_map<(d0) -> (d0 * 4)>(%t)
    %acc0 = tensor.extract_slice %o[%row, 0] [4, 4] [1, 1] : tensor<8x4xf32> to tensor<4x4xf32>
    %z = linalg.fill ins(%cst : f32) outs(%acc0 : tensor<4x4xf32>) -> tensor<4x4xf32>
    %acc = scf.for %k = %c0 to %n step %c1 iter_args(%s = %z) -> tensor<4x4xf32> {
      %lhs = tensor.extract_slice %a[%row, %k, 0] [4, 1, 16] [1, 1, 1] : tensor<8x3x16xf32> to tensor<4x16xf32>
      %rhs = tensor.extract_slice %b[%k, 0, 0] [1, 16, 4] [1, 1, 1] : tensor<3x16x4xf32> to tensor<16x4xf32>
      %m = linalg.matmul ins(%lhs, %rhs : tensor<4x16xf32>, tensor<16x4xf32>) outs(%s : tensor<4x4xf32>) -> tensor<4x4xf32>
      scf.yield %m : tensor<4x4xf32>
    }
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %acc into %o[%row, 0] [4, 4] [1, 1] : tensor<4x4xf32> into tensor<8x4xf32>
    }
  }
  return %r : tensor<8x4xf32>
}
