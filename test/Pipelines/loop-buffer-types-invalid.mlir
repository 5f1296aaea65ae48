// RUN: tg-opt %s -one-shot-bufferize="bufferize-function-boundaries allow-return-allocs-from-loops" -verify-diagnostics

// Memory spaces that differ between a nested loop's init and its yield are
// upstream's error, reported once, also with tg's cached buffer types.
func.func @spaces(%n: index) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = bufferization.alloc_tensor() {memory_space = 1 : i64} : tensor<8xf32>
  %r0 = scf.for %i = %c0 to %n step %c1 iter_args(%x0 = %e) -> (tensor<8xf32>) {
    // expected-error @below {{'scf.for' op init_arg and yielded value bufferize to inconsistent memory spaces}}
    %r1 = scf.for %j = %c0 to %n step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
      %f = bufferization.alloc_tensor() {memory_space = 2 : i64} : tensor<8xf32>
      // expected-error @below {{failed to bufferize op}}
      scf.yield %f : tensor<8xf32>
    }
    scf.yield %r1 : tensor<8xf32>
  }
  return %r0 : tensor<8xf32>
}
