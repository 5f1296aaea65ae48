// RUN: tg-opt %s -tg-host-shared-allocs | FileCheck %s

// A buffer only kernels touch is GPU memory (an async gpu.alloc, waited
// for); one whose scalar the host code reads (a branch condition) is
// managed memory. Constant globals are copied into a managed buffer, freed
// before returning; every free is a gpu.dealloc.
memref.global "private" constant @cst : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>

// CHECK-LABEL: func.func @buffers
// CHECK: %[[G:.*]] = memref.get_global @cst
// CHECK: %[[C:.*]] = gpu.alloc  host_shared () : memref<4xf32>
// CHECK: memref.copy %[[G]], %[[C]]
// CHECK: %[[W:.*]] = gpu.wait async
// CHECK: %[[A:.*]], %[[T:.*]] = gpu.alloc async [%[[W]]] () : memref<4xf32>
// CHECK: gpu.wait [%[[T]]]
// CHECK: %[[F:.*]] = gpu.alloc  host_shared () : memref<i1>
// CHECK: gpu.launch
// CHECK: memref.store {{.*}}, %[[A]]
// CHECK: memref.store {{.*}}, %[[F]]
// CHECK: memref.load %[[F]]
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK: %[[T1:.*]] = gpu.dealloc async [%[[T0]]] %[[A]] : memref<4xf32>
// CHECK: gpu.wait [%[[T1]]]
// CHECK: gpu.dealloc async [%{{.*}}] %[[F]] : memref<i1>
// CHECK: gpu.dealloc async [%{{.*}}] %[[C]] : memref<4xf32>
// CHECK: gpu.wait
// CHECK-NEXT: return
// CHECK-NOT: memref.alloc
func.func @buffers(%x: memref<4xf32>, %out: memref<4xf32>) {
  %g = memref.get_global @cst : memref<4xf32>
  %a = memref.alloc() : memref<4xf32>
  %flag = memref.alloc() : memref<i1>
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %g[%tx] : memref<4xf32>
    %w = memref.load %x[%tx] : memref<4xf32>
    %s = arith.addf %v, %w : f32
    memref.store %s, %a[%tx] : memref<4xf32>
    %p = arith.cmpf ogt, %s, %v : f32
    memref.store %p, %flag[] : memref<i1>
    gpu.terminator
  }
  %cond = memref.load %flag[] : memref<i1>
  scf.if %cond {
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
      %v = memref.load %a[%tx] : memref<4xf32>
      memref.store %v, %out[%tx] : memref<4xf32>
      gpu.terminator
    }
  }
  memref.dealloc %a : memref<4xf32>
  memref.dealloc %flag : memref<i1>
  return
}
