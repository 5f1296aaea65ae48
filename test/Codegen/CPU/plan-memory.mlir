// RUN: tg-opt %s -tg-plan-memory -tg-check-memory-plan -split-input-file | FileCheck %s
// RUN: tg-opt %s -tg-plan-memory=sequential=true -tg-check-memory-plan -split-input-file | FileCheck %s --check-prefix=SEQ
// RUN: tg-opt %s -tg-plan-memory=workers=2 -tg-check-memory-plan -split-input-file | FileCheck %s --check-prefix=WORK

// Three buffers of a chain, each dead once the next is computed: %a and %c
// share bytes, the arena holds two (the lower bound), the deallocations of
// the buffers give way to one of the arena.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: tg.memory_plan = {arena_bytes = 8192 : i64, buffers = 3 : i64, lower_bound_bytes = 8192 : i64, separate_bytes = 12288 : i64, unplanned_bytes = 0 : i64}
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8192xi8>
// CHECK: memref.view %[[ARENA]][%{{.*}}][] {tg.arena_bytes = array<i64: 0, 4096>}
// CHECK: memref.view %[[ARENA]][%{{.*}}][] {tg.arena_bytes = array<i64: 4096, 4096>}
// CHECK: memref.view %[[ARENA]][%{{.*}}][] {tg.arena_bytes = array<i64: 0, 4096>}
// CHECK-NOT: memref.alloc
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return
#id = affine_map<(d0) -> (d0)>
func.func @chain(%x: memref<1024xf32>, %out: memref<1024xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : memref<1024xf32>) outs(%a : memref<1024xf32>) {
  ^bb0(%i: f32, %o: f32):
    %e = math.exp %i : f32
    linalg.yield %e : f32
  }
  %b = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : memref<1024xf32>) outs(%b : memref<1024xf32>) {
  ^bb0(%i: f32, %o: f32):
    %e = math.tanh %i : f32
    linalg.yield %e : f32
  }
  %c = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%b : memref<1024xf32>) outs(%c : memref<1024xf32>) {
  ^bb0(%i: f32, %o: f32):
    %e = math.sin %i : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%c, %x : memref<1024xf32>, memref<1024xf32>) outs(%out : memref<1024xf32>) {
  ^bb0(%i: f32, %j: f32, %o: f32):
    %e = arith.addf %i, %j : f32
    linalg.yield %e : f32
  }
  memref.dealloc %a : memref<1024xf32>
  memref.dealloc %b : memref<1024xf32>
  memref.dealloc %c : memref<1024xf32>
  return
}

// -----

