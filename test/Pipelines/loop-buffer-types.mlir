// Buffer types of nested scf.for loops: tg's getBufferType of scf.for
// (LoopReadAnalysis.cpp) caches upstream's answers for the length of one
// query, so the bufferized IR equals stock mlir-opt's under several layout
// options, and 40 nested levels (about 2^40 recursive queries upstream)
// bufferize at once; `timeout` only turns a regression into a failure
// instead of a hung run.

// RUN: mlir-opt %s -split-input-file -one-shot-bufferize="bufferize-function-boundaries allow-return-allocs-from-loops" > %t.upstream
// RUN: tg-opt %s -split-input-file -one-shot-bufferize="bufferize-function-boundaries allow-return-allocs-from-loops" > %t.tg
// RUN: diff %t.upstream %t.tg
// RUN: FileCheck %s --input-file=%t.tg
// RUN: mlir-opt %s -split-input-file -one-shot-bufferize="bufferize-function-boundaries allow-return-allocs-from-loops function-boundary-type-conversion=identity-layout-map" > %t.upstream-identity
// RUN: tg-opt %s -split-input-file -one-shot-bufferize="bufferize-function-boundaries allow-return-allocs-from-loops function-boundary-type-conversion=identity-layout-map" > %t.tg-identity
// RUN: diff %t.upstream-identity %t.tg-identity
// RUN: FileCheck %s --input-file=%t.tg-identity --check-prefix=IDENTITY
// RUN: timeout 120 tg-opt %S/Inputs/nested-for-40.mlir -one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=DEEP

// DEEP-LABEL: func @deep
// DEEP-COUNT-40: scf.for {{.*}} -> (memref<8xf32, strided<[?], offset: ?>>)
// DEEP: linalg.map
// DEEP-NOT: memref.copy

// Swapped iter_args through a nest: the yielded buffers of each level are
// the other argument's.
// CHECK-LABEL: func @swapped
// CHECK-COUNT-3: scf.for {{.*}} -> (memref<8xf32, strided<[?], offset: ?>>, memref<8xf32, strided<[?], offset: ?>>)
// IDENTITY-LABEL: func @swapped
// IDENTITY-COUNT-3: scf.for {{.*}} -> (memref<8xf32>, memref<8xf32>)
func.func @swapped(%a: tensor<8xf32>, %b: tensor<8xf32>, %n: index) -> (tensor<8xf32>, tensor<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%x = %a, %y = %b) -> (tensor<8xf32>, tensor<8xf32>) {
    %s:2 = scf.for %j = %c0 to %n step %c1 iter_args(%u = %y, %v = %x) -> (tensor<8xf32>, tensor<8xf32>) {
      %t:2 = scf.for %k = %c0 to %n step %c1 iter_args(%p = %v, %q = %u) -> (tensor<8xf32>, tensor<8xf32>) {
        %m = linalg.map { arith.addf } ins(%p, %q : tensor<8xf32>, tensor<8xf32>) outs(%q : tensor<8xf32>)
        scf.yield %m, %p : tensor<8xf32>, tensor<8xf32>
      }
      scf.yield %t#1, %t#0 : tensor<8xf32>, tensor<8xf32>
    }
    scf.yield %s#0, %s#1 : tensor<8xf32>, tensor<8xf32>
  }
  return %r#0, %r#1 : tensor<8xf32>, tensor<8xf32>
}

// -----

// The innermost loop yields a new allocation (identity layout) while the
// init is a function argument (strided layout): the iter_arg types of the
// whole nest fall back to a fully dynamic layout.
// CHECK-LABEL: func @mismatch
// CHECK-COUNT-3: scf.for {{.*}} -> (memref<8xf32, strided<[?], offset: ?>>)
// CHECK: memref.alloc() {{.*}} : memref<8xf32>
// CHECK: memref.cast {{.*}} : memref<8xf32> to memref<8xf32, strided<[?], offset: ?>>
// IDENTITY-LABEL: func @mismatch
// IDENTITY-COUNT-3: scf.for {{.*}} -> (memref<8xf32>)
// IDENTITY-NOT: memref.cast
func.func @mismatch(%a: tensor<8xf32>, %n: index) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r0 = scf.for %i = %c0 to %n step %c1 iter_args(%x0 = %a) -> (tensor<8xf32>) {
    %r1 = scf.for %j = %c0 to %n step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
      %r2 = scf.for %k = %c0 to %n step %c1 iter_args(%x2 = %x1) -> (tensor<8xf32>) {
        %e = bufferization.alloc_tensor() : tensor<8xf32>
        %m = linalg.map { arith.addf } ins(%x2, %x2 : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>)
        scf.yield %m : tensor<8xf32>
      }
      scf.yield %r2 : tensor<8xf32>
    }
    scf.yield %r1 : tensor<8xf32>
  }
  return %r0 : tensor<8xf32>
}

