// The tensor-core matmul kernel (nvgpu.mma.sync: m16n8k16 on f16 operands,
// m16n8k8 on f32 operands rounded to TF32 with --tf32), compared with
// numpy at shapes that leave partial 64x64 tiles and partial instruction
// depths: a plain f16 product, a batched one with B broadcast, one with its
// bias-add and relu consumer taken over, and a TF32 product. Without a GPU
// the warp-wide instruction is emulated lane by lane from the fragments
// each thread holds (-tg-gpu-emulate), so the kernel's fragment indexing is
// checked on every machine; with a GPU it runs on the tensor cores.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/a.npy "np.random.default_rng(1).standard_normal((100, 70)).astype(np.float16)"
// RUN: %npycheck gen %t/b.npy "np.random.default_rng(2).standard_normal((70, 90)).astype(np.float16)"
// RUN: %npycheck gen %t/ba.npy "np.random.default_rng(3).standard_normal((3, 33, 40)).astype(np.float16)"
// RUN: %npycheck gen %t/bb.npy "np.random.default_rng(4).standard_normal((40, 17)).astype(np.float16)"
// RUN: %npycheck gen %t/bias.npy "np.random.default_rng(5).standard_normal(90).astype(np.float16)"
// RUN: %gpu-run %s -e half --input=%t/a.npy --input=%t/b.npy --input=%t/ba.npy --input=%t/bb.npy --input=%t/bias.npy --output-dir=%t/h
// RUN: %npycheck check %t/h/result0.npy "(a.astype(np.float32) @ b.astype(np.float32)).astype(np.float16)" a=%t/a.npy b=%t/b.npy --rtol 2e-3 --atol 2e-3
// RUN: %npycheck check %t/h/result1.npy "(ba.astype(np.float32) @ bb.astype(np.float32)).astype(np.float16)" ba=%t/ba.npy bb=%t/bb.npy --rtol 2e-3 --atol 2e-3
// RUN: %npycheck check %t/h/result2.npy "np.maximum(a.astype(np.float32) @ b.astype(np.float32) + bias.astype(np.float32), 0).astype(np.float16)" a=%t/a.npy b=%t/b.npy bias=%t/bias.npy --rtol 2e-3 --atol 2e-3
//
// TF32: within its 10-bit mantissa of the f32 product; and operands that
// TF32 cannot hold (1 + 2^-20) lose their low bits, which shows that the
// tensor-core path ran (exact f32 FMAs give 130 * (1 + 2^-20)).
// RUN: %npycheck gen %t/fa.npy "np.random.default_rng(6).standard_normal((130, 200)).astype(np.float32)"
// RUN: %npycheck gen %t/fb.npy "np.random.default_rng(7).standard_normal((200, 70)).astype(np.float32)"
// RUN: %npycheck gen %t/ones.npy "np.full((130, 200), 1 + 2.0**-20, np.float32)"
// RUN: %npycheck gen %t/sel.npy "np.eye(200, 70, dtype=np.float32)"
// RUN: %gpu-run %s -e tf32 --tf32 --input=%t/fa.npy --input=%t/fb.npy --input=%t/ones.npy --input=%t/sel.npy --output-dir=%t/t
// RUN: %npycheck check %t/t/result0.npy "fa @ fb" fa=%t/fa.npy fb=%t/fb.npy --rtol 0 --atol 0.05
// RUN: %npycheck check %t/t/result1.npy "np.ones((130, 70), np.float32)" --rtol 0 --atol 0
// Without --tf32 the same f32 products are exact to f32.
// RUN: %gpu-run %s -e tf32 --input=%t/fa.npy --input=%t/fb.npy --input=%t/ones.npy --input=%t/sel.npy --output-dir=%t/e
// RUN: %npycheck check %t/e/result0.npy "fa @ fb" fa=%t/fa.npy fb=%t/fb.npy --rtol 1e-5 --atol 1e-4
// RUN: %npycheck check %t/e/result1.npy "ones @ sel" ones=%t/ones.npy sel=%t/sel.npy --rtol 0 --atol 0
// RUN: not tg-run %s -e tf32 --tf32 2>&1 | FileCheck %s --check-prefix=CPU
// CPU: error: --tf32 is for --target=gpu or gpu-emulated

func.func @half(%a: tensor<100x70xf16>, %b: tensor<70x90xf16>,
                %ba: tensor<3x33x40xf16>, %bb: tensor<40x17xf16>,
                %bias: tensor<90xf16>)
    -> (tensor<100x90xf16>, tensor<3x33x17xf16>, tensor<100x90xf16>) {
  %m = tg.matmul %a, %b : (tensor<100x70xf16>, tensor<70x90xf16>) -> tensor<100x90xf16>
  %bm = tg.matmul %ba, %bb : (tensor<3x33x40xf16>, tensor<40x17xf16>) -> tensor<3x33x17xf16>
  %m2 = tg.matmul %a, %b : (tensor<100x70xf16>, tensor<70x90xf16>) -> tensor<100x90xf16>
  %s = tg.add %m2, %bias : (tensor<100x90xf16>, tensor<90xf16>) -> tensor<100x90xf16>
  %r = tg.relu %s : tensor<100x90xf16>
  return %m, %bm, %r : tensor<100x90xf16>, tensor<3x33x17xf16>, tensor<100x90xf16>
}

func.func @tf32(%a: tensor<130x200xf32>, %b: tensor<200x70xf32>,
                %ones: tensor<130x200xf32>, %sel: tensor<200x70xf32>)
    -> (tensor<130x70xf32>, tensor<130x70xf32>) {
  %m = tg.matmul %a, %b : (tensor<130x200xf32>, tensor<200x70xf32>) -> tensor<130x70xf32>
  %o = tg.matmul %ones, %sel : (tensor<130x200xf32>, tensor<200x70xf32>) -> tensor<130x70xf32>
  return %m, %o : tensor<130x70xf32>, tensor<130x70xf32>
}
