// RUN: tg-opt %s -convert-tg-to-linalg -split-input-file -verify-diagnostics

func.func private @f(%x: tensor<3xf32>) -> tensor<f32>
func.func @grad_left(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'tg.grad' op must be removed by -tg-tape-to-gradient before lowering to linalg}}
  %v, %g = tg.grad @f(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

func.func @tape_left(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'tg.tape' op must be removed by -tg-tape-to-gradient before lowering to linalg}}
  %y, %dx = tg.tape wrt(%x) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  ^bb0(%a: tensor<3xf32>):
    tg.yield %a : tensor<3xf32>
  }
  return %dx : tensor<3xf32>
}
