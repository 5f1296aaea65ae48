// MLIR 22's parsers of linalg.transpose, linalg.broadcast and linalg.reduce
// report a malformed permutation or dimensions list and then crash on the
// null attribute they stored (found by tools/tg-fuzz). tg's tools recover
// from a crash while compiling (tg/Support/InputLimits.h): the located
// error is all that is printed, and the exit status is 1.
//
// RUN: rm -rf %t && split-file %s %t
// RUN: not tg-run %t/transpose.mlir 2>&1 | FileCheck %s --check-prefix=TRANSPOSE
// RUN: not tg-opt %t/transpose.mlir 2>&1 | FileCheck %s --check-prefix=TRANSPOSE
// RUN: not tg-run %t/transpose.mlir 2>&1 | grep -c "error:" | grep -qx 1
// TRANSPOSE: transpose.mlir:3:97: error: expected ']'
// TRANSPOSE-NOT: error:
// TRANSPOSE-NOT: Stack dump
// RUN: not tg-run %t/broadcast.mlir 2>&1 | FileCheck %s --check-prefix=BROADCAST
// RUN: not tg-opt %t/broadcast.mlir 2>&1 | FileCheck %s --check-prefix=BROADCAST
// BROADCAST: broadcast.mlir:3:{{[0-9]+}}: error: expected ']'
// BROADCAST-NOT: error:
// BROADCAST-NOT: Stack dump
//
// MLIR 22's alias analysis recurses without end on block arguments of
// scf.execute_region fed back through branches (found by differential
// fuzzing of one-shot bufferization): the compile thread's stack overflows,
// and its signal handler, without a stack of its own, killed the process
// without a word (status 139; mlir-opt-22 crashes too).
// RUN: not tg-opt %t/recursion.mlir -one-shot-bufferize="bufferize-function-boundaries allow-return-allocs-from-loops" 2>&1 | FileCheck %s --check-prefix=RECURSION
// RECURSION: recursion.mlir: error: internal compiler error: tg crashed while compiling this input

//--- transpose.mlir
func.func @main(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %e = tensor.empty() : tensor<4x4xf32>
  %t = linalg.transpose ins(%a : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) permutation = [1, 0x]
  return %t : tensor<4x4xf32>
}

//--- broadcast.mlir
func.func @main(%a: tensor<4xf32>) -> tensor<4x4xf32> {
  %e = tensor.empty() : tensor<4x4xf32>
  %t = linalg.broadcast ins(%a : tensor<4xf32>) outs(%e : tensor<4x4xf32>) dimensions = [0x]
  return %t : tensor<4x4xf32>
}

//--- recursion.mlir
func.func @f0(%t0: tensor<8xf32>, %t1: tensor<8xf32>, %d0: tensor<?xf32>, %b0: tensor<16xf32>, %ms: memref<8xf32, strided<[?], offset: ?>>, %mi: memref<8xf32>, %ub: index, %n: index, %cond: i1, %f: f32, %m1: memref<8xf32, 1>) -> (tensor<8xf32>, tensor<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %r1 = scf.execute_region -> tensor<8xf32> {
    cf.br ^bb2(%t1 : tensor<8xf32>)
  ^bb2(%p4: tensor<8xf32>):
    %r5 = scf.execute_region -> tensor<8xf32> {
      %r8:2 = scf.for %i9 = %c0 to %c2 step %c1 iter_args(%a6 = %t1, %a7 = %p4) -> (tensor<8xf32>, tensor<8xf32>) {
        %v46 = tensor.cast %d0 : tensor<?xf32> to tensor<8xf32>
        scf.yield %v46, %a7 : tensor<8xf32>, tensor<8xf32>
      }
      cf.br ^bb47(%r8#1 : tensor<8xf32>)
    ^bb47(%p49: tensor<8xf32>):
      %a0:2 = scf.for %i53 = %c0 to %ub step %c1 iter_args(%a50 = %p49, %a51 = %r8#1) -> (tensor<8xf32>, tensor<8xf32>) {
        %r54 = scf.execute_region -> tensor<8xf32> {
          cf.br ^bb55(%a51 : tensor<8xf32>)
        ^bb55(%p57: tensor<8xf32>):
          %v61 = tensor.extract_slice %p57[0] [8] [1] : tensor<8xf32> to tensor<8xf32>
          cf.cond_br %cond, ^bb55(%v61 : tensor<8xf32>), ^bb56
        ^bb56:
          scf.yield %v61 : tensor<8xf32>
        }
        scf.yield %r54, %r8#0 : tensor<8xf32>, tensor<8xf32>
      }
      cf.cond_br %cond, ^bb47(%a0 : tensor<8xf32>), ^bb48
    ^bb48:
      scf.yield %a0#0 : tensor<8xf32>
    }
    cf.cond_br %cond, ^bb2(%r5 : tensor<8xf32>), ^bb3
  ^bb3:
    scf.yield %p4 : tensor<8xf32>
  }
  %v66 = bufferization.alloc_tensor() : tensor<4xf32>
  %v65 = tensor.insert_slice %v66 into %r1[%c1] [4] [1] : tensor<4xf32> into tensor<8xf32>
  return %t0, %v65 : tensor<8xf32>, tensor<8xf32>
}
