// RUN: tg-opt %s -split-input-file -tg-matmul-microkernels=min-flops=0 -canonicalize -cse | FileCheck %s
// RUN: tg-opt %s -split-input-file -tg-matmul-microkernels="mr=2 nr=8 kc=4 min-flops=0" -canonicalize -cse | FileCheck %s --check-prefix=SMALL
// RUN: tg-opt %s -split-input-file -tg-matmul-microkernels="min-flops=0 narrow=false" -canonicalize -cse | FileCheck %s --check-prefix=WIDE
// RUN: not tg-opt %s -split-input-file -tg-matmul-microkernels=mr=0 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: tg-matmul-microkernels: tile sizes must be positive

// B packed into 32-wide panels; an 8x32 tile in 8 loop-carried vectors that
// starts from zero (the fill is gone); the bias add and relu run on the tile
// and store straight into %out (C is never allocated).

// CHECK-LABEL: func.func @epilogue
// CHECK-NOT:     linalg.
// CHECK:         %[[P:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x8x32xf32>
// CHECK:         scf.parallel
// CHECK:           vector.load %{{.*}} : memref<8x64xf32>, vector<32xf32>
// CHECK:           vector.store %{{.*}}, %[[P]]
// CHECK:         %[[T:.*]]:8 = scf.for {{.*}} iter_args({{.*}}) -> (vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>)
// CHECK:           vector.load %[[P]]
// CHECK:           memref.load %{{.*}} : memref<16x8xf32>
// CHECK:           vector.broadcast
// CHECK-COUNT-8:   vector.fma
// CHECK:         %[[BIAS:.*]] = vector.load %{{.*}} : memref<64xf32>, vector<32xf32>
// CHECK:         %[[S:.*]] = arith.addf %[[T]]#0, %[[BIAS]] : vector<32xf32>
// CHECK:         %[[R:.*]] = arith.maximumf %[[S]], %{{.*}} : vector<32xf32>
// CHECK:         vector.store %[[R]], %arg3
// CHECK-NOT:     linalg.
// CHECK:         memref.dealloc %[[P]]
// CHECK-NEXT:    return
func.func @epilogue(%a: memref<16x8xf32>, %b: memref<8x64xf32>, %bias: memref<64xf32>, %out: memref<16x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<16x64xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<16x64xf32>)
  linalg.matmul ins(%a, %b : memref<16x8xf32>, memref<8x64xf32>) outs(%c : memref<16x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%c, %bias : memref<16x64xf32>, memref<64xf32>) outs(%out : memref<16x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<16x64xf32>
  return
}

// -----

// Edges: 5 rows = two 2-row tiles and a 1-row tile; 11 columns = a full
// 8-wide panel and a zero-padded one written through masks; k = 6 = slices
// of 4 and 2, the first starting from zero, the next from C.

// SMALL-LABEL: func.func @edges
// SMALL:         %[[P:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x6x8xf32>
// SMALL:         vector.create_mask
// SMALL:         vector.maskedload %arg1
// SMALL:         scf.for %[[KB:.*]] = %c0 to %c6 step %c4
// SMALL:           %[[FIRST:.*]] = arith.cmpi eq, %[[KB]], %c0
// SMALL:           scf.if %[[FIRST]] -> (vector<8xf32>, vector<8xf32>)
// SMALL:             vector.maskedload %arg2
// SMALL:           scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>)
// SMALL:             vector.load %[[P]]
// SMALL-COUNT-2:     vector.fma
// SMALL:           vector.maskedstore %arg2
// SMALL:           scf.if %{{.*}} -> (vector<8xf32>)
// SMALL:             vector.maskedload %arg2[%c4
// SMALL:           scf.for {{.*}} -> (vector<8xf32>)
// SMALL:             vector.fma
// SMALL:           vector.maskedstore %arg2[%c4
func.func @edges(%a: memref<5x6xf32>, %b: memref<6x11xf32>, %c: memref<5x11xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<5x11xf32>)
  linalg.matmul ins(%a, %b : memref<5x6xf32>, memref<6x11xf32>) outs(%c : memref<5x11xf32>)
  return
}

// -----

// Transposed operands are read in place: A^T through swapped indices of the
// transpose's source, B^T packed column by column from its source's rows.

