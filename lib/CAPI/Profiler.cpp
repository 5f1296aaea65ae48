//===- Profiler.cpp - Kernel timing and Chrome traces ---------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// Executables compiled with TgCompileOptions::profile call
// tg_profile_begin(id) and tg_profile_end(id) around every kernel
// (-tg-annotate-kernels); the module's tg.kernels attribute describes each
// id and is registered here when the executable is built. While recording,
// each pair becomes one event; tgFunctionRun adds one event per call.
// Events are written as Chrome trace JSON (chrome://tracing, Perfetto) and
// summarized as a table.
//
// Why instrumentation and not sampling (perf): a fused kernel is one loop
// nest with no symbol of its own in JIT code, and the instrumentation
// already knows which tg ops and lines each kernel holds.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>
#include <vector>

#ifdef TG_HAS_CUDA_RUNTIME
extern "C" void tgCudaSynchronize();
#endif

using namespace mlir;

namespace {
struct KernelInfo {
  std::string name, label, function;
  std::vector<std::string> sources;
  int64_t flops = -1, bytes = -1;
  bool gpu = false;
  /// Threads its executable runs with (for the peak).
  int threads = 1;
};

struct Event {
  /// The kernel's id (for calls: unused).
  int64_t kernel;
  /// For calls of an entry function: its name (interned, lives forever);
  /// null for kernels.
  const std::string *function;
  uint64_t startNs, endNs;
  uint32_t thread;
  bool isCall() const { return function != nullptr; }
};

struct Profiler {
  std::mutex mutex;
  /// Kernel descriptions stay after their executable is gone: recorded
  /// events may still name them.
  std::map<int64_t, KernelInfo> kernels;
  std::vector<Event> events;
  std::map<std::string, std::unique_ptr<std::string>> names;
  std::map<std::thread::id, uint32_t> threads;
  /// Non-zero while recording: the number of the recording, so that a
  /// call or kernel that began in an earlier one is not recorded in this.
  std::atomic<uint64_t> recording{0};
  uint64_t generations = 0;
  /// Whether any GPU kernel was registered (CPU kernels then never look
  /// their kernel up to decide whether to wait for the device).
  std::atomic<bool> anyGpu{false};
  uint64_t originNs = 0;
};

Profiler &profiler() {
  static Profiler *p = new Profiler;
  return *p;
}

uint64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// A kernel begun on this thread and not ended yet.
struct OpenKernel {
  int64_t id;
  uint64_t startNs, recording;
};
/// Kernels do not nest, but a kernel of one executable may run inside a
/// callback of another; an entry is left behind when a run is abandoned
/// (a failed allocation) and dropped when a later kernel ends.
thread_local std::vector<OpenKernel> openKernels;

uint32_t threadIndex(Profiler &p) {
  auto [it, inserted] =
      p.threads.emplace(std::this_thread::get_id(), p.threads.size());
  return it->second;
}

/// Ids from 2^20 on: tg-opt's -tg-annotate-kernels numbers from 0 by
/// default, and LLVM-dialect input lowered by it keeps those ids.
std::atomic<int64_t> nextKernelId{int64_t(1) << 20};
} // namespace

#ifdef TG_HAS_CUDA_RUNTIME
static bool isGpuKernel(int64_t id) {
  Profiler &p = profiler();
  if (!p.anyGpu.load(std::memory_order_relaxed))
    return false;
  std::lock_guard<std::mutex> lock(p.mutex);
  auto it = p.kernels.find(id);
  return it != p.kernels.end() && it->second.gpu;
}
#endif

extern "C" {
static void tgProfileBegin(int64_t id) {
  uint64_t recording = profiler().recording.load(std::memory_order_relaxed);
  if (!recording)
    return;
#ifdef TG_HAS_CUDA_RUNTIME
  // Kernels run asynchronously: what was launched before is not ours.
  if (isGpuKernel(id))
    tgCudaSynchronize();
#endif
  openKernels.push_back({id, nowNs(), recording});
}

static void tgProfileEnd(int64_t id) {
  Profiler &p = profiler();
  uint64_t recording = p.recording.load(std::memory_order_relaxed);
  // The matching begin, dropping any left behind above it.
  while (!openKernels.empty() && openKernels.back().id != id)
    openKernels.pop_back();
  if (openKernels.empty())
    return;
  OpenKernel open = openKernels.back();
  openKernels.pop_back();
  if (!recording || open.recording != recording)
    return;
#ifdef TG_HAS_CUDA_RUNTIME
  if (isGpuKernel(id))
    tgCudaSynchronize();
#endif
  uint64_t end = nowNs();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.events.push_back({id, nullptr, open.startNs, end, threadIndex(p)});
}
} // extern "C"

