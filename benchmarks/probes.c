/* Machine limits that frame the benchmark figures: the FMA peak (FLOP/s)
 * and the STREAM-triad bandwidth (bytes/s) at a given number of threads.
 * Built by suite.py with the host's widest vector ISA (-march=native).
 *
 *   probes <threads>   prints {"fma_gflops": ..., "triad_gbs": ...}
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

typedef float v16 __attribute__((vector_size(64)));

/* 16 independent accumulators: enough to hide the FMA latency on every
 * current x86 core; the loop body is 16 vector FMAs and nothing else. */
static double fma_peak(int threads, long iters) {
  double start = omp_get_wtime();
  float sink = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
  {
    v16 acc[16], x, y;
    for (int i = 0; i < 16; ++i)
      for (int j = 0; j < 16; ++j)
        acc[i][j] = (float)(i + j + omp_get_thread_num());
    for (int j = 0; j < 16; ++j) {
      x[j] = 0.999999f;
      y[j] = 1e-7f;
    }
    for (long n = 0; n < iters; ++n) {
#pragma clang loop unroll(full)
      for (int i = 0; i < 16; ++i)
        acc[i] = __builtin_elementwise_fma(acc[i], x, y);
      __asm__ volatile("" : "+v"(x));
    }
    for (int i = 0; i < 16; ++i)
      for (int j = 0; j < 16; ++j)
        sink += acc[i][j];
  }
  double seconds = omp_get_wtime() - start;
  if (sink == 42.0f)
    puts("");
  return 2.0 * 16 * 16 * (double)iters * threads / seconds / 1e9;
}

/* a[i] = b[i] + s * c[i] over arrays far larger than the caches; 3 words
 * moved per element, as STREAM counts them. Best of 5. */
static double triad(int threads, long n) {
  float *a = aligned_alloc(64, n * sizeof(float));
  float *b = aligned_alloc(64, n * sizeof(float));
  float *c = aligned_alloc(64, n * sizeof(float));
#pragma omp parallel for num_threads(threads) schedule(static)
  for (long i = 0; i < n; ++i) {
    a[i] = 0;
    b[i] = 1;
    c[i] = 2;
  }
  double best = 1e30;
  for (int r = 0; r < 5; ++r) {
    double start = omp_get_wtime();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long i = 0; i < n; ++i)
      a[i] = b[i] + 3.0f * c[i];
    double t = omp_get_wtime() - start;
    if (t < best)
      best = t;
  }
  double gbs = 3.0 * n * sizeof(float) / best / 1e9;
  if (a[n / 2] != 7.0f)
    gbs = -1;
  free(a);
  free(b);
  free(c);
  return gbs;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  fma_peak(threads, 1000000); /* warm up (clock ramp) */
  double best = 0;
  for (int r = 0; r < 3; ++r) {
    double g = fma_peak(threads, 20000000);
    if (g > best)
      best = g;
  }
  printf("{\"fma_gflops\": %.1f, \"triad_gbs\": %.2f}\n", best,
         triad(threads, 1L << 25));
  return 0;
}
