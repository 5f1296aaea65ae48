// Second derivatives through loops: a tg.grad whose callee holds a tg.grad
// of a function with nested scf.for / scf.while loops. The inner gradient
// recomputes its loop states (no tape) so that the outer one can reverse it
// (see reverseLoop in TapeToGradient.cpp). Checked against central finite
// differences of the first derivative (--check-grad) and against numpy's
// values of the closed forms: d/dx sum(7 x^6) = 42 x^5.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/x.npy "np.array([0.9, 1.1, -0.8], np.float32)"
// RUN: tg-run %s -e second_for --input=%t/x.npy --check-grad | FileCheck %s --check-prefix=FOR
// FOR: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e second_for --input=%t/x.npy --output-dir=%t/for
// RUN: %npycheck check %t/for/result0.npy "(7 * x ** 6).sum()" x=%t/x.npy
// RUN: %npycheck check %t/for/result1.npy "42 * x ** 5" x=%t/x.npy
// RUN: tg-run %s -e second_while --input=%t/x.npy --check-grad | FileCheck %s --check-prefix=WHILE
// WHILE: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e second_while --input=%t/x.npy --output-dir=%t/while
// RUN: %npycheck check %t/while/result0.npy "(7 * x ** 6).sum()" x=%t/x.npy
// RUN: %npycheck check %t/while/result1.npy "42 * x ** 5" x=%t/x.npy
// RUN: tg-run %s -e second_for_if --input=%t/x.npy --check-grad | FileCheck %s --check-prefix=FORIF
// FORIF: gradient check: argument #0 {{.*}}: ok

// a = x; 2 times: 3 times: a = a * x  ->  x^7.
func.func private @nested_for(%x: tensor<3xf32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%a = %x) -> (tensor<3xf32>) {
    %s = scf.for %j = %c0 to %c3 step %c1 iter_args(%b = %a) -> (tensor<3xf32>) {
      %m = tg.mul %b, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      scf.yield %m : tensor<3xf32>
    }
    scf.yield %s : tensor<3xf32>
  }
  %t = tg.reduce_sum %r [0] : tensor<3xf32> -> tensor<f32>
  return %t : tensor<f32>
}
func.func private @sum_grad_for(%x: tensor<3xf32>) -> tensor<f32> {
  %v, %g = tg.grad @nested_for(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  %s = tg.reduce_sum %g [0] : tensor<3xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @second_for(%x: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %v, %g = tg.grad @sum_grad_for(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %v, %g : tensor<f32>, tensor<3xf32>
}

// The same with while loops counting in f32 tensors: outer 2 trips, inner 3.
func.func private @nested_while(%x: tensor<3xf32>) -> tensor<f32> {
  %zero = tg.constant dense<0.0> : tensor<f32>
  %one = tg.constant dense<1.0> : tensor<f32>
  %two = tg.constant dense<2.0> : tensor<f32>
  %three = tg.constant dense<3.0> : tensor<f32>
  %r:2 = scf.while (%a = %x, %i = %zero) : (tensor<3xf32>, tensor<f32>) -> (tensor<3xf32>, tensor<f32>) {
    %p = tg.cmp lt, %i, %two : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %c = tensor.extract %p[] : tensor<i1>
    scf.condition(%c) %a, %i : tensor<3xf32>, tensor<f32>
  } do {
  ^bb0(%a: tensor<3xf32>, %i: tensor<f32>):
    %s:2 = scf.while (%b = %a, %j = %zero) : (tensor<3xf32>, tensor<f32>) -> (tensor<3xf32>, tensor<f32>) {
      %q = tg.cmp lt, %j, %three : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %d = tensor.extract %q[] : tensor<i1>
      scf.condition(%d) %b, %j : tensor<3xf32>, tensor<f32>
    } do {
    ^bb0(%b: tensor<3xf32>, %j: tensor<f32>):
      %m = tg.mul %b, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      %j1 = tg.add %j, %one : (tensor<f32>, tensor<f32>) -> tensor<f32>
      scf.yield %m, %j1 : tensor<3xf32>, tensor<f32>
    }
    %i1 = tg.add %i, %one : (tensor<f32>, tensor<f32>) -> tensor<f32>
    scf.yield %s#0, %i1 : tensor<3xf32>, tensor<f32>
  }
  %t = tg.reduce_sum %r#0 [0] : tensor<3xf32> -> tensor<f32>
  return %t : tensor<f32>
}
func.func private @sum_grad_while(%x: tensor<3xf32>) -> tensor<f32> {
  %v, %g = tg.grad @nested_while(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  %s = tg.reduce_sum %g [0] : tensor<3xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @second_while(%x: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %v, %g = tg.grad @sum_grad_while(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %v, %g : tensor<f32>, tensor<3xf32>
}

// A branch inside a loop, on a value the loop carries.
func.func private @for_if(%x: tensor<3xf32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%a = %x) -> (tensor<3xf32>) {
    %s = tg.reduce_sum %a [0] : tensor<3xf32> -> tensor<f32>
    %zero = tg.constant dense<0.0> : tensor<f32>
    %p = tg.cmp gt, %s, %zero : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %c = tensor.extract %p[] : tensor<i1>
    %n = scf.if %c -> tensor<3xf32> {
      %m = tg.mul %a, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      scf.yield %m : tensor<3xf32>
    } else {
      %e = tg.sin %a : tensor<3xf32>
      %m = tg.add %e, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      scf.yield %m : tensor<3xf32>
    }
    scf.yield %n : tensor<3xf32>
  }
  %t = tg.reduce_sum %r [0] : tensor<3xf32> -> tensor<f32>
  return %t : tensor<f32>
}
func.func private @sum_grad_for_if(%x: tensor<3xf32>) -> tensor<f32> {
  %v, %g = tg.grad @for_if(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  %s = tg.reduce_sum %g [0] : tensor<3xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @second_for_if(%x: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %v, %g = tg.grad @sum_grad_for_if(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %v, %g : tensor<f32>, tensor<3xf32>
}
