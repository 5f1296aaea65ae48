// RUN: tg-opt %s -tg-cpu-pipeline | FileCheck %s
// RUN: tg-opt %s -tg-prepare-entry-points | FileCheck %s --check-prefix=PREP

// The whole CPU pipeline ends in the LLVM dialect; the entry point gets a C
// interface whose results are caller-provided out-parameters (two inputs
// and two outputs: four descriptor pointers), and intermediates are freed.
// CHECK-NOT: tg.
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK: llvm.func @free(!llvm.ptr)
// CHECK: llvm.func @malloc(i64) -> !llvm.ptr
// CHECK: llvm.func @main(
// CHECK-SAME: llvm.emit_c_interface
// CHECK-SAME: tg.signature = (tensor<4x3xf32>, tensor<3x5xf32>) -> (tensor<4x5xf32>, tensor<f32>)
// CHECK: llvm.call @malloc
// CHECK: llvm.call @free
// CHECK: llvm.func @_mlir_ciface_main(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// The private helper is inlined (and gone), never given a C interface.
// CHECK-NOT: _mlir_ciface_helper
// CHECK-NOT: @helper

// PREP-NOT: emit_c_interface
// The caller's inputs are read-only for bufferization; the private helper's
// arguments are left to its analysis.
// PREP: func.func private @helper(%{{[^ ]*}}: tensor<4x5xf32>) -> tensor<4x5xf32>
// PREP: func.func @main(%{{.*}}: tensor<4x3xf32> {bufferization.writable = false}, %{{.*}}: tensor<3x5xf32> {bufferization.writable = false}) -> (tensor<4x5xf32>, tensor<f32>) attributes {llvm.emit_c_interface, tg.signature = (tensor<4x3xf32>, tensor<3x5xf32>) -> (tensor<4x5xf32>, tensor<f32>)}

func.func private @helper(%x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %0 = tg.tanh %x : tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

func.func @main(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>) -> (tensor<4x5xf32>, tensor<f32>) {
  %m = tg.matmul %a, %b : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  %t = func.call @helper(%m) : (tensor<4x5xf32>) -> tensor<4x5xf32>
  %r = tg.relu %t : tensor<4x5xf32>
  // A matmul operand is an intermediate buffer: allocated, then freed.
  %rt = tg.transpose %r [1, 0] : tensor<4x5xf32> -> tensor<5x4xf32>
  %g = tg.matmul %r, %rt : (tensor<4x5xf32>, tensor<5x4xf32>) -> tensor<4x4xf32>
  %s = tg.reduce_sum %g [0, 1] : tensor<4x4xf32> -> tensor<f32>
  return %t, %s : tensor<4x5xf32>, tensor<f32>
}
