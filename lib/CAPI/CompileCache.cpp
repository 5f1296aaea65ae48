//===- CompileCache.cpp - The persistent compile cache ---------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// One file per entry, `<key>.tgc`:
//   "tg-cache 2\n", the SHA-256 of the key and the rest (64 hex digits)
//   and "\n",
//   the metadata's size in decimal and "\n", the metadata, the object.
// Written to a temporary name in the same directory, then renamed: readers
// see a whole entry or none, and concurrent writers of one key both write
// the same bytes. Each hit sets the file's modification time, which is what
// least-recently-used eviction goes by.
//
// Why not LLVM's own caches (llvm::FileCache, the ThinLTO cache): they
// store opaque buffers keyed by the caller anyway; checksumming, the
// metadata and tg's size cap and statistics would be the same code around
// them.
//
//===----------------------------------------------------------------------===//

#include "CompileCache.h"
#include "tg-c/Runtime.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Support/SHA256.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <mutex>
#include <random>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace tgcapi;

namespace {
std::atomic<int64_t> hits{0}, misses{0}, compilations{0}, storeFailures{0};
constexpr const char *kMagic = "tg-cache 2\n";
} // namespace

/// Where the process was when this library was loaded: a relative
/// TG_CACHE_DIR means the same directory wherever the process goes since.
static const std::string startDirectory = [] {
  llvm::SmallString<256> cwd;
  return llvm::sys::fs::current_path(cwd) ? std::string() : cwd.str().str();
}();

static std::string cacheDirectory() {
  std::string dir;
  if (const char *env = std::getenv("TG_CACHE_DIR"); env && *env)
    dir = env;
  else if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    dir = std::string(xdg) + "/tg";
  else if (const char *home = std::getenv("HOME"); home && *home)
    dir = std::string(home) + "/.cache/tg";
  if (!dir.empty() && dir[0] != '/' && !startDirectory.empty())
    dir = startDirectory + "/" + dir;
  return dir;
}

/// Whether the cache directory, if it exists, belongs to this user and no
/// one else can write to it: its entries are code this process runs.
static bool directoryIsOurs() {
  struct stat st;
  if (stat(cacheDirectory().c_str(), &st) != 0)
    return true; // created (0700) when the first entry is stored
  return S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() &&
         !(st.st_mode & (S_IWGRP | S_IWOTH));
}

bool tgcapi::cacheEnabled() {
  if (const char *flag = std::getenv("TG_CACHE")) {
    llvm::StringRef value = llvm::StringRef(flag).trim().lower();
    if (value == "0" || value == "off" || value == "false" || value == "no")
      return false;
  }
  return !cacheDirectory().empty() && directoryIsOurs();
}

/// TG_CACHE_MAX_BYTES: bytes, or with a K, M or G suffix (powers of 1024);
/// 1 GiB when unset or not a size.
static int64_t maxBytes() {
  if (const char *text = std::getenv("TG_CACHE_MAX_BYTES")) {
    llvm::StringRef value = llvm::StringRef(text).trim();
    int shift = 0;
    if (!value.empty()) {
      switch (llvm::toUpper(value.back())) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      default: break;
      }
    }
    if (shift)
      value = value.drop_back();
    uint64_t number;
    if (!value.getAsInteger(10, number) && number <= (uint64_t(1) << 62) >> shift)
      return static_cast<int64_t>(number << shift);
  }
  return int64_t(1) << 30;
}

