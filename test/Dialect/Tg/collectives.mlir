// RUN: tg-opt %s -split-input-file -verify-diagnostics | FileCheck %s
// RUN: tg-opt %s -split-input-file -verify-diagnostics -tg-optimize | FileCheck %s --check-prefix=OPT
// RUN: tg-opt %s -split-input-file -verify-diagnostics -tg-tape-to-gradient -tg-optimize | FileCheck %s --check-prefix=GRAD

// The collectives parse, print, and survive graph optimization (a
// collective is a synchronization point: never merged or dropped, even
// when its result is unused or equal to another's).
// CHECK-LABEL: func.func @collectives
// CHECK: tg.all_reduce sum %{{.*}} : tensor<4xf32>
// CHECK: tg.all_reduce mean %{{.*}} : tensor<4xf32>
// CHECK: tg.all_reduce max %{{.*}} : tensor<2x2xi32>
// CHECK: tg.all_reduce min %{{.*}} : tensor<f64>
// CHECK: tg.broadcast_from %{{.*}} [1] : tensor<4xf32>
// CHECK: tg.process_rank : tensor<i64>
// OPT-LABEL: func.func @collectives
// OPT-COUNT-2: tg.all_reduce sum
// OPT: tg.all_reduce mean
func.func @collectives(%x: tensor<4xf32>, %i: tensor<2x2xi32>, %d: tensor<f64>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<2x2xi32>, tensor<f64>, tensor<4xf32>, tensor<i64>) {
  %a = tg.all_reduce sum %x : tensor<4xf32>
  %a2 = tg.all_reduce sum %x : tensor<4xf32>
  %m = tg.all_reduce mean %x : tensor<4xf32>
  %unused = tg.all_reduce sum %m : tensor<4xf32>
  %mx = tg.all_reduce max %i : tensor<2x2xi32>
  %mn = tg.all_reduce min %d : tensor<f64>
  %b = tg.broadcast_from %x [1] : tensor<4xf32>
  %r = tg.process_rank : tensor<i64>
  return %a, %m, %mx, %mn, %b, %r : tensor<4xf32>, tensor<4xf32>, tensor<2x2xi32>, tensor<f64>, tensor<4xf32>, tensor<i64>
}

// -----

// The adjoint of a sum over processes is the sum over processes of the
// result adjoints; of a mean, their mean; of a broadcast, the sum on the
// root (process_rank == root) and zero elsewhere.
// GRAD-LABEL: func.func private @loss_grad_0
// GRAD-DAG: tg.all_reduce sum
// GRAD-DAG: tg.all_reduce mean
// GRAD-DAG: tg.process_rank
// GRAD-DAG: tg.cmp eq
func.func private @loss(%x: tensor<4xf32>) -> tensor<f32> {
  %a = tg.all_reduce sum %x : tensor<4xf32>
  %m = tg.all_reduce mean %a : tensor<4xf32>
  %b = tg.broadcast_from %m [0] : tensor<4xf32>
  %s = tg.reduce_sum %b [0] : tensor<4xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @loss_grad(%x: tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>) {
  %l, %g = tg.grad @loss(%x) wrt [0] : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %l, %g : tensor<f32>, tensor<4xf32>
}

// -----

func.func @bad_type(%x: tensor<4xf16>) -> tensor<4xf16> {
  // expected-error @below {{operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values}}
  %a = tg.all_reduce sum %x : tensor<4xf16>
  return %a : tensor<4xf16>
}

// -----

func.func @bad_root(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{root must be a process index (>= 0), got -1}}
  %a = tg.broadcast_from %x [-1] : tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

func.func @bad_kind(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{expected string or keyword containing one of the following enum values for attribute 'kind' [sum, mean, max, min]}}
  %a = tg.all_reduce prod %x : tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

func.func @int_mean(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @below {{mean needs a float tensor (an integer mean would truncate; sum, then divide by the job's size)}}
  %a = tg.all_reduce mean %x : tensor<4xi32>
  return %a : tensor<4xi32>
}
