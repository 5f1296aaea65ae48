//===- Kernels.h - Kernels and the tg ops they came from -------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// -tg-tag-source-ops names every tg op in its location ("tg.add#3"(loc));
// lowering and fusion carry those locations along, so the ops of a fused
// kernel say which tg ops, on which source lines, they were made of. These
// helpers find kernels in linalg on tensors and read their tags; the
// annotation pass, the profiler's kernel table, -tg-draw-graph and
// -tg-explain-fusion all use them.
//
//===----------------------------------------------------------------------===//

#ifndef TG_CODEGEN_COMMON_KERNELS_H
#define TG_CODEGEN_COMMON_KERNELS_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <string>

namespace mlir {
namespace tg {

/// The tag -tg-tag-source-ops gave one tg op.
struct SourceTag {
  /// The op's name, "tg.add".
  StringRef op;
  /// Its number in the module.
  int64_t id;
  /// The op's own location (inside the tag).
  Location loc;
};

/// The tag `loc` is, if it is one.
std::optional<SourceTag> parseSourceTag(Location loc);

/// The tag of `op`'s own location (not of what it holds), if any.
std::optional<SourceTag> sourceTagOf(Operation *op);

/// "file:line" of the first file location in `loc`, or "" when it has none.
std::string sourceLine(Location loc);

/// One kernel: the ops of a block that run as one piece of code, from
/// `first` to `last`. Its ops are those that compute a tensor and are not
/// views (linalg ops other than fills that only initialize linalg ops,
/// tensor.pad, tensor.concat, scf.forall); a matmul's kernel also holds
/// what the matmul kernels take over on buffers (MatmulFusion.h): the
/// fill of its init, the transposes of its operands and its elementwise
/// consumer, and whatever kernel lies between them.
struct Kernel {
  SmallVector<Operation *> ops;
  /// `ops` and the fills in the span that initialize them: what carries
  /// the kernel's location.
  SmallVector<Operation *> members;
  Operation *first = nullptr, *last = nullptr;
  /// The tags of the tg ops it computes (the locations of the body ops of
  /// its generics, of its other ops, not of fills and empties), by number.
  SmallVector<SourceTag> tags;
};

/// The kernels of `func` in program order, inside scf.for/while/if bodies
/// too (such a kernel runs once per execution of its block).
SmallVector<Kernel> findKernels(Operation *func);

/// The kernel name -tg-annotate-kernels put in `loc`'s metadata, if any.
std::optional<StringRef> kernelNameOf(Location loc);

} // namespace tg
} // namespace mlir

#endif // TG_CODEGEN_COMMON_KERNELS_H
