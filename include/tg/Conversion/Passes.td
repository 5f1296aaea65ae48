//===- Passes.td - tg conversion passes ----------------------*- tablegen -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Conversions out of the tg dialect.
//
//===----------------------------------------------------------------------===//

#ifndef TG_CONVERSION_PASSES_TD
#define TG_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTgToLinalgPass : Pass<"convert-tg-to-linalg"> {
  let summary = "Lower tg ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every tg op except `tg.grad` and `tg.tape` (which `-tg-tape-to-gradient`
    removes first) becomes value-semantic linalg/tensor code, ready for
    linalg fusion, tiling, vectorization and one-shot bufferization:

    - elementwise ops, `tg.cmp`, `tg.select`, `tg.cast` and `tg.broadcast_to`
      become `linalg.generic` ops whose indexing maps do the broadcasting (a
      size-1 or missing dimension reads index 0), so no broadcast is ever
      materialized and chains fuse with `-linalg-fuse-elementwise-ops`;
      f16 and bf16 arithmetic is computed in f32 and rounded once, as numpy
      does;
    - `tg.matmul` of rank 2 becomes `linalg.matmul`; batched matmul a
      `linalg.generic` contraction with broadcast batch maps;
    - reductions become `linalg.generic` reductions (keepdims through
      `tensor.expand_shape`), `reduce_mean` a sum and a scale;
    - softmax and log-softmax subtract the maximum along the axis first;
    - `tg.transpose` becomes `linalg.transpose`, `tg.reshape`
      `tensor.collapse_shape`/`expand_shape`, `tg.slice`
      `tensor.extract_slice`, `tg.concat` `tensor.insert_slice`s,
      `tg.conv2d` `tensor.pad` + `linalg.conv_2d_nhwc_hwcf`.

    ```mlir
    %r = tg.add %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    // becomes
    %e = tensor.empty() : tensor<4x3xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                          affine_map<(d0, d1) -> (d1)>,
                                          affine_map<(d0, d1) -> (d0, d1)>],
                         iterator_types = ["parallel", "parallel"]}
        ins(%a, %b : tensor<4x3xf32>, tensor<3xf32>) outs(%e : tensor<4x3xf32>) {
    ^bb0(%x: f32, %y: f32, %out: f32):
      %s = arith.addf %x, %y : f32
      linalg.yield %s : f32
    } -> tensor<4x3xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // TG_CONVERSION_PASSES_TD
