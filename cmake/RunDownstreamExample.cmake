#===- RunDownstreamExample.cmake - install tg, build a user of it -*- cmake -*-===//
#
# Part of the tg project.
#
#===----------------------------------------------------------------------===//
#
# The downstream-example test: installs the build tree TG_BINARY_DIR into a
# fresh prefix under WORK_DIR, configures examples/downstream against it with
# find_package(Tg CONFIG), builds it and runs the program, which compiles and
# runs a small graph through the installed C API. Run with cmake -P.
#
#===----------------------------------------------------------------------===//

foreach(var TG_BINARY_DIR TG_SOURCE_DIR WORK_DIR C_COMPILER GENERATOR)
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
