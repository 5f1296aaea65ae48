// REQUIRES: mpi
// tg-run under mpirun: each of 2 processes gives its own x (rank r holds
// x + 10 r) and gets the sum, mean, max and min over the job, process 1's
// x, and its own rank; the same program outside a job is one process.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/x0.npy "np.arange(6, dtype=np.float32).reshape(2, 3)"
// RUN: %npycheck gen %t/x1.npy "np.arange(6, dtype=np.float32).reshape(2, 3) + 10"
// RUN: printf '#!/bin/sh\nr=$OMPI_COMM_WORLD_RANK\nexec tg-run %s --input=%t/x$r.npy --output-dir=%t/out$r\n' > %t/run.sh && chmod +x %t/run.sh
// RUN: env PATH=%PATH% %mpirun %t/run.sh
// RUN: %npycheck check %t/out0/result0.npy "x0 + x1" x0=%t/x0.npy x1=%t/x1.npy
// RUN: %npycheck check %t/out1/result0.npy "x0 + x1" x0=%t/x0.npy x1=%t/x1.npy
// RUN: %npycheck check %t/out1/result1.npy "(x0 + x1) / 2" x0=%t/x0.npy x1=%t/x1.npy
// RUN: %npycheck check %t/out0/result2.npy "np.maximum(x0, x1)" x0=%t/x0.npy x1=%t/x1.npy
// RUN: %npycheck check %t/out1/result3.npy "np.minimum(x0, x1)" x0=%t/x0.npy x1=%t/x1.npy
// RUN: %npycheck check %t/out0/result4.npy "x1" x1=%t/x1.npy
// RUN: %npycheck check %t/out0/result5.npy "np.int64(0)"
// RUN: %npycheck check %t/out1/result5.npy "np.int64(1)"
// Outside a job: one process, x itself (and broadcast from process 1 is an
// error: there is no process 1).
// RUN: tg-run %s -e single --input=%t/x1.npy --output-dir=%t/single
// RUN: %npycheck check %t/single/result0.npy "x1" x1=%t/x1.npy
// RUN: not tg-run %s --input=%t/x1.npy 2>&1 | FileCheck %s --check-prefix=ROOT
// A collective reads its operand where it is in the program: an op between
// two collectives of the same value never overwrites it (regression).
// RUN: tg-run %s -e reread --input=%t/x1.npy --output-dir=%t/reread
// RUN: %npycheck check %t/reread/result1.npy "np.exp(x1)" x1=%t/x1.npy --rtol 1e-6
// ROOT: error: @main: tg.broadcast_from: root 1 is not a process of this job (1 process)
func.func @main(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
                                          tensor<2x3xf32>, tensor<2x3xf32>, tensor<i64>) {
  %s = tg.all_reduce sum %x : tensor<2x3xf32>
  %m = tg.all_reduce mean %x : tensor<2x3xf32>
  %hi = tg.all_reduce max %x : tensor<2x3xf32>
  %lo = tg.all_reduce min %x : tensor<2x3xf32>
  %b = tg.broadcast_from %x [1] : tensor<2x3xf32>
  %r = tg.process_rank : tensor<i64>
  return %s, %m, %hi, %lo, %b, %r : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
                                    tensor<2x3xf32>, tensor<2x3xf32>, tensor<i64>
}

func.func @single(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %s = tg.all_reduce sum %x : tensor<2x3xf32>
  return %s : tensor<2x3xf32>
}

func.func @reread(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %y = tg.exp %x : tensor<2x3xf32>
  %s = tg.all_reduce sum %y : tensor<2x3xf32>
  %e = tg.neg %s : tensor<2x3xf32>
  %b = tg.all_reduce sum %y : tensor<2x3xf32>
  return %e, %b : tensor<2x3xf32>, tensor<2x3xf32>
}
