/*===- ExportRuntime.c - Threads for exported code ------------------------===*\
|*                                                                            *|
|* Part of the tg project.                                                    *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* The parallel loops of compiled code call LLVM's OpenMP runtime (libomp):  *|
|* __kmpc_fork_call, __kmpc_for_static_init_8u, __kmpc_barrier, ... An        *|
|* exported object links with libc and libm (and libpthread) only, so it     *|
|* carries this small implementation of the calls the code makes instead,    *|
|* compiled to LLVM bitcode when tg is built and linked into the object.     *|
|*                                                                            *|
|* Why not libomp: it is not in libc, it keeps a process-wide thread pool    *|
|* (global state), and Debian ships it as a shared library only. Why not a   *|
|* pool of our own: that is global state too. Instead each call of the       *|
|* exported function starts its team of threads, runs every parallel loop   *|
|* of the call on it, and joins it before returning (__tg_rt_run): nothing   *|
|* outlives the call, and calls from several threads at once have teams of   *|
|* their own. Starting and joining a team costs tens of microseconds per     *|
|* call, once, not per loop. Waits spin briefly, yielding the core now and   *|
|* then, and then sleep (TG_SPINS): with more threads than cores (several    *|
|* callers, each with a team) spinning would take the cores from the        *|
|* threads that have work. A team has at most as many threads as cores.     *|
|*                                                                            *|
|* Only what the CPU pipeline emits is here: static unchunked schedules      *|
|* (schedule type 34), fork calls with up to 4 shared arguments, barriers.   *|
|* Export checks the object for any other symbol it would miss.             *|
\*===----------------------------------------------------------------------===*/

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

typedef void (*tg_microtask)(int32_t *gtid, int32_t *btid, ...);

enum {
  TG_MAX_SHARED = 4,
  TG_MAX_THREADS = 256,
  /* Waits (for the next parallel loop, for the team, at a barrier) spin
   * this many times before they sleep: 10-100 us, as long as this many
   * pause instructions take. The next loop of a call usually comes sooner,
   * and a wake-up from sleep costs tens of microseconds; but a thread that
   * spins longer takes the core from the others when the machine has more
   * threads than cores (several callers, each with a team), and libomp's
   * 200 ms of spinning made such a case 30-100x slower. */
  TG_SPINS = 1 << 14,
};

struct tg_team {
  int size;
  pthread_mutex_t lock;
  pthread_cond_t start, done;
  atomic_uint generation; /* one per parallel region */
  atomic_int running;     /* workers still in the current region */
  atomic_int quit;
  int sleepers;           /* workers waiting on `start` (under lock) */
  int masterWaiting;      /* the caller waits on `done` (under lock) */
  pthread_cond_t barrierOpen;
  int barrierSleepers;    /* threads waiting on `barrierOpen` (under lock) */
  atomic_int arrived;     /* threads at the current barrier */
  atomic_uint barrierGeneration;
  tg_microtask fn;
  int argc;
  void *args[TG_MAX_SHARED];
};

/* The team this thread belongs to and its index there (thread-local: each
 * thread's own, reset when the call ends). */
struct tg_self {
  struct tg_team *team;
  int index;
  int inRegion;
};
static __thread struct tg_self self;

/* One turn of a spin-wait: a pause instruction, and every 128 turns the
 * core to another thread if one is waiting for it (more threads than
 * cores: several callers, each with a team); otherwise sched_yield returns
 * at once. */
static void pause_briefly(int spin) {
  if ((spin & 127) == 127)
    sched_yield();
  else
    __builtin_ia32_pause();
}

static void tg_rt_invoke(tg_microtask fn, int argc, void **args, int32_t index) {
  int32_t gtid = index, btid = index;
  switch (argc) {
  case 0: fn(&gtid, &btid); break;
  case 1: fn(&gtid, &btid, args[0]); break;
  case 2: fn(&gtid, &btid, args[0], args[1]); break;
  case 3: fn(&gtid, &btid, args[0], args[1], args[2]); break;
  default: fn(&gtid, &btid, args[0], args[1], args[2], args[3]); break;
  }
}

struct tg_worker_start {
  struct tg_team *team;
  int index;
};

