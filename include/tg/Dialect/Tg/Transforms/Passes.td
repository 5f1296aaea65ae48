//===- Passes.td - tg graph-level passes ---------------------*- tablegen -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The graph optimizations that -tg-optimize strings together, each usable on
// its own.
//
//===----------------------------------------------------------------------===//

#ifndef TG_DIALECT_TG_TRANSFORMS_PASSES_TD
#define TG_DIALECT_TG_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TgFoldConstantsPass : Pass<"tg-fold-constants"> {
  let summary = "Fold ops whose operands are constants";
  let description = [{
    Runs every op's folder (tg's and those of the other dialects present) to
    a fixed point, without any rewrite pattern, and deduplicates the constants
    it leaves. Non-splat results larger than 65536 elements are not
    materialized.

    ```mlir
    %a = tg.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %b = tg.constant dense<3.0> : tensor<2xf32>
    %c = tg.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    // becomes
    %c = tg.constant dense<[3.0, 6.0]> : tensor<2xf32>
    ```
  }];
}

def TgSimplifyPass : Pass<"tg-simplify"> {
  let summary = "Algebraic simplification of tg ops";
  let description = [{
    Applies the tg ops' folders and canonicalization patterns (and only
    those): IEEE-exact identities (`x + -0.0`, `x - 0.0`, `x * 1`, `x / 1`,
    `x ** 1`, `neg(neg(x))`), composition of transposes, reshapes and
    broadcasts, removal of identity layout ops, and broadcasts folded into
    the broadcasting ops that consume them.

    ```mlir
    %b = tg.broadcast_to %x : tensor<3xf32> -> tensor<4x3xf32>
    %r = tg.add %b, %y : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    // becomes
    %r = tg.add %x, %y : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    ```
  }];
}

def TgDeadCodeEliminationPass : Pass<"tg-dce", "::mlir::ModuleOp"> {
  let summary = "Remove unused side-effect-free ops and uncalled private functions";
  let description = [{
    Erases ops without memory effects whose results are unused, in every
    region, and then private functions that no symbol refers to (a function
    referenced only by a `tg.grad` is kept). Public functions are the
    module's entry points and always stay.
  }];
}

def TgPrepareEntryPointsPass : Pass<"tg-prepare-entry-points", "::mlir::ModuleOp"> {
  let summary = "Record entry signatures and request C interfaces for the JIT";
  let description = [{
    Marks every public `func.func` with `llvm.emit_c_interface` (so the JIT
    can call it through one pointer per memref) and records its tensor-level
    type as `tg.signature`. The attribute survives lowering to the LLVM
    dialect, which is how `tg-run` knows the shapes and dtypes of an entry
    point given as LLVM-dialect IR.

    ```mlir
    func.func @main(%x: tensor<3xf32>) -> tensor<f32>
    // becomes
    func.func @main(%x: tensor<3xf32>) -> tensor<f32>
        attributes {llvm.emit_c_interface,
                    tg.signature = (tensor<3xf32>) -> tensor<f32>}
    ```
  }];
}

def TgRejectRecursionPass : Pass<"tg-reject-recursion", "::mlir::ModuleOp"> {
  let summary = "Reject programs whose functions call themselves";
  let description = [{
    tg programs have no use for recursion (loops are `scf.for`/`scf.while`),
    and a recursive call compiles to code that overflows the stack at run
    time, so a cycle in the call graph is a located error at one of its
    calls, naming the cycle. Programs without recursion are left unchanged.

    ```mlir
    func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
      %y = func.call @main(%x) : (tensor<3xf32>) -> tensor<3xf32>
      return %y : tensor<3xf32>
    }
    // error: 'func.call' op is recursive: @main -> @main; tg functions
    // cannot call themselves (use scf.for or scf.while)
    ```
  }];
}

