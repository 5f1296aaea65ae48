// Gradients through tg.grad and tg.tape, control flow and calls, executed
// and compared with known values, numpy and finite differences.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/three.npy "np.float32(3)"
// RUN: %npycheck gen %t/xm.npy "np.array([-2, 2], np.float32)"
// RUN: %npycheck gen %t/xp.npy "np.array([1.5, -0.5], np.float32)"
// RUN: %npycheck gen %t/a9.npy "np.float32(9)"
// RUN: %npycheck gen %t/a2.npy "np.float32(2)"

// d(x^3)/dx at 3.0 = 27.
// RUN: tg-run %s -e cube --input=%t/three.npy --print --check-grad | FileCheck %s --check-prefix=CUBE
// CUBE: tensor<f32>
// CUBE-NEXT: 27
// CUBE-NEXT: tensor<f32>
// CUBE-NEXT: 27
// CUBE: gradient check: argument #0 {{.*}}: ok
func.func private @x3(%x: tensor<f32>) -> tensor<f32> {
  %x2 = tg.mul %x, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %x3 = tg.mul %x2, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %x3 : tensor<f32>
}
func.func @cube(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %v, %g = tg.grad @x3(%x) wrt [0] : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %v, %g : tensor<f32>, tensor<f32>
}

// if sum(x) > 0: y = x*x else: y = x*x*x. At x = [-2, 2] the sum is 0, so
// the else branch runs: dy/dx = 3x^2 = [12, 12]. Away from the boundary the
// gradient also matches finite differences.
// RUN: tg-run %s -e cond --input=%t/xm.npy --print | FileCheck %s --check-prefix=COND
// COND: tensor<2xf32>
// COND-NEXT: [12, 12]
// RUN: tg-run %s -e cond --input=%t/xp.npy --check-grad | FileCheck %s --check-prefix=CONDFD
// CONDFD: gradient check: argument #0 {{.*}}: ok
func.func private @branchy(%x: tensor<2xf32>) -> tensor<f32> {
  %s = tg.reduce_sum %x [0] : tensor<2xf32> -> tensor<f32>
  %z = tg.constant dense<0.0> : tensor<f32>
  %p = tg.cmp gt, %s, %z : (tensor<f32>, tensor<f32>) -> tensor<i1>
  %c = tensor.extract %p[] : tensor<i1>
  %y = scf.if %c -> tensor<2xf32> {
    %a = tg.mul %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    scf.yield %a : tensor<2xf32>
  } else {
    %a = tg.mul %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %b = tg.mul %a, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    scf.yield %b : tensor<2xf32>
  }
  %r = tg.reduce_sum %y [0] : tensor<2xf32> -> tensor<f32>
  return %r : tensor<f32>
}
func.func @cond(%x: tensor<2xf32>) -> tensor<2xf32> {
  %v, %g = tg.grad @branchy(%x) wrt [0] : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return %g : tensor<2xf32>
}

// Power by repeated multiplication in scf.for: d(x^4)/dx = 4x^3.
// RUN: tg-run %s -e loop --input=%t/xp.npy --output-dir=%t/loop --check-grad | FileCheck %s --check-prefix=LOOP
// RUN: %npycheck check %t/loop/result0.npy "4 * x**3" x=%t/xp.npy
// LOOP: gradient check: argument #0 {{.*}}: ok
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

// Newton iterations for sqrt(a) until |y^2 - a| < 1e-6: a data-dependent
// trip count in scf.while. d sqrt(a)/da = 1 / (2 sqrt(a)).
// RUN: tg-run %s -e newton --input=%t/a9.npy --print --check-grad | FileCheck %s --check-prefix=NEWTON9
// NEWTON9: tensor<f32>
// NEWTON9-NEXT: 3
// NEWTON9-NEXT: tensor<f32>
// NEWTON9-NEXT: 0.166667
// NEWTON9: gradient check: argument #0 {{.*}}: ok
// RUN: tg-run %s -e newton --input=%t/a2.npy --print | FileCheck %s --check-prefix=NEWTON2
// NEWTON2: 1.41421
// NEWTON2: 0.353553
func.func private @newton_sqrt(%a: tensor<f32>) -> tensor<f32> {
  %half = tg.constant dense<0.5> : tensor<f32>
  %eps = tg.constant dense<1.0e-6> : tensor<f32>
  %r = scf.while (%y = %a) : (tensor<f32>) -> tensor<f32> {
    %y2 = tg.mul %y, %y : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %d = tg.sub %y2, %a : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %ad = tg.abs %d : tensor<f32>
    %p = tg.cmp gt, %ad, %eps : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %c = tensor.extract %p[] : tensor<i1>
    scf.condition(%c) %y : tensor<f32>
  } do {
  ^bb0(%y: tensor<f32>):
    %q = tg.div %a, %y : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %s = tg.add %y, %q : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %n = tg.mul %s, %half : (tensor<f32>, tensor<f32>) -> tensor<f32>
    scf.yield %n : tensor<f32>
  }
  return %r : tensor<f32>
}
func.func @newton(%a: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %v, %g = tg.grad @newton_sqrt(%a) wrt [0] : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %v, %g : tensor<f32>, tensor<f32>
}

