// RUN: tg-opt %s -tg-host-shared-allocs | FileCheck %s

// Host buffers become managed memory that kernels can reach; constant
// globals are copied into such a buffer and freed before returning.
memref.global "private" constant @cst : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>

// CHECK-LABEL: func.func @buffers
// CHECK: %[[G:.*]] = memref.get_global @cst
// CHECK: %[[C:.*]] = gpu.alloc  host_shared () : memref<4xf32>
// CHECK: memref.copy %[[G]], %[[C]]
// CHECK: %[[A:.*]] = gpu.alloc  host_shared () : memref<4xf32>
// CHECK: linalg.add ins(%[[C]], %arg0 : {{.*}}) outs(%[[A]]
// CHECK: memref.copy %[[A]], %arg1
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK: %[[T1:.*]] = gpu.dealloc async [%[[T0]]] %[[A]] : memref<4xf32>
// CHECK: gpu.wait [%[[T1]]]
// CHECK: gpu.dealloc async [%{{.*}}] %[[C]] : memref<4xf32>
// CHECK: gpu.wait
// CHECK-NEXT: return
// CHECK-NOT: memref.alloc
func.func @buffers(%x: memref<4xf32>, %out: memref<4xf32>) {
  %g = memref.get_global @cst : memref<4xf32>
  %a = memref.alloc() : memref<4xf32>
  linalg.add ins(%g, %x : memref<4xf32>, memref<4xf32>) outs(%a : memref<4xf32>)
  memref.copy %a, %out : memref<4xf32> to memref<4xf32>
  memref.dealloc %a : memref<4xf32>
  return
}

