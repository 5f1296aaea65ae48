//===- CompileCache.h - The persistent compile cache -----------*- C++ -*-===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Compiled objects on disk ($TG_CACHE_DIR, default ~/.cache/tg), keyed by
// everything that decides the machine code: a later process that compiles
// the same module with the same options for the same CPU loads the object
// instead of compiling.
//
//===----------------------------------------------------------------------===//

#ifndef TG_LIB_CAPI_COMPILECACHE_H
#define TG_LIB_CAPI_COMPILECACHE_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace tgcapi {

/// Whether the cache is on: TG_CACHE is not 0, off, false or no, and the
/// directory is known and, if it exists, this user's and writable by no
/// one else.
bool cacheEnabled();

/// The key of a compilation: SHA-256 of the module's text (with its
/// locations: they are in the code's error messages), every option that
/// changes the code (`options`, spelled by the caller), the target CPU and
/// its features, and the builds of tg, MLIR and LLVM in this process (the
/// file, size and modification time of libTgCAPI.so, libMLIR.so and
/// libLLVM.so).
std::string cacheKey(llvm::StringRef module, llvm::StringRef options,
                     llvm::StringRef cpu, llvm::StringRef features);

/// The stored entry: a description of the entry points (JSON) and the
/// object file.
struct CacheEntry {
  std::string metadata;
  std::string object;
};

/// The entry of `key`, if stored whole: a truncated or corrupt one is
/// removed and reported as missing (so that it is compiled again, never
/// run). Counts a hit or a miss; a hit becomes the most recently used.
std::optional<CacheEntry> cacheLoad(llvm::StringRef key);

/// Stores `entry` under `key` atomically (written aside, then renamed),
/// then evicts the least recently used entries beyond TG_CACHE_MAX_BYTES.
/// Failure (an unwritable or full directory) leaves the cache as it was:
/// the program goes on with the code it compiled.
void cacheStore(llvm::StringRef key, const CacheEntry &entry);

/// Counts a compilation of a module (cache misses and uncached ones).
void countCompilation();

/// Counts the last hit as a miss: its entry was whole but could not be
/// loaded (and is compiled instead).
void cacheLoadFailed();

} // namespace tgcapi

#endif // TG_LIB_CAPI_COMPILECACHE_H
