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
#ifdef TG_HAS_MPI
    if (!inMpiJob())
      return j;
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      int provided = 0;
      MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
      std::atexit(finalizeMpi);
    }
    j.mpi = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &j.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &j.size);
#endif
    return j;
  }();
  return j;
}

#ifdef TG_HAS_MPI
template <typename T> MPI_Datatype mpiType();
template <> MPI_Datatype mpiType<float>() { return MPI_FLOAT; }
template <> MPI_Datatype mpiType<double>() { return MPI_DOUBLE; }
template <> MPI_Datatype mpiType<int32_t>() { return MPI_INT32_T; }
template <> MPI_Datatype mpiType<int64_t>() { return MPI_INT64_T; }
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
  MPI_Op op = kind == Max ? MPI_MAX : kind == Min ? MPI_MIN : MPI_SUM;
  {
    std::lock_guard<std::mutex> lock(mpiMutex);
    MPI_Allreduce(send, recv, static_cast<int>(size), mpiType<T>(), op,
                  MPI_COMM_WORLD);
  }
  if (kind == Mean)
    for (int64_t i = 0; i < size; ++i)
      recv[i] = static_cast<T>(recv[i] / static_cast<T>(j.size));
#endif
}

template <typename T>
void broadcast(T *, T *aligned, int64_t offset, int64_t size, int64_t,
               int64_t root) {
  const Job &j = job();
  if (root < 0 || root >= j.size)
    tgcapi::failRun("tg.broadcast_from: root " + std::to_string(root) +
                    " is not a process of this job (" +
                    std::to_string(j.size) + " process" +
                    (j.size == 1 ? "" : "es") + ")");
  if (!j.mpi)
    return;
#ifdef TG_HAS_MPI
  tgcapi::synchronizeDevice();
  std::lock_guard<std::mutex> lock(mpiMutex);
  MPI_Bcast(aligned + offset, static_cast<int>(size), mpiType<T>(),
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
    symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn),
                               llvm::JITSymbolFlags::Exported};
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
}
