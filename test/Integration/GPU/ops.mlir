// The CPU integration programs, run on the GPU (--target=gpu) and compared
// with numpy: elementwise ops with broadcasting, unary math, matmul and
// batched matmul, layout ops, reductions, softmax, a gradient through a
// loop, the MLP forward and its training-step gradients.
// Without a GPU, %gpu-run runs the same kernels on the CPU emulation
// (-tg-gpu-pipeline{emulate=true}): the kernels' indexing, shared memory and
// barriers are checked on every machine, the NVVM back end only on a GPU.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %npycheck gen %t/a.npy "np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)"
// RUN: %npycheck gen %t/v.npy "np.random.default_rng(2).standard_normal(3).astype(np.float32)"
// RUN: %npycheck gen %t/c.npy "np.random.default_rng(3).uniform(0.5, 2, (4, 1)).astype(np.float32)"
// RUN: %npycheck gen %t/s.npy "np.float32(1.5)"
// RUN: %gpu-run %S/../CPU/elementwise.mlir -e binary_f32 --input=%t/a.npy --input=%t/v.npy --input=%t/c.npy --input=%t/s.npy --output-dir=%t/b32
// RUN: %npycheck check %t/b32/result0.npy "a + v" a=%t/a.npy v=%t/v.npy
// RUN: %npycheck check %t/b32/result1.npy "c - v" c=%t/c.npy v=%t/v.npy
// RUN: %npycheck check %t/b32/result2.npy "a * s" a=%t/a.npy s=%t/s.npy
// RUN: %npycheck check %t/b32/result3.npy "v / c" v=%t/v.npy c=%t/c.npy
// RUN: %npycheck check %t/b32/result4.npy "c ** v" c=%t/c.npy v=%t/v.npy
// RUN: %npycheck check %t/b32/result5.npy "np.maximum(a, v)" a=%t/a.npy v=%t/v.npy
// RUN: %npycheck check %t/b32/result6.npy "np.minimum(s, c)" s=%t/s.npy c=%t/c.npy
//
// RUN: %npycheck gen %t/u.npy "np.random.default_rng(6).standard_normal((3, 5)).astype(np.float32) * 2"
// RUN: %npycheck gen %t/p.npy "np.random.default_rng(7).uniform(0.1, 4, (3, 5)).astype(np.float32)"
// RUN: %gpu-run %S/../CPU/elementwise.mlir -e unary_f32 --input=%t/u.npy --input=%t/p.npy --output-dir=%t/u32
// RUN: %npycheck check %t/u32/result2.npy "np.exp(u)" u=%t/u.npy
// RUN: %npycheck check %t/u32/result3.npy "np.log(p)" p=%t/p.npy
// RUN: %npycheck check %t/u32/result6.npy "np.tanh(u)" u=%t/u.npy
// RUN: %npycheck check %t/u32/result7.npy "1 / (1 + np.exp(-u))" u=%t/u.npy
// RUN: %npycheck check %t/u32/result9.npy "np.sin(u)" u=%t/u.npy
//
// RUN: %npycheck gen %t/ma.npy "np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)"
// RUN: %npycheck gen %t/mb.npy "np.random.default_rng(2).standard_normal((4, 6)).astype(np.float32)"
// RUN: %npycheck gen %t/mc.npy "np.random.default_rng(3).standard_normal((2, 1, 5, 4)).astype(np.float32)"
// RUN: %npycheck gen %t/md.npy "np.random.default_rng(4).standard_normal((3, 4, 6)).astype(np.float32)"
// RUN: %npycheck gen %t/mi.npy "np.arange(-6, 6, dtype=np.int32).reshape(3, 4)"
// RUN: %gpu-run %S/../CPU/layout.mlir -e matmuls --input=%t/ma.npy --input=%t/mb.npy --input=%t/mc.npy --input=%t/md.npy --input=%t/mi.npy --output-dir=%t/mm
// RUN: %npycheck check %t/mm/result0.npy "a @ b" a=%t/ma.npy b=%t/mb.npy
// RUN: %npycheck check %t/mm/result1.npy "np.matmul(c, d)" c=%t/mc.npy d=%t/md.npy
// RUN: %npycheck check %t/mm/result3.npy "i @ i.T" i=%t/mi.npy
//
// RUN: %npycheck gen %t/x.npy "np.arange(24, dtype=np.float64).reshape(2, 3, 4)"
// RUN: %npycheck gen %t/s64.npy "np.float64(7)"
// RUN: %gpu-run %S/../CPU/layout.mlir -e layout --input=%t/x.npy --input=%t/s64.npy --output-dir=%t/lay
// RUN: %npycheck check %t/lay/result0.npy "x.transpose(2, 0, 1)" x=%t/x.npy
// RUN: %npycheck check %t/lay/result5.npy "np.broadcast_to(x[:, :1, :], (5, 2, 3, 4))" x=%t/x.npy
// RUN: %npycheck check %t/lay/result6.npy "np.concatenate([x, x[:, :2, :]], axis=1)" x=%t/x.npy
// RUN: %npycheck check %t/lay/result7.npy "x[1:2, 0:3:2, 1:4:2]" x=%t/x.npy
//
// RUN: %npycheck gen %t/r.npy "np.random.default_rng(1).standard_normal((3, 4, 5)).astype(np.float32)"
// RUN: %gpu-run %S/../CPU/reductions.mlir -e reduce_f32 --input=%t/r.npy --output-dir=%t/red
// RUN: %npycheck check %t/red/result0.npy "x.sum(axis=1)" x=%t/r.npy
// RUN: %npycheck check %t/red/result3.npy "x.mean(axis=(0, 1, 2))" x=%t/r.npy
// RUN: %npycheck check %t/red/result5.npy "x.min(axis=(2, 1))" x=%t/r.npy
// RUN: %npycheck gen %t/z.npy "(np.random.default_rng(3).standard_normal((4, 3)) * 5 + 1000).astype(np.float32)"
// RUN: %gpu-run %S/../CPU/reductions.mlir -e softmaxes --input=%t/z.npy --output-dir=%t/sm
// RUN: %npycheck check %t/sm/result0.npy "softmax(z, 1)" z=%t/z.npy
//
// RUN: %npycheck gen %t/xp.npy "np.array([1.5, -0.5], np.float32)"
// RUN: %gpu-run %S/../CPU/autodiff.mlir -e loop --input=%t/xp.npy --output-dir=%t/loop
// RUN: %npycheck check %t/loop/result0.npy "4 * x**3" x=%t/xp.npy
//
// RUN: %python %S/../../../examples/make_mlp_inputs.py %t/mlp
// RUN: %gpu-run %S/../../../examples/mlp_forward.mlir --input=%t/mlp/x.npy --input=%t/mlp/w1.npy --input=%t/mlp/b1.npy --input=%t/mlp/w2.npy --input=%t/mlp/b2.npy --output-dir=%t/fwd
// RUN: %npycheck check %t/fwd/result0.npy "softmax(np.maximum(x @ w1 + b1, 0) @ w2 + b2, 1)" x=%t/mlp/x.npy w1=%t/mlp/w1.npy b1=%t/mlp/b1.npy w2=%t/mlp/w2.npy b2=%t/mlp/b2.npy
// RUN: %gpu-run %S/../../../examples/mlp_train_step.mlir --input=%t/mlp/x.npy --input=%t/mlp/w1.npy --input=%t/mlp/b1.npy --input=%t/mlp/w2.npy --input=%t/mlp/b2.npy --input=%t/mlp/y.npy --output-dir=%t/step
// RUN: %npycheck check %t/step/result1.npy "mlp_backward(x, w1, b1, w2, b2, y)[1]" x=%t/mlp/x.npy w1=%t/mlp/w1.npy b1=%t/mlp/b1.npy w2=%t/mlp/w2.npy b2=%t/mlp/b2.npy y=%t/mlp/y.npy
// RUN: %npycheck check %t/step/result3.npy "mlp_backward(x, w1, b1, w2, b2, y)[3]" x=%t/mlp/x.npy w1=%t/mlp/w1.npy b1=%t/mlp/b1.npy w2=%t/mlp/w2.npy b2=%t/mlp/b2.npy y=%t/mlp/y.npy

