// RUN: tg-opt %s -tg-tape-to-gradient -split-input-file | FileCheck %s
// RUN: tg-opt %s -tg-tape-to-gradient -tg-optimize -split-input-file | FileCheck %s --check-prefix=OPT

// tg.grad becomes a call of a generated gradient function; after
// -tg-optimize the sweep is clean: the ones seed folds away, the forward
// exp(.) * k^2 is reused as dx, the broadcast bias gets one reduce_sum, and
// the unwatched %k gets no adjoint at all (activity analysis).
// CHECK-LABEL: func.func private @f_grad_0_1
// CHECK-SAME: -> (tensor<f32>, tensor<4x3xf32>, tensor<3xf32>)
// CHECK: tg.constant dense<1.000000e+00> : tensor<f32>
// CHECK-LABEL: func.func @main
// CHECK: call @f_grad_0_1(%{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NOT: tg.grad
// OPT-LABEL: func.func private @f_grad_0_1
// OPT-NEXT: %[[A:.*]] = tg.add %arg0, %arg1
// OPT-NEXT: %[[E:.*]] = tg.exp %[[A]]
// OPT-NEXT: %[[KK:.*]] = tg.mul %arg2, %arg2
// OPT-NEXT: %[[M:.*]] = tg.mul %[[E]], %[[KK]]
// OPT-NEXT: %[[S:.*]] = tg.reduce_sum %[[M]] [0, 1]
// OPT-NEXT: %[[DB:.*]] = tg.reduce_sum %[[M]] [0] : tensor<4x3xf32> -> tensor<3xf32>
// OPT-NEXT: return %[[S]], %[[M]], %[[DB]]
func.func private @f(%x: tensor<4x3xf32>, %b: tensor<3xf32>, %k: tensor<f32>) -> tensor<f32> {
  %a = tg.add %x, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %e = tg.exp %a : tensor<4x3xf32>
  %kk = tg.mul %k, %k : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %m = tg.mul %e, %kk : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %s = tg.reduce_sum %m [0, 1] : tensor<4x3xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @main(%x: tensor<4x3xf32>, %b: tensor<3xf32>, %k: tensor<f32>) -> (tensor<4x3xf32>, tensor<3xf32>) {
  %v, %gx, %gb = tg.grad @f(%x, %b, %k) wrt [0, 1] : (tensor<4x3xf32>, tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<4x3xf32>, tensor<3xf32>)
  return %gx, %gb : tensor<4x3xf32>, tensor<3xf32>
}

// -----

// tg.tape is replaced in place: the recorded ops, then the reverse sweep.
// CHECK-LABEL: func.func @tape
// CHECK-NOT: tg.tape
// CHECK: %[[S:.*]] = tg.mul %arg0, %arg0
// CHECK: %[[T:.*]] = tg.reduce_sum %[[S]] [0]
// CHECK: tg.broadcast_to
// CHECK: return %[[T]]
// OPT-LABEL: func.func @tape
// OPT: %[[D:.*]] = tg.add %arg0, %arg0
// OPT: return %{{.*}}, %[[D]]
func.func @tape(%x: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %y, %dx = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  ^bb0(%xw: tensor<3xf32>):
    %s = tg.mul %xw, %xw : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %t = tg.reduce_sum %s [0] : tensor<3xf32> -> tensor<f32>
    tg.yield %t : tensor<f32>
  }
  return %y, %dx : tensor<f32>, tensor<3xf32>
}

// -----

// scf.if is reversed by an scf.if on the same condition that recomputes
// the branch and yields the adjoints of the values it captures.
// CHECK-LABEL: func.func private @branchy_grad_0
// CHECK: %[[C:.*]] = tensor.extract
// CHECK: scf.if %[[C]] -> (tensor<2xf32>)
// CHECK: %[[REV:.*]] = scf.if %[[C]] -> (tensor<2xf32>) {
// CHECK: tg.mul
// CHECK: scf.yield
// CHECK: } else {
// CHECK: scf.yield
// CHECK: }
// CHECK: return %{{.*}}, %[[REV]]
func.func private @branchy(%x: tensor<2xf32>, %p: tensor<i1>) -> tensor<f32> {
  %c = tensor.extract %p[] : tensor<i1>
  %y = scf.if %c -> tensor<2xf32> {
    %a = tg.mul %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    scf.yield %a : tensor<2xf32>
  } else {
    %a = tg.exp %x : tensor<2xf32>
    scf.yield %a : tensor<2xf32>
  }
  %r = tg.reduce_sum %y [0] : tensor<2xf32> -> tensor<f32>
  return %r : tensor<f32>
}
func.func @cond(%x: tensor<2xf32>, %p: tensor<i1>) -> tensor<2xf32> {
  %v, %g = tg.grad @branchy(%x, %p) wrt [0] : (tensor<2xf32>, tensor<i1>) -> (tensor<f32>, tensor<2xf32>)
  return %g : tensor<2xf32>
}