// tg.tape: GradientTape semantics. %k, computed outside the tape, is a
// constant of the tape: y = sum(x * x * k), dy/dx = 2 x k.
// RUN: tg-run %s -e tape --input=%t/xp.npy --output-dir=%t/tape
// RUN: %npycheck check %t/tape/result0.npy "(x * x * np.float32(3)).sum()" x=%t/xp.npy
// RUN: %npycheck check %t/tape/result1.npy "2 * x * np.float32(3)" x=%t/xp.npy
func.func @tape(%x: tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>) {
  %three = tg.constant dense<3.0> : tensor<f32>
  %k = tg.mul %three, %three : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %kk = tg.div %k, %three : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %y, %dx = tg.tape wrt(%x) : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>) {
  ^bb0(%xw: tensor<2xf32>):
    %s = tg.mul %xw, %xw : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %t = tg.mul %s, %kk : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
    %r = tg.reduce_sum %t [0] : tensor<2xf32> -> tensor<f32>
    tg.yield %r : tensor<f32>
  }
  return %y, %dx : tensor<f32>, tensor<2xf32>
}

// Nested differentiation: a Hessian-vector product. f(x) = sum(x^3),
// grad f = 3x^2, and d/dx <grad f(x), v> = 6 x v.
// RUN: %npycheck gen %t/v.npy "np.array([0.5, 2.0], np.float32)"
// RUN: tg-run %s -e hvp --input=%t/xp.npy --input=%t/v.npy --output-dir=%t/hvp --check-grad | FileCheck %s --check-prefix=HVP
// RUN: %npycheck check %t/hvp/result0.npy "6 * x * v" x=%t/xp.npy v=%t/v.npy
// HVP: gradient check: argument #0 {{.*}}: ok
func.func private @sum_cubes(%x: tensor<2xf32>) -> tensor<f32> {
  %x2 = tg.mul %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %x3 = tg.mul %x2, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %s = tg.reduce_sum %x3 [0] : tensor<2xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func private @grad_dot_v(%x: tensor<2xf32>, %v: tensor<2xf32>) -> tensor<f32> {
  %f, %g = tg.grad @sum_cubes(%x) wrt [0] : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  %gv = tg.mul %g, %v : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %d = tg.reduce_sum %gv [0] : tensor<2xf32> -> tensor<f32>
  return %d : tensor<f32>
}
func.func @hvp(%x: tensor<2xf32>, %v: tensor<2xf32>) -> tensor<2xf32> {
  %d, %h = tg.grad @grad_dot_v(%x, %v) wrt [0] : (tensor<2xf32>, tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return %h : tensor<2xf32>
}

// A result that does not depend on the watched argument: zeros, no error.
// Calls inside the differentiated function are followed (inlined).
// RUN: tg-run %s -e independent --input=%t/xp.npy --input=%t/v.npy --print | FileCheck %s --check-prefix=INDEP
// INDEP: tensor<2xf32>
// INDEP-NEXT: [0, 0]
// INDEP-NEXT: tensor<2xf32>
// INDEP-NEXT: [1.5, -0.5]
func.func private @helper(%v: tensor<2xf32>) -> tensor<f32> {
  %s = tg.reduce_sum %v [0] : tensor<2xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func private @uses_only_v(%x: tensor<2xf32>, %v: tensor<2xf32>) -> tensor<f32> {
  %h = func.call @helper(%v) : (tensor<2xf32>) -> tensor<f32>
  %m = tg.mul %h, %h : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %m : tensor<f32>
}
func.func private @uses_x_through_call(%x: tensor<2xf32>) -> tensor<f32> {
  %h = func.call @helper(%x) : (tensor<2xf32>) -> tensor<f32>
  return %h : tensor<f32>
}
func.func @independent(%x: tensor<2xf32>, %v: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %a, %ga = tg.grad @uses_only_v(%x, %v) wrt [0] : (tensor<2xf32>, tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  %b, %gb = tg.grad @uses_x_through_call(%x) wrt [0] : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  %w = tg.mul %gb, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %ga, %w : tensor<2xf32>, tensor<2xf32>
}
