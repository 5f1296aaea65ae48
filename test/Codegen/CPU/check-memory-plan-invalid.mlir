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
