// RUN: tg-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(tg-gpu-mark-host-accessed-args))' | FileCheck %s

// Arguments used only inside kernels are not listed; one whose scalar the
// host code reads (a branch condition) is, through a view too; a result
// (out-parameter) the host code writes is.
// CHECK-LABEL: func.func @mixed
// CHECK-SAME: tg.host_accessed_args = array<i64: 1, 3>
func.func @mixed(%a: memref<16xf32>, %c: memref<2xi1>, %k: memref<16xf32>,
                 %out: memref<f32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    %v0 = memref.load %a[%tx] : memref<16xf32>
    memref.store %v0, %k[%tx] : memref<16xf32>
    gpu.terminator
  }
  %view = memref.subview %c[1] [1] [1] : memref<2xi1> to memref<1xi1, strided<[1], offset: 1>>
  %c0 = arith.constant 0 : index
  %flag = memref.load %view[%c0] : memref<1xi1, strided<[1], offset: 1>>
  scf.if %flag {
    %f = arith.constant 1.0 : f32
    memref.store %f, %out[] : memref<f32>
  }
  return
}

// -----

// Only kernels and descriptor queries: nothing to stage.
// CHECK-LABEL: func.func @kernels_only
// CHECK-SAME: tg.host_accessed_args = array<i64>
func.func @kernels_only(%a: memref<16xf32>, %b: memref<16xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %n = memref.dim %a, %c0 : memref<16xf32>
  %flat = memref.expand_shape %b [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %n, %v = %c1, %w = %c1) {
    %v0 = memref.load %a[%tx] : memref<16xf32>
    memref.store %v0, %flat[%c0, %c0] : memref<4x4xf32>
    gpu.terminator
  }
  return
}

// -----

// Private functions are not entry points: no attribute.
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: tg.host_accessed_args
func.func private @helper(%a: memref<f32>) {
  %f = arith.constant 1.0 : f32
  memref.store %f, %a[] : memref<f32>
  return
}

// -----

// A buffer yielded out of a region (here to a host load after the scf.if)
// or carried into a loop is not followed: it counts as touched.
// CHECK-LABEL: func.func @yielded
// CHECK-SAME: tg.host_accessed_args = array<i64: 0, 2>
func.func @yielded(%a: memref<f32>, %b: memref<f32>, %c: memref<f32>, %flag: i1) -> f32 {
  %m = scf.if %flag -> memref<f32> {
    scf.yield %a : memref<f32>
  } else {
    %alloc = memref.alloc() : memref<f32>
    scf.yield %alloc : memref<f32>
  }
  %v = memref.load %m[] : memref<f32>
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%it = %c) -> memref<f32> {
    scf.yield %it : memref<f32>
  }
  return %v : f32
}
