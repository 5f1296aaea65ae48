// RUN: tg-opt %s -tg-interleave-loops=min-ops=4 | FileCheck %s
// RUN: tg-opt %s -tg-interleave-loops="count=2 min-ops=4" | FileCheck %s --check-prefix=TWO
// More float ops than max-ops (here 3; the long body has 4): no annotation,
// LLVM's vectorizer and register allocator are super-linear in huge bodies.
// RUN: tg-opt %s -tg-interleave-loops="min-ops=1 max-ops=3" | FileCheck %s --check-prefix=CAP
// CAP-LABEL: llvm.func @long_body
// CAP-NOT: loop_annotation
// CAP: llvm.return

// CHECK-DAG: #[[IL:.*]] = #llvm.loop_interleave<count = 4 : i32>
// CHECK-DAG: #[[ANN:.*]] = #llvm.loop_annotation<interleave = #[[IL]]>
// TWO: #llvm.loop_interleave<count = 2 : i32>

// A long scalar body in the inner loop of a nest: only the inner loop's
// latch is annotated.
// CHECK-LABEL: llvm.func @long_body
// CHECK: ^bb4:
// CHECK: llvm.br ^bb3(%{{.*}} : i64) {loop_annotation = #[[ANN]]}
// CHECK: ^bb5:
// CHECK-NEXT: llvm.add
// CHECK-NEXT: llvm.br ^bb1(%{{.*}} : i64){{$}}
llvm.func @long_body(%p: !llvm.ptr, %n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  llvm.br ^bb1(%c0 : i64)
^bb1(%i: i64):
  %ci = llvm.icmp "slt" %i, %n : i64
  llvm.cond_br %ci, ^bb2, ^bb6
^bb2:
  llvm.br ^bb3(%c0 : i64)
^bb3(%j: i64):
  %cj = llvm.icmp "slt" %j, %n : i64
  llvm.cond_br %cj, ^bb4, ^bb5
^bb4:
  %a = llvm.getelementptr %p[%j] : (!llvm.ptr, i64) -> !llvm.ptr, f32
  %x = llvm.load %a : !llvm.ptr -> f32
  %x1 = llvm.fmul %x, %x : f32
  %x2 = llvm.fadd %x1, %x : f32
  %x3 = llvm.fmul %x2, %x1 : f32
  %x4 = llvm.fsub %x3, %x : f32
  llvm.store %x4, %a : f32, !llvm.ptr
  %j1 = llvm.add %j, %c1 : i64
  llvm.br ^bb3(%j1 : i64)
^bb5:
  %i1 = llvm.add %i, %c1 : i64
  llvm.br ^bb1(%i1 : i64)
^bb6:
  llvm.return
}

// Fewer float ops than min-ops: LLVM's own choice stays.
// CHECK-LABEL: llvm.func @short_body
// CHECK-NOT: loop_annotation
// CHECK: llvm.return
llvm.func @short_body(%p: !llvm.ptr, %n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  llvm.br ^bb1(%c0 : i64)
^bb1(%j: i64):
  %cj = llvm.icmp "slt" %j, %n : i64
  llvm.cond_br %cj, ^bb2, ^bb3
^bb2:
  %a = llvm.getelementptr %p[%j] : (!llvm.ptr, i64) -> !llvm.ptr, f32
  %x = llvm.load %a : !llvm.ptr -> f32
  %x1 = llvm.fadd %x, %x : f32
  llvm.store %x1, %a : f32, !llvm.ptr
  %j1 = llvm.add %j, %c1 : i64
  llvm.br ^bb1(%j1 : i64)
^bb3:
  llvm.return
}

// Vector code (a matmul micro-kernel) is left alone.
// CHECK-LABEL: llvm.func @vector_body
// CHECK-NOT: loop_annotation
// CHECK: llvm.return
llvm.func @vector_body(%p: !llvm.ptr, %n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  llvm.br ^bb1(%c0 : i64)
^bb1(%j: i64):
  %cj = llvm.icmp "slt" %j, %n : i64
  llvm.cond_br %cj, ^bb2, ^bb3
^bb2:
  %a = llvm.getelementptr %p[%j] : (!llvm.ptr, i64) -> !llvm.ptr, vector<16xf32>
  %x = llvm.load %a : !llvm.ptr -> vector<16xf32>
  %x1 = llvm.fmul %x, %x : vector<16xf32>
  %x2 = llvm.fadd %x1, %x : vector<16xf32>
  %x3 = llvm.fmul %x2, %x1 : vector<16xf32>
  %x4 = llvm.fsub %x3, %x : vector<16xf32>
  llvm.store %x4, %a : vector<16xf32>, !llvm.ptr
  %j1 = llvm.add %j, %c1 : i64
  llvm.br ^bb1(%j1 : i64)
^bb3:
  llvm.return
}
