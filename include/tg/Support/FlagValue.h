//===- FlagValue.h - Command-line flags with values -------------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The tools' flags are few and plain (tg-run, tg-compile): parsed by hand
// rather than with llvm::cl, whose registry would also list every option of
// LLVM and MLIR linked into the tools.
//
//===----------------------------------------------------------------------===//

#ifndef TG_SUPPORT_FLAGVALUE_H
#define TG_SUPPORT_FLAGVALUE_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::tg {

/// Whether argv[i] is `-flag` or `--flag`, with its value as `=VALUE` or
/// the next argument (then `i` moves past it): nullopt when it is another
/// flag, false when the value is missing, true with `out` set.
inline std::optional<bool> flagValue(int argc, char **argv, int &i,
                                     llvm::StringRef flag, std::string &out) {
  llvm::StringRef arg = argv[i];
  for (const std::string &spelling : {"-" + flag.str(), "--" + flag.str()}) {
    if (arg == spelling) {
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    }
    if (arg.starts_with(spelling + "=")) {
      out = arg.drop_front(spelling.size() + 1).str();
      return true;
    }
  }
  return std::nullopt;
}

} // namespace mlir::tg

#endif // TG_SUPPORT_FLAGVALUE_H