int64_t tgcapi::reserveKernelIds() {
  // Ids are unique in the process; no module has a million kernels.
  return nextKernelId.fetch_add(int64_t(1) << 20);
}

void tgcapi::registerKernels(Attribute table, bool gpu, int threads,
                             const std::string &entry,
                             const std::string &displayName) {
  auto array = dyn_cast_or_null<ArrayAttr>(table);
  if (!array)
    return;
  Profiler &p = profiler();
  std::lock_guard<std::mutex> lock(p.mutex);
  for (Attribute entryAttr : array) {
    auto dict = dyn_cast<DictionaryAttr>(entryAttr);
    if (!dict)
      continue;
    auto str = [&](StringRef key) {
      auto v = dict.getAs<StringAttr>(key);
      return v ? v.getValue().str() : std::string();
    };
    auto num = [&](StringRef key) {
      auto v = dict.getAs<IntegerAttr>(key);
      return v ? v.getInt() : int64_t(-1);
    };
    int64_t id = num("id");
    if (id < 0)
      continue;
    KernelInfo info;
    info.name = str("name");
    info.label = str("label");
    info.function = str("function");
    // The display name stands for the entry point only.
    if (!displayName.empty() && info.function == entry) {
      if (info.label.rfind(info.function, 0) == 0)
        info.label = displayName + info.label.substr(info.function.size());
      info.function = displayName;
    }
    if (auto sources = dict.getAs<ArrayAttr>("sources"))
      for (Attribute s : sources)
        if (auto text = dyn_cast<StringAttr>(s))
          info.sources.push_back(text.getValue().str());
    info.flops = num("flops");
    info.bytes = num("bytes");
    info.gpu = gpu;
    info.threads = threads > 0
                       ? threads
                       : std::max(1u, std::thread::hardware_concurrency());
    p.kernels[id] = std::move(info);
  }
  if (gpu)
    p.anyGpu = true;
}

llvm::orc::SymbolMap
tgcapi::profilerSymbols(llvm::orc::MangleAndInterner interner) {
  llvm::orc::SymbolMap symbols;
  defineSymbol(symbols, interner, "tg_profile_begin", &tgProfileBegin);
  defineSymbol(symbols, interner, "tg_profile_end", &tgProfileEnd);
  return symbols;
}

uint64_t tgcapi::profilerRecording() {
  return profiler().recording.load(std::memory_order_relaxed);
}

uint64_t tgcapi::profilerNow() { return nowNs(); }

void tgcapi::recordCall(const std::string &function, uint64_t startNs,
                        uint64_t recording) {
  uint64_t end = nowNs();
  Profiler &p = profiler();
  // A call that began in an earlier recording, or ends after the stop,
  // is not this recording's.
  if (p.recording.load() != recording)
    return;
  std::lock_guard<std::mutex> lock(p.mutex);
  auto &name = p.names[function];
  if (!name)
    name = std::make_unique<std::string>(function);
  p.events.push_back({0, name.get(), startNs, end, threadIndex(p)});
}

void tgcapi::profilerAbandonRun() { openKernels.clear(); }

//===----------------------------------------------------------------------===//
// The machine's peaks
//===----------------------------------------------------------------------===//

namespace {
struct Peaks {
  /// f32 FLOP/s of one core, and bytes/s of memory.
  double flopsPerCore = 0, bytesPerSecond = 0;
  std::string how;
};
} // namespace

/// The clock in GHz: cpufreq's maximum, else /proc/cpuinfo's current.
static double clockGHz() {
  std::ifstream maxFreq(
      "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
  double khz = 0;
  if (maxFreq >> khz && khz > 0)
    return khz / 1e6;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("cpu MHz", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos)
        return std::atof(line.c_str() + colon + 1) / 1e3;
    }
  return 0;
}

