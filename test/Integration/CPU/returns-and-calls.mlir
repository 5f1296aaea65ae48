// A value returned twice, and recursive calls: tg-run returns both results
// right, and rejects recursion with one located error (exit 1; `not` fails
// on a crash too; grep -c counts the error lines).
//
// RUN: rm -rf %t && split-file %s %t
// RUN: %npycheck gen %t/x3.npy "np.array([1.0, 2.0, 3.0], np.float32)"

// The same value returned twice: two right results.
// RUN: tg-run %t/dup.mlir --input=%t/x3.npy --print | FileCheck %s --check-prefix=DUP
// DUP: tensor<3xf32>
// DUP-NEXT: [2, 4, 6]
// DUP-NEXT: tensor<3xf32>
// DUP-NEXT: [2, 4, 6]
// DUP-NEXT: tensor<3xf32>
// DUP-NEXT: [1, 2, 3]
// DUP-NEXT: tensor<3xf32>
// DUP-NEXT: [1, 2, 3]
// RUN: tg-run %t/dup.mlir --input=%t/x3.npy --threads=1 --print | FileCheck %s --check-prefix=DUP

// Recursion: rejected at the call, once.
// RUN: not tg-run %t/recurse.mlir --input=%t/x3.npy 2>&1 | FileCheck %s --check-prefix=RECURSE
// RUN: not tg-run %t/recurse.mlir --input=%t/x3.npy 2>&1 | grep -c "error:" | grep -qx 1
// RECURSE: recurse.mlir:10:8: error: 'func.call' op is recursive: @f -> @g -> @f; tg functions cannot call themselves (use scf.for or scf.while)
// RECURSE-NOT: error:

//--- dup.mlir
func.func @main(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y = tg.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %y, %y, %x, %x : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

//--- recurse.mlir
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = call @f(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
func.func private @f(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = call @g(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
func.func private @g(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = call @f(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
