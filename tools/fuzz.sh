#!/usr/bin/env bash
# Fuzzes ferry's decoders with libFuzzer (tests/fuzz/README.md): builds the targets with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer in build-fuzz/, then runs each for N seconds,
# one after another, one job each.
#
#   tools/fuzz.sh [--seconds N] [--no-build] [--list] [TARGET...]
#
#   --seconds N   run each target N seconds (default 60)
#   --no-build    run the binaries already in build-fuzz/ as they are (to run several fuzz.sh
#                 side by side after one build, each with its own targets)
#   --list        print the targets and exit
#   TARGET...     only these targets (default: all, as tests/fuzz/CMakeLists.txt lists them)
#
# Clang 15 and libFuzzer come from Debian (clang-15, libfuzzer-15-dev); when missing they are
# installed with apt-get (as root, or through sudo). Inputs that fuzzing finds go to
# build-fuzz/fuzz-corpus/<target>/ (the repository's tests/fuzz/corpus/<target>/ only seeds it);
# an input that crashes, leaks or hangs (-timeout=10 s) is saved as
# tests/fuzz/crashes/<target>/crash-<sha1> (or leak-, timeout-, oom-), with the command that
# reproduces it appended to tests/fuzz/crashes/<target>/README.md.
#
# Environment:
#   FERRY_JOBS=N   parallel build jobs (default 2)
#   FERRY_FUZZ_RSS_MB=N   libFuzzer's -rss_limit_mb per target (default 2048); a smaller limit
#                  lets several targets run side by side (an input over it is an oom- finding)
# Exits 0 when every target ran its time without a finding, 1 on a finding, 2 on a usage or
# build error. Per target, it prints the executions and the result; the same lines are
# appended, with the date, to build-fuzz/fuzz-stats.tsv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=60
list_only=0
build=1
targets=()
while (($#)); do
  case $1 in
    --seconds)
      [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --seconds takes a number" >&2; exit 2; }
      seconds=$2
      shift 2
      ;;
    --list) list_only=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

# The targets, from the one list in tests/fuzz/CMakeLists.txt.
all_targets=$(sed -n '/^set(FERRY_FUZZ_TARGETS/,/)/p' tests/fuzz/CMakeLists.txt |
  sed 's/set(FERRY_FUZZ_TARGETS//; s/)//' | tr -s ' \n' '\n' | sed '/^$/d')
if ((list_only)); then
  echo "$all_targets"
  exit 0
fi
if ((${#targets[@]} == 0)); then
  mapfile -t targets <<<"$all_targets"
fi
for target in "${targets[@]}"; do
  grep -qx "$target" <<<"$all_targets" || {
    echo "fuzz.sh: no target $target (tools/fuzz.sh --list)" >&2
    exit 2
  }
done

if ((build)); then
  have_libfuzzer() {
    command -v clang++-15 >/dev/null &&
      compgen -G "/usr/lib/llvm-15/lib/clang/15*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null
  }
  if ! have_libfuzzer; then
    echo "fuzz.sh: installing clang-15 and libfuzzer-15-dev"
    sudo=()
    if ((EUID != 0)); then
      command -v sudo >/dev/null || {
        echo "fuzz.sh: clang-15 and libfuzzer-15-dev are missing; install them as root" >&2
        exit 2
      }
      sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get install -y -q clang-15 libfuzzer-15-dev ||
      { "${sudo[@]}" apt-get update -q &&
        "${sudo[@]}" apt-get install -y -q clang-15 libfuzzer-15-dev; }
    have_libfuzzer || { echo "fuzz.sh: libFuzzer is still missing after apt-get" >&2; exit 2; }
  fi

  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  # -O1 with assertions on (no NDEBUG): a broken invariant is a finding too.
  flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
  flags+=" -fno-omit-frame-pointer -Wno-unknown-warning-option"
  CC=clang-15 CXX=clang++-15 cmake -S . -B build-fuzz -DFERRY_FUZZ=ON -DFERRY_BUILD_TESTS=ON \
    -DFERRY_PCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null ||
    { echo "fuzz.sh: cmake failed (build-fuzz/)" >&2; exit 2; }
  build_targets=()
  for target in "${targets[@]}"; do build_targets+=(--target "${target}_fuzz"); done
  cmake --build build-fuzz -j "${FERRY_JOBS:-2}" "${build_targets[@]}" ||
    { echo "fuzz.sh: build failed (build-fuzz/)" >&2; exit 2; }
fi
for target in "${targets[@]}"; do
  [[ -x build-fuzz/tests/fuzz/${target}_fuzz ]] ||
    { echo "fuzz.sh: build-fuzz/tests/fuzz/${target}_fuzz is not built (drop --no-build)" >&2
      exit 2; }
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tools/lsan_suppressions.txt}
mkdir -p build-fuzz/fuzz-logs
found=()
printf '%-18s %8s %12s  %s\n' target seconds executions result
for target in "${targets[@]}"; do
  binary=build-fuzz/tests/fuzz/${target}_fuzz
  work=build-fuzz/fuzz-corpus/$target
  crashes=tests/fuzz/crashes/$target
  log=build-fuzz/fuzz-logs/$target.log
  mkdir -p "$work" "$crashes"
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb="${FERRY_FUZZ_RSS_MB:-2048}"
           -print_final_stats=1 -artifact_prefix="$crashes/")
  [[ -f tests/fuzz/dict/$target.dict ]] && options+=(-dict="tests/fuzz/dict/$target.dict")
  status=0
  started=$SECONDS
  "$binary" "${options[@]}" "$work" "tests/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  result=ok
  if ((status != 0)); then
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    result="FINDING (exit $status): ${artifact:-no input saved} (log: $log)"
    found+=("$target")
    if [[ -n $artifact ]]; then
      {
        echo "- $(date -u +%F) \`$(basename "$artifact")\`: $(grep -m1 -E 'ERROR: |runtime error: |ALARM' "$log" | sed 's/^==[0-9]*==//' | cut -c1-160)"
        echo "  reproduce: \`$binary $artifact\` (libFuzzer build) or"
        echo "  \`build/tests/fuzz/fuzz_replay $target $artifact\` (any build)"
      } >>"$crashes/README.md"
    fi
  fi
  elapsed=$((SECONDS - started))  # less than N when a finding stopped the run
  printf '%-18s %8s %12s  %s\n' "$target" "$elapsed" "${executions:-?}" "$result"
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$elapsed" "${executions:-?}" \
    "$result" >>build-fuzz/fuzz-stats.tsv
done
if ((${#found[@]})); then
  echo "fuzz.sh: findings in: ${found[*]} (inputs in tests/fuzz/crashes/)" >&2
  exit 1
fi
