// tg-compile: an object that links with libc and libm only, its header, and
// one located error (exit 1, nothing written) for each kind of bad input.
//
// RUN: rm -rf %t && split-file %s %t && mkdir %t/out
// RUN: tg-compile %t/good.mlir --name=scale -o %t/out/scale.o --header %t/out/scale.h --mlirbc %t/out/scale.mlirbc
// RUN: FileCheck %s --check-prefix=HEADER < %t/out/scale.h
// HEADER: Compiled for the CPU 'x86-64-v3'
// HEADER: #include <stdint.h>
// HEADER: /* argument 0: f32 [2][3] */
// HEADER-NEXT: #define SCALE_ARG0_SIZE 6
// HEADER: /* argument 1: i32 (a scalar) */
// HEADER-NEXT: #define SCALE_ARG1_SIZE 1
// HEADER: /* result 0: f32 [2][3] */
// HEADER-NEXT: #define SCALE_RESULT0_SIZE 6
// HEADER: int scale(const float *arg0, const int32_t *arg1, float *result0);
// Two global symbols, nothing else defined outside the object.
// RUN: llvm-nm --extern-only --defined-only %t/out/scale.o | FileCheck %s --check-prefix=SYMBOLS
// SYMBOLS: T __tg_packed_scale
// SYMBOLS-NEXT: T scale
// SYMBOLS-EMPTY:
// The bytecode is the module as written.
// RUN: tg-opt %t/out/scale.mlirbc | FileCheck %s --check-prefix=BYTECODE
// BYTECODE: func.func @main(%arg0: tensor<2x3xf32>, %arg1: tensor<i32>)
// BYTECODE: tg.mul

// RUN: not tg-compile %t/good.mlir -o %t/out/x.o --header %t/out/x.h 2>&1 | FileCheck %s --check-prefix=MAIN
// MAIN: error: 'main' cannot be the exported C symbol (it is the C program's own main); name it (tg-compile --name=SYMBOL
// RUN: not tg-compile %t/good.mlir --name=int -o %t/out/x.o --header %t/out/x.h 2>&1 | FileCheck %s --check-prefix=SYMBOL
// SYMBOL: error: 'int' is not a valid C symbol
// RUN: not tg-compile %t/good.mlir --name=f --cpu=pentium-9 -o %t/out/x.o --header %t/out/x.h 2>&1 | FileCheck %s --check-prefix=CPU
// CPU: error: unknown CPU 'pentium-9' for x86_64
// CPU-NOT: warning
// RUN: not tg-compile %t/good.mlir -e nope --name=f -o %t/out/x.o --header %t/out/x.h 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: good.mlir: error: no public function @nope to export (entry points: @main)
// RUN: not tg-compile %t/good.mlir --name=f --threads=0 -o %t/out/x.o --header %t/out/x.h 2>&1 | FileCheck %s --check-prefix=THREADS
// THREADS: error: --threads expects 1 to 256 (each call starts its own threads)
// RUN: not tg-compile %t/collective.mlir --name=f -o %t/out/x.o --header %t/out/x.h 2>&1 | FileCheck %s --check-prefix=MPI
// MPI: collective.mlir:2:8: error: 'tg.all_reduce' cannot be exported: exported code runs without MPI
// RUN: not tg-compile %t/dynamic.mlir --name=f -o %t/out/x.o --header %t/out/x.h 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// DYNAMIC: dynamic.mlir: error: @main cannot be exported: argument #0 has type tensor<?xf32>
// RUN: not tg-compile %t/unparsable.mlir --name=f -o %t/out/x.o --header %t/out/x.h 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: unparsable.mlir:1:51: error: expected '>' in tensor type
// RUN: not tg-compile %t/good.mlir --name=f -o %t/nodir/x.o --header %t/out/x.h 2>&1 | FileCheck %s --check-prefix=WRITE
// WRITE: nodir/x.o: error: cannot write
// RUN: not tg-compile %t/good.mlir --name=f -o %t/out/x.o --header %t/out/../out/./x.o 2>&1 | FileCheck %s --check-prefix=SAME
// SAME: x.o: error: given for two of the files to write
// RUN: not tg-compile %t/good.mlir --name=f -o %t/out/x.o --header %t/out 2>&1 | FileCheck %s --check-prefix=DIR
// DIR: out: error: cannot write: it is a directory
// RUN: not tg-compile %t/good.mlir --name=f 2>&1 | FileCheck %s --check-prefix=USAGE
// USAGE: error: -o OUT.o and --header OUT.h are both required
// Nothing was written by the failures.
// RUN: ls %t/out | FileCheck %s --check-prefix=LEFT --implicit-check-not=x.
// LEFT: scale.h
// LEFT: scale.mlirbc
// LEFT: scale.o

//--- good.mlir
func.func @main(%x: tensor<2x3xf32>, %n: tensor<i32>) -> tensor<2x3xf32> {
  %f = tg.cast %n : tensor<i32> to tensor<f32>
  %y = tg.mul %x, %f : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
//--- collective.mlir
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tg.all_reduce sum %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
//--- dynamic.mlir
func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
//--- unparsable.mlir
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32 {