def TgRejectNonPositiveStepsPass
    : Pass<"tg-reject-nonpositive-steps", "::mlir::ModuleOp"> {
  let summary = "Reject scf.for loops whose constant step is not positive";
  let description = [{
    An `scf.for` needs a positive step; upstream's verifier no longer checks
    a constant one, and a step of 0 or less compiled to a loop that either
    never ends or was folded away, silently. tg rejects it with a located
    error at the loop, before anything else runs.

    ```mlir
    %r = scf.for %i = %c0 to %c5 step %c0 iter_args(%a = %x) -> (tensor<3xf32>) {
    // error: 'scf.for' op has step 0; a loop's step must be positive
    ```
  }];
}

def TgTapeToGradientPass : Pass<"tg-tape-to-gradient", "::mlir::ModuleOp"> {
  let summary = "Replace tg.grad and tg.tape by the forward computation and its reverse sweep";
  let description = [{
    Reverse-mode differentiation with TensorFlow GradientTape semantics,
    emitted as tg ops (plus scf/tensor for control flow and loop tapes), so
    that optimization, fusion and lowering apply to gradients too.

    - `tg.grad @f(args) wrt [i...]` becomes a call of `@f_grad_i...`, a
      private clone of `@f` that returns its value and the gradients.
    - `tg.tape` is inlined where it stands, followed by its reverse sweep.
    - Calls inside differentiated code are inlined first (recursion is an
      error). Nested `tg.grad`/`tg.tape` are lowered innermost first, so
      higher derivatives (e.g. Hessian-vector products) work.
    - Activity analysis: only values that depend on a watched value get an
      adjoint; a target that does not depend on one gets zero gradients.
    - `scf.if` is reversed as an `scf.if` on the same condition that
      recomputes the taken branch and runs its reverse sweep. `scf.for`
      (constant bounds, tensor iter_args) records each iteration's state on
      a tensor tape in a replay of the loop, then runs the reverse loop.
      `scf.while` first counts its trips, then is handled like a loop of
      that many iterations, so data-dependent trip counts work.
    - Every tg op supplies its rule through TgGradientOpInterface; an op
      without one on the active path is a located error naming it.

    ```mlir
    %v, %g = tg.grad @f(%x) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
    // becomes
    %v, %g = func.call @f_grad_0(%x) : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def TgHostSharedAllocsPass : Pass<"tg-host-shared-allocs", "::mlir::ModuleOp"> {
  let summary = "Put host-side buffers in memory that GPU kernels can access";
  let description = [{
    For the GPU pipeline, after bufferization: every `memref.alloc` and
    `memref.dealloc` of host code becomes `gpu.alloc host_shared` /
    `gpu.dealloc` (CUDA managed memory, reachable from the host code and the
    kernels alike), and every constant global read by `memref.get_global` is
    copied once per call into such a buffer, freed before returning. The
    caller's buffers are the runtime's to place (tg-run copies them into
    managed memory).
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::memref::MemRefDialect"];
}

def TgGpuHostOpsToKernelsPass
    : Pass<"tg-gpu-host-ops-to-kernels", "::mlir::func::FuncOp"> {
  let summary = "Buffer copies and scalar linalg ops of host code as GPU kernels";
  let description = [{
    For the GPU pipeline, after bufferization and before the parallel loops
    are mapped to the GPU: ops that would otherwise run on the host and
    touch buffers the kernels use (managed memory, whose pages would move
    to the CPU and back) become kernels. A `memref.copy` (results copied
    into out-parameters, inits copied by bufferization) becomes
    `linalg.copy`, a parallel loop; a linalg op without loops (a loss's
    final scaling, a scalar fill) is put in an `scf.parallel` of one
    iteration, a kernel of one thread. Ops in kernels and parallel loops
    are left alone.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect"];
}

def TgSequentializeSmallParallelLoopsPass
    : Pass<"tg-sequentialize-small-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Keep loop nests too small to pay for a thread fork sequential";
  let description = [{
    An outermost `scf.parallel` whose work (its trip count times the trip
    counts of the loops nested in it, all with constant bounds) is below
    `min-iterations` becomes a nest of `scf.for`: forking an OpenMP team
    costs microseconds (much more when the workers sleep), which tiny loops
    never earn back. Loops with non-constant bounds stay parallel.

    Of a multi-dimensional `scf.parallel` that stays parallel, only the
    outer dimensions up to the first whose cumulated trip count reaches
    `min-parallel-trips` stay parallel; the inner ones become `scf.for`
    inside it. `-convert-scf-to-openmp` collapses every dimension into one
    iteration space, which would leave no plain innermost loop to vectorize.

    An `scf.parallel` nested in another (an elementwise op inside a row
    tile of `-tg-fuse-row-reductions`) becomes `scf.for`: it runs inside its
    thread, never as a nested OpenMP team.
  }];
  let options = [
    Option<"minIterations", "min-iterations", "int64_t", "32768",
           "Parallelize only loop nests with at least this many iterations">,
    Option<"minParallelTrips", "min-parallel-trips", "int64_t", "64",
           "Keep parallel only the outer dimensions needed for this many "
           "iterations">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def TgMatmulMicrokernelsPass
    : Pass<"tg-matmul-microkernels", "::mlir::func::FuncOp"> {
  let summary = "Packed, cache-blocked, register-tiled f32 matmul with fused "
                "elementwise epilogue";
  let description = [{
    Rewrites each `linalg.matmul` on buffers (f32, static shapes, default
    indexing maps, unit innermost strides, at least `min-flops` flops) into
    the loop nest of a BLIS-style matrix multiply built from vector ops:

    - B is packed into zero-padded column panels `nr` wide,
      `packed[j][k][0:nr] = B[k][j*nr : j*nr + nr]`, in a parallel loop;
    - an `scf.parallel` over blocks of `mc` rows times groups of `ng` panels,
      and inside it loops over `kc`-deep slices of k, panels, and `mr`-row
      register tiles;
    - the micro-kernel keeps an `mr` x `nr` tile of C in `mr` loop-carried
      `vector<nr x f32>` values and does, per k step, one vector load of the
      packed panel, `mr` scalar loads of A broadcast to vectors and `mr`
      `vector.fma`;
    - edges: the last panel is zero-padded in the packed copy and read or
      written through masked loads and stores; the last `m mod mr` rows get a
      register tile of their own size.

    A zero `linalg.fill` of C just before the matmul becomes a zero
    initialization of the tile. When C is a private allocation whose only
    reader is one elementwise 2-D `linalg.generic` (a bias add, an
    activation, the mask of relu's gradient: operands indexed by rows,
    columns, both or neither), that generic's body runs on the tile in
    registers after the last k slice and stores its result directly: C is
    never written (nor allocated) when k fits one slice. A later column sum
    of that result (`out[j] += result[i][j]` as a whole generic, a dense
    layer's bias gradient), with nothing writing the result in between, is
    accumulated from the same registers into per-row-block partial sums
    (each written by one parallel iteration only), which are added to its
    output where the column sum was.

    The default tile (8 x 32) is for AVX-512 (16 zmm accumulators); the CPU
    pipeline picks the tile for the host's vector ISA.
  }];
  let options = [
    Option<"mr", "mr", "int64_t", "8", "Rows of the register tile">,
    Option<"nr", "nr", "int64_t", "32", "Columns of the register tile (vector lanes)">,
    Option<"kc", "kc", "int64_t", "256", "Depth of a k slice (cache block)">,
    Option<"mc", "mc", "int64_t", "128", "Rows of a parallel block (rounded up to mr)">,
    Option<"ng", "ng", "int64_t", "4", "Panels of a parallel block">,
    Option<"minFlops", "min-flops", "int64_t", "4096",
           "Leave matmuls below this many flops to the generic lowering">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def TgApproximateMathPass : Pass<"tg-approximate-math"> {
  let summary = "f32 math functions as polynomial approximations";
  let description = [{
    Rewrites f32 (scalar or vector) `math` functions (`tanh`, `exp`, `log`,
    `log1p`, `expm1`, `erf`, `atan`, `rsqrt`, ...) into upstream MLIR's
    polynomial approximations: plain arithmetic that vectorizes, instead of
    one libm call per element. f64 stays with libm, and so do `sin` and
    `cos` (the approximation's range reduction is too coarse for large
    arguments).

    Error against numpy's f64 result rounded to f32, over 10^6 points
    (benchmarks/approx_error.py; the CPU integration tests compare with
    numpy at their usual tolerance): `tanh` 4.4 ulp on [-10, 10], `exp`
    1.0 ulp on [-87, 88], `log` 0.8 ulp on [e^-80, e^80], `sigmoid` (via
    `exp`) 2.5 ulp on [-30, 30].
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
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
      fill of each tile.
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

def TgCollapseElementwiseDimsPass
    : Pass<"tg-collapse-elementwise-dims", "::mlir::func::FuncOp"> {
  let summary = "Elementwise linalg.generic on whole buffers as one flat loop";
  let description = [{
    An all-parallel `linalg.generic` on memrefs of rank 2 or more whose
    operands are whole (identity indexing maps) or scalars, and whose
    memrefs are contiguous, iterates over one collapsed dimension instead: its operands
    become `memref.collapse_shape` views (no copies), by upstream's
    `linalg::populateCollapseDimensions`. One long innermost loop gives the
    LLVM vectorizer whole vectors where rows are short (a 64-wide row is one
    iteration of a 4 x 16-lane unrolled vector loop) and no per-row loop
    overhead.

    Transposes and broadcasts keep their loops (upstream's legality check
    lets a broadcast such as `(d0, d1) -> (d1)` through, then builds a
    generic that fails to verify).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect"];
}

def TgInterleaveLoopsPass : Pass<"tg-interleave-loops", "::mlir::LLVM::LLVMFuncOp"> {
  let summary = "Ask LLVM to interleave the vector loops of long scalar bodies";
  let description = [{
    Attaches `llvm.loop.interleave.count` (an `#llvm.loop_annotation` on the
    latch branch) to each innermost loop of the LLVM dialect whose body has
    no vector values (code LLVM's loop vectorizer will vectorize, not the
    matmul micro-kernels) and at least `min-ops` floating-point operations.

    The vectorizer picks an interleave count of 1 for large loop bodies, so
    a long fused elementwise chain (tanh, exp, ... as polynomials) runs one
    16-lane iteration at a time, each a long dependency chain. Four
    independent iterations in flight keep the FMA pipes busy: the 20-op
    benchmark graph on 64x64 goes from 4.7 to 3.7 us per call on AVX-512.
    Small bodies keep LLVM's own choice.
  }];
  let options = [
    Option<"count", "count", "unsigned", "4", "Interleave count to request">,
    Option<"minOps", "min-ops", "unsigned", "16",
           "Annotate only loops with at least this many floating-point ops">,
  ];
}

