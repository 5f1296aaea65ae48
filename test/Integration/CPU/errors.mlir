// Bad input to tg-run: every case prints one located diagnostic, exits 1
// (`not` also fails on a crash), and leaves no output behind.
//
// RUN: rm -rf %t && split-file %s %t
// RUN: %npycheck gen %t/x3.npy "np.ones(3, np.float32)"
// RUN: %npycheck gen %t/x4.npy "np.ones(4, np.float32)"
// RUN: %npycheck gen %t/x3d.npy "np.ones(3)"
// RUN: %npycheck gen %t/y.npy "np.ones((2, 2), np.float32)"
// RUN: %npycheck gen %t/u8.npy "np.ones(3, np.uint8)"
// RUN: %npycheck gen %t/zero.npy "np.float32(0)"
// RUN: %python -c "import numpy as np; np.save('%t/fortran.npy', np.asfortranarray(np.ones((2, 2), np.float32)))"
// RUN: %python -c "b = open('%t/x3.npy', 'rb').read(); open('%t/trunc.npy', 'wb').write(b[:-5]); open('%t/junk.npy', 'wb').write(b'hello world'); open('%t/header.npy', 'wb').write(b[:8] + bytes([255, 0]) + b[10:])"

// RUN: not tg-run %t/missing.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: missing.mlir: error: cannot open file: No such file or directory

// RUN: not tg-run %t/unparsable.mlir 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: unparsable.mlir:2:32: error: expected '>' in tensor type
// PARSE-NOT: error

// RUN: not tg-run %t/invalid.mlir 2>&1 | FileCheck %s --check-prefix=VERIFY
// VERIFY: invalid.mlir:2:8: error: 'tg.add' op result type 'tensor<4xf32>' does not match the inferred type 'tensor<3xf32>'
// VERIFY-NOT: note

// RUN: not tg-run %t/good.mlir -e nope 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: good.mlir: error: no public function @nope in the module (entry points: @main, @scalar)

// RUN: not tg-run %t/good.mlir -e scalar 2>&1 | FileCheck %s --check-prefix=NOTENSOR
// NOTENSOR: good.mlir: error: @scalar cannot be called: argument #0 has type i32; entry points take and return statically shaped tensors

// RUN: not tg-run %t/good.mlir 2>&1 | FileCheck %s --check-prefix=NOINPUT
// NOINPUT: good.mlir: error: @main takes 2 argument(s), 0 given with --input; missing: #0 (tensor<3xf32>) #1 (tensor<2x2xf32>)

// RUN: not tg-run %t/good.mlir --input=%t/x3.npy 2>&1 | FileCheck %s --check-prefix=FEWER
// FEWER: good.mlir: error: @main takes 2 argument(s), 1 given with --input; missing: #1 (tensor<2x2xf32>)

// RUN: not tg-run %t/good.mlir --input=%t/x3.npy --input=%t/y.npy --input=%t/y.npy 2>&1 | FileCheck %s --check-prefix=MORE
// MORE: good.mlir: error: @main takes 2 argument(s), 3 given with --input

// RUN: not tg-run %t/good.mlir --input=%t/x4.npy --input=%t/y.npy --output-dir=%t/out 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: x4.npy: error: argument #0 of @main expects tensor<3xf32>, the file holds tensor<4xf32>
// RUN: not ls %t/out

// RUN: not tg-run %t/good.mlir --input=%t/x3d.npy --input=%t/y.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: x3d.npy: error: argument #0 of @main expects tensor<3xf32>, the file holds tensor<3xf64>

// RUN: not tg-run %t/good.mlir --input=%t/u8.npy --input=%t/y.npy 2>&1 | FileCheck %s --check-prefix=BADDTYPE
// BADDTYPE: u8.npy: error: unsupported dtype '|u1'

// RUN: not tg-run %t/good.mlir --input=%t/x3.npy --input=%t/fortran.npy 2>&1 | FileCheck %s --check-prefix=FORTRAN
// FORTRAN: fortran.npy: error: Fortran-order arrays are not supported

// RUN: not tg-run %t/good.mlir --input=%t/x3.npy --input=%t/trunc.npy 2>&1 | FileCheck %s --check-prefix=TRUNC
// TRUNC: trunc.npy: error: truncated data: expected 12 data bytes for shape, found 7

// RUN: not tg-run %t/good.mlir --input=%t/junk.npy --input=%t/y.npy 2>&1 | FileCheck %s --check-prefix=JUNK
// JUNK: junk.npy: error: not a .npy file (bad magic string)

// RUN: not tg-run %t/good.mlir --input=%t/header.npy --input=%t/y.npy 2>&1 | FileCheck %s --check-prefix=HEADER
// HEADER: header.npy: error: truncated .npy header: 255 header bytes announced

// RUN: not tg-run %t/good.mlir --input=%t/absent.npy --input=%t/y.npy 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: absent.npy: error: cannot read file: No such file or directory

