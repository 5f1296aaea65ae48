// RUN: tg-opt %s -tg-draw-graph=stage=fused -o %t.dot && FileCheck %s --input-file=%t.dot --check-prefix=FUSED
// RUN: tg-opt %s -tg-draw-graph=stage=tg | FileCheck %s --check-prefix=TG
// RUN: tg-opt %s -tg-draw-graph=stage=optimized | FileCheck %s --check-prefix=OPT
// RUN: not tg-opt %s -tg-draw-graph=stage=linalg -o %t.bad 2>&1 | FileCheck %s --check-prefix=STAGE
// RUN: not test -e %t.bad
// RUN: not tg-opt %s '-tg-draw-graph=format=png' 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not tg-opt %s -tg-draw-graph -o %t.missing/dir/out.dot 2>&1 | FileCheck %s --check-prefix=WRITE
// Lowered input has no graph to draw: an error, not an empty drawing.
// RUN: tg-opt %s -tg-cpu-pipeline -o %t.llvm.mlir
// RUN: not tg-opt %t.llvm.mlir -tg-draw-graph -o %t.empty.dot 2>&1 | FileCheck %s --check-prefix=LOWERED
// LOWERED: error: nothing to draw: the module has no func.func with a body
// An output path with a space; output= given: -o keeps the IR, unchanged.
// RUN: tg-opt %s -tg-draw-graph=stage=tg -o "%t with space.dot" && FileCheck %s --input-file="%t with space.dot" --check-prefix=TG
// RUN: tg-opt %s "-tg-draw-graph=stage=tg output=%t.given.dot" -o %t.ir.mlir && FileCheck %s --input-file=%t.given.dot --check-prefix=TG
// RUN: FileCheck %s --input-file=%t.ir.mlir --check-prefix=IR
// IR: tg.matmul
// IR-NOT: linalg.

// The drawing of a known graph: a dense layer (matmul, bias, relu) whose
// result feeds a row reduction. Ops are nodes labelled with their op, line
// and type; edges follow the values; at the fused stage, each kernel is a
// cluster of the ops fused into it (the matmul's epilogue in its kernel,
// the reduction in another). Only the graph is written, not the IR.
// FUSED: digraph tg {
// FUSED: subgraph cluster_f0 {
// FUSED-NEXT: label="@main"
// FUSED: [[ARG0:n[0-9]+]] [shape=ellipse, label="%arg0\n8x4xf32"];
// FUSED: [[ARG1:n[0-9]+]] [shape=ellipse, label="%arg1\n4x16xf32"];
// FUSED: [[ARG2:n[0-9]+]] [shape=ellipse, label="%arg2\n16xf32"];
// FUSED: [[MM:n[0-9]+]] [label="matmul\ndraw-graph.mlir:[[#@LINE+37]]\n8x16xf32"];
// FUSED: [[ADD:n[0-9]+]] [label="add\ndraw-graph.mlir:[[#@LINE+37]]\n8x16xf32"];
// FUSED: [[RELU:n[0-9]+]] [label="relu\ndraw-graph.mlir:[[#@LINE+37]]\n8x16xf32"];
// FUSED: [[SUM:n[0-9]+]] [label="reduce_sum\ndraw-graph.mlir:[[#@LINE+37]]\n8xf32"];
// FUSED: [[RET:n[0-9]+]] [label="func.return\ndraw-graph.mlir:[[#@LINE+37]]", shape=plaintext];
// FUSED: subgraph cluster_k{{[0-9]+}} {
// FUSED-NEXT: label="kernel main/k0 matmul+add+relu"
// FUSED-NEXT: [[MM]];
// FUSED-NEXT: [[ADD]];
// FUSED-NEXT: [[RELU]];
// FUSED-NEXT: }
// FUSED: subgraph cluster_k{{[0-9]+}} {
// FUSED-NEXT: label="kernel main/k1 reduce_sum"
// FUSED-NEXT: [[SUM]];
// FUSED-NEXT: }
// FUSED-DAG: [[ARG0]] -> [[MM]] [label="8x4xf32"];
// FUSED-DAG: [[ARG1]] -> [[MM]] [label="4x16xf32"];
// FUSED-DAG: [[MM]] -> [[ADD]] [label="8x16xf32"];
// FUSED-DAG: [[ARG2]] -> [[ADD]] [label="16xf32"];
// FUSED-DAG: [[ADD]] -> [[RELU]] [label="8x16xf32"];
// FUSED-DAG: [[RELU]] -> [[SUM]] [label="8x16xf32"];
// FUSED-DAG: [[RELU]] -> [[RET]] [label="8x16xf32"];
// FUSED-DAG: [[SUM]] -> [[RET]] [label="8xf32"];
// FUSED: }

// The other stages have no kernels.
// TG: digraph tg {
// TG: label="matmul\ndraw-graph.mlir:
// TG-NOT: cluster_k
// OPT: digraph tg {
// OPT-NOT: cluster_k

// STAGE: unknown stage 'linalg' for -tg-draw-graph (expected tg, optimized or fused)
// FORMAT: unknown format 'png' for -tg-draw-graph (expected dot or svg)
// WRITE: error: cannot write the graph: cannot open output file
func.func @main(%x: tensor<8x4xf32>, %w: tensor<4x16xf32>, %b: tensor<16xf32>)
    -> (tensor<8x16xf32>, tensor<8xf32>) {
  %m = tg.matmul %x, %w : (tensor<8x4xf32>, tensor<4x16xf32>) -> tensor<8x16xf32>
  %a = tg.add %m, %b : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %r = tg.relu %a : tensor<8x16xf32>
  %s = tg.reduce_sum %r [1] : tensor<8x16xf32> -> tensor<8xf32>
  return %r, %s : tensor<8x16xf32>, tensor<8xf32>
}
