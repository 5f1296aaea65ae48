//===- Passes.td - tg GPU code generation passes -----------*- tablegen -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The GPU back end's passes, all on buffers after bufferization: kernels
// written out for matmuls and reductions, host code kept off the buffers
// the kernels use, loop shaping for the parallel-loop mapping, and the
// emulation of kernels on the CPU for testing without a GPU.
//
//===----------------------------------------------------------------------===//

#ifndef TG_CODEGEN_GPU_PASSES_TD
#define TG_CODEGEN_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def TgGpuMatmulKernelsPass
    : Pass<"tg-gpu-matmul-kernels", "::mlir::func::FuncOp"> {
  let summary = "Float contractions on buffers as shared-memory tiled GPU kernels";
  let description = [{
    Every float contraction on buffers (`linalg.matmul`, a batched or
    broadcast matmul `linalg.generic`: any linalg op whose body is a
    multiply-add and whose loops split into batch, M, N and K groups, all
    operands of one element type, C of that type or f32 for f16 and bf16
    operands, as tg lowers them) becomes a `gpu.launch` of the classic
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
    once when stored.

    Tensor cores (`tensor-cores`, on by default; `tf32` for f32): f16
    contractions (and f32 ones with `tf32`) use warp-wide
    `nvgpu.mma.sync` instead of per-thread FMAs: 64x64 block tiles of 4
    warps, each warp a 32x32 tile as 2x4 instructions of 16x8, one
    instruction's depth (16 for f16, 8 for TF32) per shared-memory step,
    the same copies, fusions and guarded stores as above. Accumulation is
    in f32. bf16 stays on FMAs: upstream's nvgpu-to-nvvm lowering cannot
    type a bf16 `mma.sync` in this LLVM. Contractions with a dynamic batch, or a batch of more
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
    Option<"tensorCores", "tensor-cores", "bool", "true",
           "f16 contractions on tensor cores (nvgpu.mma.sync m16n8k16, "
           "f32 accumulation; sm_80 and later)">,
    Option<"tf32", "tf32", "bool", "false",
           "f32 contractions on tensor cores too, their operands reduced "
           "to TF32 (10-bit mantissa; TF's "
           "enable_tensor_float_32_execution)">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
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

def TgHostSharedAllocsPass : Pass<"tg-host-shared-allocs", "::mlir::ModuleOp"> {
  let summary = "Put the GPU pipeline's buffers in GPU memory, or managed memory where the host touches them";
  let description = [{
    For the GPU pipeline, once the kernels are `gpu.launch` ops: every
    `memref.alloc` of host code becomes a GPU allocation: device memory
    (`gpu.alloc`, cuMemAlloc, waited for) when only kernels use the buffer,
    `gpu.alloc host_shared` (CUDA managed memory, reachable from the host
    code and the kernels alike) when the host code reads or writes it
    itself (the scalar condition of a branch or a loop). `memref.dealloc`
    becomes `gpu.dealloc`. Every constant global read by
    `memref.get_global` is copied once per call into a managed buffer,
    freed before returning. The caller's buffers are the runtime's to place
    (`tgFunctionRunDevice` passes device buffers, staging those that
    `tg.host_accessed_args` lists).
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::memref::MemRefDialect"];
}

def TgGpuMarkHostAccessedArgsPass
    : Pass<"tg-gpu-mark-host-accessed-args", "::mlir::func::FuncOp"> {
  let summary = "Record which buffer arguments the host code of a GPU function touches";
  let description = [{
    For the GPU pipeline, once the kernels are `gpu.launch` ops: a public
    function's memref arguments (its tensor arguments, then its results as
    out-parameters) that host code reads or writes itself, through views
    included (the scalar condition of an `scf.if` or a loop read from an
    argument), are listed in the function's `tg.host_accessed_args`
    attribute; arguments only kernels use are not. The C API passes device
    buffers (`tgFunctionRunDevice`) straight to the code, except those
    listed, which it stages through managed memory: host code cannot
    dereference GPU global memory. An unknown use counts as a host access.
  }];
}

def TgGpuAsyncLaunchesPass
    : Pass<"tg-gpu-async-launches", "::mlir::func::FuncOp"> {
  let summary = "Consecutive kernel launches on one stream, one host wait after them";
  let description = [{
    For the GPU pipeline, after kernel outlining: a synchronous
    `gpu.launch_func` becomes a stream (a thread, a stream create, launch,
    synchronize and destroy per kernel in the lowering). Here the launches
    of a block that nothing on the host separates are made asynchronous and
    chained through one token: the first takes a fresh stream
    (`gpu.wait async`), the others follow on it, and a `gpu.wait` blocks the
    host once, before the first host op that touches memory (a scalar
    condition read, a call, a free) or the block's terminator. Operations
    without memory effects, allocations (a new buffer is nobody else's)
    and the device allocation `-tg-host-shared-allocs` writes (`gpu.wait
    async`, `gpu.alloc async`, `gpu.wait`, folded into the chain) do not
    end the chain. Nested blocks (loop bodies, branches) get chains of
    their own.

    Upstream's `-gpu-async-region` does the same for every async-capable
    op, but it also makes `gpu.alloc host_shared` asynchronous, which
    `-gpu-to-llvm` cannot lower; this pass leaves everything but launches
    alone.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
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

    A warp-wide `nvgpu.mma.sync` (the tensor-core matmul kernel's
    m16n8k16 f16 and m16n8k8 TF32) becomes what the warp's lanes do
    together: each thread stores its A and B fragments in a scratch buffer
    of the block, the block synchronizes, each thread computes its four
    accumulators from its warp's fragments read back in PTX's layouts
    (TF32 operands truncated to 10 mantissa bits), and the block
    synchronizes again. So the fragment indexing of the tensor-core kernel
    is checked against numpy without a GPU.

    Only launches without async tokens, clusters or dynamic shared memory
    are taken; workgroup memory may only be loaded and stored (its
    address space is dropped). Anything else is an error.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::omp::OpenMPDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // TG_CODEGEN_GPU_PASSES_TD