// RUN: not tg-run %t/good.mlir --input=%t/x3.npy --input=%t/y.npy --output-dir=%t/good.mlir/sub 2>&1 | FileCheck %s --check-prefix=OUTDIR
// OUTDIR: error: cannot create directory

// RUN: not tg-run %t/good.mlir --bogus 2>&1 | FileCheck %s --check-prefix=FLAG
// FLAG: error: unknown option '--bogus'

// RUN: not tg-run %t/good.mlir --repeat=many 2>&1 | FileCheck %s --check-prefix=REPEAT
// REPEAT: error: --repeat expects a non-negative integer

// RUN: not tg-run %t/grad.mlir --input=%t/x3.npy 2>&1 | FileCheck %s --check-prefix=GRAD
// GRAD: grad.mlir:3:12: error: cannot differentiate @f: it has no body

// RUN: not tg-run %t/good.mlir --target=tpu 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: error: unknown --target 'tpu' (expected cpu, gpu or gpu-emulated)

// --check-grad needs a tg.grad whose operands are the entry's arguments;
// a wrong gradient fails the check (exit 1).
// RUN: not tg-run %t/good.mlir --input=%t/x3.npy --input=%t/y.npy --check-grad 2>&1 | FileCheck %s --check-prefix=NOGRAD
// NOGRAD: good.mlir:1:1: error: --check-grad: @main contains no tg.grad to check
// RUN: not tg-run %t/gradarg.mlir --input=%t/x3.npy --check-grad 2>&1 | FileCheck %s --check-prefix=GRADARG
// GRADARG: gradarg.mlir:7:12: error: --check-grad: the operands of this tg.grad must be arguments of @main
// RUN: not tg-run %t/kink.mlir --input=%t/zero.npy --check-grad 2>&1 | FileCheck %s --check-prefix=KINK
// KINK: gradient check: argument #0 (tensor<f32>): max relative error 1 (tolerance 0.001): FAILED
// KINK: kink.mlir: error: gradient check failed
// RUN: not tg-run %t/good.mlir --input=%t/x3.npy --input=%t/y.npy --grad-tolerance=-1 2>&1 | FileCheck %s --check-prefix=TOL
// TOL: error: --grad-tolerance expects a positive number

// The same module runs when given the right inputs.
// RUN: tg-run %t/good.mlir --input=%t/x3.npy --input=%t/y.npy --print | FileCheck %s --check-prefix=OK
// OK: tensor<3xf32>
// OK-NEXT: [2.71828, 2.71828, 2.71828]

// An op that survives lowering but has no LLVM IR translation: one located
// error (the JIT's own unlocated "JIT compilation failed" is not repeated).
// RUN: not tg-run %t/untranslatable.mlir --input=%t/x3.npy 2>&1 | FileCheck %s --check-prefix=JIT
// RUN: not tg-run %t/untranslatable.mlir --input=%t/x3.npy 2>&1 | grep -c "error:" | grep -qx 1
// JIT: untranslatable.mlir:4:8: error: cannot be converted to LLVM IR: missing `LLVMTranslationDialectInterface` registration for dialect for op: spirv.FAdd
// JIT-NOT: error:


//--- good.mlir
func.func @main(%x: tensor<3xf32>, %y: tensor<2x2xf32>) -> tensor<3xf32> {
  %0 = tg.exp %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @scalar(%x: i32) -> i32 {
  return %x : i32
}
//--- unparsable.mlir
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = tg.exp %x : tensor<3xf32
  return %0 : tensor<3xf32>
}
//--- invalid.mlir
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = tg.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<4xf32>
  return %x : tensor<3xf32>
}
//--- grad.mlir
func.func private @f(%x: tensor<3xf32>) -> tensor<f32>
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %v, %g = tg.grad @f(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}
//--- gradarg.mlir
func.func private @f(%x: tensor<3xf32>) -> tensor<f32> {
  %s = tg.reduce_sum %x [0] : tensor<3xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %e = tg.exp %x : tensor<3xf32>
  %v, %g = tg.grad @f(%e) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}
//--- kink.mlir
// relu at exactly 0: the subgradient 0 against the central difference 0.5.
func.func private @f(%x: tensor<f32>) -> tensor<f32> {
  %r = tg.relu %x : tensor<f32>
  return %r : tensor<f32>
}
func.func @main(%x: tensor<f32>) -> tensor<f32> {
  %v, %g = tg.grad @f(%x) wrt [0] : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

//--- untranslatable.mlir
func.func @main(%x: tensor<3xf32>) -> tensor<1xf32> {
  %i = arith.constant 0 : index
  %e = tensor.extract %x[%i] : tensor<3xf32>
  %c = spirv.FAdd %e, %e : f32
  %t = tensor.from_elements %c : tensor<1xf32>
  return %t : tensor<1xf32>
}
