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
