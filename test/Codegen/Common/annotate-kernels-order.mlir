// RUN: tg-opt %s -split-input-file -pass-pipeline="builtin.module(tg-annotate-kernels{profile=1})" -verify-diagnostics | FileCheck %s --check-prefix=ORDER
// RUN: not tg-opt %s -split-input-file -pass-pipeline="builtin.module(tg-annotate-kernels{profile=1 id-base=-1})" 2>&1 | FileCheck %s --check-prefix=NEG
// NEG: error: -tg-annotate-kernels: id-base must not be negative (got -1)

// Kernels are numbered in program order (the loop's after the one before
// it); a span never covers a loop (its body's kernel is timed on its own,
// never inside another's begin/end); a zero fill shared by two reductions
// belongs to neither (their kernels stay apart).
// ORDER: tg.kernels = [{{.*}}label = "order/k0"{{.*}}label = "order/k1"{{.*}}label = "order/k2"{{.*}}label = "order/k3"
// ORDER-LABEL: func.func @order
// ORDER: call @tg_profile_begin(%[[K0:.*]]) :
// ORDER-NEXT: linalg.generic
// ORDER: call @tg_profile_end(%[[K0]])
// ORDER-NEXT: scf.for
// ORDER: call @tg_profile_begin(%[[K1:.*]]) :
// ORDER: call @tg_profile_end(%[[K1]])
// ORDER-NEXT: scf.yield
// ORDER: }
// ORDER-NEXT: arith.constant 2 : i64
// ORDER-NEXT: call @tg_profile_begin(%[[K2:.*]]) :
// ORDER-NEXT: linalg.generic
// ORDER: call @tg_profile_end(%[[K2]])
// ORDER-NEXT: arith.constant 3 : i64
// ORDER-NEXT: call @tg_profile_begin(%[[K3:.*]]) :
// ORDER-NEXT: linalg.generic
// ORDER: call @tg_profile_end(%[[K3]])
#map = affine_map<(d0) -> (d0)>
func.func @order(%a: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<8xf32>
  %cst = arith.constant 0.0 : f32
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %x = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%i: f32, %o: f32):
    %s = math.exp %i : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %l = scf.for %iv = %c0 to %c4 step %c1 iter_args(%acc = %b) -> tensor<8xf32> {
    %e1 = tensor.empty() : tensor<8xf32>
    %y = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%acc : tensor<8xf32>) outs(%e1 : tensor<8xf32>) {
    ^bb0(%i: f32, %o: f32):
      %s = math.sin %i : f32
      linalg.yield %s : f32
    } -> tensor<8xf32>
    scf.yield %y : tensor<8xf32>
  }
  %r1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%f : tensor<8xf32>) {
  ^bb0(%i: f32, %o: f32):
    %s = arith.addf %i, %o : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %r2 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%l : tensor<8xf32>) outs(%f : tensor<8xf32>) {
  ^bb0(%i: f32, %o: f32):
    %s = arith.addf %i, %o : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r1, %r2 : tensor<8xf32>, tensor<8xf32>
}

// -----
// NEG: error: -tg-annotate-kernels: id-base must not be negative (got -1)
// A function of the runtime's names would be called instead of it.
// expected-error @below {{the name 'tg_profile_begin' is reserved for the profiler}}
func.func @tg_profile_begin(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