/// Bytes per second of one thread copying 64 MiB (read + write), best of 3.
static double measureCopyBandwidth() {
  const size_t bytes = 64 << 20;
  std::vector<char> a(bytes, 1), b(bytes, 2);
  double best = 0;
  for (int i = 0; i < 3; ++i) {
    uint64_t t0 = nowNs();
    std::memcpy(b.data(), a.data(), bytes);
    // The copy is observable: the compiler may not drop it.
    asm volatile("" : : "r"(b.data()) : "memory");
    uint64_t t1 = nowNs();
    best = std::max(best, 2.0 * bytes / ((t1 - t0) * 1e-9));
  }
  return best;
}

static const Peaks &peaks() {
  static Peaks result = [] {
    Peaks p;
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    // f32 lanes x 2 (fused multiply-add) x 2 FMA units per core.
    int lanes = features.lookup("avx512f")                          ? 16
                : features.lookup("avx2") && features.lookup("fma") ? 8
                                                                    : 4;
    int fma = features.lookup("fma") || features.lookup("avx512f") ? 2 : 1;
    double ghz = clockGHz();
    p.flopsPerCore = ghz * 1e9 * lanes * fma * 2;
    p.how = llvm::formatv("{0:f2} GHz x {1} f32 lanes x {2} (FMA) x 2 "
                          "units per core; memory: one thread's memcpy",
                          ghz, lanes, fma)
                .str();
    if (const char *env = std::getenv("TG_PEAK_GFLOPS")) {
      p.flopsPerCore = std::atof(env) * 1e9;
      p.how = "TG_PEAK_GFLOPS (per core)";
    }
    if (const char *env = std::getenv("TG_PEAK_GBPS"))
      p.bytesPerSecond = std::atof(env) * 1e9;
    else
      p.bytesPerSecond = measureCopyBandwidth();
    // A peak that is not a positive number (an unknown clock, a bad
    // variable) gives no shares rather than infinite ones.
    if (!(p.flopsPerCore > 0) || !std::isfinite(p.flopsPerCore))
      p.flopsPerCore = 0;
    if (!(p.bytesPerSecond > 0) || !std::isfinite(p.bytesPerSecond))
      p.bytesPerSecond = 0;
    return p;
  }();
  return result;
}

//===----------------------------------------------------------------------===//
// Reports
//===----------------------------------------------------------------------===//

namespace {
/// What the reports need, copied out under the lock.
struct Snapshot {
  std::map<int64_t, KernelInfo> kernels;
  std::vector<Event> events;
  uint64_t originNs;
};

/// The recorded events, without kernels that lie in no recorded call on
/// their thread (the kernels of a call still running when recording
/// stopped: the call itself is not recorded).
Snapshot snapshot() {
  Profiler &p = profiler();
  Snapshot s;
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    s = {p.kernels, p.events, p.originNs};
  }
  std::map<uint32_t, std::vector<std::pair<uint64_t, uint64_t>>> calls;
  for (const Event &e : s.events)
    if (e.isCall())
      calls[e.thread].push_back({e.startNs, e.endNs});
  for (auto &entry : calls)
    llvm::sort(entry.second);
  llvm::erase_if(s.events, [&](const Event &e) {
    if (e.isCall())
      return false;
    auto &intervals = calls[e.thread];
    auto it = std::upper_bound(
        intervals.begin(), intervals.end(),
        std::make_pair(e.startNs, std::numeric_limits<uint64_t>::max()));
    return it == intervals.begin() || std::prev(it)->second < e.endNs;
  });
  return s;
}

/// What a kernel did in `seconds` over `calls` calls: rates, and shares of
/// the peaks (not for GPU kernels, whose peaks are not the host's; only
/// when finite: JSON has no infinity).
struct Rates {
  std::optional<double> gflops, gbytes, flopShare, byteShare;
};

