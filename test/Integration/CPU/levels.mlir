// tg-run accepts the same program at every level: tg, linalg on tensors
// (after -convert-tg-to-linalg) and the LLVM dialect (after
// -tg-cpu-pipeline, which records the tensor signature); all agree.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/x.npy "np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)"
// RUN: %npycheck gen %t/w.npy "np.random.default_rng(2).standard_normal((3, 2)).astype(np.float32)"
// RUN: tg-run %s --input=%t/x.npy --input=%t/w.npy --output-dir=%t/tg
// RUN: tg-opt %s -convert-tg-to-linalg -o %t/linalg.mlir
// RUN: tg-run %t/linalg.mlir --input=%t/x.npy --input=%t/w.npy --output-dir=%t/linalg
// RUN: tg-opt %s -tg-cpu-pipeline -o %t/llvm.mlir
// RUN: FileCheck %s --input-file=%t/llvm.mlir --check-prefix=LLVM
// RUN: tg-run %t/llvm.mlir --input=%t/x.npy --input=%t/w.npy --output-dir=%t/llvm
// RUN: %npycheck check %t/tg/result0.npy "np.tanh(x @ w).sum(axis=0)" x=%t/x.npy w=%t/w.npy
// RUN: %npycheck check %t/linalg/result0.npy "np.tanh(x @ w).sum(axis=0)" x=%t/x.npy w=%t/w.npy
// RUN: %npycheck check %t/llvm/result0.npy "np.tanh(x @ w).sum(axis=0)" x=%t/x.npy w=%t/w.npy

// Sequential (--threads=1) and OpenMP-parallel code agree.
// RUN: tg-run %s --input=%t/x.npy --input=%t/w.npy --threads=1 --output-dir=%t/t1
// RUN: tg-run %s --input=%t/x.npy --input=%t/w.npy --threads=2 --output-dir=%t/t2
// RUN: %npycheck check %t/t1/result0.npy "np.tanh(x @ w).sum(axis=0)" x=%t/x.npy w=%t/w.npy
// RUN: %npycheck check %t/t2/result0.npy "np.tanh(x @ w).sum(axis=0)" x=%t/x.npy w=%t/w.npy
// RUN: tg-opt %s '-tg-cpu-pipeline=threads=2 parallel-min-iterations=1' | FileCheck %s --check-prefix=OMP
// OMP: omp.parallel
// OMP: omp.wsloop
// A graph this small is not worth a thread fork by default.
// RUN: tg-opt %s -tg-cpu-pipeline=threads=2 | FileCheck %s --check-prefix=SEQ
// SEQ-NOT: omp.parallel

// An LLVM-dialect function without the recorded signature is refused.
// RUN: sed -e 's/tg.signature = /other = /' %t/llvm.mlir > %t/nosig.mlir
// RUN: not tg-run %t/nosig.mlir --input=%t/x.npy --input=%t/w.npy 2>&1 | FileCheck %s --check-prefix=NOSIG

// LLVM: llvm.func @main(
// LLVM-SAME: tg.signature = (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<2xf32>
// LLVM: llvm.func @_mlir_ciface_main(
// NOSIG: error: @main cannot be called: this LLVM-dialect function lacks the 'tg.signature' and 'llvm.emit_c_interface' attributes

func.func @main(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>) -> tensor<2xf32> {
  %h = tg.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %t = tg.tanh %h : tensor<4x2xf32>
  %s = tg.reduce_sum %t [0] : tensor<4x2xf32> -> tensor<2xf32>
  return %s : tensor<2xf32>
}
