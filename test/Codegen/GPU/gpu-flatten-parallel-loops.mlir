// RUN: tg-opt %s -tg-gpu-flatten-parallel-loops -canonicalize | FileCheck %s

// A 2-D elementwise loop becomes one loop over 64 * 100 elements; the row
// and column are the quotient and remainder by the row length, so that
// consecutive iterations (threads, once mapped) take consecutive columns.
// The inner loop of a nest and 1-D loops are left alone.

// CHECK-LABEL: func.func @matrix
// CHECK-DAG:     %[[C100:.*]] = arith.constant 100 : index
// CHECK-DAG:     %[[N:.*]] = arith.constant 6400 : index
// CHECK:         scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[N]]) step (%{{.*}}) {
// CHECK-DAG:       %[[COL:.*]] = arith.remsi %[[I]], %[[C100]]
// CHECK-DAG:       %[[ROW:.*]] = arith.divsi %[[I]], %[[C100]]
// CHECK:           memref.load %arg0[%[[ROW]], %[[COL]]]
// CHECK:           memref.store %{{.*}}, %arg1[%[[ROW]], %[[COL]]]
func.func @matrix(%x: memref<64x100xf32>, %y: memref<64x100xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c100 = arith.constant 100 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c100) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<64x100xf32>
    %e = math.exp %v : f32
    memref.store %e, %y[%i, %j] : memref<64x100xf32>
    scf.reduce
  }
  return
}

// CHECK-LABEL: func.func @vector
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%c64) step
func.func @vector(%x: memref<64xf32>, %y: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %v = memref.load %x[%i] : memref<64xf32>
    memref.store %v, %y[%i] : memref<64xf32>
    scf.reduce
  }
  return
}
