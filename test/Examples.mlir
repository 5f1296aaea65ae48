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

// The demo's MLP runs and agrees with numpy.
// RUN: rm -rf %t && %python %S/../examples/make_mlp_inputs.py %t
// RUN: tg-run %S/../examples/mlp_forward.mlir --input=%t/x.npy --input=%t/w1.npy --input=%t/b1.npy --input=%t/w2.npy --input=%t/b2.npy --output-dir=%t/out
// RUN: %npycheck check %t/out/result0.npy "softmax(np.maximum(x @ w1 + b1, 0) @ w2 + b2, 1)" x=%t/x.npy w1=%t/w1.npy b1=%t/b1.npy w2=%t/w2.npy b2=%t/b2.npy
