# Writes CTEST_FILE: one ctest entry per test file of TEST_EXECUTABLE (ferry_tests), each running
# that file's test cases that TEST_SPEC selects in one process. Run after each link of
# ferry_tests (POST_BUILD, tests/CMakeLists.txt), like Catch's own catch_discover_tests, which
# registers one entry per test case instead.
#
# Why: under AddressSanitizer each start and exit of ferry_tests costs about 0.36 s of CPU
# (docs/testing.md, "One process per test file"); ~240 files instead of ~1,180 test cases.
# Catch2's --filenames-as-tags (-#) gives each test case the tag [#<file name without .cc>];
# two files with one name (tests/a/x_test.cc, tests/b/x_test.cc) share a tag, and so an entry.
#
# Inputs (-D): TEST_EXECUTABLE, TEST_WORKING_DIR, TEST_SPEC (e.g. "~[slow]"), TEST_PREFIX,
# TEST_ENVIRONMENT (one NAME=VALUE), CTEST_FILE, COST_FILE (optional: tests/sanitizer_costs.txt).

if(NOT EXISTS "${TEST_EXECUTABLE}")
  message(FATAL_ERROR "file_tests.cmake: ${TEST_EXECUTABLE} does not exist")
endif()
# --list-tags exits with the number of tags it printed: only the output tells failure apart.
execute_process(
  COMMAND "${TEST_EXECUTABLE}" --filenames-as-tags --list-tags "${TEST_SPEC}"
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors
  RESULT_VARIABLE result
  WORKING_DIRECTORY "${TEST_WORKING_DIR}")
if(NOT output MATCHES "Tags for matching test cases:")
  message(FATAL_ERROR "file_tests.cmake: ${TEST_EXECUTABLE} --list-tags failed (${result}):\n"
                      "${output}${errors}")
endif()

# The entry's COST: with no timings yet (a fresh clone has no CTestCostData.txt), ctest starts
# the costliest first, so that a long file does not start last and run alone at the end. The
# number of cases says little (the sanitizer phase's longest file had 12 cases and started 20th
# of 289), so COST_FILE gives the seconds a file took in a measured sanitizer run ("NAME SECONDS"
# lines); a file not listed costs a hundredth a case, below every listed one.
if(COST_FILE AND EXISTS "${COST_FILE}")
  include("${CMAKE_CURRENT_LIST_DIR}/sanitizer_costs.cmake")
  ferry_read_costs("${COST_FILE}" "[A-Za-z0-9_.+-]+" costed_entries)
endif()

# Lines like "  12  [#chromium_damage_test]"; other tags ([e2e], [.benchmark]) are skipped.
string(REPLACE "\n" ";" lines "${output}")
set(script "")
set(count 0)
foreach(line IN LISTS lines)
  if(line MATCHES "^ *([0-9]+) +\\[#([A-Za-z0-9_.+-]+)\\] *$")
    set(cases "${CMAKE_MATCH_1}")
    set(stem "${CMAKE_MATCH_2}")
    set(name "${TEST_PREFIX}${stem}")
    if(DEFINED "cost_of_${name}")
      set(cost "${cost_of_${name}}")
    else()
      # cases / 100 as a decimal (cmake's math is integer only).
      math(EXPR cost_whole "${cases} / 100")
      math(EXPR cost_hundredths "${cases} % 100")
      if(cost_hundredths LESS 10)
        set(cost_hundredths "0${cost_hundredths}")
      endif()
      set(cost "${cost_whole}.${cost_hundredths}")
    endif()
    # -w NoTests: an entry whose filter selects nothing fails instead of passing empty.
    # --durations yes: each finished case with its time, so a log of a failed or timed-out
    # entry shows how far it got.
    string(APPEND script
      "add_test([==[${name}]==] [==[${TEST_EXECUTABLE}]==] --filenames-as-tags "
      "[==[[#${stem}]${TEST_SPEC}]==] --warn NoTests --durations yes)\n"
      "set_tests_properties([==[${name}]==] PROPERTIES "
      "WORKING_DIRECTORY [==[${TEST_WORKING_DIR}]==] "
      "ENVIRONMENT [==[${TEST_ENVIRONMENT}]==] LABELS per_file COST ${cost})\n")
    math(EXPR count "${count} + 1")
  endif()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "file_tests.cmake: no file tags in the output of --list-tags:\n${output}")
endif()
file(WRITE "${CTEST_FILE}" "${script}")
