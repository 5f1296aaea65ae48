// RUN: tg-opt %s -pass-pipeline="builtin.module(tg-tag-source-ops, convert-tg-to-linalg, func.func(tg-fuse-elementwise), tg-annotate-kernels)" -mlir-print-debuginfo | FileCheck %s
// RUN: tg-opt %s -pass-pipeline="builtin.module(tg-tag-source-ops, convert-tg-to-linalg, func.func(tg-fuse-elementwise), tg-annotate-kernels{profile=1 id-base=5})" | FileCheck %s --check-prefix=PROF

// A matmul, with its fill and its fused elementwise consumer (add + relu,
// which the matmul kernels compute on the tile), is one kernel; its ops
// get the fused location of the three tg ops. Without profile, nothing is
// inserted.
// CHECK-DAG: loc("tg.matmul#0"(
// CHECK-DAG: loc("tg.relu#2"(
// CHECK-LABEL: func.func @dense
// CHECK-NOT: call
// CHECK: linalg.fill {{.*}} loc(#[[K0:loc[0-9]+]])
// CHECK: linalg.matmul {{.*}} loc(#[[K0]])
// CHECK: linalg.generic
// CHECK: } -> tensor<4x5xf32> loc(#[[K0]])
// CHECK-LABEL: func.func @loop
// CHECK: scf.for
// CHECK: linalg.generic
// CHECK: } -> tensor<4xf32> loc(#[[K1:loc[0-9]+]])
// CHECK-DAG: #[[K0]] = loc(fused<"dense/k0 matmul+add+relu">[#{{loc[0-9]+}}, #{{loc[0-9]+}}, #{{loc[0-9]+}}])
// CHECK-DAG: #[[K1]] = loc(fused<"loop/k0 mul">[#{{loc[0-9]+}}])
// CHECK-DAG: loc("tg.add#1"(

// With profile: calls around each kernel (the first id is id-base), a
// kernel inside a loop timed at each iteration, and the table of kernels
// with FLOP and byte estimates: the matmul 2*4*5*3 = 120 FLOPs and the
// add+relu 2 per element (40); bytes read and written once each (not the
// zero-filled accumulator: 48 + 60 + 80, then 80 + 20 + 80; the
// loop's mul reads its operand once: 16 + 16).
// PROF: module attributes {tg.kernels = [{bytes = 368 : i64, flops = 160 : i64, function = "dense", id = 5 : i64, label = "dense/k0", name = "matmul+add+relu", sources = ["tg.matmul {{.*}}annotate-kernels.mlir:49", "tg.add {{.*}}annotate-kernels.mlir:50", "tg.relu {{.*}}annotate-kernels.mlir:51"]}, {bytes = 32 : i64, flops = 4 : i64, function = "loop", id = 6 : i64, label = "loop/k0", name = "mul", sources = ["tg.mul {{.*}}annotate-kernels.mlir:60"]}]}
// PROF-LABEL: func.func @dense
// PROF: %[[ID:.*]] = arith.constant 5 : i64
// PROF-NEXT: call @tg_profile_begin(%[[ID]])
// PROF-NEXT: linalg.fill
// PROF-NEXT: linalg.matmul
// PROF: linalg.generic
// PROF: call @tg_profile_end(%[[ID]])
// PROF-NEXT: return
// PROF-LABEL: func.func @loop
// PROF: scf.for
// PROF: %[[ID2:.*]] = arith.constant 6 : i64
// PROF-NEXT: call @tg_profile_begin(%[[ID2]])
// PROF-NEXT: linalg.generic
// PROF: call @tg_profile_end(%[[ID2]])
// PROF-NEXT: scf.yield
// PROF: func.func private @tg_profile_begin(i64)
// PROF: func.func private @tg_profile_end(i64)
func.func @dense(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>, %c: tensor<5xf32>) -> tensor<4x5xf32> {
  %m = tg.matmul %a, %b : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  %s = tg.add %m, %c : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  %r = tg.relu %s : tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

func.func @loop(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %x) -> tensor<4xf32> {
    %n = tg.mul %acc, %acc : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    scf.yield %n : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

