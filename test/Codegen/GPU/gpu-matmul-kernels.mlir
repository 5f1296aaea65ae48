// RUN: tg-opt %s -split-input-file -tg-gpu-matmul-kernels="block-m=32 block-n=32 block-k=4 thread-m=4 thread-n=4" -canonicalize -cse | FileCheck %s
// RUN: tg-opt %s -split-input-file -tg-gpu-matmul-kernels=min-blocks=0 -canonicalize -cse | FileCheck %s --check-prefix=DEFAULT
// RUN: tg-opt %s -split-input-file -tg-gpu-matmul-kernels -canonicalize -cse | FileCheck %s --check-prefix=SMALL
// RUN: not tg-opt %s -split-input-file -tg-gpu-matmul-kernels="block-m=32 thread-m=5" 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: -tg-gpu-matmul-kernels: the block tile must be a multiple of the thread tile

// A 200x70 @ 70x300 matmul: a grid of ceil(300/32) x ceil(200/32) blocks of
// 8x8 threads, each thread a 4x4 register tile; A and B tiles copied into
// workgroup memory (both k-major, rows padded to 33) with zeros past
// the edges, a barrier before and after the 4 unrolled k steps, and the
// tile added into C where it lies inside C.

// CHECK-LABEL: func.func @matmul
// CHECK-NOT:     linalg.matmul
// CHECK-DAG:     %[[C10:.*]] = arith.constant 10 : index
// CHECK-DAG:     %[[C7:.*]] = arith.constant 7 : index
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %[[C10]], {{.*}} = %[[C7]], {{.*}} = %[[C1]]) threads({{.*}}) in ({{.*}} = %[[C8]], {{.*}} = %[[C8]], {{.*}} = %[[C1]]) workgroup(%[[AS:.*]] : memref<4x33xf32, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<4x33xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[ACC:.*]]:16 = scf.for
// CHECK-COUNT-2:     scf.if {{.*}} -> (f32)
// CHECK-NEXT:          memref.load %arg0
// CHECK:             gpu.barrier
// CHECK-COUNT-64:    math.fma
// CHECK:             gpu.barrier
// CHECK-NEXT:        scf.yield
// CHECK-COUNT-16:  scf.if
// CHECK:           gpu.terminator
func.func @matmul(%a: memref<200x70xf32>, %b: memref<70x300xf32>, %c: memref<200x300xf32>) {
  linalg.matmul ins(%a, %b : memref<200x70xf32>, memref<70x300xf32>) outs(%c : memref<200x300xf32>)
  return
}

// DEFAULT-LABEL: func.func @matmul
// DEFAULT:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c16, {{.*}} = %c16, {{.*}} = %c1) workgroup({{.*}} : memref<8x129xf32, #gpu.address_space<workgroup>>, {{.*}} : memref<8x129xf32, #gpu.address_space<workgroup>>)
// DEFAULT-COUNT-512: math.fma

// -----

// A 768x1024 product would have 48 blocks of 128x128 for a GPU of 132
// multiprocessors: it gets 192 blocks of 64x64, 16x16 threads of 4x4 each.

// SMALL-LABEL: func.func @small_grid
// SMALL:         gpu.launch blocks({{.*}}) in ({{.*}} = %c16{{.*}}, {{.*}} = %c12{{.*}}, {{.*}} = %c1{{.*}}) threads({{.*}}) in ({{.*}} = %c16{{.*}}, {{.*}} = %c16{{.*}}, {{.*}} = %c1{{.*}}) workgroup({{.*}} : memref<8x65xf32, #gpu.address_space<workgroup>>, {{.*}} : memref<8x65xf32, #gpu.address_space<workgroup>>)
// SMALL-COUNT-128: math.fma
// SMALL-NOT:     math.fma
// SMALL:         gpu.terminator
func.func @small_grid(%a: memref<768x64xf32>, %b: memref<64x1024xf32>, %c: memref<768x1024xf32>) {
  linalg.matmul ins(%a, %b : memref<768x64xf32>, memref<64x1024xf32>) outs(%c : memref<768x1024xf32>)
  return
}

// -----

// A batched matmul with B broadcast over the batch, as tg.matmul lowers it:
// both leading loops are M loops (they index A and C, not B), flattened
// into one row index and split again where A and C are read.