// Integer division, floordiv, mod and float-to-int casts (issue 14): numpy's
// values on the GPU too, never a trap.
// RUN: %npycheck gen %t/ia32.npy "np.array([7, -7, 7, -7, 0, 5, -2147483648, -2147483648, 2147483647, -1], np.int32)"
// RUN: %npycheck gen %t/ib32.npy "np.array([2, 2, -2, -2, 3, 0, -1, 0, -1, 3], np.int32)"
// RUN: %npycheck gen %t/ia64.npy "np.array([9, -9, -9223372036854775808, 4, -5], np.int64)"
// RUN: %npycheck gen %t/ib64.npy "np.array([-4, 0, -1, 4, 3], np.int64)"
// RUN: %gpu-run %S/../CPU/integer-semantics.mlir -e ints --input=%t/ia32.npy --input=%t/ib32.npy --input=%t/ia64.npy --input=%t/ib64.npy --output-dir=%t/ints
// RUN: %npycheck check %t/ints/result0.npy "trunc_div(a, b)" a=%t/ia32.npy b=%t/ib32.npy
// RUN: %npycheck check %t/ints/result1.npy "a // b" a=%t/ia32.npy b=%t/ib32.npy
// RUN: %npycheck check %t/ints/result2.npy "a % b" a=%t/ia32.npy b=%t/ib32.npy
// RUN: %npycheck check %t/ints/result4.npy "a // b" a=%t/ia64.npy b=%t/ib64.npy
// RUN: %npycheck check %t/ints/result5.npy "a % b" a=%t/ia64.npy b=%t/ib64.npy
// RUN: %npycheck gen %t/fa.npy "np.array([7, -7, 7, -7, 1, -1, 0, 5.5, -0.5, np.inf, 3, 3, -3, np.nan], np.float32)"
// RUN: %npycheck gen %t/fb.npy "np.array([2, 2, -2, -2, 0, 0, 0, 1.5, 2, 2, np.inf, -np.inf, np.inf, 1], np.float32)"
// RUN: %npycheck gen %t/ra.npy "np.random.default_rng(1).standard_normal(64).astype(np.float32) * 10"
// RUN: %npycheck gen %t/rb.npy "np.random.default_rng(2).standard_normal(64).astype(np.float32)"
// RUN: %gpu-run %S/../CPU/integer-semantics.mlir -e floats --input=%t/fa.npy --input=%t/fb.npy --input=%t/ra.npy --input=%t/rb.npy --output-dir=%t/fl
// RUN: %npycheck check %t/fl/result0.npy "a // b" a=%t/fa.npy b=%t/fb.npy
// RUN: %npycheck check %t/fl/result1.npy "a % b" a=%t/fa.npy b=%t/fb.npy
// RUN: %npycheck check %t/fl/result2.npy "a // b" a=%t/ra.npy b=%t/rb.npy
// RUN: %npycheck check %t/fl/result3.npy "a % b" a=%t/ra.npy b=%t/rb.npy
// RUN: %npycheck gen %t/fc.npy "np.array([np.nan, 1e30, -1e30, np.inf, -np.inf, 2.5, -2.5, 2147483520.0], np.float32)"
// RUN: %gpu-run %S/../CPU/integer-semantics.mlir -e casts --input=%t/fc.npy --output-dir=%t/casts
// RUN: %npycheck check %t/casts/result0.npy "x.astype(np.int32)" x=%t/fc.npy
// RUN: %npycheck check %t/casts/result1.npy "x.astype(np.int64)" x=%t/fc.npy
