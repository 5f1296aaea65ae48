/* Trains an MLP with a training step exported by tg (export_mlp.py): no
 * Python, no tg, no LLVM at run time; train_step.o links with libc and libm.
 *
 * train_step(x, y, w1, b1, w2, b2, loss, w1', b1', w2', b2') computes one
 * step of gradient descent: the loss, and each weight's new value. The
 * program keeps the weights (the object keeps no state), calls it STEPS
 * times and checks each loss against the one tg computed in Python. */
#include "train_step.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float *load(const char *path, size_t count) {
  float *data = malloc(count * sizeof(float));
  FILE *f = fopen(path, "rb");
  if (!data || !f || fread(data, sizeof(float), count, f) != count) {
    fprintf(stderr, "train: cannot read %s\n", path);
    exit(1);
  }
  fclose(f);
  return data;
}

int main(void) {
  float *x = load("x.bin", TRAIN_STEP_ARG0_SIZE);
  float *y = load("y.bin", TRAIN_STEP_ARG1_SIZE);
  /* The weights, and a second set the step writes the new values into. */
  float *w[4], *next[4];
  const char *names[4] = {"w1.bin", "b1.bin", "w2.bin", "b2.bin"};
  const size_t sizes[4] = {TRAIN_STEP_ARG2_SIZE, TRAIN_STEP_ARG3_SIZE,
                           TRAIN_STEP_ARG4_SIZE, TRAIN_STEP_ARG5_SIZE};
  for (int i = 0; i < 4; ++i) {
    w[i] = load(names[i], sizes[i]);
    next[i] = malloc(sizes[i] * sizeof(float));
  }
  FILE *expected = fopen("expected.txt", "r");
  if (!expected) {
    fprintf(stderr, "train: cannot read expected.txt\n");
    return 1;
  }
  float loss, first = 0;
  double want;
  int step = 0;
  while (fscanf(expected, "%lf", &want) == 1) {
    if (train_step(x, y, w[0], w[1], w[2], w[3], &loss, next[0], next[1],
                   next[2], next[3]) != 0) {
      fprintf(stderr, "train: step %d failed\n", step);
      return 1;
    }
    printf("step %2d  loss %.6f  (tg in Python: %.6f)\n", step, loss, want);
    /* Compiled for another CPU than Python's JIT code: the same arithmetic
     * up to rounding. */
    if (fabs(loss - want) > 1e-4 * fabs(want) + 1e-6) {
      fprintf(stderr, "train: step %d: loss %.9g, expected %.9g\n", step, loss,
              want);
      return 1;
    }
    if (step == 0)
      first = loss;
    for (int i = 0; i < 4; ++i) { /* the new weights become the weights */
      float *t = w[i];
      w[i] = next[i];
      next[i] = t;
    }
    ++step;
  }
  if (step == 0 || !(loss < 0.5f * first)) {
    fprintf(stderr, "train: the loss did not fall (%g -> %g)\n", first, loss);
    return 1;
  }
  printf("trained %d steps: loss %.4f -> %.4f\n", step, first, loss);
  return 0;
}
