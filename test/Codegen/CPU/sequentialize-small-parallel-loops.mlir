// RUN: tg-opt %s -pass-pipeline='builtin.module(func.func(tg-sequentialize-small-parallel-loops{min-iterations=1000}))' | FileCheck %s

// 8 x 16 iterations, each with an inner loop of 4: 512 < 1000, sequential.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.parallel
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK: memref.store
func.func @small(%m: memref<8x16xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1) {
    scf.for %k = %c0 to %c4 step %c1 {
      memref.store %v, %m[%i, %j] : memref<8x16xf32>
    }
    scf.reduce
  }
  return
}

// 64 x 64 = 4096 >= 1000: stays parallel; so does a dynamic bound. The
// outer 64 iterations are enough chunks of work (min-parallel-trips=64):
// the inner dimension becomes a plain loop inside, which OpenMP will not
// collapse into the parallel iteration space.
// CHECK-LABEL: func.func @large
// CHECK: scf.parallel (%[[I:.*]]) = (%c0) to (%c64) step (%c1)
// CHECK-NEXT: scf.for %[[J:.*]] = %c0 to %c64 step %c1
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
// CHECK: scf.parallel
func.func @large(%m: memref<64x64xf32>, %v: f32, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    memref.store %v, %m[%i, %j] : memref<64x64xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %v, %m[%i, %i] : memref<64x64xf32>
    scf.reduce
  }
  return
}

// A parallel loop nested in another (an op inside a row tile) runs
// sequentially inside its thread: no nested OpenMP team. Its iterations
// count towards the outer loop's work (16 x 64 >= 1000: parallel).
// CHECK-LABEL: func.func @nested
// CHECK: scf.parallel (%[[T:.*]]) = (%c0) to (%c16) step (%c1)
// CHECK-NOT: scf.parallel
// CHECK: scf.for %[[J:.*]] = %c0 to %c64 step %c1
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[T]], %[[J]]]
func.func @nested(%m: memref<16x64xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%t) = (%c0) to (%c16) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c64) step (%c1) {
      memref.store %v, %m[%t, %j] : memref<16x64xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}
