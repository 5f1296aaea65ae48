//===- Fusion.h - Why two linalg ops are or are not fused ------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The one place that decides whether -tg-fuse-elementwise fuses a producer
// into a consumer. The pass's control function and -tg-explain-fusion both
// call it: an explanation gives the rule the pass applies. (It is asked
// of the kernels as compiled, after the passes that follow fusion, so a
// later rewrite can still change a use the pass saw.)
//
//===----------------------------------------------------------------------===//

#ifndef TG_CODEGEN_COMMON_FUSION_H
#define TG_CODEGEN_COMMON_FUSION_H

#include "mlir/IR/Operation.h"

#include <optional>
#include <string>

namespace mlir {
namespace tg {

/// The default of -tg-fuse-elementwise's max-body-ops.
constexpr int64_t kDefaultMaxFusedBodyOps = 256;

/// Why -tg-fuse-elementwise (with `maxBodyOps`) does not fuse the producer
/// of `use` into its owner, in words; std::nullopt when it does.
std::optional<std::string> whyNotFused(OpOperand &use, int64_t maxBodyOps);

} // namespace tg
} // namespace mlir

#endif // TG_CODEGEN_COMMON_FUSION_H
