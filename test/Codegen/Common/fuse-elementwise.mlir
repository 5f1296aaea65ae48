// RUN: tg-opt %s -pass-pipeline="builtin.module(convert-tg-to-linalg, func.func(tg-fuse-elementwise))" | FileCheck %s
// RUN: tg-opt %s -pass-pipeline="builtin.module(convert-tg-to-linalg, func.func(tg-fuse-elementwise{max-body-ops=6}))" | FileCheck %s --check-prefix=CAP

// A chain of six elementwise ops fuses into one generic by default; with
// a cap of 6 (the ops of both bodies, yields included, counted before
// each fusion) it becomes two generics.
// CHECK-LABEL: func.func @chain
// CHECK-COUNT-1: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: return
// CAP-LABEL: func.func @chain
// CAP: %[[FIRST:.*]] = linalg.generic
// CAP-NEXT: ^bb0
// CAP-NEXT: math.exp
// CAP-NEXT: arith.mulf
// CAP-NEXT: math.tanh
// CAP-NEXT: arith.addf
// CAP-NEXT: linalg.yield
// CAP: linalg.generic {{.*}} ins(%[[FIRST]], %arg1
// CAP-NEXT: ^bb0
// CAP-NEXT: math.sin
// CAP-NEXT: arith.mulf
// CAP-NEXT: linalg.yield
// CAP: return
func.func @chain(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  %0 = tg.exp %a : tensor<8xf32>
  %1 = tg.mul %0, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %2 = tg.tanh %1 : tensor<8xf32>
  %3 = tg.add %2, %a : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %4 = tg.sin %3 : tensor<8xf32>
  %5 = tg.mul %4, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %5 : tensor<8xf32>
}

// A flatten (reshape) and a producer in front of a matmul: the matmul stays
// a linalg.matmul on the collapsed operand (folding the reshape into it
// would make it a generic contraction the micro-kernels do not take).
// CHECK-LABEL: func.func @flatten_dense
// CHECK: linalg.generic
// CHECK: tensor.collapse_shape
// CHECK: linalg.matmul
// CAP-LABEL: func.func @flatten_dense
// CAP: linalg.matmul
func.func @flatten_dense(%h: tensor<8x2x2x4xf32>, %w: tensor<16x10xf32>) -> tensor<8x10xf32> {
  %r = tg.relu %h : tensor<8x2x2x4xf32>
  %f = tg.reshape %r : tensor<8x2x2x4xf32> -> tensor<8x16xf32>
  %m = tg.matmul %f, %w : (tensor<8x16xf32>, tensor<16x10xf32>) -> tensor<8x10xf32>
  return %m : tensor<8x10xf32>
}
