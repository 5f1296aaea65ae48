// RUN: tg-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(tg-gpu-async-launches))' | FileCheck %s

// Launches that nothing on the host separates share one stream (a token
// chain from one `gpu.wait async`); the host waits once, before it reads
// memory (a branch condition) or returns. Allocations and pure ops do not
// end a chain. A loop body gets a chain of its own; the loop itself, which
// touches memory, waits for the launches before it.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%m: memref<16xf32>) kernel {
      gpu.return
    }
  }

  // CHECK-LABEL: func.func @chain
  // CHECK:         %[[T0:.*]] = gpu.wait async
  // CHECK-NEXT:    %[[T1:.*]] = gpu.launch_func async [%[[T0]]] @kernels::@k
  // CHECK-NEXT:    memref.alloc
  // CHECK-NEXT:    arith.addi
  // CHECK-NEXT:    %[[T2:.*]] = gpu.launch_func async [%[[T1]]] @kernels::@k
  // CHECK-NEXT:    gpu.wait [%[[T2]]]
  // CHECK-NEXT:    memref.load
  // CHECK:         %[[T3:.*]] = gpu.wait async
  // CHECK-NEXT:    %[[T4:.*]] = gpu.launch_func async [%[[T3]]] @kernels::@k
  // CHECK-NEXT:    gpu.wait [%[[T4]]]
  // CHECK-NEXT:    scf.for
  // CHECK-NEXT:      %[[L0:.*]] = gpu.wait async
  // CHECK-NEXT:      %[[L1:.*]] = gpu.launch_func async [%[[L0]]] @kernels::@k
  // CHECK-NEXT:      gpu.wait [%[[L1]]]
  // CHECK-NEXT:    }
  // CHECK-NEXT:    return
  func.func @chain(%a: memref<16xf32>, %c: memref<i1>) {
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<16xf32>)
    %b = memref.alloc() : memref<16xf32>
    %n = arith.addi %c1, %c1 : index
    gpu.launch_func @kernels::@k blocks in (%n, %c1, %c1) threads in (%c1, %c1, %c1) args(%b : memref<16xf32>)
    %flag = memref.load %c[] : memref<i1>
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<16xf32>)
    scf.for %i = %c0 to %c4 step %c1 {
      gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%b : memref<16xf32>)
    }
    return
  }
}

// -----

// A device allocation in the form -tg-host-shared-allocs writes (its own
// gpu.wait async and gpu.wait, the form -gpu-to-llvm lowers) joins the
// chain instead of ending it; a free still waits for the launches.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%m: memref<16xf32>) kernel {
      gpu.return
    }
  }

  // CHECK-LABEL: func.func @allocation_in_chain
  // CHECK:         %[[T0:.*]] = gpu.wait async
  // CHECK-NEXT:    %[[T1:.*]] = gpu.launch_func async [%[[T0]]] @kernels::@k
  // CHECK-NEXT:    %[[M:.*]], %[[T2:.*]] = gpu.alloc async [%[[T1]]] () : memref<16xf32>
  // CHECK-NEXT:    %[[T3:.*]] = gpu.launch_func async [%[[T2]]] @kernels::@k {{.*}} args(%[[M]] : memref<16xf32>)
  // CHECK-NEXT:    gpu.wait [%[[T3]]]
  // CHECK-NEXT:    %[[F0:.*]] = gpu.wait async
  // CHECK-NEXT:    %[[F1:.*]] = gpu.dealloc async [%[[F0]]] %[[M]]
  // CHECK-NEXT:    gpu.wait [%[[F1]]]
  // CHECK-NEXT:    return
  func.func @allocation_in_chain(%a: memref<16xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<16xf32>)
    %w = gpu.wait async
    %m, %t = gpu.alloc async [%w] () : memref<16xf32>
    gpu.wait [%t]
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<16xf32>)
    %f = gpu.wait async
    %d = gpu.dealloc async [%f] %m : memref<16xf32>
    gpu.wait [%d]
    return
  }
}
