// RUN: tg-opt %s -tg-gpu-pipeline | FileCheck %s
// RUN: tg-opt %s '-tg-gpu-pipeline=chip=sm_80' | FileCheck %s --check-prefix=SM80
// RUN: tg-opt %s -tg-gpu-pipeline | FileCheck %s --check-prefix=HOST
// RUN: tg-opt %s -tg-gpu-pipeline | %extract-ptx > %t.ptx
// RUN: FileCheck %s --input-file=%t.ptx --check-prefix=PTX

// Every op category goes through -tg-gpu-pipeline: elementwise chains fused
// into one kernel, matmul, reductions, softmax, layout ops, and a gradient.
// The host code launches the kernels; the kernels are NVVM compiled to PTX
// for sm_90 (the default chip). The gradient function tg.grad outlines is
// inlined, so its kernels are named after @grad.

// CHECK-NOT: = tg.
// CHECK-NOT: linalg.
// Launches are chained on one stream (-tg-gpu-async-launches): the launch
// takes the stream of a gpu.wait async, and the host waits once after it.
// CHECK: %[[STREAM:.*]] = llvm.call @mgpuStreamCreate()
// CHECK: gpu.launch_func <%[[STREAM]] : !llvm.ptr> @{{.*}}_kernel::@{{.*}}_kernel
// CHECK: llvm.call @mgpuStreamSynchronize(%[[STREAM]])
// CHECK: gpu.binary @{{.*}}_kernel  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">
// SM80: chip = "sm_80"

// The matmul and the row reduction are the shared-memory kernels of
// -tg-gpu-matmul-kernels and -tg-gpu-block-reductions: workgroup buffers,
// barriers (the 64x16 product gets 32x32 tiles, 8x33 floats each).
// PTX: .target sm_90
// PTX-DAG: .visible .entry elementwise_kernel(
// PTX-DAG: .visible .entry matmul_kernel(
// PTX-DAG: .shared .align 4 .b8 __wg_matmul_kernel_0[1056];
// PTX-DAG: .shared .align 4 .b8 __wg_matmul_kernel_1[1056];
// PTX-DAG: bar.sync
// PTX-DAG: .visible .entry reduce_kernel(
// PTX-DAG: .shared .align 4 .b8 __wg_reduce_kernel_0[128];
// A sum of 2^18 elements to a scalar is split over 64 blocks that add their
// totals atomically.
// PTX-DAG: atom.global.add.f32
// PTX-DAG: .visible .entry softmax_kernel(
// PTX-DAG: ex2.approx
// PTX-DAG: .visible .entry layout_kernel(
// PTX-DAG: .visible .entry grad_kernel(

func.func @elementwise(%a: tensor<64x32xf32>, %b: tensor<32xf32>) -> tensor<64x32xf32> {
  %s = tg.add %a, %b : (tensor<64x32xf32>, tensor<32xf32>) -> tensor<64x32xf32>
  %m = tg.mul %s, %s : (tensor<64x32xf32>, tensor<64x32xf32>) -> tensor<64x32xf32>
  %e = tg.tanh %m : tensor<64x32xf32>
  return %e : tensor<64x32xf32>
}
func.func @matmul(%a: tensor<64x32xf32>, %b: tensor<32x16xf32>) -> tensor<64x16xf32> {
  %m = tg.matmul %a, %b : (tensor<64x32xf32>, tensor<32x16xf32>) -> tensor<64x16xf32>
  return %m : tensor<64x16xf32>
}
func.func @reduce(%a: tensor<64x32xf32>) -> tensor<64xf32> {
  %r = tg.reduce_sum %a [1] : tensor<64x32xf32> -> tensor<64xf32>
  return %r : tensor<64xf32>
}
// The mean's final division (a linalg op without loops) runs in a kernel of
// one thread, not in host code on managed memory.
// HOST-LABEL: llvm.func @mean(
// HOST-NOT:     llvm.fdiv
// HOST:         llvm.return
func.func @mean(%a: tensor<64x32xf32>) -> tensor<f32> {
  %r = tg.reduce_mean %a [0, 1] : tensor<64x32xf32> -> tensor<f32>
  return %r : tensor<f32>
}
func.func @total(%a: tensor<512x512xf32>) -> tensor<f32> {
  %r = tg.reduce_sum %a [0, 1] : tensor<512x512xf32> -> tensor<f32>
  return %r : tensor<f32>
}
func.func @softmax(%a: tensor<64x32xf32>) -> tensor<64x32xf32> {
  %r = tg.softmax %a [1] : tensor<64x32xf32>
  return %r : tensor<64x32xf32>
}
func.func @layout(%a: tensor<64x32xf32>) -> tensor<32x64xf32> {
  %t = tg.transpose %a [1, 0] : tensor<64x32xf32> -> tensor<32x64xf32>
  return %t : tensor<32x64xf32>
}
func.func private @loss(%x: tensor<64x32xf32>) -> tensor<f32> {
  %e = tg.exp %x : tensor<64x32xf32>
  %s = tg.reduce_sum %e [0, 1] : tensor<64x32xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @grad(%x: tensor<64x32xf32>) -> tensor<64x32xf32> {
  %v, %g = tg.grad @loss(%x) wrt [0] : (tensor<64x32xf32>) -> (tensor<f32>, tensor<64x32xf32>)
  return %g : tensor<64x32xf32>
}