// -----

// A slice of a loop-carried tensor carried by inner loops (a strided
// layout with a static offset), inserted back after them.
// CHECK-LABEL: func @slices
// CHECK-COUNT-2: scf.for {{.*}} -> (memref<8xf32, strided<[?], offset: ?>>)
// IDENTITY-LABEL: func @slices
// IDENTITY-COUNT-2: scf.for {{.*}} -> (memref<8xf32, strided<[1], offset: 4>>)
func.func @slices(%a: tensor<16xf32>, %n: index) -> tensor<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r0 = scf.for %i = %c0 to %n step %c1 iter_args(%x0 = %a) -> (tensor<16xf32>) {
    %s = tensor.extract_slice %x0[4] [8] [1] : tensor<16xf32> to tensor<8xf32>
    %r1 = scf.for %j = %c0 to %n step %c1 iter_args(%x1 = %s) -> (tensor<8xf32>) {
      %r2 = scf.for %k = %c0 to %n step %c1 iter_args(%x2 = %x1) -> (tensor<8xf32>) {
        %m = linalg.map { arith.mulf } ins(%x2, %x2 : tensor<8xf32>, tensor<8xf32>) outs(%x2 : tensor<8xf32>)
        scf.yield %m : tensor<8xf32>
      }
      scf.yield %r2 : tensor<8xf32>
    }
    %ins = tensor.insert_slice %r1 into %x0[4] [8] [1] : tensor<8xf32> into tensor<16xf32>
    scf.yield %ins : tensor<16xf32>
  }
  return %r0 : tensor<16xf32>
}

// -----

// Loops in sequence and nested, an scf.if choosing between the iter_arg and
// a new tensor, and a while loop in the function (tg then asks upstream
// uncached).
// CHECK-LABEL: func @mixed
// CHECK: memref.cast {{.*}} : memref<8xf32> to memref<8xf32, strided<[?], offset: ?>>
// CHECK: scf.while
func.func @mixed(%a: tensor<8xf32>, %n: index, %c: i1) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r0 = scf.for %i = %c0 to %n step %c1 iter_args(%x0 = %a) -> (tensor<8xf32>) {
    %r1 = scf.for %j = %c0 to %n step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
      %f = scf.if %c -> (tensor<8xf32>) {
        scf.yield %x1 : tensor<8xf32>
      } else {
        %e = tensor.empty() : tensor<8xf32>
        %m = linalg.map { arith.addf } ins(%x1, %x1 : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>)
        scf.yield %m : tensor<8xf32>
      }
      scf.yield %f : tensor<8xf32>
    }
    scf.yield %r1 : tensor<8xf32>
  }
  %w = scf.while (%y = %r0) : (tensor<8xf32>) -> tensor<8xf32> {
    scf.condition(%c) %y : tensor<8xf32>
  } do {
  ^bb0(%z: tensor<8xf32>):
    %r2 = scf.for %k = %c0 to %n step %c1 iter_args(%x2 = %z) -> (tensor<8xf32>) {
      %m = linalg.map { arith.mulf } ins(%x2, %x2 : tensor<8xf32>, tensor<8xf32>) outs(%x2 : tensor<8xf32>)
      scf.yield %m : tensor<8xf32>
    }
    scf.yield %r2 : tensor<8xf32>
  }
  return %w : tensor<8xf32>
}

// -----

// The init is a new allocation (identity layout) and the innermost loop
// yields a slice: upstream copies the slice into a new allocation, so the
// nest keeps the identity layout and only the returned value is cast.
// CHECK-LABEL: func @promoted
// CHECK-COUNT-3: scf.for {{.*}} -> (memref<8xf32>)
// CHECK: memref.cast {{.*}} : memref<8xf32> to memref<8xf32, strided<[?], offset: ?>>
func.func @promoted(%big: tensor<16xf32>, %n: index) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = bufferization.alloc_tensor() : tensor<8xf32>
  %r0 = scf.for %i = %c0 to %n step %c1 iter_args(%x0 = %e) -> (tensor<8xf32>) {
    %r1 = scf.for %j = %c0 to %n step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
      %r2 = scf.for %k = %c0 to %n step %c1 iter_args(%x2 = %x1) -> (tensor<8xf32>) {
        %s = tensor.extract_slice %big[%k] [8] [1] : tensor<16xf32> to tensor<8xf32>
        scf.yield %s : tensor<8xf32>
      }
      scf.yield %r2 : tensor<8xf32>
    }
    scf.yield %r1 : tensor<8xf32>
  }
  return %r0 : tensor<8xf32>
}

// -----

