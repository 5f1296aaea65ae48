//===- InputLimits.h - Limits on what tg's tools accept ---------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// MLIR's parser, verifier and passes recurse once per level of nesting
// (regions, attributes, types), so a small file nested deeply enough
// overflows any fixed stack. tg's tools (tg-opt, tg-run, the C API) bound
// it twice: a text scan rejects input nested deeper than kMaxNestingDepth
// with a located error before parsing, and parsing and compilation run on a
// thread whose stack (kCompileStackBytes) holds that depth with a wide
// margin, and which recovers from a crash inside (an upstream bug) so that
// the located error printed before it is the only outcome. docs/design.md, "Reliability: limits and integer semantics", lists
// the limits and what was tested.
//
//===----------------------------------------------------------------------===//

#ifndef TG_SUPPORT_INPUTLIMITS_H
#define TG_SUPPORT_INPUTLIMITS_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/thread.h"

#include <csignal>
#include <cstdlib>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlir {
namespace tg {

/// The deepest nesting of brackets, braces, parentheses and angle brackets
/// tg's tools accept (real programs nest a few dozen levels).
constexpr unsigned kMaxNestingDepth = 1000;

/// The stack of the thread that parses and compiles: 256 MiB of address
/// space (pages are committed only when touched).
constexpr unsigned kCompileStackBytes = 256u << 20;

/// The stack the compile thread's signal handlers run on when its own stack
/// is exhausted.
constexpr size_t kSignalStackBytes = 256u << 10;

/// The 1-based line and column where `text` first nests deeper than
/// `limit`, or std::nullopt. String literals and `//` comments are skipped;
/// `->` does not close a `<`.
inline std::optional<std::pair<unsigned, unsigned>>
findNestingBeyond(llvm::StringRef text, unsigned limit = kMaxNestingDepth) {
  unsigned depth = 0, line = 1, column = 0;
  for (size_t i = 0, e = text.size(); i < e; ++i) {
    char c = text[i];
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
      continue;
    }
    if (c == '/' && i + 1 < e && text[i + 1] == '/') {
      while (i + 1 < e && text[i + 1] != '\n')
        ++i;
      continue;
    }
    if (c == '"') {
      for (++i; i < e && text[i] != '"' && text[i] != '\n'; ++i, ++column)
        if (text[i] == '\\')
          ++i, ++column;
      ++column;
      continue;
    }
    if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth > limit)
        return std::make_pair(line, column);
    } else if ((c == ')' || c == ']' || c == '}' ||
                (c == '>' && (i == 0 || text[i - 1] != '-'))) &&
               depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

/// The diagnostic for input nested too deeply, located as MLIR's are.
inline std::string nestingError(llvm::StringRef bufferName,
                                std::pair<unsigned, unsigned> where) {
  return bufferName.str() + ":" + std::to_string(where.first) + ":" +
         std::to_string(where.second) + ": error: input nested more than " +
         std::to_string(kMaxNestingDepth) +
         " levels deep (brackets, braces, parentheses); tg accepts at most " +
         std::to_string(kMaxNestingDepth) + "\n";
}

/// Runs `fn` on a thread with a kCompileStackBytes stack and returns true
/// when it completed. A crash inside it (a signal such as SIGSEGV: a bug,
/// ours or upstream's, such as the linalg parsers that use a failed
/// attribute) is recovered from with llvm::CrashRecoveryContext and gives
/// false: what `fn` had allocated is then leaked, and its diagnostics so far
/// are all the caller can report. TG_CRASH_RECOVERY=0 in the environment
/// lets crashes through (the fuzzers set it, to see them).
inline bool runWithCompileStack(llvm::function_ref<void()> fn) {
  const char *recovery = std::getenv("TG_CRASH_RECOVERY");
  bool recover = !recovery || llvm::StringRef(recovery) != "0";
  bool completed = false;
  llvm::thread worker(std::optional<unsigned>(kCompileStackBytes), [&] {
    if (!recover) {
      fn();
      completed = true;
      return;
    }
    llvm::CrashRecoveryContext::Enable();
    // Unbounded recursion (an upstream bug) overflows this stack, and the
    // SIGSEGV handler cannot run on an exhausted stack: the process died
    // without a word. The handler runs on a stack of its own on this
    // thread (SA_ONSTACK; threads without one are unaffected).
    std::vector<char> signalStack(kSignalStackBytes);
    stack_t own{}, previous{};
    own.ss_sp = signalStack.data();
    own.ss_size = signalStack.size();
    bool onOwnStack = sigaltstack(&own, &previous) == 0;
    struct sigaction action;
    if (onOwnStack && sigaction(SIGSEGV, nullptr, &action) == 0 &&
        !(action.sa_flags & SA_ONSTACK)) {
      action.sa_flags |= SA_ONSTACK;
      sigaction(SIGSEGV, &action, nullptr);
    }
    llvm::CrashRecoveryContext context;
    completed = context.RunSafely(fn);
    if (onOwnStack)
      sigaltstack(&previous, nullptr);
  });
  worker.join();
  return completed;
}

/// The error for a compilation that crashed and left no diagnostic.
inline std::string crashError(llvm::StringRef bufferName) {
  return bufferName.str() +
         ": error: internal compiler error: tg crashed while compiling this "
         "input (a bug: please report it with the input)\n";
}

} // namespace tg
} // namespace mlir

#endif // TG_SUPPORT_INPUTLIMITS_H