// SMALL-LABEL: func.func @transposed
// SMALL-NOT:     linalg.transpose
// SMALL:         scf.parallel
// SMALL:           %[[V:.*]] = memref.load %arg1[%{{.*}}, %{{.*}}] : memref<16x4xf32>
// SMALL:           memref.store %[[V]], %{{.*}} : memref<2x4x8xf32>
// SMALL:         scf.for {{.*}} iter_args
// SMALL:           memref.load %arg0[%[[K:.*]], %{{.*}}] : memref<4x6xf32>
// SMALL-NOT:     linalg.transpose
func.func @transposed(%x: memref<4x6xf32>, %w: memref<16x4xf32>, %c: memref<6x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<6x4xf32>
  linalg.transpose ins(%x : memref<4x6xf32>) outs(%a : memref<6x4xf32>) permutation = [1, 0]
  %b = memref.alloc() : memref<4x16xf32>
  linalg.transpose ins(%w : memref<16x4xf32>) outs(%b : memref<4x16xf32>) permutation = [1, 0]
  linalg.fill ins(%zero : f32) outs(%c : memref<6x16xf32>)
  linalg.matmul ins(%a, %b : memref<6x4xf32>, memref<4x16xf32>) outs(%c : memref<6x16xf32>)
  memref.dealloc %a : memref<6x4xf32>
  memref.dealloc %b : memref<4x16xf32>
  return
}

// -----

// Not rewritten: f64, and user-defined indexing maps.

// CHECK-LABEL: func.func @untouched
// CHECK:         linalg.matmul ins(%arg0, %arg1 : memref<8x8xf64>
// CHECK:         linalg.matmul indexing_maps
func.func @untouched(%a: memref<8x8xf64>, %b: memref<8x8xf64>, %c: memref<8x8xf64>,
                     %x: memref<8x8xf32>, %y: memref<8x8xf32>, %z: memref<8x8xf32>) {
  linalg.matmul ins(%a, %b : memref<8x8xf64>, memref<8x8xf64>) outs(%c : memref<8x8xf64>)
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %y : memref<8x8xf32>, memref<8x8xf32>) outs(%z : memref<8x8xf32>)
  return
}

// -----

// The consumer is not fused when C has another reader: the tile is stored
// into C and the consumer stays a linalg.generic.

// CHECK-LABEL: func.func @shared_result
// CHECK:         scf.for {{.*}} iter_args
// CHECK:         vector.store
// CHECK:         linalg.generic
// CHECK:         memref.copy
func.func @shared_result(%a: memref<8x8xf32>, %b: memref<8x32xf32>, %out: memref<8x32xf32>, %out2: memref<8x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<8x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<8x32xf32>)
  linalg.matmul ins(%a, %b : memref<8x8xf32>, memref<8x32xf32>) outs(%c : memref<8x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%c : memref<8x32xf32>) outs(%out : memref<8x32xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  }
  memref.copy %c, %out2 : memref<8x32xf32> to memref<8x32xf32>
  memref.dealloc %c : memref<8x32xf32>
  return
}


// -----

// A column sum of the epilogue's output (a dense layer's bias gradient) is
// accumulated from the tile registers: the 2 rows of each tile are added
// and stored into the tile's row block's partial sums (one block of mc=128
// rows here; 2 panels of 8 pad the 11 columns to 16), which are added to
// the sum's output where the column sum was; the column sum is gone. A
// write to the epilogue's output in between keeps the column sum as it is.

