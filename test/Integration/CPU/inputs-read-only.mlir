// The caller's input buffers are never written, even where an op could
// update one in place (a tg.insert_slice into an argument, as the reverse
// pass builds when a strided slice's adjoint is added into another adjoint
// that is an argument). Three calls with the same inputs give the same
// results, and the inputs are unchanged.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/a.npy "np.arange(20, dtype=np.float32).reshape(4, 5) / 10"
// RUN: %npycheck gen %t/x.npy "np.zeros(4)"
// RUN: %npycheck gen %t/y.npy "np.ones(4)"
// RUN: tg-run %s -e window --repeat=3 --input=%t/a.npy --output-dir=%t/w
// RUN: %npycheck check %t/w/result0.npy "np.where(np.isin(np.arange(20).reshape(4, 5), [1, 3, 11, 13]), np.exp(a), a)" a=%t/a.npy
// RUN: tg-run %s -e gradient --repeat=3 --input=%t/x.npy --input=%t/y.npy --output-dir=%t/g
// RUN: %npycheck check %t/g/result0.npy "np.array([2.0, 1.0, 2.0, 1.0])"
func.func @window(%a: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %w = tg.slice %a [0:3:2, 1:4:2] : tensor<4x5xf32> -> tensor<2x2xf32>
  %e = tg.exp %w : tensor<2x2xf32>
  %0 = tg.insert_slice %e into %a [0:3:2, 1:4:2] : tensor<2x2xf32> into tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// d/dx (sum(x * y) + sum(x[::2])) = y + [1, 0, 1, 0]: the second adjoint is
// added into the first, which is the argument y.
func.func @gradient(%x: tensor<4xf64>, %y: tensor<4xf64>) -> tensor<4xf64> {
  %v, %dx = tg.tape wrt(%x) : (tensor<4xf64>) -> (tensor<f64>, tensor<4xf64>) {
  ^bb0(%xw: tensor<4xf64>):
    %p = tg.mul %xw, %y : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %s = tg.reduce_sum %p [0] : tensor<4xf64> -> tensor<f64>
    %e = tg.slice %xw [0:4:2] : tensor<4xf64> -> tensor<2xf64>
    %t = tg.reduce_sum %e [0] : tensor<2xf64> -> tensor<f64>
    %r = tg.add %s, %t : (tensor<f64>, tensor<f64>) -> tensor<f64>
    tg.yield %r : tensor<f64>
  }
  return %dx : tensor<4xf64>
}