Rates ratesOf(const KernelInfo &info, int64_t calls, double seconds,
              const Peaks &peak) {
  Rates r;
  seconds = std::max(seconds, 1e-9);
  auto finite = [](double v) -> std::optional<double> {
    if (std::isfinite(v))
      return v;
    return std::nullopt;
  };
  if (info.flops >= 0) {
    double flops = double(info.flops) * calls / seconds;
    r.gflops = flops / 1e9;
    if (!info.gpu && peak.flopsPerCore > 0)
      r.flopShare = finite(100.0 * flops / (peak.flopsPerCore * info.threads));
  }
  if (info.bytes >= 0) {
    double bytes = double(info.bytes) * calls / seconds;
    r.gbytes = bytes / 1e9;
    if (!info.gpu && peak.bytesPerSecond > 0)
      r.byteShare = finite(100.0 * bytes / peak.bytesPerSecond);
  }
  return r;
}

/// A name for one line of the table: control characters as spaces.
std::string printable(std::string text) {
  for (char &c : text)
    if (static_cast<unsigned char>(c) < 0x20)
      c = ' ';
  return text;
}

/// "mlp.mlir:9,10,12": the distinct lines of a kernel's sources, by file.
std::string sourceLines(const KernelInfo &info) {
  std::vector<std::pair<std::string, std::string>> lines;
  for (const std::string &source : info.sources) {
    size_t space = source.find(' ');
    if (space == std::string::npos)
      continue;
    std::string where = source.substr(space + 1);
    size_t colon = where.rfind(':');
    if (colon == std::string::npos)
      continue;
    std::pair<std::string, std::string> line{where.substr(0, colon),
                                             where.substr(colon + 1)};
    if (std::find(lines.begin(), lines.end(), line) == lines.end())
      lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end(), [](auto &a, auto &b) {
    return a.first != b.first
               ? a.first < b.first
               : std::atoll(a.second.c_str()) < std::atoll(b.second.c_str());
  });
  std::string text, file;
  for (auto &[f, l] : lines) {
    if (f != file) {
      text += (text.empty() ? "" : " ") + llvm::sys::path::filename(f).str() +
              ":" + l;
      file = f;
    } else {
      text += "," + l;
    }
  }
  return text;
}
} // namespace

/// What timing one kernel costs, in ns: the work of tg_profile_begin and
/// tg_profile_end (two clock reads, a thread-local push and pop, a locked
/// append), measured once on a scratch list.
static double instrumentationNs() {
  static double ns = [] {
    constexpr int n = 20000;
    std::vector<Event> scratch;
    scratch.reserve(n);
    std::vector<OpenKernel> open;
    open.reserve(1);
    std::mutex mutex;
    uint64_t t0 = nowNs();
    for (int i = 0; i < n; ++i) {
      open.push_back({i, nowNs(), 1});
      OpenKernel k = open.back();
      open.pop_back();
      uint64_t end = nowNs();
      std::lock_guard<std::mutex> lock(mutex);
      scratch.push_back({k.id, nullptr, k.startNs, end, 0});
    }
    return double(nowNs() - t0) / n;
  }();
  return ns;
}

/// Sets "cannot write the profile to FILE: WHY" and returns 1.
static int profileWriteError(TgError **error, const std::string &file,
                             const std::string &why) {
  tgcapi::setError(error, "error: cannot write the profile to '" + file +
                              "': " + why + "\n");
  return 1;
}

