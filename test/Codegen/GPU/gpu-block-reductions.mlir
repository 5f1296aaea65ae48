// RUN: tg-opt %s -split-input-file -tg-gpu-block-reductions -canonicalize -cse | FileCheck %s
// RUN: tg-opt %s -split-input-file -tg-gpu-block-reductions=block-size=64 -canonicalize -cse | FileCheck %s --check-prefix=B64
// RUN: not tg-opt %s -split-input-file -tg-gpu-block-reductions=block-size=48 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: -tg-gpu-block-reductions: block-size must be a power of two from 32 to 1024
// RUN: not tg-opt %s -split-input-file -tg-gpu-block-reductions=min-blocks=0 2>&1 | FileCheck %s --check-prefix=ERR2
// ERR2: error: -tg-gpu-block-reductions: min-blocks and min-block-length must be positive

// The sum of exp along rows of a 64x1000 buffer (softmax's denominator with
// its exp fused): one block of 256 threads per row; each thread folds the
// columns tx, tx + 256, ... computing exp on the fly, from 0 (the neutral
// element of addf); the partials are combined in a tree through workgroup
// memory, 8 halving steps after a barrier each, and thread 0 adds the total
// into the output.

// CHECK-LABEL: func.func @row_sum_exp
// CHECK-NOT:     linalg.generic
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG:     %[[C256:.*]] = arith.constant 256 : index
// CHECK:         gpu.launch blocks(%[[ROW:.*]], %{{.*}}, %{{.*}}) in ({{.*}} = %[[C64]], {{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in ({{.*}} = %[[C256]], {{.*}}) workgroup(%[[S:.*]] : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[P:.*]] = scf.for %[[J:.*]] = %[[TX]] to %c1000 step %[[C256]] iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32)
// CHECK:             %[[X:.*]] = memref.load %arg0[%[[ROW]], %[[J]]]
// CHECK:             %[[E:.*]] = math.exp %[[X]]
// CHECK:             %[[N:.*]] = arith.addf %[[ACC]], %[[E]]
// CHECK:             scf.yield %[[N]]
// CHECK:           memref.store %[[P]], %[[S]][%[[TX]]]
// CHECK-COUNT-9:   gpu.barrier
// CHECK-NOT:       gpu.barrier
// CHECK:           scf.if
// CHECK:             memref.load %[[S]][%c0]
// CHECK:             memref.load %arg1[%[[ROW]]]
// CHECK:             arith.addf
// CHECK:             memref.store {{.*}}, %arg1[%[[ROW]]]
// B64-LABEL: func.func @row_sum_exp
// B64:         threads({{.*}}) in ({{.*}} = %c64{{.*}}) workgroup({{.*}} : memref<64xf32, #gpu.address_space<workgroup>>)
// B64-COUNT-7: gpu.barrier
// B64-NOT:     gpu.barrier
func.func @row_sum_exp(%x: memref<64x1000xf32>, %out: memref<64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<64x1000xf32>) outs(%out : memref<64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %e = math.exp %in : f32
    %s = arith.addf %acc, %e : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A row maximum over 10 columns: one warp per row (-inf is the neutral
// element of maximumf), 5 tree steps.

// CHECK-LABEL: func.func @short_max
// B64-LABEL:   func.func @short_max
// CHECK:         %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c32{{.*}}) workgroup({{.*}} : memref<32xf32, #gpu.address_space<workgroup>>)
// CHECK:           scf.for {{.*}} iter_args({{.*}} = %[[NINF]])
// CHECK:             arith.maximumf
// CHECK-COUNT-6:   gpu.barrier
// CHECK-NOT:       gpu.barrier
func.func @short_max(%x: memref<256x10xf32>, %out: memref<256xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<256x10xf32>) outs(%out : memref<256xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %m = arith.maximumf %acc, %in : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Everything to a scalar (a loss): one block; the 3x4x5 loop point of a
// linear index is recovered with divisions and remainders. An integer
// product starts from 1.

// CHECK-LABEL: func.func @full
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}})
// CHECK:           scf.for %[[I:.*]] = {{.*}} to %c60 step %c64
// CHECK:             arith.remui %[[I]], %c5
// CHECK:             memref.load %arg0
// CHECK:             arith.muli
// CHECK:           memref.store {{.*}}, %arg1[]
func.func @full(%x: memref<3x4x5xi32>, %out: memref<i32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>], iterator_types = ["reduction", "reduction", "reduction"]} ins(%x : memref<3x4x5xi32>) outs(%out : memref<i32>) {
  ^bb0(%in: i32, %acc: i32):
    %m = arith.muli %acc, %in : i32
    linalg.yield %m : i32
  }
  return
}

// -----

// A sum of 10^6 elements to a scalar: split over 244 blocks (264 wanted, at
// least 4096 points each), block y starting at y * 256 + tx and striding by
// 244 * 256; the totals are added into the output atomically.

// CHECK-LABEL: func.func @split
// CHECK-DAG:     %[[C244:.*]] = arith.constant 244 : index
// CHECK-DAG:     %[[STRIDE:.*]] = arith.constant 62464 : index
// CHECK:         gpu.launch blocks(%{{[^,]*}}, %[[BY:[^,]*]], %{{[^,]*}}) in ({{.*}} = %c1{{.*}}, {{.*}} = %[[C244]], {{.*}}) threads(%[[TX:[^,]*]], %{{[^,]*}}, %{{[^,]*}})
// CHECK:           %[[Y:.*]] = arith.muli %[[BY]], %c256
// CHECK:           %[[START:.*]] = arith.addi %[[Y]], %[[TX]]
// CHECK:           scf.for %{{.*}} = %[[START]] to %c1000000 step %[[STRIDE]]
// CHECK:             %[[T:.*]] = memref.load %{{.*}}[%c0]
// CHECK-NEXT:        memref.atomic_rmw addf %[[T]], %arg1[] : (f32, memref<f32>) -> f32
func.func @split(%x: memref<1000x1000xf32>, %out: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : memref<1000x1000xf32>) outs(%out : memref<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A product has no atomic form: one block, however long.

// CHECK-LABEL: func.func @product
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}})
// CHECK-NOT:     memref.atomic_rmw
func.func @product(%x: memref<1000x1000xf32>, %out: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : memref<1000x1000xf32>) outs(%out : memref<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.mulf %acc, %in : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not taken as block reductions: a column sum (innermost loop parallel:
// one thread per column already reads coalesced; its parallel loop is moved
// outermost, so that the parallel-loop mapping makes one kernel of it, not
// one per row), a reduction without a neutral element (subtraction), and an
// elementwise op.

// CHECK-DAG:     #[[T:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG:     #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @not_taken
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.generic {indexing_maps = [#[[T]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%arg0 : memref<64x32xf32>) outs(%arg1 : memref<32xf32>)
// CHECK:         linalg.generic
// CHECK:         linalg.generic
func.func @not_taken(%x: memref<64x32xf32>, %cols: memref<32xf32>, %rows: memref<64xf32>, %y: memref<64x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : memref<64x32xf32>) outs(%cols : memref<32xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<64x32xf32>) outs(%rows : memref<64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.subf %acc, %in : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<64x32xf32>) outs(%y : memref<64x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  }
  return
}
