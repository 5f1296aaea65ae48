//===- Distributed.cpp - Collectives of compiled code, over MPI -----------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The runtime behind tg.all_reduce, tg.broadcast_from and tg.process_rank
// (-convert-tg-to-linalg lowers them to calls of the functions below on
// flat buffers). Why a shim and not upstream's mpi dialect and its LLVM
// conversion: those assume MPI is initialized and linked into the program
// and that the program runs in an MPI job; tg's code must also run as one
// process outside any job (an MPI job is recognized by its launcher's
// environment), initializes MPI once per process on first use and
// finalizes it at exit, and reports a bad root as an error of the call.
//
// OpenMPI from Debian (libopenmpi-dev): MPI_COMM_WORLD, errors fatal (a
// job whose other process died ends, it does not hang).
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <array>
#include <type_traits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#ifdef TG_HAS_MPI
#include <mpi.h>
#endif

namespace {
/// The job this process is in: one process unless launched by mpirun.
struct Job {
  bool mpi = false;
  int rank = 0, size = 1;
};

/// Whether a launcher started this process as part of an MPI job.
bool inMpiJob() {
  for (const char *name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name))
      return true;
  return false;
}

std::mutex mpiMutex;

#ifdef TG_HAS_MPI
void finalizeMpi() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized)
    MPI_Finalize();
}
#endif

const Job &job() {
  static Job j = [] {
    Job j;
    if (!inMpiJob())
      return j;
#ifdef TG_HAS_MPI
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      // Collectives are serialized by mpiMutex; a program that also calls
      // MPI itself (mpi4py) initializes it first, at the level it needs.
      int provided = 0;
      MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
      std::atexit(finalizeMpi);
    }
    j.mpi = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &j.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &j.size);
#else
    // Each process would train alone on its shard: say so, once.
    std::fprintf(stderr,
                 "tg: warning: this process was started by an MPI launcher, "
                 "but this tg was built without MPI (libopenmpi-dev): it "
                 "runs as a job of one process\n");
#endif
    return j;
  }();
  return j;
}

/// MPI counts are ints: larger buffers go in pieces.
constexpr int64_t kMaxCount = 1 << 30;

#ifdef TG_HAS_MPI
template <typename T> MPI_Datatype mpiType();
template <> MPI_Datatype mpiType<float>() { return MPI_FLOAT; }
template <> MPI_Datatype mpiType<double>() { return MPI_DOUBLE; }
template <> MPI_Datatype mpiType<int32_t>() { return MPI_INT32_T; }
template <> MPI_Datatype mpiType<int64_t>() { return MPI_INT64_T; }

/// Maximum and minimum that propagate NaN, as numpy and tg.reduce_max do
/// (MPI_MAX leaves NaN to the implementation: OpenMPI dropped one process's
/// NaN).
template <typename T, bool isMax> void nanExtremum(T *in, T *inout, int n) {
  for (int i = 0; i < n; ++i) {
    T a = in[i], b = inout[i];
    inout[i] = a != a || b != b ? (a != a ? a : b)
               : isMax          ? (a > b ? a : b)
                                : (a < b ? a : b);
  }
}

template <bool isMax>
void nanExtremumOp(void *in, void *inout, int *n, MPI_Datatype *type) {
  if (*type == MPI_FLOAT)
    nanExtremum<float, isMax>(static_cast<float *>(in),
                              static_cast<float *>(inout), *n);
  else
    nanExtremum<double, isMax>(static_cast<double *>(in),
                               static_cast<double *>(inout), *n);
}

MPI_Op reductionOp(int32_t kind, bool isFloat) {
  if (kind != 2 && kind != 3)
    return MPI_SUM;
  if (!isFloat)
    return kind == 2 ? MPI_MAX : MPI_MIN;
  static std::array<MPI_Op, 2> ops = [] {
    MPI_Op max, min;
    MPI_Op_create(&nanExtremumOp<true>, /*commute=*/1, &max);
    MPI_Op_create(&nanExtremumOp<false>, /*commute=*/1, &min);
    return std::array<MPI_Op, 2>{max, min};
  }();
  return ops[kind - 2];
}

/// What a collective is, which every process must agree on: the
/// collective, the element type, the element count, the reduction or the
/// root.
struct Header {
  int64_t values[4];
};

const char *headerField(int i) {
  static const char *names[] = {"collective", "element type", "element count",
                                "reduction or root"};
  return names[i];
}

