/*===- main.c - a downstream C program using tg's C API -------------------===//
 *
 * Part of the tg project.
 *
 *===----------------------------------------------------------------------===//
 *
 * Compiles a small tg graph (a dense layer with relu, and its loss) for this
 * CPU through the installed C API, runs it on fixed inputs and checks the
 * result against the value computed here by hand. Exits 0 on success.
 *
 *===----------------------------------------------------------------------===*/

#include "tg-c/Runtime.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *kSource =
    "func.func @main(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>,\n"
    "                %b: tensor<2xf32>) -> (tensor<2x2xf32>, tensor<f32>) {\n"
    "  %m = tg.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> "
    "tensor<2x2xf32>\n"
    "  %h = tg.add %m, %b : (tensor<2x2xf32>, tensor<2xf32>) -> "
    "tensor<2x2xf32>\n"
    "  %r = tg.relu %h : tensor<2x2xf32>\n"
    "  %s = tg.reduce_sum %r [0, 1] : tensor<2x2xf32> -> tensor<f32>\n"
    "  return %r, %s : tensor<2x2xf32>, tensor<f32>\n"
    "}\n";

static int fail(const char *what, TgError *error) {
  fprintf(stderr, "tg-downstream: %s: %s\n", what,
          error ? tgErrorMessage(error) : "(no message)");
  if (error)
    tgErrorDestroy(error);
  return 1;
}

int main(void) {
  TgError *error = NULL;
  TgCompileOptions options = tgDefaultCompileOptions();
  options.threads = 1;
  TgExecutable *exe = tgCompileSource(kSource, strlen(kSource), "graph.mlir",
                                      &options, &error);
  if (!exe)
    return fail("compile", error);
  const TgFunction *fn = tgExecutableLookup(exe, "main", &error);
  if (!fn)
    return fail("lookup", error);

  float x[6] = {1, 2, 3, 4, 5, 6};
  float w[6] = {1, -1, 0.5f, -0.5f, -1, 1};
  float b[2] = {0.25f, -0.25f};
  int64_t xs[2] = {2, 3}, ws[2] = {3, 2}, bs[1] = {2}, rs[2] = {2, 2};
  TgTensor args[3] = {{TG_DTYPE_F32, 2, xs, x},
                      {TG_DTYPE_F32, 2, ws, w},
                      {TG_DTYPE_F32, 1, bs, b}};
  float r[4], s = 0;
  TgTensor results[2] = {{TG_DTYPE_F32, 2, rs, r}, {TG_DTYPE_F32, 0, NULL, &s}};
  if (tgFunctionRun(fn, args, 3, results, 2, &error))
    return fail("run", error);

  /* The same graph computed here. */
  float expect[4], total = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      float acc = b[j];
      for (int k = 0; k < 3; ++k)
        acc += x[i * 3 + k] * w[k * 2 + j];
      expect[i * 2 + j] = acc > 0 ? acc : 0;
      total += expect[i * 2 + j];
    }
  int bad = fabsf(s - total) > 1e-5f;
  for (int i = 0; i < 4; ++i)
    bad |= fabsf(r[i] - expect[i]) > 1e-5f;
  printf("relu(x @ w + b) = [[%g, %g], [%g, %g]], sum = %g (expected %g)\n",
         r[0], r[1], r[2], r[3], s, total);
  tgExecutableDestroy(exe);
  if (bad) {
    fprintf(stderr, "tg-downstream: wrong result\n");
    return 1;
  }
  return 0;
}
