#!/usr/bin/env bash
# Builds ferry with its tests and runs them against a throwaway PostgreSQL 15, then does the same
# under AddressSanitizer + UndefinedBehaviorSanitizer. This is what CI runs (.ci/run).
#
#   build/       RelWithDebInfo, tests on          (shared with tools/quickstart.sh)
#   build-asan/  Debug, -DFERRY_SANITIZE=ON        (skipped with FERRY_SKIP_SANITIZE=1)
#
# Environment:
#   FERRY_SKIP_SANITIZE=1     skip the sanitizer build and run (ignored under CI=true)
#   FERRY_FORMAT_CHECK=warn   only warn when a C++ file is not clang-formatted (default: strict)
#   FERRY_JOBS=N              parallel build and test jobs (default 2: the project's machines have 2 cores)
#   FERRY_TEST_PG_LOG_STATEMENTS=0  no statement log on the test server, so no co-location check
#                             after each suite (only to measure what it costs; fails under CI=true)
# Exits non-zero when any phase fails. The last line is "Total: N passed, M failed" over both runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=${FERRY_JOBS:-2}
# An unformatted file fails CI, like a warning does (tools/check_format.sh --fix formats it).
format_mode=${FERRY_FORMAT_CHECK:-strict}

source tools/test_postgres.sh

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/ferry-test.XXXXXX")
cleanup() {
  ferry_pg_stop
  rm -rf "$work_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

script_start=$SECONDS
phase_name=""
phase_start=0
phase_times=()
failures=()
phase() {
  phase_name=$1
  phase_start=$SECONDS
  echo
  echo "=== [$((SECONDS - script_start))s] $phase_name"
}
phase_done() {
  local elapsed=$((SECONDS - phase_start))
  phase_times+=("$phase_name ${elapsed}s")
  echo "=== $phase_name: ${elapsed}s"
}

# cmake_build DIR ARGS...: configures DIR with ARGS and builds it.
cmake_build() {
  local dir=$1
  shift
  local launcher=()
  if command -v ccache >/dev/null; then
    # Installed by install_deps.sh. Paths relative to the repository root, so a fresh clone
    # elsewhere (as CI makes) still hits the cache.
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true
    # Without precompiled headers: GCC writes a different .gch in every checkout folder, so with
    # them a fresh clone elsewhere missed the cache for every file that uses one, and a run that
    # could be served from the cache was a cold one (docs/testing.md, "Build time").
    launcher+=(-DFERRY_PCH=OFF)
  fi
  # FERRY_UNITY is ON by default: the files are compiled in batches whose text names each member
  # by its path under the checkout, so a fresh clone hits the cache too (cmake/unity.cmake).
  cmake -S . -B "$dir" -DFERRY_BUILD_TESTS=ON "${launcher[@]}" "$@" &&
    cmake --build "$dir" -j "$jobs"
}

# colocation_check NAME FROM: checks the statements ferry sent to the test server during one
# suite (the server's log from byte FROM on): each keyed by one user, no transaction writing two
# users' rows (tools/colocation_check.py, docs/scale-out.md). Fails the phase when violated.
colocation_check() {
  local from=$2
  if [[ ${FERRY_TEST_PG_LOG_STATEMENTS:-1} == 0 ]]; then
    # Off to measure what the logging costs; CI always checks.
    echo "test.sh: FERRY_TEST_PG_LOG_STATEMENTS=0: no statement log, no co-location check"
    [[ ${CI:-} != true ]]
    return
  fi
  echo "=== co-location check ($1): $(du -h "$FERRY_TEST_PG_STATEMENT_LOG" | cut -f1) of log"
  python3 tools/colocation_check.py "$FERRY_TEST_PG_STATEMENT_LOG" --from "$from"
}

# The size of the server's log now: where the next suite's statements start.
log_offset() { stat -c %s "$FERRY_TEST_PG_STATEMENT_LOG"; }

# run_ctest NAME DIR [CTEST ARGS]: runs the suite in DIR, keeping its output in NAME.log to count
# the results.
totals_passed=0
totals_failed=0
run_ctest() {
  local dir=$2 log=$work_dir/$1.log status=0
  shift 2
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@" 2>&1 | tee "$log" || status=$?
  # ctest's summary: "100% tests passed, 0 tests failed out of 42"
  local summary
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [[ $summary =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
    local failed=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
    totals_failed=$((totals_failed + failed))
    totals_passed=$((totals_passed + total - failed))
    if [[ $total -eq 0 ]]; then
      status=1
    fi
  else
    echo "test.sh: ctest in $dir printed no summary (no tests?)" >&2
    status=1
  fi
  if [[ $status -ne 0 && -f $PGHOST/postgres.log ]]; then
    echo "--- last lines of the test PostgreSQL server's log ($PGHOST/postgres.log):"
    tail -n 20 "$PGHOST/postgres.log"
  fi
  return "$status"
}

phase "dependencies"
tools/install_deps.sh
# install_deps.sh installed Chromium: the HTML report's browser test must run, not skip.
export FERRY_REQUIRE_CHROMIUM=1
phase_done

phase "format check ($format_mode)"
if ! tools/check_format.sh; then
  if [[ $format_mode == strict ]]; then
    failures+=("format check")
  else
    echo "test.sh: format check failed (FERRY_FORMAT_CHECK=warn: not fatal)"
  fi
fi
phase_done

phase "postgres: start throwaway PostgreSQL 15"
ferry_pg_start
echo "PGHOST=$PGHOST PGPORT=$PGPORT PGDATABASE=$PGDATABASE"
echo "FERRY_TEST_DATABASE_URL=$FERRY_TEST_DATABASE_URL"
phase_done

phase "build (build/, RelWithDebInfo)"
# Line tables only (-g1): backtraces keep file and line, the build costs a third less CPU.
# One ctest entry per test case: starting the plain ferry_tests is cheap, and each case runs alone.
if cmake_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFERRY_SANITIZE=OFF \
  -DFERRY_CTEST_PER_FILE=OFF -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"; then
  phase_done
  phase "ctest (build/)"
  from=$(log_offset)
  run_ctest plain build || failures+=("ctest build/")
  colocation_check build/ "$from" || failures+=("co-location check build/")
  phase_done
else
  failures+=("build build/")
  phase_done
fi

# The sanitizer phase is kept within CI's time by what it runs, never skipped for time; under CI
# it is never skipped at all.
skip_sanitize=${FERRY_SKIP_SANITIZE:-0}
if [[ ${CI:-} == true && $skip_sanitize == 1 ]]; then
  echo "test.sh: FERRY_SKIP_SANITIZE=1 is ignored under CI: the sanitizer phase always runs there"
  skip_sanitize=0
fi
if [[ $skip_sanitize != 1 ]]; then
  # Debug (-O0) compiles fastest; the sanitizers instrument at any level. Line tables only
  # (-g1): the sanitizers' reports keep file and line, and a cold build costs a fifth less CPU
  # (docs/testing.md). One ctest entry per test file (FERRY_CTEST_PER_FILE): each start of the
  # sanitized ferry_tests costs 0.36 s of CPU, and a file's cases share one.
  phase "build (build-asan/, Debug, ASan+UBSan)"
  if cmake_build build-asan -DCMAKE_BUILD_TYPE=Debug -DFERRY_SANITIZE=ON -DFERRY_CTEST_PER_FILE=ON \
    -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DCMAKE_C_FLAGS_DEBUG="-g1"; then
    phase_done
    phase "ctest (build-asan/)"
    # LeakSanitizer needs ptrace-like access to the process; where it cannot work (some
    # sandboxes, or under a debugger) it aborts every test, so check it once on a tiny program.
    detect_leaks=1
    printf 'int main() { return 0; }\n' >"$work_dir/lsan_probe.cc"
    if ! { g++ -fsanitize=address "$work_dir/lsan_probe.cc" -o "$work_dir/lsan_probe" &&
      ASAN_OPTIONS=detect_leaks=1 "$work_dir/lsan_probe"; } >"$work_dir/lsan_probe.log" 2>&1; then
      echo "test.sh: LeakSanitizer does not work here; running without leak detection:"
      cat "$work_dir/lsan_probe.log"
      detect_leaks=0
    fi
    export ASAN_OPTIONS="detect_leaks=$detect_leaks:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    # Third-party leaks ferry cannot free, each with its reason in the file.
    export LSAN_OPTIONS="suppressions=$PWD/tools/lsan_suppressions.txt:print_suppressions=0"
    echo "ASAN_OPTIONS=$ASAN_OPTIONS"
    echo "UBSAN_OPTIONS=$UBSAN_OPTIONS"
    echo "LSAN_OPTIONS=$LSAN_OPTIONS"
    # The "slow" tests (SIGKILL fault injection, server restarts, 20 concurrent processes) run
    # the ferry binary many times over; they run in the plain phase, and under the sanitizers
    # they would take most of CI's time budget for little more coverage of ferry's own code.
    # What this phase runs, and the inputs tests shrink under ASan: docs/testing.md.
    from=$(log_offset)
    run_ctest asan build-asan -LE slow || failures+=("ctest build-asan/")
    colocation_check build-asan/ "$from" || failures+=("co-location check build-asan/")
    unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
    phase_done
  else
    failures+=("build build-asan/")
    phase_done
  fi
fi

echo
echo "=== phase times: ${phase_times[*]/%/;} total $((SECONDS - script_start))s"
if [[ ${#failures[@]} -gt 0 ]]; then
  echo "=== FAILED: ${failures[*]}"
else
  echo "=== all phases passed"
fi
echo "Total: $totals_passed passed, $totals_failed failed"
[[ ${#failures[@]} -eq 0 ]]
