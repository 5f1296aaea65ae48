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