/// The file holding the code of `address` and its size and modification
/// time: a rebuilt library (tg's or LLVM's) gives other keys.
static std::string buildIdentity(const void *address) {
  Dl_info info;
  struct stat st;
  if (!dladdr(address, &info) || !info.dli_fname ||
      stat(info.dli_fname, &st) != 0)
    return "?";
  return std::string(info.dli_fname) + ":" + std::to_string(st.st_size) +
         ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

std::string tgcapi::cacheKey(llvm::StringRef module, llvm::StringRef options,
                             llvm::StringRef cpu, llvm::StringRef features) {
  static const std::string builds =
      "tg " TG_VERSION " " +
      buildIdentity(reinterpret_cast<const void *>(&tgCompileSource)) +
      "\nLLVM " LLVM_VERSION_STRING " " +
      buildIdentity(
          reinterpret_cast<const void *>(&mlir::translateModuleToLLVMIR)) +
      " " +
      buildIdentity(
          reinterpret_cast<const void *>(&llvm::sys::getProcessTriple));
  llvm::SHA256 hash;
  // Each part with its length: no two different inputs hash the same text.
  for (llvm::StringRef part : {llvm::StringRef(builds), options, cpu, features,
                               module}) {
    hash.update(std::to_string(part.size()) + ":");
    hash.update(part);
  }
  return llvm::toHex(hash.final(), /*LowerCase=*/true);
}

/// The checksum of an entry: of its key too, so that an entry renamed to
/// another key's file (by hand, or a bug) is refused, not run for another
/// module.
static std::string checksum(llvm::StringRef key, llvm::StringRef metadata,
                            llvm::StringRef object) {
  llvm::SHA256 hash;
  hash.update(key);
  hash.update(":");
  hash.update(metadata);
  hash.update(object);
  return llvm::toHex(hash.final(), /*LowerCase=*/true);
}

static bool readFile(const std::string &path, std::string &out) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return false;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0)
    out.append(buffer, n);
  bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

/// Parses an entry file; false if it is not a whole, intact entry.
static bool parseEntry(llvm::StringRef key, const std::string &text,
                       CacheEntry &entry) {
  llvm::StringRef rest(text);
  if (!rest.consume_front(kMagic))
    return false;
  auto [sum, afterSum] = rest.split('\n');
  auto [sizeText, body] = afterSum.split('\n');
  size_t metadataSize;
  if (sum.size() != 64 || sizeText.getAsInteger(10, metadataSize) ||
      metadataSize > body.size())
    return false;
  llvm::StringRef metadata = body.take_front(metadataSize);
  llvm::StringRef object = body.drop_front(metadataSize);
  if (checksum(key, metadata, object) != sum)
    return false;
  entry.metadata = metadata.str();
  entry.object = object.str();
  return true;
}

std::optional<CacheEntry> tgcapi::cacheLoad(llvm::StringRef key) {
  std::string path = cacheDirectory() + "/" + key.str() + ".tgc";
  std::string text;
  CacheEntry entry;
  if (!readFile(path, text)) {
    ++misses;
    return std::nullopt;
  }
  if (!parseEntry(key, text, entry)) {
    // Truncated or altered: compiled again (and stored again) by the caller.
    ::unlink(path.c_str());
    ++misses;
    return std::nullopt;
  }
  // Most recently used now.
  ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
  ++hits;
  return entry;
}

/// mkdir -p, private to the user (0700: entries are code this process
/// will run).
static bool makeDirectories(const std::string &path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0)
    return S_ISDIR(st.st_mode);
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0 &&
      !makeDirectories(path.substr(0, slash)))
    return false;
  return ::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST;
}

namespace {
struct FileInfo {
  std::string path;
  int64_t bytes;
  struct timespec modified;
};
} // namespace

/// Whether `name` is an entry's (64 hex digits, ".tgc") or a temporary
/// file's (".tmp-PID-NUMBER"): no other file in the directory is touched.
static bool isEntryName(llvm::StringRef name) {
  return name.size() == 68 && name.ends_with(".tgc") &&
         llvm::all_of(name.take_front(64), llvm::isHexDigit);
}
static bool isTemporaryName(llvm::StringRef name) {
  if (!name.consume_front(".tmp-"))
    return false;
  auto [pid, number] = name.split('-');
  return !pid.empty() && !number.empty() && llvm::all_of(pid, llvm::isDigit) &&
         llvm::all_of(number, llvm::isDigit);
}

