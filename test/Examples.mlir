// RUN: tg-opt %S/../examples/mlp.mlir -tg-optimize | FileCheck %s

// The README demo's graph after -tg-optimize.
// CHECK-NOT: @unused_helper
// CHECK-LABEL: func.func @main
// CHECK-NOT: tg.transpose
// CHECK-NOT: tg.sigmoid
// CHECK-NOT: tg.constant
// CHECK: %[[H:.*]] = tg.matmul %arg0, %arg1
// CHECK: %[[HB:.*]] = tg.add %[[H]], %arg2
// CHECK: %[[A:.*]] = tg.relu %[[HB]]
// CHECK: %[[O:.*]] = tg.matmul %[[A]], %arg3
// CHECK: %[[D:.*]] = tg.sub %[[O]], %arg4
// CHECK: %[[SQ:.*]] = tg.mul %[[D]], %[[D]]
// CHECK: %[[L:.*]] = tg.reduce_mean %[[SQ]] [0, 1]
// CHECK: return %[[L]]
