// RUN: tg-opt %s -tg-reject-recursion -split-input-file -verify-diagnostics

// Direct recursion.
func.func @direct(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'func.call' op is recursive: @direct -> @direct; tg functions cannot call themselves (use scf.for or scf.while)}}
  %y = call @direct(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

// Through another function, from inside a region.
func.func @main(%x: tensor<3xf32>, %p: i1) -> tensor<3xf32> {
  %y = call @a(%x, %p) : (tensor<3xf32>, i1) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
func.func private @a(%x: tensor<3xf32>, %p: i1) -> tensor<3xf32> {
  %r = scf.if %p -> tensor<3xf32> {
    %y = func.call @b(%x, %p) : (tensor<3xf32>, i1) -> tensor<3xf32>
    scf.yield %y : tensor<3xf32>
  } else {
    scf.yield %x : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}
func.func private @b(%x: tensor<3xf32>, %p: i1) -> tensor<3xf32> {
  // expected-error @+1 {{'func.call' op is recursive: @a -> @b -> @a}}
  %y = call @a(%x, %p) : (tensor<3xf32>, i1) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

// A call graph without cycles (a diamond) is fine.
func.func @diamond(%x: tensor<3xf32>) -> tensor<3xf32> {
  %a = call @left(%x) : (tensor<3xf32>) -> tensor<3xf32>
  %b = call @right(%a) : (tensor<3xf32>) -> tensor<3xf32>
  return %b : tensor<3xf32>
}
func.func private @left(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = call @leaf(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
func.func private @right(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = call @leaf(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
func.func private @leaf(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}
