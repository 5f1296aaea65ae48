// RUN: tg-opt %s -tg-reject-nonpositive-steps -split-input-file -verify-diagnostics

func.func @zero(%x: tensor<3xf32>) -> tensor<3xf32> {
  %c0 = arith.constant 0 : index
  %c5 = arith.constant 5 : index
  // expected-error @+1 {{'scf.for' op has step 0; a loop's step must be positive}}
  %r = scf.for %i = %c0 to %c5 step %c0 iter_args(%a = %x) -> (tensor<3xf32>) {
    scf.yield %a : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}

// -----

func.func @negative_nested(%x: tensor<3xf32>) -> tensor<3xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cm1 = arith.constant -1 : index
  %c5 = arith.constant 5 : index
  %r = scf.for %i = %c0 to %c5 step %c1 iter_args(%a = %x) -> (tensor<3xf32>) {
    // expected-error @+1 {{'scf.for' op has step -1; a loop's step must be positive}}
    %s = scf.for %j = %c5 to %c0 step %cm1 iter_args(%b = %a) -> (tensor<3xf32>) {
      scf.yield %b : tensor<3xf32>
    }
    scf.yield %s : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}

// -----

// Positive and run-time steps are fine.
func.func @fine(%x: tensor<3xf32>, %n: index) -> tensor<3xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c5 = arith.constant 5 : index
  %r = scf.for %i = %c0 to %c5 step %c2 iter_args(%a = %x) -> (tensor<3xf32>) {
    %s = scf.for %j = %c0 to %c5 step %n iter_args(%b = %a) -> (tensor<3xf32>) {
      scf.yield %b : tensor<3xf32>
    }
    scf.yield %s : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}