// %first is dead (its last use, not its deallocation, counts) when %read
// is allocated: they share bytes. %read is read inside the loop, so it
// stays live across all of it, and the loop body's buffer %t (dead at the
// end of each iteration) gets other bytes. A buffer allocated inside a
// parallel loop (one per thread) and a buffer yielded out of a loop keep
// their own allocations.
// With sequential loops (-tg-cpu-pipeline{threads=1}) the parallel loop's
// buffer is planned too; only the yielded one is left.
// With two workers, the parallel loop's 4 iterations run as 2 chunks of
// 2, and its buffer has a slice per worker: 2 x 4096 bytes, live for the
// whole loop (the buffers before it are dead by then and share them).
// WORK-LABEL: func.func @loops
// WORK-SAME: tg.memory_plan = {arena_bytes = 8192 : i64, buffers = 4 : i64, lower_bound_bytes = 8192 : i64, separate_bytes = 20480 : i64, unplanned_bytes = 4096 : i64}
// WORK: scf.parallel (%[[W:.*]]) = (%{{.*}}) to (%c2{{.*}}) step
// WORK: %[[BASE:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// WORK: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step
// WORK: %[[OFF:.*]] = arith.addi %[[BASE]], %{{.*}} : index
// WORK: memref.view %{{.*}}[%[[OFF]]][] {tg.arena_bytes = array<i64: 0, 4096>, tg.arena_slice = array<i64: 0, 4096, 2>} : memref<8192xi8> to memref<1024xf32>
// WORK-NOT: memref.dealloc
// WORK: scf.reduce
// SEQ-LABEL: func.func @loops
// SEQ-SAME: buffers = 4 : i64
// SEQ-SAME: unplanned_bytes = 4096 : i64
// SEQ: scf.parallel
// SEQ: memref.view {{.*}} to memref<1024xf32>
// SEQ-NOT: memref.alloc() : memref<1024xf32>
// SEQ: scf.reduce
// CHECK-LABEL: func.func @loops
// CHECK-SAME: tg.memory_plan = {arena_bytes = 8192 : i64, buffers = 3 : i64, lower_bound_bytes = 8192 : i64, separate_bytes = 12288 : i64, unplanned_bytes = 8192 : i64}
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8192xi8>
// CHECK: memref.view %[[ARENA]][%{{.*}}][] {tg.arena_bytes = array<i64: 0, 4096>} : memref<8192xi8> to memref<1024xf32>
// CHECK: memref.view %[[ARENA]][%{{.*}}][] {tg.arena_bytes = array<i64: 0, 4096>} : memref<8192xi8> to memref<1024xf32>
// CHECK: scf.for
// CHECK: memref.view %[[ARENA]][%{{.*}}][] {tg.arena_bytes = array<i64: 4096, 4096>} : memref<8192xi8> to memref<1024xf32>
// CHECK: scf.parallel
// CHECK: memref.alloc() : memref<1024xf32>
// CHECK: memref.dealloc
// CHECK: scf.for
// CHECK: memref.alloc() : memref<1024xf32>
// CHECK: scf.yield
#id = affine_map<(d0) -> (d0)>
func.func @loops(%x: memref<1024xf32>, %out: memref<1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %first = memref.alloc() : memref<1024xf32>
  memref.copy %x, %first : memref<1024xf32> to memref<1024xf32>
  memref.copy %first, %out : memref<1024xf32> to memref<1024xf32>
  %read = memref.alloc() : memref<1024xf32>
  memref.copy %x, %read : memref<1024xf32> to memref<1024xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %t = memref.alloc() : memref<1024xf32>
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%read : memref<1024xf32>) outs(%t : memref<1024xf32>) {
    ^bb0(%a: f32, %o: f32):
      %e = math.exp %a : f32
      linalg.yield %e : f32
    }
    memref.copy %t, %out : memref<1024xf32> to memref<1024xf32>
    memref.dealloc %t : memref<1024xf32>
  }
  scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
    %p = memref.alloc() : memref<1024xf32>
    memref.copy %x, %p : memref<1024xf32> to memref<1024xf32>
    memref.dealloc %p : memref<1024xf32>
    scf.reduce
  }
  %carried = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %x) -> memref<1024xf32> {
    %n = memref.alloc() : memref<1024xf32>
    memref.copy %acc, %n : memref<1024xf32> to memref<1024xf32>
    scf.yield %n : memref<1024xf32>
  }
  memref.copy %carried, %out : memref<1024xf32> to memref<1024xf32>
  memref.dealloc %first : memref<1024xf32>
  memref.dealloc %read : memref<1024xf32>
  return
}

// -----

// Element widths LLVM pads (an i24 takes 4 bytes) and buffers that flow
// into an op making a buffer of its own (a clone) are not planned.
// CHECK-LABEL: func.func @left_alone
// CHECK-SAME: buffers = 0 : i64
// CHECK: memref.alloc() : memref<100xi24>
// CHECK: memref.alloc() : memref<100xf32>
func.func @left_alone(%x: memref<100xi24>, %y: memref<100xf32>) {
  %a = memref.alloc() : memref<100xi24>
  memref.copy %x, %a : memref<100xi24> to memref<100xi24>
  memref.copy %a, %x : memref<100xi24> to memref<100xi24>
  memref.dealloc %a : memref<100xi24>
  %b = memref.alloc() : memref<100xf32>
  memref.copy %y, %b : memref<100xf32> to memref<100xf32>
  %c = bufferization.clone %b : memref<100xf32> to memref<100xf32>
  memref.copy %c, %y : memref<100xf32> to memref<100xf32>
  memref.dealloc %b : memref<100xf32>
  memref.dealloc %c : memref<100xf32>
  return
}

// -----