// -----

// scf.for: a replay records every iteration's state on a tensor tape, then
// a reverse loop recomputes each iteration from the tape and sweeps back.
// CHECK-LABEL: func.func private @pow4_grad_0
// CHECK: %[[TRIPS:.*]] = arith.ceildivsi
// CHECK: %[[TAPE0:.*]] = tensor.empty(%[[TRIPS]]) : tensor<?x2xf32>
// CHECK: %[[REPLAY:.*]]:2 = scf.for %{{.*}} = %{{.*}} to %[[TRIPS]] step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %[[TAPE0]])
// CHECK: tensor.insert_slice
// CHECK: %[[REV:.*]]:2 = scf.for %{{.*}} = %{{.*}} to %[[TRIPS]]
// CHECK: tensor.extract_slice %[[REPLAY]]#1
// CHECK: tg.mul
func.func private @pow4(%x: tensor<2xf32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %p = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %x) -> tensor<2xf32> {
    %n = tg.mul %acc, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    scf.yield %n : tensor<2xf32>
  }
  %r = tg.reduce_sum %p [0] : tensor<2xf32> -> tensor<f32>
  return %r : tensor<f32>
}
func.func @loop(%x: tensor<2xf32>) -> tensor<2xf32> {
  %v, %g = tg.grad @pow4(%x) wrt [0] : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return %g : tensor<2xf32>
}

// -----