static void *tg_rt_worker(void *arg) {
  struct tg_worker_start *start = arg;
  struct tg_team *team = start->team;
  self.team = team;
  self.index = start->index;
  unsigned seen = 0;
  for (;;) {
    unsigned generation;
    int spins = 0;
    while ((generation = atomic_load(&team->generation)) == seen &&
           !atomic_load(&team->quit)) {
      if (++spins < TG_SPINS) {
        pause_briefly(spins);
        continue;
      }
      pthread_mutex_lock(&team->lock);
      ++team->sleepers;
      while (atomic_load(&team->generation) == seen && !atomic_load(&team->quit))
        pthread_cond_wait(&team->start, &team->lock);
      --team->sleepers;
      pthread_mutex_unlock(&team->lock);
    }
    if (atomic_load(&team->quit))
      return 0;
    seen = generation;
    /* fn and args were written before the generation was incremented. */
    self.inRegion = 1;
    tg_rt_invoke(team->fn, team->argc, team->args, self.index);
    self.inRegion = 0;
    if (atomic_fetch_sub(&team->running, 1) == 1) {
      pthread_mutex_lock(&team->lock);
      if (team->masterWaiting)
        pthread_cond_signal(&team->done);
      pthread_mutex_unlock(&team->lock);
    }
  }
}

/* Runs `body(buffers)` with a team of `threads` threads (this one and
 * threads - 1 started here; at most as many as the machine has cores),
 * then joins them. With fewer threads than
 * asked (pthread_create failed), the team is smaller: loops divide their
 * iterations among the threads there are. */
int32_t __tg_rt_run(int32_t threads, int32_t (*body)(void **), void **buffers) {
  /* More threads than cores only take turns on them. */
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (cores > 0 && threads > cores)
    threads = (int32_t)cores;
  if (threads > TG_MAX_THREADS)
    threads = TG_MAX_THREADS;
  if (threads <= 1 || self.team)
    return body(buffers);
  struct tg_team team;
  team.size = 1;
  pthread_mutex_init(&team.lock, 0);
  pthread_cond_init(&team.start, 0);
  pthread_cond_init(&team.done, 0);
  pthread_cond_init(&team.barrierOpen, 0);
  team.barrierSleepers = 0;
  atomic_init(&team.generation, 0);
  atomic_init(&team.running, 0);
  atomic_init(&team.quit, 0);
  atomic_init(&team.arrived, 0);
  atomic_init(&team.barrierGeneration, 0);
  team.sleepers = team.masterWaiting = 0;
  struct tg_worker_start starts[TG_MAX_THREADS];
  pthread_t handles[TG_MAX_THREADS];
  for (int i = 1; i < threads; ++i) {
    starts[i].team = &team;
    starts[i].index = i;
    if (pthread_create(&handles[i], 0, tg_rt_worker, &starts[i]) != 0)
      break;
    team.size = i + 1;
  }
  self.team = &team;
  self.index = 0;
  int32_t result = body(buffers);
  self.team = 0;
  pthread_mutex_lock(&team.lock);
  atomic_store(&team.quit, 1);
  pthread_cond_broadcast(&team.start);
  pthread_mutex_unlock(&team.lock);
  for (int i = 1; i < team.size; ++i)
    pthread_join(handles[i], 0);
  pthread_cond_destroy(&team.barrierOpen);
  pthread_cond_destroy(&team.done);
  pthread_cond_destroy(&team.start);
  pthread_mutex_destroy(&team.lock);
  return result;
}

int32_t __kmpc_global_thread_num(void *loc) {
  (void)loc;
  return self.team ? self.index : 0;
}

void __kmpc_push_num_threads(void *loc, int32_t gtid, int32_t threads) {
  /* The team's size was chosen when the call began. */
  (void)loc, (void)gtid, (void)threads;
}

