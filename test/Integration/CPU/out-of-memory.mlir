// A program within tg's tensor size limit whose intermediates (two of
// 8 GiB, live at the same time, so one arena of 16 GiB: -tg-plan-memory)
// this process cannot allocate (its address space is capped at 4 GB here):
// compiled code's failed malloc ends the run with one error and exit
// status 1, instead of a write through a null pointer. (ASan cannot run
// under an address-space cap.)
//
// UNSUPPORTED: sanitized
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/s.npy "np.float32(0.5)"
// RUN: not bash -c "ulimit -v 4000000 && tg-run %s --input=%t/s.npy --print" 2>&1 | FileCheck %s
// CHECK: error: out of memory: @main could not allocate 17181966400 bytes for an intermediate tensor
// CHECK-NOT: error:
// CHECK-NOT: Stack dump

// A result that cannot be allocated (tg-run allocates results): the same.
// RUN: not bash -c "ulimit -v 4000000 && tg-run %s -e big_result --input=%t/s.npy" 2>&1 | FileCheck %s --check-prefix=RESULT
// RESULT: out-of-memory.mlir: error: out of memory: cannot allocate 8589934592 bytes for result #0 (tensor<2147483648xf32>)
// RESULT-NOT: error:
// RESULT-NOT: Stack dump

func.func @main(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %b = tg.broadcast_to %x : tensor<f32> -> tensor<65536x32768xf32>
  %e = tg.exp %b : tensor<65536x32768xf32>
  %t = tg.transpose %e [1, 0] : tensor<65536x32768xf32> -> tensor<32768x65536xf32>
  %s = tg.reduce_sum %t [0, 1] : tensor<32768x65536xf32> -> tensor<f32>
  %m = tg.reduce_max %e [0, 1] : tensor<65536x32768xf32> -> tensor<f32>
  return %s, %m : tensor<f32>, tensor<f32>
}

func.func @big_result(%x: tensor<f32>) -> tensor<2147483648xf32> {
  %b = tg.broadcast_to %x : tensor<f32> -> tensor<2147483648xf32>
  return %b : tensor<2147483648xf32>
}