extern "C" {

void tgProfilerStart(void) {
  Profiler &p = profiler();
  // Measure the machine before the clock starts, not in the first report.
  (void)peaks();
  (void)instrumentationNs();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.events.clear();
  p.originNs = nowNs();
  p.recording = ++p.generations;
}

void tgProfilerStop(void) { profiler().recording = 0; }

int tgProfilerCheckPath(const char *path, TgError **error) {
  std::string file = path ? path : "";
  auto fail = [&](const std::string &why) {
    return profileWriteError(error, file, why);
  };
  if (file.empty())
    return fail("the path is empty");
  if (llvm::sys::fs::is_directory(file))
    return fail("it is a directory");
  llvm::SmallString<256> dir(file);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  if (!llvm::sys::fs::is_directory(dir))
    return fail("the directory '" + dir.str().str() + "' does not exist");
  if (::access(dir.c_str(), W_OK) != 0 ||
      (llvm::sys::fs::exists(file) && ::access(file.c_str(), W_OK) != 0))
    return fail("permission denied");
  return 0;
}

int tgProfilerWriteTrace(const char *path, TgError **error) {
  if (tgProfilerCheckPath(path, error))
    return 1;
  Snapshot s = snapshot();
  const Peaks &peak = peaks();
  std::string text;
  llvm::raw_string_ostream out(text);
  llvm::json::OStream json(out, /*IndentSize=*/0);
  // Microseconds from the start of the recording (an event never starts
  // before it, but the clock is read on several threads).
  auto micros = [&](uint64_t ns) {
    return ns > s.originNs ? (ns - s.originNs) / 1e3 : 0.0;
  };
  json.object([&] {
    json.attributeArray("traceEvents", [&] {
      json.object([&] {
        json.attribute("ph", "M");
        json.attribute("name", "process_name");
        json.attribute("pid", 1);
        json.attributeObject("args", [&] { json.attribute("name", "tg"); });
      });
      for (const Event &e : s.events) {
        json.object([&] {
          json.attribute("ph", "X");
          json.attribute("pid", 1);
          json.attribute("tid", int64_t(e.thread));
          json.attribute("ts", micros(e.startNs));
          json.attribute("dur", (e.endNs - e.startNs) / 1e3);
          if (e.isCall()) {
            json.attribute("cat", "call");
            json.attribute("name", "@" + *e.function);
            json.attributeObject(
                "args", [&] { json.attribute("function", *e.function); });
            return;
          }
          auto it = s.kernels.find(e.kernel);
          const KernelInfo *info =
              it == s.kernels.end() ? nullptr : &it->second;
          json.attribute("cat", "kernel");
          json.attribute("name", info ? info->name : "kernel");
          json.attributeObject("args", [&] {
            if (!info) {
              json.attribute("kernel", "id " + std::to_string(e.kernel));
              return;
            }
            json.attribute("kernel", info->label);
            json.attribute("function", info->function);
            json.attributeArray("ops", [&] {
              for (const std::string &source : info->sources)
                json.value(source);
            });
            json.attribute("source_lines", sourceLines(*info));
            json.attribute("flops", info->flops);
            json.attribute("bytes", info->bytes);
            Rates r = ratesOf(*info, 1, (e.endNs - e.startNs) * 1e-9, peak);
            auto put = [&](const char *key, std::optional<double> v) {
              if (v)
                json.attribute(key, *v);
            };
            put("gflops_per_s", r.gflops);
            put("percent_of_peak_flops", r.flopShare);
            put("gbytes_per_s", r.gbytes);
            put("percent_of_peak_bandwidth", r.byteShare);
          });
        });
      }
    });
    json.attribute("displayTimeUnit", "ns");
    json.attributeObject("otherData", [&] {
      json.attribute("producer", "tg");
      json.attribute("peak_gflops_per_core", peak.flopsPerCore / 1e9);
      json.attribute("peak_gbytes_per_s", peak.bytesPerSecond / 1e9);
      json.attribute("peaks_from", peak.how);
    });
  });
  std::string file = path;
  auto fail = [&](const std::string &why) {
    return profileWriteError(error, file, why);
  };
  // A symbolic link is followed (even to a file not there yet): the file
  // it names is written, the link stays.
  for (int hops = 0; hops < 40 && llvm::sys::fs::is_symlink_file(file);
       ++hops) {
    char target[4096];
    ssize_t n = ::readlink(file.c_str(), target, sizeof(target) - 1);
    if (n <= 0)
      break;
    std::string next(target, n);
    if (!llvm::sys::path::is_absolute(next)) {
      llvm::SmallString<256> joined(llvm::sys::path::parent_path(file));
      llvm::sys::path::append(joined, next);
      next = joined.str().str();
    }
    file = next;
  }
  llvm::sys::fs::file_status status;
  bool special = !llvm::sys::fs::status(file, status) &&
                 status.type() != llvm::sys::fs::file_type::regular_file;
  // A device or a pipe is written to as it is; a file appears whole or not
  // at all (a temporary file next to it, then a rename).
  std::string target =
      special ? file : file + ".tmp" + std::to_string(::getpid());
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(target, ec);
    if (ec)
      return fail(ec.message());
    os << text << "\n";
    os.close();
    if (os.has_error()) {
      std::string why = os.error().message();
      os.clear_error();
      if (!special)
        llvm::sys::fs::remove(target);
      return fail(why);
    }
  }
  if (!special) {
    if (std::error_code ec = llvm::sys::fs::rename(target, file)) {
      llvm::sys::fs::remove(target);
      return fail(ec.message());
    }
  }
  return 0;
}