/// The entries in `dir`; with `clean`, temporary files older than an hour
/// (left by a process that died while writing) are removed.
static std::vector<FileInfo> listEntries(const std::string &dir, bool clean) {
  std::vector<FileInfo> files;
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return files;
  time_t now = ::time(nullptr);
  while (struct dirent *e = ::readdir(d)) {
    llvm::StringRef name(e->d_name);
    std::string path = dir + "/" + name.str();
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    if (clean && isTemporaryName(name) && now - st.st_mtim.tv_sec > 3600) {
      ::unlink(path.c_str());
      continue;
    }
    if (isEntryName(name))
      files.push_back({path, static_cast<int64_t>(st.st_size), st.st_mtim});
  }
  ::closedir(d);
  return files;
}

static void evict(const std::string &dir) {
  std::vector<FileInfo> files = listEntries(dir, /*clean=*/true);
  int64_t total = 0;
  for (const FileInfo &f : files)
    total += f.bytes;
  int64_t cap = maxBytes();
  if (total <= cap)
    return;
  std::sort(files.begin(), files.end(), [](const FileInfo &a, const FileInfo &b) {
    return a.modified.tv_sec != b.modified.tv_sec
               ? a.modified.tv_sec < b.modified.tv_sec
               : a.modified.tv_nsec < b.modified.tv_nsec;
  });
  for (const FileInfo &f : files) {
    if (total <= cap)
      break;
    if (::unlink(f.path.c_str()) == 0)
      total -= f.bytes;
  }
}

void tgcapi::cacheStore(llvm::StringRef key, const CacheEntry &entry) {
  std::string dir = cacheDirectory();
  std::string header = std::string(kMagic) +
                       checksum(key, entry.metadata, entry.object) + "\n" +
                       std::to_string(entry.metadata.size()) + "\n";
  if (static_cast<int64_t>(header.size() + entry.metadata.size() +
                           entry.object.size()) > maxBytes()) {
    ++storeFailures;
    return;
  }
  if (!makeDirectories(dir) || !directoryIsOurs()) {
    ++storeFailures;
    return;
  }
  static std::mutex randomLock;
  uint64_t salt;
  {
    std::lock_guard<std::mutex> lock(randomLock);
    static std::mt19937_64 random{std::random_device{}()};
    salt = random();
  }
  std::string temporary = dir + "/.tmp-" + std::to_string(::getpid()) + "-" +
                          std::to_string(salt);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    ++storeFailures;
    return;
  }
  bool ok = true;
  for (llvm::StringRef part : {llvm::StringRef(header),
                               llvm::StringRef(entry.metadata),
                               llvm::StringRef(entry.object)}) {
    const char *p = part.data();
    size_t left = part.size();
    while (ok && left) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      ok = n > 0;
      if (ok) {
        p += n;
        left -= n;
      }
    }
  }
  ok = ::close(fd) == 0 && ok;
  std::string path = dir + "/" + key.str() + ".tgc";
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    // A full disk: nothing half-written stays.
    ::unlink(temporary.c_str());
    ++storeFailures;
    return;
  }
  evict(dir);
}

void tgcapi::countCompilation() { ++compilations; }

void tgcapi::cacheLoadFailed() {
  --hits;
  ++misses;
}

extern "C" void tgCacheInfo(TgCacheInfo *info) {
  std::string dir = cacheDirectory();
  info->enabled = cacheEnabled();
  info->hits = hits;
  info->misses = misses;
  info->compilations = compilations;
  info->storeFailures = storeFailures;
  info->entries = 0;
  info->bytes = 0;
  info->maxBytes = maxBytes();
  // A directory the cache does not use is not the cache's to count.
  if (info->enabled)
    for (const FileInfo &f : listEntries(dir, /*clean=*/false)) {
      ++info->entries;
      info->bytes += f.bytes;
    }
  std::snprintf(info->directory, sizeof(info->directory), "%s", dir.c_str());
}