// A nest in each region of a while loop: the while's before-region argument
// is cut on the stack as scf.for's iter_args are (tg's scf.while model reports
// the check to the cached loop types around it).
// CHECK-LABEL: func @while_nest
// CHECK: scf.while
// CHECK-COUNT-2: scf.for {{.*}} -> (memref<8xf32, strided<[?], offset: ?>>)
// CHECK: ^bb0(%{{.*}}: memref<8xf32>):
// CHECK-COUNT-2: scf.for {{.*}} -> (memref<8xf32>)
func.func @while_nest(%a: tensor<8xf32>, %big: tensor<16xf32>, %n: index, %c: i1) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %w = scf.while (%y = %a) : (tensor<8xf32>) -> tensor<8xf32> {
    %r0 = scf.for %i = %c0 to %n step %c1 iter_args(%x0 = %y) -> (tensor<8xf32>) {
      %r1 = scf.for %j = %c0 to %n step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
        %s = tensor.extract_slice %big[%j] [8] [1] : tensor<16xf32> to tensor<8xf32>
        %m = linalg.map { arith.addf } ins(%x1, %s : tensor<8xf32>, tensor<8xf32>) outs(%x1 : tensor<8xf32>)
        scf.yield %m : tensor<8xf32>
      }
      scf.yield %r1 : tensor<8xf32>
    }
    scf.condition(%c) %r0 : tensor<8xf32>
  } do {
  ^bb0(%z: tensor<8xf32>):
    %r2 = scf.for %k = %c0 to %n step %c1 iter_args(%x2 = %z) -> (tensor<8xf32>) {
      %r3 = scf.for %l = %c0 to %n step %c1 iter_args(%x3 = %x2) -> (tensor<8xf32>) {
        %s = tensor.extract_slice %big[%l] [8] [1] : tensor<16xf32> to tensor<8xf32>
        scf.yield %s : tensor<8xf32>
      }
      scf.yield %r3 : tensor<8xf32>
    }
    scf.yield %r2 : tensor<8xf32>
  }
  return %w : tensor<8xf32>
}

// -----

// A nest in a loop of blocks: the block argument skips forwarded operands on
// the stack (tg's func.func model reports the check).
// CHECK-LABEL: func @cf_nest
// CHECK: ^bb1(%{{.*}}: memref<8xf32, strided<[?], offset: ?>>):
// CHECK-COUNT-2: scf.for {{.*}} -> (memref<8xf32, strided<[?], offset: ?>>)
func.func @cf_nest(%a: tensor<8xf32>, %big: tensor<16xf32>, %n: index, %c: i1) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  cf.br ^loop(%a : tensor<8xf32>)
^loop(%y: tensor<8xf32>):
  %r0 = scf.for %i = %c0 to %n step %c1 iter_args(%x0 = %y) -> (tensor<8xf32>) {
    %r1 = scf.for %j = %c0 to %n step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
      %s = tensor.extract_slice %big[%j] [8] [1] : tensor<16xf32> to tensor<8xf32>
      %f = scf.if %c -> (tensor<8xf32>) {
        scf.yield %s : tensor<8xf32>
      } else {
        scf.yield %x1 : tensor<8xf32>
      }
      scf.yield %f : tensor<8xf32>
    }
    scf.yield %r1 : tensor<8xf32>
  }
  cf.cond_br %c, ^loop(%r0 : tensor<8xf32>), ^exit(%r0 : tensor<8xf32>)
^exit(%e: tensor<8xf32>):
  return %e : tensor<8xf32>
}

// -----

// The same loop of blocks inside an scf.execute_region (its block arguments
// skip forwarded operands on the stack too; tg's model reports the check).
// CHECK-LABEL: func @region_nest
// CHECK: scf.execute_region
// CHECK: ^bb1(%{{.*}}: memref<8xf32, strided<[?], offset: ?>>):
// CHECK-COUNT-2: scf.for {{.*}} -> (memref<8xf32, strided<[?], offset: ?>>)
func.func @region_nest(%a: tensor<8xf32>, %big: tensor<16xf32>, %n: index, %c: i1) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.execute_region -> tensor<8xf32> {
    cf.br ^loop(%a : tensor<8xf32>)
  ^loop(%y: tensor<8xf32>):
    %r0 = scf.for %i = %c0 to %n step %c1 iter_args(%x0 = %y) -> (tensor<8xf32>) {
      %r1 = scf.for %j = %c0 to %n step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
        %s = tensor.extract_slice %big[%j] [8] [1] : tensor<16xf32> to tensor<8xf32>
        %f = scf.if %c -> (tensor<8xf32>) {
          scf.yield %s : tensor<8xf32>
        } else {
          scf.yield %x1 : tensor<8xf32>
        }
        scf.yield %f : tensor<8xf32>
      }
      scf.yield %r1 : tensor<8xf32>
    }
    cf.cond_br %c, ^loop(%r0 : tensor<8xf32>), ^exit
  ^exit:
    scf.yield %r0 : tensor<8xf32>
  }
  return %r : tensor<8xf32>
}