// Two workers over a 3x2 parallel loop: chunks of 3 iterations, the
// linear index delinearized (row-major) into the two induction variables.
// In a worker's slice, %t1 and %t2 (disjoint live ranges in the body)
// share bytes: the slice is 4096 bytes, the block 8192. %before is dead
// when the loop starts and shares the block's bytes; %across is read
// after the loop and does not.
// WORK-LABEL: func.func @chunks
// WORK-SAME: tg.memory_plan = {arena_bytes = 12288 : i64, buffers = 4 : i64, lower_bound_bytes = 12288 : i64
// WORK: memref.view {{.*}} {tg.arena_bytes = array<i64: [[BEFORE:[0-9]+]], 4096>}
// WORK: memref.view {{.*}} {tg.arena_bytes = array<i64: [[ACROSS:[0-9]+]], 4096>}
// WORK: scf.parallel (%[[W:.*]]) = (%c0{{.*}}) to (%c2{{.*}}) step (%c1{{.*}})
// WORK: %[[LO:.*]] = arith.muli %[[W]], %c3{{.*}} : index
// WORK: %[[END:.*]] = arith.addi %[[LO]], %c3{{.*}} : index
// WORK: %[[HI:.*]] = arith.minsi %[[END]], %c6{{.*}} : index
// WORK: scf.for %[[K:.*]] = %[[LO]] to %[[HI]] step
// WORK: arith.remui %[[K]], %c2{{.*}} : index
// WORK: arith.divui %[[K]], %c2{{.*}} : index
// WORK: tg.arena_bytes = array<i64: 0, 4096>, tg.arena_slice = array<i64: [[SLICE:[0-9]+]], 4096, 2>
// WORK: tg.arena_bytes = array<i64: 0, 4096>, tg.arena_slice = array<i64: [[SLICE]], 4096, 2>
func.func @chunks(%x: memref<1024xf32>, %out: memref<3x2x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %before = memref.alloc() : memref<1024xf32>
  memref.copy %x, %before : memref<1024xf32> to memref<1024xf32>
  memref.copy %before, %x : memref<1024xf32> to memref<1024xf32>
  %across = memref.alloc() : memref<1024xf32>
  memref.copy %x, %across : memref<1024xf32> to memref<1024xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c3, %c2) step (%c1, %c1) {
    %row = memref.subview %out[%i, %j, 0] [1, 1, 1024] [1, 1, 1] : memref<3x2x1024xf32> to memref<1024xf32, strided<[1], offset: ?>>
    %t1 = memref.alloc() : memref<1024xf32>
    memref.copy %across, %t1 : memref<1024xf32> to memref<1024xf32>
    memref.copy %t1, %row : memref<1024xf32> to memref<1024xf32, strided<[1], offset: ?>>
    %t2 = memref.alloc() : memref<1024xf32>
    memref.copy %row, %t2 : memref<1024xf32, strided<[1], offset: ?>> to memref<1024xf32>
    memref.copy %t2, %row : memref<1024xf32> to memref<1024xf32, strided<[1], offset: ?>>
    memref.dealloc %t1 : memref<1024xf32>
    memref.dealloc %t2 : memref<1024xf32>
    scf.reduce
  }
  memref.copy %across, %x : memref<1024xf32> to memref<1024xf32>
  memref.dealloc %before : memref<1024xf32>
  memref.dealloc %across : memref<1024xf32>
  return
}

// -----

// A parallel loop whose upper bound is below its lower one runs no
// iteration, chunked too (found by an adversarial tester: its trip count
// was computed unsigned, 2^61 iterations per worker).
// WORK-LABEL: func.func @empty
// WORK: scf.parallel (%{{.*}}) = (%c0{{.*}}) to (%c0{{.*}}) step
func.func @empty(%x: memref<1024xf32>) {
  %c2 = arith.constant 2 : index
  %c5 = arith.constant 5 : index
  scf.parallel (%i) = (%c5) to (%c2) step (%c2) {
    %t = memref.alloc() : memref<1024xf32>
    memref.copy %x, %t : memref<1024xf32> to memref<1024xf32>
    memref.copy %t, %x : memref<1024xf32> to memref<1024xf32>
    memref.dealloc %t : memref<1024xf32>
    scf.reduce
  }
  return
}