// CHECK-LABEL: func.func @batched
// CHECK-NOT:     linalg.generic
// CHECK-DAG:     %[[C6:.*]] = arith.constant 6 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %[[C1]], {{.*}} = %[[C6]], {{.*}} = %[[C1]])
// CHECK:           arith.divui %{{.*}}, %c64
// CHECK:           memref.load %arg0[{{.*}}] : memref<3x64x32xf32>
func.func @batched(%a: memref<3x64x32xf32>, %b: memref<32x16xf32>, %c: memref<3x64x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<3x64x32xf32>, memref<32x16xf32>) outs(%c : memref<3x64x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %0 = arith.mulf %x, %y : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// A true batch loop (in A, B and C) is the grid's z dimension; B read
// transposed through its map.

// CHECK-LABEL: func.func @batch_transposed
// CHECK:         gpu.launch blocks(%{{.*}}, %{{.*}}, %[[BZ:.*]]) in ({{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c5{{.*}})
// CHECK:           memref.load %arg1[%[[BZ]], {{.*}}] : memref<5x16x8xf32>
func.func @batch_transposed(%a: memref<5x4x8xf32>, %b: memref<5x16x8xf32>, %c: memref<5x4x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<5x4x8xf32>, memref<5x16x8xf32>) outs(%c : memref<5x4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %0 = arith.mulf %x, %y : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// bf16 operands: products and sums in f32, rounded once when stored.

// CHECK-LABEL: func.func @bf16
// CHECK:         gpu.launch
// CHECK:           scf.for {{.*}} -> (f32, f32,
// CHECK:             %[[A:.*]] = memref.load %{{.*}} : memref<4x33xbf16, #gpu.address_space<workgroup>>
// CHECK:             arith.extf %[[A]] : bf16 to f32
// CHECK:             math.fma {{.*}} : f32
// CHECK:           %[[T:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK:           memref.store %[[T]], %arg2
func.func @bf16(%a: memref<8x8xbf16>, %b: memref<8x16xbf16>, %c: memref<8x16xbf16>) {
  linalg.matmul ins(%a, %b : memref<8x8xbf16>, memref<8x16xbf16>) outs(%c : memref<8x16xbf16>)
  return
}

// -----

// Not taken: integer matmuls, tensors, operands of two element types, f32
// operands into an f16 C, a batch beyond the grid's 65535 z blocks, a
// dynamic batch. (f16 operands into an f32 C, how tg lowers f16 matmuls,
// are taken: see @half_into_f32.)

// CHECK-LABEL: func.func @not_taken
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.matmul ins({{.*}} : memref<4x8xi32>, memref<8x16xi32>)
// CHECK:         linalg.matmul ins({{.*}} : tensor<4x8xf32>, tensor<8x16xf32>)
// CHECK:         linalg.matmul ins({{.*}} : memref<4x8xf16>, memref<8x16xf32>) outs({{.*}} : memref<4x16xf32>)
// CHECK:         linalg.matmul ins({{.*}} : memref<4x8xf32>, memref<8x16xf32>) outs({{.*}} : memref<4x16xf16>)
func.func @not_taken(%a: memref<4x8xi32>, %b: memref<8x16xi32>, %c: memref<4x16xi32>,
                     %ta: tensor<4x8xf32>, %tb: tensor<8x16xf32>, %tc: tensor<4x16xf32>,
                     %ha: memref<4x8xf16>, %fb: memref<8x16xf32>, %hc: memref<4x16xf32>,
                     %fa: memref<4x8xf32>, %hout: memref<4x16xf16>) -> tensor<4x16xf32> {
  linalg.matmul ins(%a, %b : memref<4x8xi32>, memref<8x16xi32>) outs(%c : memref<4x16xi32>)
  %r = linalg.matmul ins(%ta, %tb : tensor<4x8xf32>, tensor<8x16xf32>) outs(%tc : tensor<4x16xf32>) -> tensor<4x16xf32>
  linalg.matmul ins(%ha, %fb : memref<4x8xf16>, memref<8x16xf32>) outs(%hc : memref<4x16xf32>)
  linalg.matmul ins(%fa, %fb : memref<4x8xf32>, memref<8x16xf32>) outs(%hout : memref<4x16xf16>)
  return %r : tensor<4x16xf32>
}

// f16 operands accumulated into an f32 C (tg's lowering of an f16 matmul):
// f16 tiles in shared memory, tensor cores, f32 stored.
// MMA-LABEL: func.func @half_into_f32
// MMA:         gpu.launch {{.*}} workgroup({{.*}} : memref<16x65xf16, #gpu.address_space<workgroup>>, {{.*}} : memref<16x65xf16, #gpu.address_space<workgroup>>)
// MMA:         nvgpu.mma.sync
// MMA-NOT:     arith.truncf
// MMA:         memref.store {{.*}} : memref<40x24xf32>
func.func @half_into_f32(%a: memref<40x30xf16>, %b: memref<30x24xf16>, %c: memref<40x24xf32>) {
  linalg.matmul ins(%a, %b : memref<40x30xf16>, memref<30x24xf16>) outs(%c : memref<40x24xf32>)
  return
}

// CHECK-LABEL: func.func @big_batch
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.batch_matmul
// CHECK:         linalg.batch_matmul
func.func @big_batch(%a: memref<70000x2x3xf32>, %b: memref<70000x3x4xf32>, %c: memref<70000x2x4xf32>,
                     %da: memref<?x2x3xf32>, %db: memref<?x3x4xf32>, %dc: memref<?x2x4xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<70000x2x3xf32>, memref<70000x3x4xf32>) outs(%c : memref<70000x2x4xf32>)
  linalg.batch_matmul ins(%da, %db : memref<?x2x3xf32>, memref<?x3x4xf32>) outs(%dc : memref<?x2x4xf32>)
  return
}

// -----

// A dense layer as bufferization leaves it, relu(x^T @ w + b) with private
// buffers: the kernel takes over the zero fill (the tile is stored, C is
// never read), the transpose (x is read at [k, m], threads copying along m,
// its contiguous dimension) and the bias-add-relu consumer (computed on the
// tile and stored into %out). C and the transposed copy go away.

// CHECK-LABEL: func.func @dense_layer
// CHECK-NOT:     linalg.
// CHECK-NOT:     memref.alloc
// CHECK:         gpu.launch
// CHECK:           scf.for
// CHECK:             %[[M:.*]] = arith.remui %{{.*}}, %c32
// CHECK:             %[[K:.*]] = arith.divui %{{.*}}, %c32
// CHECK:             %[[GM:.*]] = arith.addi %{{.*}}, %[[M]]
// CHECK:             %[[GK:.*]] = arith.addi %{{.*}}, %[[K]]
// CHECK:             memref.load %arg0[%[[GK]], %[[GM]]] : memref<70x200xf32>
// CHECK:           scf.if
// CHECK-NOT:         memref.load %{{.*}} : memref<200x300xf32>
// CHECK:             %[[B:.*]] = memref.load %arg2[%[[N:.*]]] : memref<300xf32>
// CHECK:             %[[S:.*]] = arith.addf %{{.*}}, %[[B]]
// CHECK:             %[[R:.*]] = arith.maximumf %[[S]], %{{.*}}
// CHECK:             memref.store %[[R]], %arg3[%{{.*}}, %[[N]]] : memref<200x300xf32>
// CHECK-NOT:     memref.dealloc
func.func @dense_layer(%x: memref<70x200xf32>, %w: memref<70x300xf32>, %b: memref<300xf32>, %out: memref<200x300xf32>) {
  %zero = arith.constant 0.0 : f32
  %xt = memref.alloc() : memref<200x70xf32>
  linalg.transpose ins(%x : memref<70x200xf32>) outs(%xt : memref<200x70xf32>) permutation = [1, 0]
  %c = memref.alloc() : memref<200x300xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<200x300xf32>)
  linalg.matmul ins(%xt, %w : memref<200x70xf32>, memref<70x300xf32>) outs(%c : memref<200x300xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%c, %b : memref<200x300xf32>, memref<300xf32>) outs(%out : memref<200x300xf32>) {
  ^bb0(%v: f32, %bias: f32, %o: f32):
    %s = arith.addf %v, %bias : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<200x300xf32>
  memref.dealloc %xt : memref<200x70xf32>
  return
}

// -----

// C is read again after the consumer: the consumer stays a separate op and
// the kernel stores C (from zero, the fill still taken over).

// CHECK-LABEL: func.func @shared_result
// CHECK-NOT:     linalg.fill
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.*}}, %[[C:.*]][%{{.*}}, %{{.*}}] : memref<8x16xf32>
// CHECK:         linalg.generic
// CHECK:         linalg.generic
func.func @shared_result(%a: memref<8x4xf32>, %b: memref<4x16xf32>, %out: memref<8x16xf32>, %out2: memref<8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<8x16xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<8x16xf32>)
  linalg.matmul ins(%a, %b : memref<8x4xf32>, memref<4x16xf32>) outs(%c : memref<8x16xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%c : memref<8x16xf32>) outs(%out : memref<8x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %e = math.exp %v : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%c : memref<8x16xf32>) outs(%out2 : memref<8x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  }
  memref.dealloc %c : memref<8x16xf32>
  return
}

