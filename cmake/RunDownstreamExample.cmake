#===- RunDownstreamExample.cmake - install tg, build a user of it -*- cmake -*-===//
#
# Part of the tg project.
#
#===----------------------------------------------------------------------===//
#
# The downstream-example test: installs the build tree TG_BINARY_DIR into a
# fresh prefix under WORK_DIR, configures examples/downstream against it with
# find_package(Tg CONFIG), builds it and runs the program, which compiles and
# runs a small graph through the installed C API; then moves the installed
# tree and checks that its tools, an exported object and the Python package
# still work from the new place. Run with cmake -P.
#
#===----------------------------------------------------------------------===//

foreach(var TG_BINARY_DIR TG_SOURCE_DIR WORK_DIR C_COMPILER GENERATOR PYTHON
        PYTHON_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "RunDownstreamExample.cmake: ${var} is not set")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${command}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
run(${CMAKE_COMMAND} --install "${TG_BINARY_DIR}" --prefix "${prefix}")
run(${CMAKE_COMMAND} -G "${GENERATOR}" -S "${TG_SOURCE_DIR}/examples/downstream"
    -B "${WORK_DIR}/build" "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_C_COMPILER=${C_COMPILER}")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run("${WORK_DIR}/build/tg-downstream")
# The installed tools start and find their libraries.
run("${prefix}/bin/tg-opt" --version)

# Relocation: the installed tree, moved, still works. Its tools find tg's
# libraries through $ORIGIN, the C API finds LLVM's OpenMP runtime next to
# the libMLIR.so it loaded (not at a path compiled in), and the Python
# package finds libTgCAPI.so relative to itself.
set(moved "${WORK_DIR}/moved")
file(RENAME "${prefix}" "${moved}")
set(ENV{TG_CACHE_DIR} "${WORK_DIR}/cache")
unset(ENV{TG_LIBRARY})
unset(ENV{PYTHONPATH})
file(WRITE "${WORK_DIR}/graph.mlir" [=[
func.func @main() -> tensor<512x512xf32> {
  %a = tg.constant dense<0.5> : tensor<512x512xf32>
  %b = tg.matmul %a, %a : (tensor<512x512xf32>, tensor<512x512xf32>) -> tensor<512x512xf32>
  return %b : tensor<512x512xf32>
}
func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tg.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
]=])
# Parallel loops: OpenMP's runtime loaded.
run("${moved}/bin/tg-run" "${WORK_DIR}/graph.mlir" --threads=2 "--output-dir=${WORK_DIR}/out")
run("${moved}/bin/tg-compile" "${WORK_DIR}/graph.mlir" -e step "-o" "${WORK_DIR}/step.o"
    --header "${WORK_DIR}/step.h")
file(WRITE "${WORK_DIR}/use_step.c" [=[
#include "step.h"
int main(void) {
  float x[4] = {0, 1, 2, 3}, y[4];
  return step(x, y) != 0 || y[0] != 1.0f;
}
]=])
run("${C_COMPILER}" "-I${WORK_DIR}" "${WORK_DIR}/use_step.c" "${WORK_DIR}/step.o" -lm
    -o "${WORK_DIR}/use_step")
run("${WORK_DIR}/use_step")
set(ENV{PYTHONPATH} "${moved}/${PYTHON_DIR}")
run("${PYTHON}" -c "import tg, numpy as np; f = tg.function(lambda x: x * 2.0); \
assert float(f(np.float32(3.0))) == 6.0; \
assert tg._capi.lib._name.startswith('${moved}'), tg._capi.lib._name")
