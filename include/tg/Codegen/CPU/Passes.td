//===- Passes.td - tg CPU code generation passes -----------*- tablegen -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The CPU back end's passes: row-tile fusion on tensors, then on buffers the
// matmul micro-kernels, loop shaping for OpenMP and the vectorizer, and
// vector-friendly math; the last one annotates LLVM-dialect loops.
//
//===----------------------------------------------------------------------===//

#ifndef TG_CODEGEN_CPU_PASSES_TD
#define TG_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

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

def TgSplitReductionsPass
    : Pass<"tg-split-reductions", "::mlir::func::FuncOp"> {
  let summary = "Split large float reductions into trees of partial results, "
                "for accuracy";
  let description = [{
    A float32 sum accumulated in one loop nest adds every element to one of
    a few running accumulators (one per vector lane after LLVM vectorizes
    the reassociable reduction): once an accumulator is large, each addition
    rounds away most of the next element. A full sum of 10^8 values in
    [1, 2) came out 1.2% wrong that way.

    This pass rewrites each single-output float reduction `linalg.generic`
    on tensors (not a convolution, nor a contraction with rows and columns,
    which the matmul kernels take; a dot product is split; its combiner found by
    `matchReduction`, with a neutral element) that reduces more than a
    block of elements per output: the outermost reduction dimension `d`
    that, with the reduction dimensions inside it, spans more than a block
    is split into `(dq, db)` with `db` covering at most a block; the
    reduction dimensions outside `d`, and `dq`, become parallel and index a
    tensor of partial results; a second generic reduces those with the
    same combiner into the original init (and is split again if it is
    large). The remainder of `d` that does not fill a block is reduced by
    the original generic from the neutral element, and combined with that
    result. No accumulator then sums more than a block, and the partials
    add up as a tree, like numpy's pairwise summation. The new parallel
    dimensions also let a full sum run on several threads.

    A block is `vector-block` elements when the innermost loop is a
    reduction over at least `min-vector-extent` elements (LLVM keeps one
    chain per lane, so each chain is about 1/64 of the block), and
    `sequential-block` otherwise: a column sum (each output is one
    sequential chain), or a short innermost reduction (a sum over axes
    (0, 2) of an N x M x 8 tensor adds each group of 8 to one running total
    per outer iteration).
  }];
  let options = [
    Option<"vectorBlock", "vector-block", "int64_t", "4096",
           "Elements per partial result when the innermost loop reduces">,
    Option<"sequentialBlock", "sequential-block", "int64_t", "256",
           "Elements per partial result otherwise">,
    Option<"minVectorExtent", "min-vector-extent", "int64_t", "64",
           "Shortest innermost reduction that counts as vectorized">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def TgPlanMemoryPass : Pass<"tg-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Pack a function's intermediate buffers into one arena, "
                "reusing bytes between buffers whose live ranges are disjoint";
  let description = [{
    Ownership-based deallocation frees a buffer at the end of the block
    that allocated it, so every intermediate of a training step stays
    allocated until the step returns. This pass computes each buffer's real
    live range (from the first op that uses it or a view of it to the end
    of the last one, in the function's pre-order numbering, so that a use
    inside a loop keeps the buffer live across the whole loop; the
    allocation itself does not count, its bytes are uninitialized) and
    places every static buffer in one arena allocated at the start of the
    call: greedy first fit in the best of three orders (largest first, most
    bytes x lifetime first, program order), 64-byte aligned offsets, and
    two buffers share bytes only when their live ranges are disjoint.
    Buffers of loop bodies and branches are planned too, and those of
    parallel loops with `sequential` or `workers` (below); buffers that
    escape their block (yielded, returned, passed to a call, deallocated
    elsewhere) and dynamic shapes keep their own allocation.

    Each planned `memref.alloc` becomes a `memref.view` of the arena
    (annotated `tg.arena_bytes = [offset, bytes]`), its deallocations are
    erased, and the function gets
    `tg.memory_plan = {arena_bytes, lower_bound_bytes, separate_bytes,
    buffers, unplanned_bytes}`: the arena next to the largest sum of bytes
    live at one point (no plan can use less) and to the sum of the planned
    buffers (what they took allocated one by one), which `tg-run --report-memory` and
    `Function.memory_plan()` report. Upstream MLIR gained a static planner
    after the 22 branch, for the entry block only (`docs/design.md`).

    With `sequential` (what `-tg-cpu-pipeline{threads=1}` sets: its
    parallel loops become sequential ones), buffers inside parallel loops
    are planned too.

    With `workers` = N > 1 (what `-tg-cpu-pipeline{threads=N}` sets), an
    `scf.parallel` (constant bounds, no reductions, no parallel loop
    around it) whose body allocates becomes a parallel loop over at most N
    contiguous chunks of its iterations, each an `scf.for`: the static
    schedule its OpenMP team would follow, made explicit, so that no two
    iterations of the new loop run at once on one worker's bytes. The
    body's buffers are planned among themselves (a worker runs its chunk in
    order) into a slice, and the arena holds N slices, live for the whole
    loop; worker i's buffers are views at the slice's offset + i x its size
    (`tg.arena_slice = [offset, slice bytes, workers]`). Before, each
    iteration of a tile loop allocated and freed its own patches.

    Buffers under `min-bytes` keep their own allocation (the CPU pipeline
    sets 4096). Every view of one arena is, to LLVM, a pointer into the same
    object: a reduction whose small accumulator (a split reduction's
    partial sums) shared the arena with its input could not be kept in
    registers, and ran 6x slower (a sum of squares of 800K floats, 0.66 ms
    against 0.10). A separately allocated buffer is known not to alias
    the arena; the bytes left out are negligible.
  }];
  let options = [
    Option<"sequential", "sequential", "bool", "false",
           "Parallel loops will run sequentially: plan their buffers too">,
    Option<"workers", "workers", "int64_t", "0",
           "Threads of the team that runs parallel loops: with more than "
           "one, a parallel loop that allocates runs as that many chunks "
           "of its iterations, each with a slice of the arena">,
    Option<"minBytes", "min-bytes", "int64_t", "0",
           "Buffers smaller than this keep their own allocation">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def TgCheckMemoryPlanPass
    : Pass<"tg-check-memory-plan", "::mlir::func::FuncOp"> {
  let summary = "Fail if two arena buffers live at the same time share bytes "
                "(a test of -tg-plan-memory)";
  let description = [{
    Recomputes the live range of every `memref.view` that -tg-plan-memory
    made and reports an error, with both locations, for two views of the
    same arena that are live at the same time and whose byte ranges
    overlap, or for a planned view that escapes its block. A worker slice's
    view is compared with the views of its own loop by its offset in the
    slice (and must lie inside it), and with every other view by the whole
    block of slices, live for the whole loop.
  }];
}

def TgAdviseHugePagesPass
    : Pass<"tg-advise-huge-pages", "::mlir::ModuleOp"> {
  let summary = "Ask the kernel for transparent huge pages for large buffers";
  let description = [{
    After each `memref.alloc` of a static shape and at least `min-bytes`
    bytes (a large call's arena, a packed matmul operand), calls
    `madvise(start, length, MADV_HUGEPAGE)` on the whole 4 KiB pages the
    buffer covers, declaring `func.func private @madvise(i64, i64, i32) ->
    i32` (libc's, called with the pointer as an integer) if the module
    does not have it. Only allocations of the module's own functions are
    advised (not those of nested modules), and only buffers of at least
    two pages. Linux's transparent huge pages are only given to
    memory advised so on Debian's default setting (`madvise`); numpy
    advises its large arrays, and the packed operand of a 2048^3 sgemm
    read through 4 KiB pages cost tg 2.5% of its time. A module that
    already has a `madvise` symbol of another type, or a definition of
    its own, is left alone; the
    call's result is ignored (where the kernel says no, the pages stay
    small).
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", "4194304",
           "Advise buffers of at least this many bytes (0: none)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect"];
}

def TgStridedCopiesToLoopsPass
    : Pass<"tg-strided-copies-to-loops", "::mlir::func::FuncOp"> {
  let summary = "Copies between strided buffers as linalg.copy loops";
  let description = [{
    A `memref.copy` whose source or target is not contiguous (a subview: the
    interior of a padded buffer, a slice) becomes `linalg.copy`, which the
    pipeline lowers to a loop nest that LLVM vectorizes. Left alone,
    finalize-memref-to-llvm calls the C runner's generic `memrefCopy`,
    which copies one element at a time through the strides: it took a
    quarter of a small padded convolution's time. Contiguous copies stay
    `memref.copy` (a memcpy). A copy of each element onto itself (source
    and target reshapes of one buffer, of the same shape: what
    bufferization leaves where a tile computed through a collapsed view of
    its output slice is inserted back into that slice) is erased.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
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

    B is packed before the outermost of the `scf.for`, `scf.parallel` and
    `scf.forall` loops directly around the matmul that neither define nor
    write B (the tiles of a convolution share its filter), and freed after
    it.

    An A that is the `[imgs*rows*ow, kh*kw*c]` collapse of an im2col copy
    (a `linalg.generic` copying `source[b, y*sh + i*dh, x*sw + j*dw, ch]`
    into `[imgs, rows, ow, kh, kw, c]` patches, as
    `-tg-prepare-cpu-matmuls` builds one per convolution tile) that nothing
    else reads is read from the source instead (an implicit GEMM): the
    copy and its buffer are erased. The reduction then goes group by
    group, the tile's accumulators carried through: a group is a filter
    row (`kw*c` contiguous elements of a source row) when the source's
    columns and channels are contiguous and the column dilation is 1, a
    filter tap (`c` channels) otherwise; a k slice holds `kc / group`
    groups, or `kc` elements of one group when groups are longer.

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

    Each k slice loads the C tile and stores it back. The default slice is
    deep (2048): when C's row stride is a power of two (8 KiB for 2048
    columns), its tile rows fall into a few L2 sets and miss on each
    reload, which cost a 2048^3 sgemm 5% at 256 (9% with the AVX2 tile,
    measured on the same AVX-512 machine; AVX2 parts with smaller L2 caches
    are not measured). The packed B panel a kernel call reads (`kc` x `nr`,
    256 KiB at `nr` = 32) then
    streams from L2 instead of L1, which is measured to cost nothing: the
    kernel reads one packed row (`nr` floats) of it per `mr` broadcasts.

    The default tile (8 x 32) is for AVX-512 (16 zmm accumulators); the CPU
    pipeline picks the tile for the host's vector ISA. A product at most
    `nr / 2` wide (a convolution with 16 filters on AVX-512) gets a tile
    twice as tall and half as wide (16 x 16), the same number of
    accumulators, instead of leaving half of each one padding (`narrow`).
  }];
  let options = [
    Option<"mr", "mr", "int64_t", "8", "Rows of the register tile">,
    Option<"nr", "nr", "int64_t", "32", "Columns of the register tile (vector lanes)">,
    Option<"kc", "kc", "int64_t", "2048", "Depth of a k slice (cache block)">,
    Option<"mc", "mc", "int64_t", "128", "Rows of a parallel block (rounded up to mr)">,
    Option<"ng", "ng", "int64_t", "4", "Panels of a parallel block">,
    Option<"minFlops", "min-flops", "int64_t", "4096",
           "Leave matmuls below this many flops to the generic lowering">,
    Option<"narrow", "narrow", "bool", "true",
           "Products at most nr/2 wide get a (2 mr) x (nr/2) tile">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
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
    Small bodies keep LLVM's own choice, and so do bodies of more than
    `max-ops` (interleaving a loop of thousands of ops makes LLVM's
    vectorizer and register allocator take seconds, super-linearly).
  }];
  let options = [
    Option<"count", "count", "unsigned", "4", "Interleave count to request">,
    Option<"minOps", "min-ops", "unsigned", "16",
           "Annotate only loops with at least this many floating-point ops">,
    Option<"maxOps", "max-ops", "unsigned", "512",
           "Annotate only loops with at most this many floating-point ops">,
  ];
}

#endif // TG_CODEGEN_CPU_PASSES_TD