// SMALL-LABEL: func.func @column_sum(
// SMALL:         %[[PART:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x16xf32>
// SMALL:         linalg.fill ins(%{{.*}} : f32) outs(%[[PART]] : memref<1x16xf32>)
// SMALL:           %[[ROWS:.*]] = arith.addf %{{.*}}, %{{.*}} : vector<8xf32>
// SMALL:           %[[BLOCK:.*]] = arith.divui %{{.*}}, %c128 : index
// SMALL:           %[[OLD:.*]] = vector.load %[[PART]][%[[BLOCK]], %{{.*}}] : memref<1x16xf32>, vector<8xf32>
// SMALL:           %[[NEW:.*]] = arith.addf %[[OLD]], %[[ROWS]] : vector<8xf32>
// SMALL:           vector.store %[[NEW]], %[[PART]][%[[BLOCK]], %{{.*}}]
// SMALL:         linalg.fill ins(%{{.*}} : f32) outs(%arg3 : memref<11xf32>)
// SMALL:         scf.for %[[J:.*]] = %c0 to %c11 step %c1
// SMALL:           %[[S:.*]] = memref.load %arg3[%[[J]]] : memref<11xf32>
// SMALL:           %[[P:.*]] = memref.load %[[PART]][%c0, %[[J]]] : memref<1x16xf32>
// SMALL:           %[[T:.*]] = arith.addf %[[S]], %[[P]] : f32
// SMALL:           memref.store %[[T]], %arg3[%[[J]]] : memref<11xf32>
// SMALL:         memref.dealloc %[[PART]]
// SMALL-NOT:     linalg.generic
// SMALL-LABEL: func.func @column_sum_after_a_write
// SMALL:         linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @column_sum(%a: memref<6x4xf32>, %b: memref<4x11xf32>, %out: memref<6x11xf32>, %sum: memref<11xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<6x11xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<6x11xf32>)
  linalg.matmul ins(%a, %b : memref<6x4xf32>, memref<4x11xf32>) outs(%c : memref<6x11xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%c : memref<6x11xf32>) outs(%out : memref<6x11xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<6x11xf32>
  linalg.fill ins(%zero : f32) outs(%sum : memref<11xf32>)
  linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]} ins(%out : memref<6x11xf32>) outs(%sum : memref<11xf32>) {
  ^bb0(%x: f32, %s: f32):
    %t = arith.addf %x, %s : f32
    linalg.yield %t : f32
  }
  return
}
func.func @column_sum_after_a_write(%a: memref<6x4xf32>, %b: memref<4x11xf32>, %out: memref<6x11xf32>, %sum: memref<11xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<6x11xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<6x11xf32>)
  linalg.matmul ins(%a, %b : memref<6x4xf32>, memref<4x11xf32>) outs(%c : memref<6x11xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%c : memref<6x11xf32>) outs(%out : memref<6x11xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<6x11xf32>
  linalg.fill ins(%zero : f32) outs(%out : memref<6x11xf32>)
  linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]} ins(%out : memref<6x11xf32>) outs(%sum : memref<11xf32>) {
  ^bb0(%x: f32, %s: f32):
    %t = arith.addf %x, %s : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// A product 16 wide (a convolution with 16 filters) would fill half of each
// 32-lane accumulator of the 8 x 32 tile with padding: it gets a 16 x 16
// tile instead (16 accumulators of 16 lanes, B packed 16 wide); with
// narrow=false, the 8 x 32 tile.

// CHECK-LABEL: func.func @narrow
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<1x9x16xf32>
// CHECK:         scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-16:  vector.fma {{.*}} : vector<16xf32>
// WIDE-LABEL: func.func @narrow
// WIDE:         memref.alloc() {alignment = 64 : i64} : memref<1x9x32xf32>
// WIDE:         scf.for {{.*}} -> (vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>)
func.func @narrow(%a: memref<256x9xf32>, %b: memref<9x16xf32>, %c: memref<256x16xf32>) {
  linalg.matmul ins(%a, %b : memref<256x9xf32>, memref<9x16xf32>) outs(%c : memref<256x16xf32>)
  return
}

// -----

// A left operand that is the [pixels, kh*kw*c] view of an im2col copy (what
// -tg-prepare-cpu-matmuls builds for a convolution tile, here stride 2) is
// read from the copy's source: no patches are written. With the source's
// columns and channels contiguous, the reduction goes filter row by filter
// row (kw*c = 12 contiguous elements of a source row): output pixel (y, x)
// reads row 2y + i, from element 2x*c. Pixel 1 = (0, 1) reads from element
// 8, pixel 4 = (1, 0) from row i + 2.

#src = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
#id6 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func.func @im2col_filter_rows
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     memref<1x3x4x3x3x4xf32>
// CHECK:         %[[SRC:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<1x7x9x4xf32> into memref<1x7x36xf32>
// CHECK:         scf.for %[[I:.*]] = %c0 to %c3 step %c1 iter_args
// CHECK:           %[[ROW2:.*]] = arith.addi %[[I]], %c2 : index
// CHECK:           %[[GROUP:.*]] = arith.muli %[[I]], %c12 : index
// CHECK:           scf.for %[[K:.*]] = %c0 to %c12 step %c1 iter_args
// CHECK:             %[[KP:.*]] = arith.addi %[[GROUP]], %[[K]] : index
// CHECK:             vector.load %{{.*}}[%{{.*}}, %[[KP]], %c0] : memref<2x36x32xf32>
// CHECK:             memref.load %[[SRC]][%c0, %[[I]], %[[K]]] : memref<1x7x36xf32>
// CHECK:             %[[X1:.*]] = arith.addi %[[K]], %c8 : index
// CHECK:             memref.load %[[SRC]][%c0, %[[I]], %[[X1]]] : memref<1x7x36xf32>
// CHECK:             memref.load %[[SRC]][%c0, %[[ROW2]], %[[K]]] : memref<1x7x36xf32>
// CHECK-NOT:     linalg.matmul
func.func @im2col_filter_rows(%src: memref<1x7x9x4xf32>, %w: memref<36x64xf32>, %c: memref<12x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %p = memref.alloc() : memref<1x3x4x3x3x4xf32>
  linalg.generic {indexing_maps = [#src, #id6], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%src : memref<1x7x9x4xf32>) outs(%p : memref<1x3x4x3x3x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %a = memref.collapse_shape %p [[0, 1, 2], [3, 4, 5]] : memref<1x3x4x3x3x4xf32> into memref<12x36xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<12x64xf32>)
  linalg.matmul ins(%a, %w : memref<12x36xf32>, memref<36x64xf32>) outs(%c : memref<12x64xf32>)
  memref.dealloc %p : memref<1x3x4x3x3x4xf32>
  return
}

// -----

// Dilated along columns (x + 2j), the taps of a filter row are not
// contiguous: the reduction goes one tap (c = 4 channels) at a time, tap g
// being filter row g / 3, column g mod 3.

#src = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3, d2 + d4 * 2, d5)>
#id6 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func.func @im2col_taps
// CHECK-NOT:     linalg.generic
// CHECK:         scf.for %[[G:.*]] = %c0 to %c9 step %c1 iter_args
// CHECK:           %[[I:.*]] = arith.divui %[[G]], %c3 : index
// CHECK:           %[[J:.*]] = arith.remui %[[G]], %c3 : index
// CHECK:           %[[Y:.*]] = arith.addi %{{.*}}, %[[I]] : index
// CHECK:           %[[DX:.*]] = arith.muli %[[J]], %c2 : index
// CHECK:           %[[X:.*]] = arith.addi %{{.*}}, %[[DX]] : index
// CHECK:           scf.for %[[K:.*]] = %c0 to %c4 step %c1 iter_args
// CHECK:             memref.load %arg0[%{{.*}}, %[[Y]], %[[X]], %[[K]]] : memref<1x6x9x4xf32>
// CHECK-NOT:     linalg.matmul
func.func @im2col_taps(%src: memref<1x6x9x4xf32>, %w: memref<36x64xf32>, %c: memref<16x64xf32>) {
  %p = memref.alloc() : memref<1x4x4x3x3x4xf32>
  linalg.generic {indexing_maps = [#src, #id6], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%src : memref<1x6x9x4xf32>) outs(%p : memref<1x4x4x3x3x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %a = memref.collapse_shape %p [[0, 1, 2], [3, 4, 5]] : memref<1x4x4x3x3x4xf32> into memref<16x36xf32>
  linalg.matmul ins(%a, %w : memref<16x36xf32>, memref<36x64xf32>) outs(%c : memref<16x64xf32>)
  memref.dealloc %p : memref<1x4x4x3x3x4xf32>
  return
}

// -----

// Patches that something else reads too are copied as before, and the
// matmul reads them.

#src = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3, d2 + d4, d5)>
#id6 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func.func @im2col_read_elsewhere
// CHECK:         linalg.generic
// CHECK:         %[[A:.*]] = memref.collapse_shape %[[P:.*]] {{\[}}[0, 1, 2], [3, 4, 5]]
// CHECK:         memref.load %[[A]]
// CHECK:         memref.copy %[[P]], %arg3
func.func @im2col_read_elsewhere(%src: memref<1x6x6x4xf32>, %w: memref<36x64xf32>, %c: memref<16x64xf32>, %keep: memref<1x4x4x3x3x4xf32>) {
  %p = memref.alloc() : memref<1x4x4x3x3x4xf32>
  linalg.generic {indexing_maps = [#src, #id6], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%src : memref<1x6x6x4xf32>) outs(%p : memref<1x4x4x3x3x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %a = memref.collapse_shape %p [[0, 1, 2], [3, 4, 5]] : memref<1x4x4x3x3x4xf32> into memref<16x36xf32>
  linalg.matmul ins(%a, %w : memref<16x36xf32>, memref<36x64xf32>) outs(%c : memref<16x64xf32>)
  memref.copy %p, %keep : memref<1x4x4x3x3x4xf32> to memref<1x4x4x3x3x4xf32>
  memref.dealloc %p : memref<1x4x4x3x3x4xf32>
  return
}

// -----

// B is packed once, before the loops around the matmul that do not write
// it (a convolution's tiles share the filter); B read in a loop that writes
// it is packed in the loop.

// CHECK-LABEL: func.func @pack_outside_loops
// CHECK:         %[[PACKED:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x8x32xf32>
// CHECK:         scf.for
// CHECK:           vector.store %{{.*}}, %[[PACKED]]
// CHECK:         scf.parallel
// CHECK:           scf.for
// CHECK-NOT:         memref.alloc
// CHECK:         memref.dealloc %[[PACKED]]
// CHECK-LABEL: func.func @pack_inside_writing_loop
// CHECK:         scf.for
// CHECK:           linalg.fill
// CHECK:           memref.alloc() {alignment = 64 : i64} : memref<1x8x32xf32>
func.func @pack_outside_loops(%a: memref<4x16x8xf32>, %b: memref<8x32xf32>, %c: memref<4x16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %ai = memref.subview %a[%i, 0, 0] [1, 16, 8] [1, 1, 1] : memref<4x16x8xf32> to memref<16x8xf32, strided<[8, 1], offset: ?>>
    %ci = memref.subview %c[%i, 0, 0] [1, 16, 32] [1, 1, 1] : memref<4x16x32xf32> to memref<16x32xf32, strided<[32, 1], offset: ?>>
    linalg.matmul ins(%ai, %b : memref<16x8xf32, strided<[8, 1], offset: ?>>, memref<8x32xf32>) outs(%ci : memref<16x32xf32, strided<[32, 1], offset: ?>>)
    scf.reduce
  }
  return
}
func.func @pack_inside_writing_loop(%a: memref<16x8xf32>, %b: memref<8x32xf32>, %c: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    linalg.fill ins(%one : f32) outs(%b : memref<8x32xf32>)
    linalg.matmul ins(%a, %b : memref<16x8xf32>, memref<8x32xf32>) outs(%c : memref<16x32xf32>)
  }
  return
}

// -----

// The im2col source must hold the same values at the matmul as at the
// copy. Here an earlier matmul's relu epilogue, fused up to that matmul,
// writes the source in between: the copy is kept, and read.

#src = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3, d2 + d4, d5)>
#id6 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @im2col_source_written_in_between
// CHECK:         linalg.generic {{.*}} ins(%arg0 : memref<1x6x6x4xf32>) outs(%[[P:.*]] : memref<1x4x4x3x3x4xf32>)
// CHECK:         arith.maximumf
// CHECK:         %[[A:.*]] = memref.collapse_shape %[[P]]
// CHECK:         memref.load %[[A]]
func.func @im2col_source_written_in_between(%buf: memref<1x6x6x4xf32>, %w2: memref<36x64xf32>, %c2: memref<16x64xf32>,
                                            %a1: memref<6x8xf32>, %b1: memref<8x24xf32>) {
  %zero = arith.constant 0.0 : f32
  %out = memref.collapse_shape %buf [[0, 1], [2, 3]] : memref<1x6x6x4xf32> into memref<6x24xf32>
  %p = memref.alloc() : memref<1x4x4x3x3x4xf32>
  linalg.generic {indexing_maps = [#src, #id6], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%buf : memref<1x6x6x4xf32>) outs(%p : memref<1x4x4x3x3x4xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  %c1 = memref.alloc() : memref<6x24xf32>
  linalg.fill ins(%zero : f32) outs(%c1 : memref<6x24xf32>)
  linalg.matmul ins(%a1, %b1 : memref<6x8xf32>, memref<8x24xf32>) outs(%c1 : memref<6x24xf32>)
  %a = memref.collapse_shape %p [[0, 1, 2], [3, 4, 5]] : memref<1x4x4x3x3x4xf32> into memref<16x36xf32>
  linalg.matmul ins(%a, %w2 : memref<16x36xf32>, memref<36x64xf32>) outs(%c2 : memref<16x64xf32>)
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%c1 : memref<6x24xf32>) outs(%out : memref<6x24xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c1 : memref<6x24xf32>
  memref.dealloc %p : memref<1x4x4x3x3x4xf32>
  return
}

// -----

// A loop that writes B through a view (memref.transpose is not a
// ViewLikeOpInterface op) packs B in the loop, after the write.

// CHECK-LABEL: func.func @pack_inside_loop_writing_a_view
// CHECK:         scf.for
// CHECK:           linalg.fill
// CHECK:           memref.alloc() {alignment = 64 : i64} : memref<1x8x32xf32>
func.func @pack_inside_loop_writing_a_view(%a: memref<16x8xf32>, %b: memref<8x32xf32>, %c: memref<4x16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %t = memref.transpose %b (i, j) -> (j, i) : memref<8x32xf32> to memref<32x8xf32, strided<[1, 32]>>
    linalg.fill ins(%one : f32) outs(%t : memref<32x8xf32, strided<[1, 32]>>)
    %ci = memref.subview %c[%i, 0, 0] [1, 16, 32] [1, 1, 1] : memref<4x16x32xf32> to memref<16x32xf32, strided<[32, 1], offset: ?>>
    linalg.matmul ins(%a, %b : memref<16x8xf32>, memref<8x32xf32>) outs(%ci : memref<16x32xf32, strided<[32, 1], offset: ?>>)
  }
  return
}

// -----

// A loop that may not run (bounds unknown) packs B inside: B is not read
// unless a matmul runs.

// CHECK-LABEL: func.func @pack_inside_loop_that_may_not_run
// CHECK:         scf.for
// CHECK:           memref.alloc() {alignment = 64 : i64} : memref<1x8x32xf32>
func.func @pack_inside_loop_that_may_not_run(%a: memref<16x8xf32>, %b: memref<8x32xf32>, %c: memref<16x32xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    linalg.matmul ins(%a, %b : memref<16x8xf32>, memref<8x32xf32>) outs(%c : memref<16x32xf32>)
  }
  return
}

// -----

// The default k slice is 2048 deep (see Passes.td: C's tile is loaded and
// stored once per slice): a k of 2048 is one slice, the kernel's k loop
// runs over all of it; 2056 takes a second slice.
// CHECK-LABEL: func.func @one_k_slice
// CHECK-NOT:     step %c2048
// CHECK:         scf.for %{{.*}} = %c0 to %c2048 step %c1 iter_args
// CHECK-LABEL: func.func @two_k_slices
// CHECK:         scf.for %[[KB:.*]] = %c0 to %c2056 step %c2048 {
// CHECK:           %[[END:.*]] = arith.minsi %{{.*}}, %c2056
// CHECK:           scf.for %{{.*}} = %[[KB]] to %[[END]] step %c1 iter_args
func.func @one_k_slice(%a: memref<8x2048xf32>, %b: memref<2048x32xf32>, %c: memref<8x32xf32>) {
  linalg.matmul ins(%a, %b : memref<8x2048xf32>, memref<2048x32xf32>) outs(%c : memref<8x32xf32>)
  return
}
func.func @two_k_slices(%a: memref<8x2056xf32>, %b: memref<2056x32xf32>, %c: memref<8x32xf32>) {
  linalg.matmul ins(%a, %b : memref<8x2056xf32>, memref<2056x32xf32>) outs(%c : memref<8x32xf32>)
  return
}