// scf.while: the trip count is counted by a second while loop (with an
// index counter), then the loop is reversed like an scf.for of that many
// iterations.
// CHECK-LABEL: func.func private @until_large_grad_0
// CHECK: scf.while
// CHECK: %[[COUNT:.*]]:2 = scf.while (%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) : (tensor<f32>, index) -> (tensor<f32>, index)
// CHECK: arith.addi
// CHECK: tensor.empty(%[[COUNT]]#1) : tensor<?xf32>
// CHECK: scf.for
// CHECK: scf.for
func.func private @until_large(%a: tensor<f32>) -> tensor<f32> {
  %lim = tg.constant dense<100.0> : tensor<f32>
  %r = scf.while (%y = %a) : (tensor<f32>) -> tensor<f32> {
    %p = tg.cmp lt, %y, %lim : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %c = tensor.extract %p[] : tensor<i1>
    scf.condition(%c) %y : tensor<f32>
  } do {
  ^bb0(%y: tensor<f32>):
    %n = tg.mul %y, %a : (tensor<f32>, tensor<f32>) -> tensor<f32>
    scf.yield %n : tensor<f32>
  }
  return %r : tensor<f32>
}
func.func @while(%a: tensor<f32>) -> tensor<f32> {
  %v, %g = tg.grad @until_large(%a) wrt [0] : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// Calls are inlined into the gradient function; a result independent of
// the watched value gets a zero gradient.
// CHECK-LABEL: func.func private @outer_grad_0
// CHECK-NOT: call
// CHECK: tg.exp
// CHECK: return
// CHECK-LABEL: func.func private @constant_grad_0
// CHECK: %[[Z:.*]] = tg.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK: return %{{.*}}, %[[Z]]
func.func private @inner(%x: tensor<3xf32>) -> tensor<3xf32> {
  %e = tg.exp %x : tensor<3xf32>
  return %e : tensor<3xf32>
}
func.func private @outer(%x: tensor<3xf32>) -> tensor<f32> {
  %e = func.call @inner(%x) : (tensor<3xf32>) -> tensor<3xf32>
  %s = tg.reduce_sum %e [0] : tensor<3xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func private @constant(%x: tensor<3xf32>) -> tensor<f32> {
  %c = tg.constant dense<2.0> : tensor<f32>
  return %c : tensor<f32>
}
func.func @calls(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %v, %g = tg.grad @outer(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  %w, %h = tg.grad @constant(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g, %h : tensor<3xf32>, tensor<3xf32>
}

// -----

// A second derivative through a loop: the inner gradient, which the outer
// one differentiates again, recomputes the loop's states (a replay of i
// iterations inside reverse iteration i) instead of taping them, so that it
// carries only statically shaped values; the outermost gradient still
// tapes. The function as written (with its tg.grad) is what gets
// differentiated, although @sum_grad itself is lowered in place too.
// CHECK-LABEL: func.func private @cube_grad_0_nested
// CHECK-NOT: tensor.insert_slice
// CHECK-NOT: tensor.extract_slice
// CHECK: scf.for
// CHECK: scf.for {{.*}} -> (tensor<f32>, tensor<f32>)
// CHECK-NEXT: %[[I:.*]] = arith.subi
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %[[I]] step %{{.*}} iter_args(%{{.*}} = %arg0) -> (tensor<f32>)
// CHECK: return
// CHECK-LABEL: func.func private @cube_grad_0(
// CHECK: tensor.insert_slice
// CHECK-LABEL: func.func private @sum_grad(
// CHECK: call @cube_grad_0(
// CHECK-LABEL: func.func private @sum_grad_grad_0(
// CHECK-NOT: call
// CHECK: tensor.insert_slice
// CHECK: return
// CHECK-LABEL: func.func @second
// CHECK: call @sum_grad_grad_0(
func.func private @cube(%x: tensor<f32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %p = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %x) -> tensor<f32> {
    %n = tg.mul %acc, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
    scf.yield %n : tensor<f32>
  }
  return %p : tensor<f32>
}
func.func private @sum_grad(%x: tensor<f32>) -> tensor<f32> {
  %v, %g = tg.grad @cube(%x) wrt [0] : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}
func.func @second(%x: tensor<f32>) -> tensor<f32> {
  %v, %g = tg.grad @sum_grad(%x) wrt [0] : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

// The adjoints of strided slices are windows scattered into zeros
// (tg.insert_slice), and a second window is added into the first one's
// result (slice, add, insert back) instead of summing two zero-padded
// tensors.
// CHECK-LABEL: func.func @two_windows
// CHECK:       %[[ZA:.*]] = tg.constant dense<0.000000e+00> : tensor<6xf32>
// CHECK-NEXT:  %[[B:.*]] = tg.insert_slice %{{.*}} into %[[ZA]] [1:6:2] : tensor<3xf32> into tensor<6xf32>
// CHECK-NEXT:  %[[ZB:.*]] = tg.constant dense<0.000000e+00> : tensor<6xf32>
// CHECK-NEXT:  tg.insert_slice %{{.*}} into %[[ZB]] [0:5:2]
// CHECK:       %[[OLD:.*]] = tg.slice %[[B]] [0:5:2] : tensor<6xf32> -> tensor<3xf32>
// CHECK:       %[[SUM:.*]] = tg.add %[[OLD]], %{{.*}} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK:       %[[R:.*]] = tg.insert_slice %[[SUM]] into %[[B]] [0:5:2] : tensor<3xf32> into tensor<6xf32>
// CHECK:       return %[[R]]
// OPT-LABEL:   func.func @two_windows
// OPT-NOT:     tg.concat
// OPT:         tg.insert_slice
// OPT:         tg.insert_slice
// OPT-NOT:     tg.insert_slice
func.func @two_windows(%x: tensor<6xf32>) -> tensor<6xf32> {
  %y, %dx = tg.tape wrt(%x) : (tensor<6xf32>) -> (tensor<f32>, tensor<6xf32>) {
  ^bb0(%xw: tensor<6xf32>):
    %a = tg.slice %xw [0:5:2] : tensor<6xf32> -> tensor<3xf32>
    %b = tg.slice %xw [1:6:2] : tensor<6xf32> -> tensor<3xf32>
    %p = tg.mul %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %s = tg.reduce_sum %p [0] : tensor<3xf32> -> tensor<f32>
    tg.yield %s : tensor<f32>
  }
  return %dx : tensor<6xf32>
}
