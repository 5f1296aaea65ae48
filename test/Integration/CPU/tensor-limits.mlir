// Tensor sizes are bounded (2^32 elements, 2^36 bytes per tensor): beyond
// them one located error, exit 1; a large splat constant is filled at run
// time instead of being stored in the program.
//
// RUN: rm -rf %t && split-file %s %t

// Tensors beyond the size limit: one located error.
// RUN: not tg-run %t/bigtype.mlir 2>&1 | FileCheck %s --check-prefix=BIGTYPE
// BIGTYPE: bigtype.mlir:1:17: error: block argument #0 has type 'tensor<4294967296x4294967296xf32>', larger than tg's limit of 2^32 elements and 2^36 bytes (64 GiB) per tensor
// BIGTYPE-NOT: error:
// RUN: not tg-run %t/bigconst.mlir 2>&1 | FileCheck %s --check-prefix=BIGCONST
// BIGCONST: bigconst.mlir:2:8: error: 'tg.constant' op result #0 has type 'tensor<100000x100000x100000xf32>', larger than tg's limit
// BIGCONST-NOT: error:

// A 1e8-element splat constant is filled at run time, not stored in the
// program: compiling and running it peaks well under 1.2 GB (the 400 MB
// tensor included; it took 1.7 GB to compile alone).
// RUN: %python -c "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; print('peak KB', peak); sys.exit(r.returncode or peak > 1200000)" tg-run %t/bigsplat.mlir --print | FileCheck %s --check-prefix=BIGSPLAT
// BIGSPLAT: tensor<f32>
// BIGSPLAT-NEXT: 2.5

//--- bigtype.mlir
func.func @main(%x: tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32> {
  return %x : tensor<4294967296x4294967296xf32>
}

//--- bigconst.mlir
func.func @main() -> tensor<f32> {
  %c = tg.constant dense<1.0> : tensor<100000x100000x100000xf32>
  %s = tg.reduce_sum %c [0, 1, 2] : tensor<100000x100000x100000xf32> -> tensor<f32>
  return %s : tensor<f32>
}

//--- bigsplat.mlir
func.func @main() -> tensor<f32> {
  %c = tg.constant dense<0.25> : tensor<100000000xf32>
  %m = tg.reduce_max %c [0] : tensor<100000000xf32> -> tensor<f32>
  %t = tg.constant dense<10.0> : tensor<f32>
  %s = tg.mul %m, %t : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %s : tensor<f32>
}
