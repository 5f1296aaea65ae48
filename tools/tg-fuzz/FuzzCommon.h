//===- FuzzCommon.h - What the source-text fuzz targets share ---*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Included once by each fuzz target that feeds MLIR text to tg (parse,
// compile): each target is a binary of its own, so the libFuzzer entry
// point defined here exists once per binary.
//
//===----------------------------------------------------------------------===//

#ifndef TG_FUZZ_FUZZCOMMON_H
#define TG_FUZZ_FUZZCOMMON_H

#include "llvm/ADT/StringRef.h"

#include <cstdlib>

/// linalg.transpose, linalg.broadcast and linalg.reduce crash MLIR 22's
/// parser when their permutation or dimensions list is malformed (the
/// parser stores the null attribute it failed to parse): found by these
/// fuzzers, recovered from by tg's tools (InputLimits.h) and tested in
/// test/Integration/CPU/upstream-crashes.mlir; skipped here so that fuzzing
/// goes on to find something else.
static bool hasKnownUpstreamCrash(llvm::StringRef text) {
  return text.contains("linalg.transpose") ||
         text.contains("linalg.broadcast") || text.contains("linalg.reduce");
}

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  // Crashes must reach the fuzzer, not be recovered from.
  setenv("TG_CRASH_RECOVERY", "0", 1);
  return 0;
}

#endif // TG_FUZZ_FUZZCOMMON_H