void __kmpc_fork_call(void *loc, int32_t argc, tg_microtask fn, ...) {
  (void)loc;
  void *args[TG_MAX_SHARED] = {0};
  va_list list;
  va_start(list, fn);
  for (int i = 0; i < argc && i < TG_MAX_SHARED; ++i)
    args[i] = va_arg(list, void *);
  va_end(list);
  if (argc > TG_MAX_SHARED)
    abort(); /* never emitted: regions share one struct of captures */
  struct tg_team *team = self.team;
  if (!team || team->size == 1 || self.inRegion) {
    /* No team (or a nested region): this thread runs it alone. */
    struct tg_self saved = self;
    struct tg_team alone;
    alone.size = 1;
    self.team = &alone;
    self.index = 0;
    self.inRegion = 1;
    tg_rt_invoke(fn, argc, args, 0);
    self = saved;
    return;
  }
  team->fn = fn;
  team->argc = argc;
  for (int i = 0; i < argc; ++i)
    team->args[i] = args[i];
  atomic_store(&team->running, team->size - 1);
  atomic_fetch_add(&team->generation, 1);
  pthread_mutex_lock(&team->lock);
  if (team->sleepers)
    pthread_cond_broadcast(&team->start);
  pthread_mutex_unlock(&team->lock);
  self.inRegion = 1;
  tg_rt_invoke(fn, argc, args, 0);
  self.inRegion = 0;
  for (int spins = 0; atomic_load(&team->running) > 0 && spins < TG_SPINS; ++spins)
    pause_briefly(spins);
  if (atomic_load(&team->running) > 0) {
    pthread_mutex_lock(&team->lock);
    team->masterWaiting = 1;
    while (atomic_load(&team->running) > 0)
      pthread_cond_wait(&team->done, &team->lock);
    team->masterWaiting = 0;
    pthread_mutex_unlock(&team->lock);
  }
}

void __kmpc_barrier(void *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  struct tg_team *team = self.team;
  if (!team || team->size == 1 || !self.inRegion)
    return;
  /* The last to arrive opens the barrier for the others, who spin a while,
   * then sleep. */
  unsigned generation = atomic_load(&team->barrierGeneration);
  if (atomic_fetch_add(&team->arrived, 1) == team->size - 1) {
    atomic_store(&team->arrived, 0);
    atomic_fetch_add(&team->barrierGeneration, 1);
    pthread_mutex_lock(&team->lock);
    if (team->barrierSleepers)
      pthread_cond_broadcast(&team->barrierOpen);
    pthread_mutex_unlock(&team->lock);
    return;
  }
  for (int spins = 0; spins < TG_SPINS; ++spins) {
    if (atomic_load(&team->barrierGeneration) != generation)
      return;
    pause_briefly(spins);
  }
  pthread_mutex_lock(&team->lock);
  ++team->barrierSleepers;
  while (atomic_load(&team->barrierGeneration) == generation)
    pthread_cond_wait(&team->barrierOpen, &team->lock);
  --team->barrierSleepers;
  pthread_mutex_unlock(&team->lock);
}

/* The iterations [*lower, *upper] (inclusive, step `incr`) of a static
 * unchunked schedule: this thread's contiguous share, the first
 * (count % size) threads taking one more. */
#define TG_STATIC_INIT(NAME, T)                                                \
  void NAME(void *loc, int32_t gtid, int32_t schedule, int32_t *last,         \
            T *lower, T *upper, T *stride, T incr, T chunk) {                 \
    (void)loc, (void)gtid, (void)chunk;                                        \
    if (schedule != 34)                                                        \
      abort(); /* only static unchunked schedules are emitted */              \
    struct tg_team *team = self.team;                                          \
    int size = team && self.inRegion ? team->size : 1;                         \
    int index = team && self.inRegion ? self.index : 0;                        \
    T count = incr > 0 ? (T)((*upper - *lower) / incr + 1)                     \
                       : (T)((*lower - *upper) / -incr + 1);                   \
    T per = count / (T)size, extra = count % (T)size;                          \
    T mine = per + ((T)index < extra ? 1 : 0);                                 \
    T before = per * (T)index + ((T)index < extra ? (T)index : extra);        \
    *lower = *lower + before * incr;                                           \
    *upper = *lower + mine * incr - incr;                                      \
    *stride = count;                                                           \
    if (last)                                                                  \
      *last = before + mine == count && mine > 0;                              \
  }

TG_STATIC_INIT(__kmpc_for_static_init_4, int32_t)
TG_STATIC_INIT(__kmpc_for_static_init_4u, uint32_t)
TG_STATIC_INIT(__kmpc_for_static_init_8, int64_t)
TG_STATIC_INIT(__kmpc_for_static_init_8u, uint64_t)

void __kmpc_for_static_fini(void *loc, int32_t gtid) { (void)loc, (void)gtid; }
