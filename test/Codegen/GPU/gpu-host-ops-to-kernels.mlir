// RUN: tg-opt %s -split-input-file -tg-gpu-host-ops-to-kernels | FileCheck %s

// Copies between buffers become linalg.copy (a parallel loop, so a kernel),
// and loop-less linalg ops go into a parallel loop of one iteration: the
// host code of the GPU pipeline then never reads or writes buffers.

// CHECK-LABEL: func.func @copy
// CHECK-NOT:     memref.copy
// CHECK:         linalg.copy ins(%arg0 : memref<4xf32>) outs(%arg1 : memref<4xf32>)
func.func @copy(%x: memref<4xf32>, %out: memref<4xf32>) {
  memref.copy %x, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// A scalar fill and a scalar op (the mean's division of a loss).
// CHECK-LABEL: func.func @scalar
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[C1:.*]] = arith.constant 1 : index
// CHECK:         scf.parallel (%{{.*}}) = (%[[C0]]) to (%[[C1]]) step (%[[C1]]) {
// CHECK-NEXT:      linalg.fill
// CHECK:         scf.parallel
// CHECK-NEXT:      linalg.generic
// CHECK:         return
func.func @scalar(%x: memref<f32>, %out: memref<f32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<f32>)
  linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%x : memref<f32>) outs(%out : memref<f32>) {
  ^bb0(%in: f32, %o: f32):
    %h = arith.mulf %in, %in : f32
    linalg.yield %h : f32
  }
  return
}

// -----

// Ops already in a parallel loop or a kernel stay.

// CHECK-LABEL: func.func @nested
// CHECK:         gpu.launch
// CHECK-NEXT:      memref.copy
// CHECK:         scf.parallel
// CHECK-NEXT:      linalg.fill
// CHECK-NOT:     scf.parallel
func.func @nested(%x: memref<4xf32>, %out: memref<4xf32>, %s: memref<f32>) {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.copy %x, %out : memref<4xf32> to memref<4xf32>
    gpu.terminator
  }
  scf.parallel (%i) = (%c1) to (%c1) step (%c1) {
    linalg.fill ins(%zero : f32) outs(%s : memref<f32>)
    scf.reduce
  }
  return
}
