// Input nested too deeply for a recursive parser: one located error from
// tg-run and tg-opt (exit 1), never a stack overflow.
//
// RUN: rm -rf %t && mkdir -p %t

// Deep nesting (generated): beyond 1000 levels, one located error from
// tg-run and tg-opt, before the parser could overflow its stack; within the
// limit, parsed and compiled on the compiler thread's large stack.
// RUN: %python -c "n = 5000; open('%t/regions.mlir', 'w').write('func.func @main() {\n' + 'scf.execute_region {\n' * n + 'scf.yield\n}\n' * n + 'return\n}\n')"
// RUN: %python -c "n = 5000; open('%t/modules.mlir', 'w').write('module {\n' * n + '}\n' * n)"
// RUN: %python -c "n = 10000; open('%t/arrays.mlir', 'w').write('func.func @main() attributes {a = ' + '[' * n + ']' * n + '} {\n  return\n}\n')"
// RUN: %python -c "n = 990; open('%t/tuples.mlir', 'w').write('func.func private @f(' + 'tuple<' * n + 'f32' + '>' * n + ')\n')"
// RUN: %python -c "n = 990; open('%t/ok-arrays.mlir', 'w').write('func.func @main() attributes {a = ' + '[' * n + ']' * n + '} {\n  return\n}\n')"
// RUN: %python -c "n = 990; open('%t/ok-modules.mlir', 'w').write('module {\n' * n + '}\n' * n)"
// RUN: not tg-run %t/regions.mlir 2>&1 | FileCheck %s --check-prefix=DEEP-REGIONS
// RUN: not tg-opt %t/regions.mlir 2>&1 | FileCheck %s --check-prefix=DEEP-REGIONS
// DEEP-REGIONS: regions.mlir:1001:20: error: input nested more than 1000 levels deep (brackets, braces, parentheses); tg accepts at most 1000
// DEEP-REGIONS-NOT: error:
// RUN: not tg-run %t/modules.mlir 2>&1 | FileCheck %s --check-prefix=DEEP-MODULES
// RUN: not tg-opt %t/modules.mlir 2>&1 | FileCheck %s --check-prefix=DEEP-MODULES
// DEEP-MODULES: modules.mlir:1001:8: error: input nested more than 1000 levels deep
// DEEP-MODULES-NOT: error:
// RUN: not tg-run %t/arrays.mlir 2>&1 | FileCheck %s --check-prefix=DEEP-ARRAYS
// RUN: not tg-opt %t/arrays.mlir 2>&1 | FileCheck %s --check-prefix=DEEP-ARRAYS
// DEEP-ARRAYS: arrays.mlir:1:1034: error: input nested more than 1000 levels deep
// DEEP-ARRAYS-NOT: error:
// RUN: tg-opt %t/tuples.mlir | FileCheck %s --check-prefix=OK-TUPLES
// OK-TUPLES: func.func private @f(tuple<tuple<tuple<
// RUN: tg-opt %t/ok-arrays.mlir | FileCheck %s --check-prefix=OK-ARRAYS
// OK-ARRAYS: func.func @main() attributes {a = {{\[\[\[}}
// RUN: tg-opt %t/ok-modules.mlir | FileCheck %s --check-prefix=OK-MODULES
// OK-MODULES: module {
// RUN: tg-run %t/ok-arrays.mlir
// RUN: cat %t/ok-modules.mlir | tg-opt | FileCheck %s --check-prefix=OK-MODULES
