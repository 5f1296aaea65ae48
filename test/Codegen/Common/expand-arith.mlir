// RUN: tg-opt %s -tg-expand-arith | FileCheck %s

// Elementwise maximumf/minimumf become compare and select (NaN in either
// operand propagates); reduction steps (reassoc) stay for LLVM to vectorize
// as min/max reductions. The other upstream expansions still apply.
// CHECK-LABEL: func.func @expand
// CHECK:         %[[GT:.*]] = arith.cmpf ugt, %arg0, %arg1 : f32
// CHECK:         %[[MAX:.*]] = arith.select %[[GT]], %arg0, %arg1 : f32
// CHECK:         %[[NAN:.*]] = arith.cmpf uno, %arg1, %arg1 : f32
// CHECK:         arith.select %[[NAN]], %arg1, %[[MAX]] : f32
// CHECK:         %[[LT:.*]] = arith.cmpf ult, %arg0, %arg1 : f32
// CHECK:         arith.select %[[LT]], %arg0, %arg1 : f32
// CHECK:         arith.maximumf %arg0, %arg1 fastmath<reassoc> : f32
// CHECK:         arith.minimumf %arg0, %arg1 fastmath<reassoc> : f32
// CHECK-NOT:     arith.ceildivsi
// CHECK-NOT:     arith.extf
// CHECK:         return
func.func @expand(%a: f32, %b: f32, %i: i32, %j: i32, %h: bf16)
    -> (f32, f32, f32, f32, i32, f32) {
  %0 = arith.maximumf %a, %b : f32
  %1 = arith.minimumf %a, %b : f32
  %2 = arith.maximumf %a, %b fastmath<reassoc> : f32
  %3 = arith.minimumf %a, %b fastmath<reassoc> : f32
  %4 = arith.ceildivsi %i, %j : i32
  %5 = arith.extf %h : bf16 to f32
  return %0, %1, %2, %3, %4, %5 : f32, f32, f32, f32, i32, f32
}
