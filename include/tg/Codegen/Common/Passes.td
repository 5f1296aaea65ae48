//===- Passes.td - tg code generation (shared) passes ------*- tablegen -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Code generation passes both back ends run: on linalg on tensors before
// bufferization (entry-point ABI, private inits for the matmul kernels) and
// on buffers after it (one buffer per result, arith expansion).
//
//===----------------------------------------------------------------------===//

#ifndef TG_CODEGEN_COMMON_PASSES_TD
#define TG_CODEGEN_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

def TgPrepareEntryPointsPass : Pass<"tg-prepare-entry-points", "::mlir::ModuleOp"> {
  let summary = "Record entry signatures and request C interfaces for the JIT";
  let description = [{
    Marks every public `func.func` with `llvm.emit_c_interface` (so the JIT
    can call it through one pointer per memref) and records its tensor-level
    type as `tg.signature`. The attribute survives lowering to the LLVM
    dialect, which is how `tg-run` knows the shapes and dtypes of an entry
    point given as LLVM-dialect IR. Its tensor arguments are marked
    `bufferization.writable = false`: they are the caller's buffers, which
    one-shot bufferization must not update in place.

    ```mlir
    func.func @main(%x: tensor<3xf32>) -> tensor<f32>
    // becomes
    func.func @main(%x: tensor<3xf32> {bufferization.writable = false})
        -> tensor<f32> attributes {llvm.emit_c_interface,
                    tg.signature = (tensor<3xf32>) -> tensor<f32>}
    ```
  }];
}

def TgFuseElementwisePass
    : Pass<"tg-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Elementwise fusion of linalg generics on tensors, with a cap "
                "on the fused body";
  let description = [{
    Upstream's `-linalg-fuse-elementwise-ops` (the same patterns: producer
    into consumer when the producer has one use, reshapes folded by
    expansion, constants folded), except that two generics fuse only while
    their bodies together hold at most `max-body-ops` ops. Upstream fuses
    one pair at a time and clones both bodies each time, so a chain of N
    elementwise ops costs O(N^2) to fuse, and the one loop it becomes makes
    LLVM's loop vectorizer and register allocator super-linear as well: a
    2000-op chain took 14 s in tg-run. Capped, a long chain becomes several
    loops of bounded size, at the cost of one intermediate buffer per cut.
  }];
  let options = [
    Option<"maxBodyOps", "max-body-ops", "int64_t", "256",
           "Most ops in a fused generic's body">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::tensor::TensorDialect"];
}

def TgTagSourceOpsPass : Pass<"tg-tag-source-ops", "::mlir::ModuleOp"> {
  let summary = "Name every tg op in its location, so that the code lowered "
                "from it can be traced back to it";
  let description = [{
    Wraps the location of every op of the tg dialect in a name location
    `"tg.<op>#<n>"(<original location>)`, `n` numbering the tg ops of the
    module (ops already tagged keep their tag; new tags continue after the
    highest one). Lowering copies locations onto the ops it creates, and
    fusion clones bodies with theirs, so every fused kernel still holds the
    tags of the tg ops it was made of, each with its source line. Runs
    just before `-convert-tg-to-linalg`.

    ```mlir
    %0 = tg.add %a, %b : tensor<4xf32> loc("mlp.mlir":7:8)
    // becomes
    %0 = tg.add %a, %b : tensor<4xf32> loc("tg.add#3"("mlp.mlir":7:8))
    ```
  }];
}

