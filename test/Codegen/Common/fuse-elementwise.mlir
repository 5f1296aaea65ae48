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
