// tg-run --profile writes a Chrome trace of an MLP training step: one event
// per call and per kernel, each kernel with its tg ops and their lines in
// this file; --profile-summary prints the table, whose rows add up to 100%.
// Profiling does not change the results. An unwritable path is one error
// before anything runs, and leaves nothing behind.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/x.npy "np.random.default_rng(1).standard_normal((32, 16)).astype(np.float32)"
// RUN: %npycheck gen %t/w1.npy "(np.random.default_rng(2).standard_normal((16, 64)) * 0.3).astype(np.float32)"
// RUN: %npycheck gen %t/b1.npy "np.zeros(64, np.float32)"
// RUN: %npycheck gen %t/w2.npy "(np.random.default_rng(4).standard_normal((64, 10)) * 0.3).astype(np.float32)"
// RUN: %npycheck gen %t/b2.npy "np.zeros(10, np.float32)"
// RUN: %npycheck gen %t/y.npy "np.eye(10, dtype=np.float32)[np.random.default_rng(6).integers(0, 10, 32)]"
// DEFINE: %{inputs} = --input=%t/x.npy --input=%t/w1.npy --input=%t/b1.npy --input=%t/w2.npy --input=%t/b2.npy --input=%t/y.npy
// RUN: tg-run %s %{inputs} --threads=1 --output-dir=%t/plain
// RUN: tg-run %s %{inputs} --threads=1 --repeat=4 --profile=%t/trace.json --profile-summary --output-dir=%t/profiled > %t/summary.txt
// RUN: FileCheck %s --input-file=%t/summary.txt
// RUN: %python %S/../check_trace.py %t/trace.json --calls 5 --summary %t/summary.txt \
// RUN:   --kernel "matmul+add+relu=51,52,53" --kernel "matmul+add=54,55" --kernel "reduce_mean+neg=59,60"
// RUN: %npycheck check %t/profiled/result0.npy "np.load('%t/plain/result0.npy')"
// RUN: %npycheck check %t/profiled/result1.npy "np.load('%t/plain/result1.npy')"
// Multithreaded: the same kernels, timed on the calling thread.
// RUN: tg-run %s %{inputs} --threads=2 --profile=%t/trace2.json
// RUN: %python %S/../check_trace.py %t/trace2.json --calls 1 --kernel "matmul+add+relu=51,52,53"
// Errors.
// RUN: not tg-run %s %{inputs} --profile=%t/missing/trace.json 2>&1 | FileCheck %s --check-prefix=NODIR
// RUN: not test -e %t/missing
// RUN: not tg-run %s %{inputs} --profile=%t 2>&1 | FileCheck %s --check-prefix=ISDIR
// RUN: not tg-run %s %{inputs} --profile 2>&1 | FileCheck %s --check-prefix=NOVALUE
// A failure to write the results leaves no profile either.
// RUN: not tg-run %s %{inputs} --profile=%t/orphan.json --output-dir=%s/sub 2>&1 | FileCheck %s --check-prefix=OUTDIR
// RUN: not test -e %t/orphan.json
// A symbolic link is followed (the file it names is written), not replaced.
// RUN: ln -s %t/linked-target.json %t/link.json
// RUN: tg-run %s %{inputs} --profile=%t/link.json
// RUN: test -L %t/link.json
// RUN: %python %S/../check_trace.py %t/linked-target.json --calls 1

// CHECK: @main: 4 calls: min
// CHECK: kernel calls time (ms) % GFLOP/s %peak GB/s source lines
// CHECK-DAG: main/k{{[0-9]+}} matmul+add+relu {{.*}} profile.mlir:51,52,53
// CHECK-DAG: main/k{{[0-9]+}} matmul+add {{.*}} profile.mlir:54,55
// CHECK: (outside kernels: copies, calls)        5
// CHECK: total 5 {{.*}} 100.0
// NODIR: error: cannot write the profile to '{{.*}}missing/trace.json': the directory '{{.*}}missing' does not exist
// ISDIR: error: cannot write the profile to '{{.*}}': it is a directory
// NOVALUE: error: --profile needs a value
// OUTDIR: error: cannot create directory
func.func private @loss(%x: tensor<32x16xf32>, %w1: tensor<16x64xf32>, %b1: tensor<64xf32>,
                        %w2: tensor<64x10xf32>, %b2: tensor<10xf32>, %y: tensor<32x10xf32>) -> tensor<f32> {
  %h = tg.matmul %x, %w1 : (tensor<32x16xf32>, tensor<16x64xf32>) -> tensor<32x64xf32>
  %hb = tg.add %h, %b1 : (tensor<32x64xf32>, tensor<64xf32>) -> tensor<32x64xf32>
  %a = tg.relu %hb : tensor<32x64xf32>
  %o = tg.matmul %a, %w2 : (tensor<32x64xf32>, tensor<64x10xf32>) -> tensor<32x10xf32>
  %ob = tg.add %o, %b2 : (tensor<32x10xf32>, tensor<10xf32>) -> tensor<32x10xf32>
  %lp = tg.log_softmax %ob [1] : tensor<32x10xf32>
  %yl = tg.mul %y, %lp : (tensor<32x10xf32>, tensor<32x10xf32>) -> tensor<32x10xf32>
  %s = tg.reduce_sum %yl [1] : tensor<32x10xf32> -> tensor<32xf32>
  %m = tg.reduce_mean %s [0] : tensor<32xf32> -> tensor<f32>
  %l = tg.neg %m : tensor<f32>
  return %l : tensor<f32>
}

func.func @main(%x: tensor<32x16xf32>, %w1: tensor<16x64xf32>, %b1: tensor<64xf32>,
                %w2: tensor<64x10xf32>, %b2: tensor<10xf32>, %y: tensor<32x10xf32>)
    -> (tensor<f32>, tensor<16x64xf32>) {
  %l, %g1 = tg.grad @loss(%x, %w1, %b1, %w2, %b2, %y) wrt [1]
      : (tensor<32x16xf32>, tensor<16x64xf32>, tensor<64xf32>, tensor<64x10xf32>, tensor<10xf32>, tensor<32x10xf32>)
      -> (tensor<f32>, tensor<16x64xf32>)
  return %l, %g1 : tensor<f32>, tensor<16x64xf32>
}
