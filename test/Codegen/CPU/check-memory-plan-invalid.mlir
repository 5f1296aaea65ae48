// RUN: tg-opt %s -tg-check-memory-plan -split-input-file -verify-diagnostics

// Two views of one arena whose bytes overlap while both are live: the
// checker that the -tg-plan-memory tests run after it reports both.
#id = affine_map<(d0) -> (d0)>
func.func @overlap(%x: memref<256xf32>, %out: memref<256xf32>) {
  %arena = memref.alloc() : memref<2048xi8>
  %c0 = arith.constant 0 : index
  %c512 = arith.constant 512 : index
  // expected-note @below {{this one}}
  %a = memref.view %arena[%c0][] {tg.arena_bytes = array<i64: 0, 1024>} : memref<2048xi8> to memref<256xf32>
  // expected-error @below {{shares arena bytes with a buffer live at the same time}}
  %b = memref.view %arena[%c512][] {tg.arena_bytes = array<i64: 512, 1024>} : memref<2048xi8> to memref<256xf32>
  memref.copy %x, %a : memref<256xf32> to memref<256xf32>
  memref.copy %a, %b : memref<256xf32> to memref<256xf32>
  memref.copy %b, %out : memref<256xf32> to memref<256xf32>
  memref.dealloc %arena : memref<2048xi8>
  return
}

// -----

// The same bytes one after the other: fine.
func.func @sequential(%x: memref<256xf32>, %out: memref<256xf32>) {
  %arena = memref.alloc() : memref<1024xi8>
  %c0 = arith.constant 0 : index
  %a = memref.view %arena[%c0][] {tg.arena_bytes = array<i64: 0, 1024>} : memref<1024xi8> to memref<256xf32>
  memref.copy %x, %a : memref<256xf32> to memref<256xf32>
  memref.copy %a, %out : memref<256xf32> to memref<256xf32>
  %b = memref.view %arena[%c0][] {tg.arena_bytes = array<i64: 0, 1024>} : memref<1024xi8> to memref<256xf32>
  memref.copy %out, %b : memref<256xf32> to memref<256xf32>
  memref.copy %b, %out : memref<256xf32> to memref<256xf32>
  memref.dealloc %arena : memref<1024xi8>
  return
}

// -----

func.func @escapes(%x: memref<256xf32>) -> memref<256xf32> {
  %arena = memref.alloc() : memref<1024xi8>
  %c0 = arith.constant 0 : index
  // expected-error @below {{a planned buffer escapes or is freed on its own}}
  %a = memref.view %arena[%c0][] {tg.arena_bytes = array<i64: 0, 1024>} : memref<1024xi8> to memref<256xf32>
  memref.copy %x, %a : memref<256xf32> to memref<256xf32>
  return %a : memref<256xf32>
}

// -----

// A worker's buffer past the end of its slice (the slice holds 1024
// bytes, the buffer ends at 2048).
func.func @past_slice(%x: memref<256xf32>) {
  %arena = memref.alloc() : memref<4096xi8>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.parallel (%w) = (%c0) to (%c2) step (%c1) {
    %c1024 = arith.constant 1024 : index
    %base = arith.muli %w, %c1024 : index
    // expected-error @below {{a worker's buffer outside its slice or its loop}}
    %a = memref.view %arena[%base][] {tg.arena_bytes = array<i64: 1024, 1024>, tg.arena_slice = array<i64: 0, 1024, 2>} : memref<4096xi8> to memref<256xf32>
    memref.copy %x, %a : memref<256xf32> to memref<256xf32>
    scf.reduce
  }
  memref.dealloc %arena : memref<4096xi8>
  return
}

// -----

// The workers' slices (2 x 1024 bytes from 0) overlap a buffer read after
// the loop, so live across it.
func.func @slices_overlap(%x: memref<256xf32>) {
  %arena = memref.alloc() : memref<4096xi8>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c1024 = arith.constant 1024 : index
  // expected-note @below {{this one}}
  %b = memref.view %arena[%c1024][] {tg.arena_bytes = array<i64: 1024, 1024>} : memref<4096xi8> to memref<256xf32>
  memref.copy %x, %b : memref<256xf32> to memref<256xf32>
  scf.parallel (%w) = (%c0) to (%c2) step (%c1) {
    %base = arith.muli %w, %c1024 : index
    // expected-error @below {{shares arena bytes with a buffer live at the same time}}
    %a = memref.view %arena[%base][] {tg.arena_bytes = array<i64: 0, 1024>, tg.arena_slice = array<i64: 0, 1024, 2>} : memref<4096xi8> to memref<256xf32>
    memref.copy %x, %a : memref<256xf32> to memref<256xf32>
    scf.reduce
  }
  memref.copy %b, %x : memref<256xf32> to memref<256xf32>
  memref.dealloc %arena : memref<4096xi8>
  return
}
