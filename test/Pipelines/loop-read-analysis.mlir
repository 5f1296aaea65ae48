// One-shot bufferization's analysis of nested scf.for loops: tg's read
// query of scf.for (LoopReadAnalysis.cpp) gives upstream's answers, so the
// in-place decisions equal stock mlir-opt's, and it is linear in the depth,
// so 40 levels (2^40 walks upstream) analyze at once; `timeout` only turns
// a regression into a failure instead of a hung run.

// RUN: mlir-opt %s -split-input-file -one-shot-bufferize="bufferize-function-boundaries test-analysis-only" > %t.upstream
// RUN: tg-opt %s -split-input-file -one-shot-bufferize="bufferize-function-boundaries test-analysis-only" > %t.tg
// RUN: diff %t.upstream %t.tg
// RUN: FileCheck %s --input-file=%t.tg
// RUN: timeout 120 tg-opt %S/Inputs/nested-for-40.mlir -one-shot-bufferize="bufferize-function-boundaries test-analysis-only" | FileCheck %s --check-prefix=DEEP

// DEEP-LABEL: func @deep
// DEEP-COUNT-40: scf.for
// DEEP: linalg.map
// DEEP-SAME: __inplace_operands_attr__ = ["true", "true", "true"]

// The innermost map only writes its iter_arg: no loop reads its init, and
// %b, read by every iteration, is left in place.
// CHECK-LABEL: func @writes
// CHECK-SAME: bufferization.access = "write"
func.func @writes(%a: tensor<8xf32> {bufferization.writable = true}, %b: tensor<8xf32>) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r0 = scf.for %i0 = %c0 to %c2 step %c1 iter_args(%x0 = %a) -> (tensor<8xf32>) {
  %r1 = scf.for %i1 = %c0 to %c2 step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
  %r2 = scf.for %i2 = %c0 to %c2 step %c1 iter_args(%x2 = %x1) -> (tensor<8xf32>) {
  %p = linalg.map { arith.mulf } ins(%b, %b : tensor<8xf32>, tensor<8xf32>) outs(%x2 : tensor<8xf32>)
  scf.yield %p : tensor<8xf32>
  }
  scf.yield %r2 : tensor<8xf32>
  }
  scf.yield %r1 : tensor<8xf32>
  }
  return %r0 : tensor<8xf32>
}

// -----

// CHECK-LABEL: func @reads
// CHECK-SAME: bufferization.access = "read-write"
func.func @reads(%a: tensor<8xf32> {bufferization.writable = true}, %b: tensor<8xf32>) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r0 = scf.for %i0 = %c0 to %c2 step %c1 iter_args(%x0 = %a) -> (tensor<8xf32>) {
  %r1 = scf.for %i1 = %c0 to %c2 step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
  %r2 = scf.for %i2 = %c0 to %c2 step %c1 iter_args(%x2 = %x1) -> (tensor<8xf32>) {
  %p = linalg.map { arith.mulf } ins(%x2, %b : tensor<8xf32>, tensor<8xf32>) outs(%x2 : tensor<8xf32>)
  scf.yield %p : tensor<8xf32>
  }
  scf.yield %r2 : tensor<8xf32>
  }
  scf.yield %r1 : tensor<8xf32>
  }
  return %r0 : tensor<8xf32>
}

// -----

// An alias-only extract_slice between the iter_arg and its read.
// CHECK-LABEL: func @slice_read
// CHECK-SAME: bufferization.access = "read-write"
func.func @slice_read(%a: tensor<8xf32> {bufferization.writable = true}, %b: tensor<8xf32>) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r0 = scf.for %i0 = %c0 to %c2 step %c1 iter_args(%x0 = %a) -> (tensor<8xf32>) {
  %r1 = scf.for %i1 = %c0 to %c2 step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
  %r2 = scf.for %i2 = %c0 to %c2 step %c1 iter_args(%x2 = %x1) -> (tensor<8xf32>) {
  %s = tensor.extract_slice %x2[0] [4] [1] : tensor<8xf32> to tensor<4xf32>
  %e = tensor.extract %s[%c1] : tensor<4xf32>
  %f = tensor.splat %e : tensor<4xf32>
  %p = tensor.insert_slice %f into %x2[4] [4] [1] : tensor<4xf32> into tensor<8xf32>
  scf.yield %p : tensor<8xf32>
  }
  scf.yield %r2 : tensor<8xf32>
  }
  scf.yield %r1 : tensor<8xf32>
  }
  return %r0 : tensor<8xf32>
}

