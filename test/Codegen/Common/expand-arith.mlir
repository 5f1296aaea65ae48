// RUN: tg-opt %s -split-input-file -tg-expand-arith | FileCheck %s

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

// -----

// f64 -> bf16 goes through f32 rounded to odd (nearest f32, one step toward
// zero when it is farther from zero than x, lowest bit set when inexact),
// then the bf16 expansion's round to nearest even: no __truncdfbf2 call,
// and one rounding in effect. Vectors the same way.
// CHECK-LABEL: func.func @f64_to_bf16
// CHECK:         %[[N:.*]] = arith.truncf %arg0 : f64 to f32
// CHECK-NEXT:    %[[B:.*]] = arith.extf %[[N]] : f32 to f64
// CHECK-NEXT:    %[[INEXACT:.*]] = arith.cmpf one, %[[B]], %arg0 : f64
// CHECK-NEXT:    %[[POS:.*]] = arith.cmpf ogt, %arg0, %{{.*}} : f64
// CHECK-NEXT:    %[[ABOVE:.*]] = arith.cmpf ogt, %[[B]], %arg0 : f64
// CHECK-NEXT:    %[[BELOW:.*]] = arith.cmpf olt, %[[B]], %arg0 : f64
// CHECK-NEXT:    %[[FAR:.*]] = arith.select %[[POS]], %[[ABOVE]], %[[BELOW]] : i1
// CHECK-NEXT:    %[[BITS:.*]] = arith.bitcast %[[N]] : f32 to i32
// CHECK-NEXT:    %[[DOWN:.*]] = arith.subi %[[BITS]], %c1_i32 : i32
// CHECK-NEXT:    %[[TZ:.*]] = arith.select %[[FAR]], %[[DOWN]], %[[BITS]] : i32
// CHECK-NEXT:    %[[SET:.*]] = arith.ori %[[TZ]], %c1_i32 : i32
// CHECK-NEXT:    %[[ODD:.*]] = arith.select %[[INEXACT]], %[[SET]], %[[BITS]] : i32
// CHECK-NEXT:    arith.bitcast %[[ODD]] : i32 to f32
// CHECK:         arith.bitcast %{{.*}} : i16 to bf16
// CHECK:         arith.truncf %arg1 : vector<4xf64> to vector<4xf32>
// CHECK-NOT:     arith.truncf {{.*}} to bf16
// CHECK-NOT:     to vector<4xbf16>
// CHECK:         arith.bitcast %{{.*}} : vector<4xi16> to vector<4xbf16>
func.func @f64_to_bf16(%x: f64, %v: vector<4xf64>) -> (bf16, vector<4xbf16>) {
  %0 = arith.truncf %x : f64 to bf16
  %1 = arith.truncf %v : vector<4xf64> to vector<4xbf16>
  return %0, %1 : bf16, vector<4xbf16>
}
