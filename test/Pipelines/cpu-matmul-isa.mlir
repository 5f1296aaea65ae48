// The CPU pipeline shapes the matmul micro-kernel for the vector ISA:
// 8 rows x 32 lanes for AVX-512, 6 rows x 16 lanes for AVX2, none at all
// (generic loops) for vector-isa=none. An unknown ISA is an error.
//
// RUN: tg-opt %s -tg-cpu-pipeline=vector-isa=avx512 -mlir-print-ir-after=tg-matmul-microkernels -o /dev/null 2>&1 | FileCheck %s --check-prefix=AVX512
// RUN: tg-opt %s -tg-cpu-pipeline=vector-isa=avx2 -mlir-print-ir-after=tg-matmul-microkernels -o /dev/null 2>&1 | FileCheck %s --check-prefix=AVX2
// RUN: tg-opt %s -tg-cpu-pipeline=vector-isa=none -mlir-print-ir-after=convert-linalg-to-loops -o /dev/null 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not tg-opt %s -tg-cpu-pipeline=vector-isa=sse9 2>&1 | FileCheck %s --check-prefix=BAD

// AVX512: scf.for {{.*}} -> (vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>)
// AVX512-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// AVX2: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// AVX2-COUNT-6: vector.fma {{.*}} : vector<16xf32>
// NONE-NOT: vector.fma
// NONE: arith.mulf
// BAD: Cannot find option named 'sse9'
func.func @main(%a: tensor<64x48xf32>, %b: tensor<48x64xf32>) -> tensor<64x64xf32> {
  %0 = tg.matmul %a, %b : (tensor<64x48xf32>, tensor<48x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}