def TgAnnotateKernelsPass
    : Pass<"tg-annotate-kernels", "::mlir::ModuleOp"> {
  let summary = "Give every kernel the fused location of its source ops; "
                "with profile, time each one";
  let description = [{
    On linalg on tensors, after fusion and before bufferization. A kernel
    is an op that computes a tensor and is not a view: a linalg op (a fill
    that only initializes other linalg ops belongs to them), a
    `tensor.pad`, a `tensor.concat`, or an `scf.forall` of row tiles;
    kernels inside `scf.for`, `scf.while` and `scf.if` bodies count once
    per execution. Each kernel's location becomes

    ```mlir
    loc(fused<"main/k2 matmul+add+relu">["tg.matmul#4"("mlp.mlir":9:8),
                                         "tg.add#5"(...), "tg.relu#6"(...)])
    ```

    the tags `-tg-tag-source-ops` put on the tg ops it came from (found in
    the locations of every op inside it). Tiling, vectorization,
    bufferization and the lowering to LLVM copy an op's location onto what
    they create, so the code of each kernel keeps it to the end.

    With `profile`, each kernel is bracketed by calls of
    `tg_profile_begin(id)` and `tg_profile_end(id)` (C functions of the
    runtime; ids count from `id-base`), and the module gets a `tg.kernels`
    attribute describing each id: its name, function, source lines, and
    FLOP and byte estimates. Without it nothing is inserted: profiling
    costs nothing unless it is asked for.
  }];
  let options = [
    Option<"profile", "profile", "bool", "false",
           "Time every kernel (calls of tg_profile_begin/tg_profile_end)">,
    Option<"idBase", "id-base", "int64_t", "0",
           "The id of the module's first kernel (ids are unique per process)">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect"];
}


def TgPrepareCpuMatmulsPass : Pass<"tg-prepare-cpu-matmuls"> {
  let summary = "Shape linalg on tensors for the CPU matmul micro-kernels";
  let description = [{
    Rewrites on tensors, before bufferization:

    - `linalg.conv_2d_nhwc_hwcf` becomes an `scf.forall` over tiles of
      output rows (per image), each an im2col copy and a matmul: one
      `linalg.generic` copies every receptive field of the tile's input
      rows into a `[1, rows, ow, kh, kw, c]` patches tensor, and
      `linalg.matmul` multiplies its `[rows*ow, kh*kw*c]` view by the
      filter's `[kh*kw*c, f]` view into the tile of the output. A tile
      holds the largest divisor of `oh` whose patches fit
      `im2col-tile-bytes`, so the patches (`kh*kw` times the input's
      memory) are written and read back in L2, not through memory; the
      convolution runs in the micro-kernels. A fill of the output becomes a
      fill of each tile. When not even 64 rows of whole receptive fields
      fit, each tile loops over the filter's rows instead, copying the
      patches of one filter row (`[rows*ow, kw*c]`) and adding their
      product with that row of the filter into the tile. On f32, the CPU
      micro-kernels (`-tg-matmul-microkernels`) read the patches from the
      tile's input rows and the copy is never made.
    - a convolution whose input is a `tensor.pad` of its rows and columns
      with zeros reads each tile's rows from the unpadded input and pads
      them on its own (a tile-sized `tensor.pad`): the padded copy of the
      whole input is never written, read back nor kept live. A single
      image padded as unit-dimension folding leaves it (`[1, h, w, c]`
      collapsed to `[h, w, c]`, padded, expanded back) counts too.
    - the filter gradient `-tg-tape-to-gradient` builds for `tg.conv2d` (a
      convolution of the input with batch and channels swapped, by the
      result's adjoint with batch and channels swapped) is computed from
      the input and the adjoint in their own layouts: for each tile of the
      adjoint's rows, the forward pass's im2col of the input, transposed,
      times the adjoint's tile (`linalg.matmul` on a `linalg.transpose`,
      which the micro-kernels read in place), summed over the tiles of up
      to 8 parallel groups into partial gradients that are added at the
      end. No transposed copy of the input or the adjoint is made.
    - a `linalg.matmul` whose zero-filled init is shared with other ops
      (CSE merges identical fills) gets a fill of its own, so that
      bufferization does not copy zeros into its buffer and
      `-tg-matmul-microkernels` can start the tile from zero and fuse the
      matmul's consumer. A fill of its own whose `tensor.empty` is shared
      (with the consumer's init, say) gets an empty of its own too:
      otherwise a later op may be bufferized into the matmul's buffer once
      the product is dead, and a buffer with two writers takes no epilogue.
    - a batched f32 matmul (the `linalg.generic` contraction
      `-convert-tg-to-linalg` builds for `tg.matmul` with batch dimensions,
      broadcast batch dimensions included) becomes an `scf.for` nest over
      the batch of 2-D `linalg.matmul` on `tensor.extract_slice`s, so that
      each batch element runs in the micro-kernels.
    - the elementwise consumer of a matmul (the micro-kernels' epilogue)
      gets a `tensor.empty` of its own as its init, so that it is never
      bufferized into a buffer that ops between the matmul and it still
      read (which would keep it from running on the matmul's tile);
    - a `linalg.transpose` feeding a matmul gets a `tensor.empty` of its
      own, so that two transposes never share a buffer and the
      micro-kernels can read the transposed operand in place from the
      transpose's source.

    With `private-inits-only`, only the last three kinds (the separate
    inits): the GPU pipeline uses them so that `-tg-gpu-matmul-kernels`
    can take the same fill, epilogue and transposes over.
  }];
  let options = [
    Option<"im2colTileBytes", "im2col-tile-bytes", "int64_t", "1048576",
           "Bytes of im2col patches per tile of convolution output rows">,
    Option<"privateInitsOnly", "private-inits-only", "bool", "false",
           "Only give matmuls, their consumers and transposes inits of their "
           "own (no convolution or batched-matmul rewrites)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def TgDistinctResultBuffersPass
    : Pass<"tg-distinct-result-buffers", "::mlir::func::FuncOp"> {
  let summary = "Give every result of a function a buffer of its own";
  let description = [{
    After bufferization, a function that returns the same buffer twice
    (`return %y, %y` in tensors) would have two results aliasing one buffer,
    which `buffer-results-to-out-params` cannot turn into two out-parameters.
    Every repeated result becomes a copy in a fresh allocation, so each
    result is written to its own caller-owned buffer.

    ```mlir
    return %b, %b : memref<3xf32>, memref<3xf32>
    // becomes
    %c = memref.alloc() : memref<3xf32>
    memref.copy %b, %c : memref<3xf32> to memref<3xf32>
    return %b, %c : memref<3xf32>, memref<3xf32>
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def TgMergeEquivalentSlicesPass
    : Pass<"tg-merge-equivalent-slices", "::mlir::func::FuncOp"> {
  let summary = "Merge tensor.extract_slice ops of one static window";
  let description = [{
    Replaces a `tensor.extract_slice` by an earlier one of the same block
    that takes the same static window of the same tensor. It runs between
    `-eliminate-empty-tensors` and one-shot bufferization: the elimination
    turns the `tensor.empty` init of an elementwise op into a slice of the
    tensor its result is inserted into, and when the op also reads that
    window (a strided slice's adjoint accumulated into a larger one) it only
    bufferizes in place when its input and its init are the same value.
    A whole CSE there would also merge `linalg.fill` inits, whose uses then
    need copies (the MLP step was 11% slower), hence a pass of its own.

    ```mlir
    %a = tensor.extract_slice %t[0, 1] [4, 4] [1, 1] : tensor<6x6xf32> to tensor<4x4xf32>
    %b = tensor.extract_slice %t[0, 1] [4, 4] [1, 1] : tensor<6x6xf32> to tensor<4x4xf32>
    // %b's uses read %a
    ```
  }];
}

def TgExpandArithPass : Pass<"tg-expand-arith"> {
  let summary = "Upstream's arith expansions, keeping min/max reductions as intrinsics";
  let description = [{
    What `-arith-expand{include-bf16=true}` does (ceil/floor division,
    bf16 conversions, scaling extf/truncf, `maximumf`/`minimumf` as
    compare and select), except that `maximumf`/`minimumf` marked
    `reassoc` (reduction steps) stay, to become `llvm.maximum`/`minimum`:
    LLVM's loop vectorizer recognizes a reduction over those intrinsics,
    not over the select chain. A 256x1000 row maximum went from 418 us to
    vector speed. It also expands f64 -> bf16 truncations, which upstream
    leaves to a `__truncdfbf2` call that neither the JIT nor libgcc 12
    provides: f32 rounded to odd, then the bf16 expansion's round to
    nearest even, one rounding in effect.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

#endif // TG_CODEGEN_COMMON_PASSES_TD
