// Without a GPU (or without the CUDA driver), --target=gpu says so and
// exits 1.
// UNSUPPORTED: gpu
// RUN: not tg-run %s --target=gpu 2>&1 | FileCheck %s
// CHECK: error: {{the GPU target is unavailable: .*|this tg was built without the GPU runtime.*}}
func.func @main() -> tensor<f32> {
  %c = tg.constant dense<1.0> : tensor<f32>
  return %c : tensor<f32>
}