/// Empty if every process calls the same collective on the same data;
/// otherwise why not (the same on every process: they all see the same
/// maxima and minima).
std::string disagreement(const char *name, const Header &h) {
  int64_t both[8], out[8];
  for (int i = 0; i < 4; ++i) {
    both[i] = h.values[i];
    both[4 + i] = -h.values[i];
  }
  MPI_Allreduce(both, out, 8, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
  for (int i = 0; i < 4; ++i)
    if (out[i] != -out[4 + i])
      return std::string(name) + ": the processes of the job disagree on the " +
             headerField(i) + " (from " + std::to_string(-out[4 + i]) +
             " to " + std::to_string(out[i]) +
             "): every process must call the same collectives, in the same "
             "order, on tensors of the same shape and dtype";
  return "";
}

/// Enters a collective with `lock`: fails the run if another thread of
/// this process is in one (the processes could pair their collectives
/// differently) or if the processes disagree on what it is.
void enterCollective(std::unique_lock<std::mutex> &lock, const char *name,
                     const Header &h) {
  lock = std::unique_lock<std::mutex>(mpiMutex, std::try_to_lock);
  if (!lock.owns_lock()) {
    tgcapi::setRunFailure(
        std::string(name) +
        ": another thread of this process is in a collective: call "
        "collectives from one thread (the processes could pair them "
        "differently)");
    tgcapi::abandonRun();
  }
  std::string why = disagreement(name, h);
  if (!why.empty()) {
    lock.unlock();
    tgcapi::setRunFailure(std::move(why));
    tgcapi::abandonRun();
  }
}

template <typename T> int64_t typeCode() {
  return std::is_floating_point_v<T> ? sizeof(T) : 100 + sizeof(T);
}
#endif

/// The kinds of tg.all_reduce (tg::CollectiveKind).
enum Kind { Sum = 0, Mean = 1, Max = 2, Min = 3 };

/// recv = the reduction of send over the job. Buffers are memref<?xT>
/// descriptors expanded into arguments (allocated, aligned, offset, size,
/// stride), as the LLVM lowering of func.call passes them.
template <typename T>
void allReduce(T *, T *sendAligned, int64_t sendOffset, int64_t size,
               int64_t, T *, T *recvAligned, int64_t recvOffset, int64_t,
               int64_t, int32_t kind) {
  const T *send = sendAligned + sendOffset;
  T *recv = recvAligned + recvOffset;
  const Job &j = job();
  // Buffers of GPU code are managed memory, written by kernels that may
  // still run. (Staged through the host: Debian's MPI is not CUDA-aware.)
  tgcapi::synchronizeDevice();
  if (!j.mpi) {
    if (size)
      std::memcpy(recv, send, size * sizeof(T));
    return;
  }
#ifdef TG_HAS_MPI
  {
    std::unique_lock<std::mutex> lock;
    enterCollective(lock, "tg.all_reduce",
                    Header{{0, typeCode<T>(), size, kind}});
    MPI_Op op = reductionOp(kind, std::is_floating_point_v<T>);
    for (int64_t at = 0; at < size; at += kMaxCount)
      MPI_Allreduce(send + at, recv + at,
                    static_cast<int>(std::min(kMaxCount, size - at)),
                    mpiType<T>(), op, MPI_COMM_WORLD);
  }
  if (kind == Mean)
    for (int64_t i = 0; i < size; ++i)
      recv[i] = static_cast<T>(recv[i] / static_cast<T>(j.size));
#endif
}

std::string badRoot(int64_t root, int size) {
  return "tg.broadcast_from: root " + std::to_string(root) +
         " is not a process of this job (" + std::to_string(size) +
         " process" + (size == 1 ? "" : "es") + ")";
}

/// recv = process root's send.
template <typename T>
void broadcast(T *, T *sendAligned, int64_t sendOffset, int64_t size,
               int64_t, T *, T *recvAligned, int64_t recvOffset, int64_t,
               int64_t, int64_t root) {
  const Job &j = job();
  if (root < 0 || root >= j.size) {
    // The message is built and handed over before the jump, which skips
    // this frame's destructors.
    tgcapi::setRunFailure(badRoot(root, j.size));
    tgcapi::abandonRun();
  }
  tgcapi::synchronizeDevice();
  T *recv = recvAligned + recvOffset;
  if (size)
    std::memcpy(recv, sendAligned + sendOffset, size * sizeof(T));
  if (!j.mpi)
    return;
#ifdef TG_HAS_MPI
  std::unique_lock<std::mutex> lock;
  enterCollective(lock, "tg.broadcast_from",
                  Header{{1, typeCode<T>(), size, root}});
  for (int64_t at = 0; at < size; at += kMaxCount)
    MPI_Bcast(recv + at,
              static_cast<int>(std::min(kMaxCount, size - at)), mpiType<T>(),
              static_cast<int>(root), MPI_COMM_WORLD);
#endif
}

int64_t processRank() { return job().rank; }
} // namespace

int tgcapi::jobRank() { return job().rank; }
int tgcapi::jobSize() { return job().size; }

llvm::orc::SymbolMap
tgcapi::distributedSymbols(llvm::orc::MangleAndInterner interner) {
  llvm::orc::SymbolMap symbols;
  auto define = [&](const char *name, auto *fn) {
    defineSymbol(symbols, interner, name, fn);
  };
  define("tg_all_reduce_f32", &allReduce<float>);
  define("tg_all_reduce_f64", &allReduce<double>);
  define("tg_all_reduce_i32", &allReduce<int32_t>);
  define("tg_all_reduce_i64", &allReduce<int64_t>);
  define("tg_broadcast_f32", &broadcast<float>);
  define("tg_broadcast_f64", &broadcast<double>);
  define("tg_broadcast_i32", &broadcast<int32_t>);
  define("tg_broadcast_i64", &broadcast<int64_t>);
  define("tg_process_rank", &processRank);
  return symbols;
}

extern "C" {
int tgDistributedRank(void) { return job().rank; }
int tgDistributedSize(void) { return job().size; }

void tgDistributedAbort(int status) {
#ifdef TG_HAS_MPI
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized)
    MPI_Abort(MPI_COMM_WORLD, status);
#endif
  std::_Exit(status);
}
}