// -----

// A convolution is an implicit GEMM: M = (n, oh, ow) = 2 * 4 * 4 = 32 rows,
// N = 5 filters, K = (kh, kw, c) = 18. The input is read at
// (n, oh * 2 + kh, ow * 2 + kw * 2, c) through the convolution's map; the
// filter at (kh, kw, c, f). No patches buffer.

// CHECK-LABEL: func.func @conv
// CHECK-NOT:     linalg.conv
// CHECK-NOT:     memref.alloc
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}})
// CHECK:           scf.for %{{.*}} = %c0 to %c18 step %c4
// CHECK:             affine.apply
// CHECK:             memref.load %arg0[{{.*}}] : memref<2x10x9x3xf32>
// CHECK:             memref.load %arg1[{{.*}}] : memref<3x2x3x5xf32>
// CHECK:           memref.store {{.*}}, %arg2[{{.*}}] : memref<2x4x4x5xf32>
func.func @conv(%x: memref<2x10x9x3xf32>, %k: memref<3x2x3x5xf32>, %out: memref<2x4x4x5xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %k : memref<2x10x9x3xf32>, memref<3x2x3x5xf32>) outs(%out : memref<2x4x4x5xf32>)
  return
}

// -----

// Depthwise convolutions (a channel loop in input, filter and output) are
// not GEMMs; they stay.

