// RUN: tg-opt %s -split-input-file -tg-advise-huge-pages | FileCheck %s
// RUN: tg-opt %s -split-input-file -tg-advise-huge-pages=min-bytes=0 | FileCheck %s --check-prefix=OFF

// A static buffer of 4 MiB or more is advised (its whole 4 KiB pages: the
// start rounded up, the end rounded down); smaller and dynamic ones are
// not. libc's madvise is declared once.

// CHECK-LABEL: func.func @buffers
// CHECK:         %[[BIG:.*]] = memref.alloc() : memref<1048576xf32>
// CHECK:         %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[BIG]]
// CHECK:         %[[UP:.*]] = arith.addi %[[P]], %c4095
// CHECK:         %[[START:.*]] = arith.andi %[[UP]], %c-4096
// CHECK:         %[[TOP:.*]] = arith.addi %[[P]], %c4194304
// CHECK:         %[[END:.*]] = arith.andi %[[TOP]], %c-4096
// CHECK:         %[[LEN:.*]] = arith.subi %[[END]], %[[START]]
// CHECK:         %[[S:.*]] = arith.index_cast %[[START]] : index to i64
// CHECK:         %[[L:.*]] = arith.index_cast %[[LEN]] : index to i64
// CHECK:         call @madvise(%[[S]], %[[L]], %c14_i32) : (i64, i64, i32) -> i32
// CHECK:         memref.alloc() : memref<1024xf32>
// CHECK-NEXT:    memref.alloc(%arg0) : memref<?xf32>
// CHECK-NEXT:    memref.alloc() : memref<4194304xi8>
// CHECK:         call @madvise
// CHECK-COUNT-1: func.func private @madvise(i64, i64, i32) -> i32
// OFF-NOT:       call @madvise
func.func @buffers(%n: index) {
  %big = memref.alloc() : memref<1048576xf32>
  %small = memref.alloc() : memref<1024xf32>
  %dynamic = memref.alloc(%n) : memref<?xf32>
  %bytes = memref.alloc() : memref<4194304xi8>
  memref.dealloc %big : memref<1048576xf32>
  memref.dealloc %small : memref<1024xf32>
  memref.dealloc %dynamic : memref<?xf32>
  memref.dealloc %bytes : memref<4194304xi8>
  return
}

// -----

// A module with a madvise of its own, of another type, is left alone.

// CHECK-LABEL: func.func @taken
// CHECK-NOT:     call @madvise
// CHECK:         func.func private @madvise(i64) -> i64
func.func @taken() {
  %big = memref.alloc() : memref<1048576xf32>
  memref.dealloc %big : memref<1048576xf32>
  return
}
func.func private @madvise(i64) -> i64

// -----

// A madvise of the module's own (a definition, not libc's declaration)
// is not called.

// CHECK-LABEL: func.func @user_defined
// CHECK-NOT:     call @madvise
func.func @user_defined() {
  %big = memref.alloc() : memref<1048576xf32>
  memref.dealloc %big : memref<1048576xf32>
  return
}
func.func @madvise(%a: i64, %b: i64, %c: i32) -> i32 {
  return %c : i32
}

// -----

// Functions of a nested module cannot see the outer declaration: left
// alone.

// CHECK-LABEL: module @inner
// CHECK-NOT:     madvise
module {
  module @inner {
    func.func @f() {
      %a = memref.alloc() : memref<1048576xf32>
      memref.dealloc %a : memref<1048576xf32>
      return
    }
  }
}