def TgFuseRowReductionsPass
    : Pass<"tg-fuse-row-reductions", "::mlir::func::FuncOp"> {
  let summary = "Fuse reductions along rows with their producers and consumers, one row tile at a time";
  let description = [{
    An elementwise `linalg.generic` (on tensors, rank 2 or more) that reads
    the result of a reduction along the innermost dimension, as softmax,
    log-softmax and normalizations do, is tiled along its outer dimensions
    into an `scf.forall` of row tiles of about `tile-bytes`, and every
    producer in its chain is computed inside the tile: the reductions, the
    elementwise ops between them, their fills. The chain is the producers
    that are fills, elementwise generics over the same iteration space, or
    reductions along the innermost dimension, and whose results nothing
    outside the chain reads (so nothing is computed twice). Softmax then
    makes its passes over a row tile while it is in L1, instead of four
    passes over the whole tensor.

    A tile holds the largest divisor of the row count that fits
    `tile-bytes`, so tiles and temporaries keep static shapes. Reductions
    with a unit dimension in their iteration space (what elementwise fusion
    makes of `keepdims` reductions) are not chains; the CPU pipeline runs
    upstream's `-linalg-fold-unit-extent-dims` first.

    Tiling and fusion are upstream's
    (`scf::tileConsumerAndFuseProducersUsingSCF`).
  }];
  let options = [
    Option<"tileBytes", "tile-bytes", "int64_t", "16384",
           "Bytes of the consumer's result per row tile">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
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
    vector speed.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def TgGpuMatmulKernelsPass
    : Pass<"tg-gpu-matmul-kernels", "::mlir::func::FuncOp"> {
  let summary = "Float contractions on buffers as shared-memory tiled GPU kernels";
  let description = [{
    Every float contraction on buffers (`linalg.matmul`, a batched or
    broadcast matmul `linalg.generic`: any linalg op whose body is a
    multiply-add and whose loops split into batch, M, N and K groups, all
    operands of one element type) becomes a `gpu.launch` of the classic
    register-tiled kernel. So does a convolution without depthwise loops
    (`linalg.conv_2d_nhwc_hwcf`), as an implicit GEMM: M is the batch and
    output pixels, N the output channels, K the filter taps and input
    channels, and the input is read through the convolution's indexing
    map, strides and dilations included, with no patches buffer.

    - each block computes a `block-m` x `block-n` tile of C (grid: N
      tiles x M tiles x batch), with `(block-m / thread-m) x
      (block-n / thread-n)` threads, each accumulating a
      `thread-m` x `thread-n` register tile;
    - per step of `block-k`, the block's threads copy the A and B tiles
      into workgroup (shared) memory with coalesced loads (zero outside
      the matrix), synchronize, and each thread multiplies its strip of A
      by its strip of B out of shared memory; A is stored transposed,
      with one column of padding against bank conflicts;
    - the tile is added into C (the contraction accumulates, as linalg's
      does), guarded at the edges.

    A matmul whose grid would have fewer than `min-blocks` blocks (the
    default is the H100's 132 multiprocessors) gets smaller tiles: block
    and thread tiles halved together, keeping the thread count, down to 32
    rows or columns per block. A 768x1024 product runs on 192 blocks of
    64x64 (4x4 per thread) instead of 48 of 128x128, a 256x512 one on 128
    blocks of 32x32 (2x2 per thread) instead of 8; `min-blocks=0` keeps
    the given tile.

    f16 and bf16 operands are multiplied and accumulated in f32 and rounded
    once when stored. Contractions with a dynamic batch, or a batch of more
    than 65535 (the grid's z limit), are left alone.

    Several M (or N, K, batch) loops are flattened into one and
    delinearized where operands are indexed, so any indexing maps work;
    a thread's rows are `ty + i * (block-m / thread-m)`, so that a warp
    reads shared memory without bank conflicts. Threads copy each operand
    tile along the operand's contiguous dimension.

    Around a 2-D `linalg.matmul`, the kernel takes over what the CPU
    micro-kernels take over (the same analyses): the zero fill of C (the
    tile is stored, not added), a transpose that materializes A or B (its
    source is read instead), and the elementwise consumer of C (a bias add
    and activation: computed on the tile and stored into the consumer's
    output; C itself is never written). Run before
    `-tg-host-shared-allocs`: the private buffers this needs are
    `memref.alloc`s.
  }];
  let options = [
    Option<"blockM", "block-m", "int64_t", "128", "Rows of C per block">,
    Option<"blockN", "block-n", "int64_t", "128", "Columns of C per block">,
    Option<"blockK", "block-k", "int64_t", "8", "Depth of a shared-memory step">,
    Option<"threadM", "thread-m", "int64_t", "8", "Rows of a thread's register tile">,
    Option<"threadN", "thread-n", "int64_t", "8", "Columns of a thread's register tile">,
    Option<"minBlocks", "min-blocks", "int64_t", "132",
           "Halve the tiles of matmuls whose grid would have fewer blocks "
           "than this">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def TgGpuBlockReductionsPass
    : Pass<"tg-gpu-block-reductions", "::mlir::func::FuncOp"> {
  let summary = "Reductions along the innermost loop as one GPU block per output";
  let description = [{
    A `linalg.generic` on buffers with one output whose innermost loop is a
    reduction (row sums and maxima, softmax denominators, a loss summed to
    a scalar), and whose combiner is one associative arith op with a
    neutral element (`addf`, `mulf`, `maximumf`, `minimumf`, integer
    add/mul/min/max/and/or/xor), becomes a `gpu.launch` with one block per
    output element: each thread folds a strided part of the reduction
    loops (computing the generic's body, so fused producers such as the
    `exp` of softmax are computed on the fly, reads coalesced), then the
    block combines the threads' partials in a tree through workgroup
    memory, and thread 0 combines the result into the output.

    A block has `block-size` threads, or fewer (down to a warp) when the
    reduction is shorter. Reductions with a reduction loop outside a
    parallel one (column sums, a bias gradient) get their parallel loops
    moved outermost (upstream `linalg::interchangeGenericOp`) and are left
    to the parallel-loop mapping: one thread per output looping over the
    reduction, reads coalesced across threads. (In their original order
    they became one kernel launch per step of the outer reduction loop.)

    When there are fewer than `min-blocks` outputs (a loss summed to a
    scalar would otherwise run on one multiprocessor), each output's
    reduction is split over up to `min-blocks / outputs` blocks of at
    least `min-block-length` points each, which combine their totals into
    the output with `memref.atomic_rmw` (so the order of the combination
    varies from run to run). Combiners without an atomic form in LLVM
    (products) stay one block per output.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", "256",
           "Threads per block (a power of two)">,
    Option<"minBlocks", "min-blocks", "int64_t", "264",
           "Split reductions with fewer outputs than this over several blocks "
           "(the default is two per multiprocessor of an H100)">,
    Option<"minBlockLength", "min-block-length", "int64_t", "4096",
           "Fewest reduction points per block of a split reduction">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def TgGpuFlattenParallelLoopsPass
    : Pass<"tg-gpu-flatten-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Multi-dimensional scf.parallel as one flat dimension, for the GPU mapping";
  let description = [{
    Every outermost `scf.parallel` with several dimensions (an elementwise
    op over a matrix) becomes one of a single dimension, the last original
    dimension varying fastest (upstream `collapseParallelLoops`; the
    original indices are recovered with divisions and remainders). Tiled by
    256 and mapped by `-gpu-map-parallel-loops`, consecutive threads then
    take consecutive elements of a row-major buffer. Mapped as it was, the
    first dimension went to `threadIdx.x`: a warp read 32 rows at the same
    column, 32 memory transactions instead of one.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def TgGpuEmulatePass : Pass<"tg-gpu-emulate", "::mlir::ModuleOp"> {
  let summary = "Run gpu.launch bodies on the CPU, one OpenMP thread per GPU thread";
  let description = [{
    For testing the GPU pipeline's kernels where there is no GPU: every
    `gpu.launch` becomes a sequential loop over its grid of blocks, and
    each block an `omp.parallel` team of as many threads as the block has,
    so that the kernel's code (thread indexing, workgroup memory,
    barriers) runs unchanged: thread ids come from `omp_get_thread_num`,
    `gpu.barrier` becomes `omp.barrier`, workgroup attributions are
    buffers shared by the team, private attributions buffers of each
    thread. The result lowers with the CPU back end and runs in tg-run.

    Only launches without async tokens, clusters or dynamic shared memory
    are taken; workgroup memory may only be loaded and stored (its
    address space is dropped). Anything else is an error.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::omp::OpenMPDialect",
                           "::mlir::scf::SCFDialect"];
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

#endif // TG_DIALECT_TG_TRANSFORMS_PASSES_TD
