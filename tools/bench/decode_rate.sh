#!/usr/bin/env bash
# The Chromium store's decode rate (issue 19, goal >= 200 MB/s on the large fixture): `ferry
# export` of a profile to /dev/null: --runs rounds of 10 exports, CPU time (user+sys,
# /usr/bin/time) per export, median over the rounds.
# MB/s = the store's bytes on disk (its leveldb folder: .log and .ldb files) over the median CPU
# time; also given net of a process's fixed cost (the median CPU of exporting the smallest
# profile, --baseline), which at a few MB is a large part of a run.
#
#   tools/bench/decode_rate.sh                                   # the shared large fixture
#   tools/bench/decode_rate.sh --profile DIR --runs 9 --ferry build/ferry --shared DIR
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tools/bench/lib.sh

shared=${FERRY_SHARED_DIR:-$PWD/../shared}
profile=""
baseline=""
runs=5
ferry=build/ferry
while [[ $# -gt 0 ]]; do
  case $1 in
    --profile) profile=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --ferry) ferry=$2; shift 2 ;;
    --shared) shared=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "decode_rate.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
profile=${profile:-$shared/fixtures/browser/chromium/large/Default}
baseline=${baseline:-$shared/fixtures/browser/chromium/unicode/Default}
[[ -x $ferry ]] || { echo "decode_rate.sh: no ferry at $ferry (--ferry)" >&2; exit 2; }
work=$(mktemp -d)
bench_on_exit 'rm -rf "$work"'

store_bytes() { find "$1/Local Storage/leveldb" -type f \( -name '*.log' -o -name '*.ldb' \) -printf '%s\n' | awk '{s+=$1} END {print s}'; }
# CPU seconds (user+sys) of one export of profile $1, one line per round: each round times
# `loop` exports in one /usr/bin/time (its 10 ms resolution is a fifth of one export).
loop=10
cpu_runs() {
  local rc
  for ((i = 1; i <= runs; i++)); do
    rc=0
    /usr/bin/time -f '%U %S' -o "$work/time.txt" bash -c 'for ((k = 0; k < $2; k++)); do
      "$0" export "chromium:$1" >/dev/null 2>>"$3" || [[ $? == 3 ]] || exit 1; done' \
      "$ferry" "$1" "$loop" "$work/err.txt" || rc=$?
    if [[ $rc != 0 ]]; then echo "decode_rate.sh: export failed:" >&2; tail -3 "$work/err.txt" >&2; exit 1; fi
    awk -v n="$loop" '{print ($1 + $2) / n}' "$work/time.txt"
  done
}

bytes=$(store_bytes "$profile")
base_bytes=$(store_bytes "$baseline")
out_bytes=$("$ferry" export "chromium:$profile" 2>/dev/null | wc -c || true)
mapfile -t large < <(cpu_runs "$profile")
mapfile -t small < <(cpu_runs "$baseline")
cpu=$(bench_median "${large[@]}")
base=$(bench_median "${small[@]}")
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); $runs rounds of $loop exports each" >&2
printf '| profile | store bytes | dump bytes | median CPU s | MB/s (whole process) | MB/s (net of the fixed cost) |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: |\n'
printf '| %s | %s | %s | %.3f | %.1f | %s |\n' "$profile" "$bytes" "$out_bytes" "$cpu" \
  "$(echo "$bytes / 1000000 / $cpu" | bc -l)" \
  "$(echo "d = $cpu - $base; if (d > 0) ($bytes - $base_bytes) / 1000000 / d else -1" | bc -l | xargs printf '%.1f')"
printf '| %s (baseline) | %s | | %.3f | | |\n' "$baseline" "$base_bytes" "$base"
echo "CPU runs, large: ${large[*]}" >&2
echo "CPU runs, baseline: ${small[*]}" >&2
bench_goal "Chromium decode rate, MB/s of the store by CPU (whole process)" \
  "$(printf '%.1f' "$(echo "$bytes / 1000000 / $cpu" | bc -l)")" ">= 200"