char *tgProfilerSummary(void) {
  Snapshot s = snapshot();
  const Peaks &peak = peaks();
  struct Row {
    int64_t calls = 0;
    uint64_t ns = 0;
  };
  std::map<int64_t, Row> rows;
  uint64_t callNs = 0, kernelNs = 0;
  int64_t calls = 0;
  for (const Event &e : s.events) {
    uint64_t ns = e.endNs - e.startNs;
    if (e.isCall()) {
      callNs += ns;
      ++calls;
      continue;
    }
    Row &row = rows[e.kernel];
    ++row.calls;
    row.ns += ns;
    kernelNs += ns;
  }
  // The total is the time inside calls (kernels run inside them); what the
  // kernels do not cover is a row of its own, so the percentages add up.
  uint64_t total = std::max(callNs, kernelNs);
  std::vector<std::pair<int64_t, Row>> sorted(rows.begin(), rows.end());
  std::sort(sorted.begin(), sorted.end(), [](auto &a, auto &b) {
    return a.second.ns != b.second.ns ? a.second.ns > b.second.ns
                                      : a.first < b.first;
  });
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0,-40} {1,7} {2,11} {3,7} {4,9} {5,7} {6,8}  {7}\n",
                      "kernel", "calls", "time (ms)", "%", "GFLOP/s", "%peak",
                      "GB/s", "source lines");
  auto percent = [&](uint64_t ns) { return total ? 100.0 * ns / total : 0.0; };
  auto number = [](std::optional<double> v, const char *style) {
    return v ? llvm::formatv(style, *v).str() : std::string("-");
  };
  for (auto &[id, row] : sorted) {
    auto it = s.kernels.find(id);
    std::string name = "id " + std::to_string(id), rate = "-", share = "-",
                bandwidth = "-", lines;
    if (it != s.kernels.end()) {
      const KernelInfo &info = it->second;
      name = printable(info.label + " " + info.name);
      Rates r = ratesOf(info, row.calls, row.ns * 1e-9, peak);
      rate = number(r.gflops, "{0:f2}");
      share = number(r.flopShare, "{0:f1}");
      bandwidth = number(r.gbytes, "{0:f2}");
      lines = printable(sourceLines(info));
    }
    if (name.size() > 40)
      name = name.substr(0, 37) + "...";
    os << llvm::formatv("{0,-40} {1,7} {2,11:f3} {3,7:f1} {4,9} {5,7} {6,8}  "
                        "{7}\n",
                        name, row.calls, row.ns / 1e6, percent(row.ns), rate,
                        share, bandwidth, lines);
  }
  // Outside the kernels: the time timing them took (an estimate, from
  // instrumentationNs), and the rest (copies, the call itself).
  uint64_t outside = total - kernelNs;
  int64_t timed = 0;
  for (auto &entry : rows)
    timed += entry.second.calls;
  uint64_t overhead =
      std::min<uint64_t>(outside, uint64_t(instrumentationNs() * timed));
  std::string overheadName =
      llvm::formatv("(timing the kernels: ~{0:f0} ns each)",
                    instrumentationNs())
          .str();
  os << llvm::formatv("{0,-40} {1,7} {2,11:f3} {3,7:f1}\n", overheadName, timed,
                      overhead / 1e6, percent(overhead));
  os << llvm::formatv("{0,-40} {1,7} {2,11:f3} {3,7:f1}\n",
                      "(outside kernels: copies, calls)", calls,
                      (outside - overhead) / 1e6, percent(outside - overhead));
  os << llvm::formatv("{0,-40} {1,7} {2,11:f3} {3,7:f1}\n", "total", calls,
                      total / 1e6, total ? 100.0 : 0.0);
  if (rows.empty() && calls)
    os << "(no kernel was timed: the calls ran code compiled without "
          "profiling, e.g. LLVM-dialect input lowered without profile=1)\n";
  return tgcapi::copyString(text);
}

void tgStringDestroy(char *string) { std::free(string); }

} // extern "C"