// -----

// CHECK-LABEL: func @passthrough
func.func @passthrough(%a: tensor<8xf32> {bufferization.writable = true}, %b: tensor<8xf32>) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r0 = scf.for %i0 = %c0 to %c2 step %c1 iter_args(%x0 = %a) -> (tensor<8xf32>) {
  %r1 = scf.for %i1 = %c0 to %c2 step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
  %r2 = scf.for %i2 = %c0 to %c2 step %c1 iter_args(%x2 = %x1) -> (tensor<8xf32>) {
  scf.yield %x2 : tensor<8xf32>
  }
  scf.yield %r2 : tensor<8xf32>
  }
  scf.yield %r1 : tensor<8xf32>
  }
  return %r0 : tensor<8xf32>
}

// -----

// A loop that may run zero times reads its init (its result is the init).
// CHECK-LABEL: func @zero_trips
// CHECK-SAME: bufferization.access = "read-write"
func.func @zero_trips(%a: tensor<8xf32> {bufferization.writable = true}, %b: tensor<8xf32>) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r0 = scf.for %i0 = %c0 to %c0 step %c1 iter_args(%x0 = %a) -> (tensor<8xf32>) {
  %r1 = scf.for %i1 = %c0 to %c0 step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
  %r2 = scf.for %i2 = %c0 to %c0 step %c1 iter_args(%x2 = %x1) -> (tensor<8xf32>) {
  %p = linalg.map { arith.mulf } ins(%b, %b : tensor<8xf32>, tensor<8xf32>) outs(%x2 : tensor<8xf32>)
  scf.yield %p : tensor<8xf32>
  }
  scf.yield %r2 : tensor<8xf32>
  }
  scf.yield %r1 : tensor<8xf32>
  }
  return %r0 : tensor<8xf32>
}

// -----

// Bounds unknown at compile time: upstream's answer (a read).
// CHECK-LABEL: func @dynamic
// CHECK-SAME: bufferization.access = "read-write"
func.func @dynamic(%a: tensor<8xf32> {bufferization.writable = true}, %b: tensor<8xf32>, %n: index) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r0 = scf.for %i0 = %c0 to %n step %c1 iter_args(%x0 = %a) -> (tensor<8xf32>) {
  %r1 = scf.for %i1 = %c0 to %n step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
  %r2 = scf.for %i2 = %c0 to %n step %c1 iter_args(%x2 = %x1) -> (tensor<8xf32>) {
  %p = linalg.map { arith.mulf } ins(%b, %b : tensor<8xf32>, tensor<8xf32>) outs(%x2 : tensor<8xf32>)
  scf.yield %p : tensor<8xf32>
  }
  scf.yield %r2 : tensor<8xf32>
  }
  scf.yield %r1 : tensor<8xf32>
  }
  return %r0 : tensor<8xf32>
}

// -----

// %a is read after the loop nest that overwrites it: the nest's init is
// not in place.
// CHECK-LABEL: func @read_after
// CHECK: scf.for
// CHECK: scf.for
// CHECK: } {__inplace_operands_attr__ = ["none", "none", "none", "true"]}
// CHECK: } {__inplace_operands_attr__ = ["none", "none", "none", "false"]}
func.func @read_after(%a: tensor<8xf32> {bufferization.writable = true}, %b: tensor<8xf32> {bufferization.writable = true}) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r0 = scf.for %i0 = %c0 to %c2 step %c1 iter_args(%x0 = %a) -> (tensor<8xf32>) {
  %r1 = scf.for %i1 = %c0 to %c2 step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
  %p = linalg.map { arith.mulf } ins(%b, %b : tensor<8xf32>, tensor<8xf32>) outs(%x1 : tensor<8xf32>)
  scf.yield %p : tensor<8xf32>
  }
  scf.yield %r1 : tensor<8xf32>
  }
  %z = linalg.map { arith.addf } ins(%r0, %a : tensor<8xf32>, tensor<8xf32>) outs(%b : tensor<8xf32>)
  return %z : tensor<8xf32>
}