// CHECK-LABEL: func.func @depthwise
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.depthwise_conv_2d_nhwc_hwc
func.func @depthwise(%x: memref<1x6x6x4xf32>, %k: memref<3x3x4xf32>, %out: memref<1x4x4x4xf32>) {
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %k : memref<1x6x6x4xf32>, memref<3x3x4xf32>) outs(%out : memref<1x4x4x4xf32>)
  return
}

// -----

// A contraction whose body does more than multiply and add (elementwise
// fusion put a negf on an operand of this batched matmul) stays: the kernel
// only multiplies and adds.

// CHECK-LABEL: func.func @fused_operand_op
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.generic
// CHECK:           arith.negf
func.func @fused_operand_op(%a: memref<3x8x4xf32>, %b: memref<3x4x16xf32>, %c: memref<3x8x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<3x8x4xf32>, memref<3x4x16xf32>) outs(%c : memref<3x8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %n = arith.negf %x : f32
    %0 = arith.mulf %n, %y : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Tensor cores: an f16 matmul is 64x64 tiles of 128 threads (4 warps),
// each k step of 16 one nvgpu.mma.sync m16n8k16 per 16x8 tile of the
// warp's 32x32 (8 per step), accumulated in f32 and rounded when stored.
// An f32 matmul takes the same path, m16n8k8 on TF32, only with tf32.
// RUN: tg-opt %s -split-input-file -tg-gpu-matmul-kernels=tf32=true -canonicalize -cse | FileCheck %s --check-prefix=MMA
// RUN: tg-opt %s -split-input-file -tg-gpu-matmul-kernels="tensor-cores=false" | FileCheck %s --check-prefix=NOMMA
// MMA-LABEL: func.func @tensor_cores
// MMA:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c128{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}) workgroup({{.*}} : memref<16x65xf16, #gpu.address_space<workgroup>>, {{.*}} : memref<16x65xf16, #gpu.address_space<workgroup>>)
// MMA-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// MMA:         arith.truncf {{.*}} : f32 to f16
// MMA-LABEL: func.func @tf32
// MMA-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// NOMMA-LABEL: func.func @tensor_cores
// NOMMA-NOT:   nvgpu.mma.sync
// NOMMA-LABEL: func.func @tf32
// NOMMA-NOT:   nvgpu.mma.sync
func.func @tensor_cores(%a: memref<100x70xf16>, %b: memref<70x90xf16>, %c: memref<100x90xf16>) {
  linalg.matmul ins(%a, %b : memref<100x70xf16>, memref<70x90xf16>) outs(%c : memref<100x90xf16>)
  return
}
func.func @tf32(%a: memref<100x70xf32>, %b: memref<70x90xf32>, %c: memref<100x90xf32>) {
  linalg.matmul ins(%a, %b : memref<100x70xf32>, memref<70x90xf32>) outs(%c : memref<100x90xf32>)
  return
}
