// Device buffers (tgFunctionRunDevice): tg-run copies the inputs into
// buffers on the device once and runs every call (--repeat) on them. The
// branch condition is an argument the host code reads itself
// (tg.host_accessed_args), which the C API stages through managed memory;
// the other buffers go to the kernels as they are. Both branches, on device
// buffers and on host buffers (--host-buffers, the managed-memory path),
// compared with numpy. Without a GPU, %gpu-run is --target=gpu-emulated,
// which runs the same C API calls on host memory.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/a.npy "np.random.default_rng(1).standard_normal((70, 48)).astype(np.float32) * 0.1"
// RUN: %npycheck gen %t/b.npy "np.random.default_rng(2).standard_normal((48, 40)).astype(np.float32) * 0.1"
// RUN: %npycheck gen %t/yes.npy "np.array(True)"
// RUN: %npycheck gen %t/no.npy "np.array(False)"
// RUN: %gpu-run %s --repeat=3 --input=%t/a.npy --input=%t/b.npy --input=%t/yes.npy --output-dir=%t/d1
// RUN: %npycheck check %t/d1/result0.npy "np.exp(a @ b)" a=%t/a.npy b=%t/b.npy --rtol 1e-5 --atol 1e-5
// RUN: %npycheck check %t/d1/result1.npy "np.exp(a @ b).sum(0)" a=%t/a.npy b=%t/b.npy --rtol 1e-5 --atol 1e-5
// RUN: %gpu-run %s --input=%t/a.npy --input=%t/b.npy --input=%t/no.npy --output-dir=%t/d0
// RUN: %npycheck check %t/d0/result0.npy "-(a @ b)" a=%t/a.npy b=%t/b.npy --rtol 1e-5 --atol 1e-5
// RUN: %npycheck check %t/d0/result1.npy "-(a @ b).sum(0)" a=%t/a.npy b=%t/b.npy --rtol 1e-5 --atol 1e-5
// RUN: %gpu-run %s --host-buffers --input=%t/a.npy --input=%t/b.npy --input=%t/no.npy --output-dir=%t/h0
// RUN: %npycheck check %t/h0/result0.npy "-(a @ b)" a=%t/a.npy b=%t/b.npy --rtol 1e-5 --atol 1e-5
//
// --host-buffers is for GPU targets; an unknown target is named.
// RUN: not tg-run %s --host-buffers --input=%t/a.npy --input=%t/b.npy --input=%t/no.npy 2>&1 | FileCheck %s --check-prefix=CPU
// CPU: error: --host-buffers is for --target=gpu or gpu-emulated (the CPU target runs on host memory, with f32 arithmetic)
// RUN: not tg-run %s --target=tpu 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: error: unknown --target 'tpu' (expected cpu, gpu or gpu-emulated)

func.func @main(%a: tensor<70x48xf32>, %b: tensor<48x40xf32>, %c: tensor<i1>)
    -> (tensor<70x40xf32>, tensor<40xf32>) {
  %m = tg.matmul %a, %b : (tensor<70x48xf32>, tensor<48x40xf32>) -> tensor<70x40xf32>
  %cond = tensor.extract %c[] : tensor<i1>
  %r = scf.if %cond -> tensor<70x40xf32> {
    %e = tg.exp %m : tensor<70x40xf32>
    scf.yield %e : tensor<70x40xf32>
  } else {
    %n = tg.neg %m : tensor<70x40xf32>
    scf.yield %n : tensor<70x40xf32>
  }
  %s = tg.reduce_sum %r [0] : tensor<70x40xf32> -> tensor<40xf32>
  return %r, %s : tensor<70x40xf32>, tensor<40xf32>
}
