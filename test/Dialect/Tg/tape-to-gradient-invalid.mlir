// RUN: tg-opt %s -tg-tape-to-gradient -split-input-file -verify-diagnostics

// An op with no reverse-mode rule on the active path: a located error that
// names it.
func.func private @extracts(%x: tensor<f32>) -> tensor<f32> {
  %e = tensor.extract %x[] : tensor<f32>
  // expected-error @+1 {{'tensor.from_elements' op cannot be differentiated: it has no reverse-mode rule (TgGradientOpInterface) and is on the path from a watched value to the differentiated result}}
  %t = tensor.from_elements %e : tensor<f32>
  return %t : tensor<f32>
}
func.func @main(%x: tensor<f32>) -> tensor<f32> {
  %v, %g = tg.grad @extracts(%x) wrt [0] : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %g : tensor<f32>
}

// -----

func.func private @declared(%x: tensor<3xf32>) -> tensor<f32>
func.func @no_body(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{cannot differentiate @declared: it has no body}}
  %v, %g = tg.grad @declared(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

func.func private @ext(%x: tensor<3xf32>) -> tensor<3xf32>
func.func private @calls_ext(%x: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+1 {{'func.call' op calls @ext, which has no body to differentiate}}
  %e = func.call @ext(%x) : (tensor<3xf32>) -> tensor<3xf32>
  %s = tg.reduce_sum %e [0] : tensor<3xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %v, %g = tg.grad @calls_ext(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

func.func private @rec(%x: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+1 {{'func.call' op calls nest more than 64 deep: recursive functions cannot be differentiated}}
  %r = func.call @rec(%x) : (tensor<3xf32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %v, %g = tg.grad @rec(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// The callee of tg.grad must exist (a verifier error, before the pass).
func.func @missing(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'tg.grad' op 'nowhere' does not reference a func.func in scope}}
  %v, %g = tg.grad @nowhere(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// A loop with a step that is not positive cannot be reversed.
func.func private @step_zero(%x: tensor<3xf32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %c5 = arith.constant 5 : index
  // expected-error @+1 {{'scf.for' op has step 0; a loop can be differentiated only with a positive step}}
  %r = scf.for %i = %c0 to %c5 step %c0 iter_args(%a = %x) -> (tensor<3xf32>) {
    %m = tg.mul %a, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    scf.yield %m : tensor<3xf32>
  }
  %t = tg.reduce_sum %r [0] : tensor<3xf32> -> tensor<f32>
  return %t : tensor<f32>
}
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %v, %g = tg.grad @step_zero(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// The tape of a loop with a huge trip count would not fit in memory.
func.func private @huge(%x: tensor<3xf32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cn = arith.constant 4611686018427387904 : index
  // expected-error @+1 {{'scf.for' op runs 4611686018427387904 iterations; its gradient would record each iteration's 'tensor<3xf32>' state, beyond tg's limit of 2^32 elements per tensor}}
  %r = scf.for %i = %c0 to %cn step %c1 iter_args(%a = %x) -> (tensor<3xf32>) {
    %m = tg.mul %a, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    scf.yield %m : tensor<3xf32>
  }
  %t = tg.reduce_sum %r [0] : tensor<3xf32> -> tensor<f32>
  return %t : tensor<f32>
}
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %v, %g = tg.grad @huge(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}
