// RUN: tg-opt %s -tg-approximate-math | FileCheck %s

// f32 tanh, exp and log (scalar or vector) become arithmetic; f64, sin and
// cos keep their math ops (libm).

// CHECK-LABEL: func.func @approximated
// CHECK-NOT:     math.tanh
// CHECK-NOT:     math.exp
// CHECK-NOT:     math.log
// CHECK:         arith.mulf
// CHECK:         return
func.func @approximated(%x: f32, %v: vector<16xf32>) -> (f32, vector<16xf32>, f32) {
  %0 = math.tanh %x : f32
  %1 = math.exp %v : vector<16xf32>
  %2 = math.log %x : f32
  return %0, %1, %2 : f32, vector<16xf32>, f32
}

// CHECK-LABEL: func.func @kept
// CHECK:         math.tanh %{{.*}} : f64
// CHECK:         math.sin %{{.*}} : f32
// CHECK:         math.cos %{{.*}} : f32
func.func @kept(%d: f64, %x: f32) -> (f64, f32, f32) {
  %0 = math.tanh %d : f64
  %1 = math.sin %x : f32
  %2 = math.cos %x : f32
  return %0, %1, %2 : f64, f32, f32
}
