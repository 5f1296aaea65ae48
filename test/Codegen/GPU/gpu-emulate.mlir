// RUN: tg-opt %s -split-input-file -tg-gpu-emulate -verify-diagnostics | FileCheck %s

// A launch of 3x2 blocks of 4x2 threads with workgroup memory: the grid is a
// loop nest (z outermost), the workgroup buffer one alloca per block shared
// by an omp.parallel team of 8 threads, whose ids are split into x and y;
// the barrier is the team's.

// CHECK-LABEL: func.func private @omp_get_thread_num() -> i32
// CHECK-LABEL: func.func @launch
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK:         scf.for %{{.*}} = %[[C0]] to %[[C1]] step %[[C1]]
// CHECK:           scf.for %[[BY:.*]] = %[[C0]] to %[[C2]] step %[[C1]]
// CHECK:             scf.for %[[BX:.*]] = %[[C0]] to %[[C3]] step %[[C1]]
// CHECK:               %[[WG:.*]] = memref.alloca() : memref<8xf32>
// CHECK:               %[[XY:.*]] = arith.muli %[[C4]], %[[C2]]
// CHECK:               %[[N:.*]] = arith.muli %[[XY]], %[[C1]]
// CHECK:               %[[N32:.*]] = arith.index_cast %[[N]] : index to i32
// CHECK:               omp.parallel num_threads(%[[N32]] : i32) {
// CHECK:                 %[[T32:.*]] = func.call @omp_get_thread_num() : () -> i32
// CHECK:                 %[[T:.*]] = arith.index_cast %[[T32]] : i32 to index
// CHECK:                 %[[TX:.*]] = arith.remui %[[T]], %[[C4]]
// CHECK:                 %[[Q:.*]] = arith.divui %[[T]], %[[C4]]
// CHECK:                 %[[TY:.*]] = arith.remui %[[Q]], %[[C2]]
// CHECK:                 %[[I:.*]] = arith.addi %[[TX]], %[[BX]]
// CHECK:                 memref.store %{{.*}}, %[[WG]][%[[I]]] : memref<8xf32>
// CHECK:                 omp.barrier
// CHECK:                 memref.load %[[WG]][%[[TY]]] : memref<8xf32>
// CHECK:                 omp.terminator
// CHECK-NOT:     gpu.
func.func @launch(%out: memref<8xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %f = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c3, %gy = %c2, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c2, %sz = %c1)
             workgroup(%wg : memref<8xf32, #gpu.address_space<workgroup>>) {
    %i = arith.addi %tx, %bx : index
    memref.store %f, %wg[%i] : memref<8xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %v = memref.load %wg[%ty] : memref<8xf32, #gpu.address_space<workgroup>>
    memref.store %v, %out[%by] : memref<8xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @shuffle(%out: memref<32xf32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %i1 = arith.constant 1 : i32
  %i32 = arith.constant 32 : i32
  %f = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    // expected-error @below {{-tg-gpu-emulate: no CPU emulation of gpu.shuffle}}
    %s, %ok = gpu.shuffle xor %f, %i1, %i32 : f32
    memref.store %s, %out[%tx] : memref<32xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @async(%out: memref<32xf32>) {
  %c1 = arith.constant 1 : index
  %t = gpu.wait async
  // expected-error @below {{-tg-gpu-emulate: only synchronous launches}}
  %done = gpu.launch async [%t] blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.terminator
  }
  return
}

// -----

func.func @subview(%out: memref<32xf32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1)
             workgroup(%wg : memref<8xf32, #gpu.address_space<workgroup>>) {
    // expected-error @below {{workgroup or private memory may only be loaded and stored, not used by memref.subview}}
    %s = memref.subview %wg[0] [4] [1] : memref<8xf32, #gpu.address_space<workgroup>> to memref<4xf32, strided<[1]>, #gpu.address_space<workgroup>>
    gpu.terminator
  }
  return
}
