#!/usr/bin/env bash
# How much of the machine a migrate run leaves idle (issue 17: could the sources' backup run
# beside the load?). Runs `ferry migrate --no-backup` of the peers' dumps into a throwaway
# PostgreSQL 15 (lib.sh), --runs times into a fresh database, and for each prints: wall,
# ferry's CPU (user+sys), the server's CPU, their sum against cores x wall, and the machine's
# idle share over the run from /proc/stat (every process's: the machine must be quiet). The
# backup's phase could overlap the load only with what is idle.
#   tools/bench/idle_cpu.sh --dumps /var/tmp/ferry-peers/u1000-t1000000-s42/dumps --runs 3
# Needs root (to run PostgreSQL as the postgres user), like the harness.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
source tools/bench/lib.sh
dumps=""
runs=3
ferry=$root/build/ferry
port=55434
while [[ $# -gt 0 ]]; do
  case $1 in
    --dumps) dumps=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --ferry) ferry=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "idle_cpu.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -d $dumps ]] || { echo "idle_cpu.sh: --dumps DIR is needed" >&2; exit 2; }
work=$(mktemp -d /var/tmp/ferry-idle-work.XXXXXX)
bench_on_exit 'rm -rf "$work"'
bench_pg_start "$port"
cores=$(nproc)
# "idle total" jiffies of the whole machine.
stat() { awk '/^cpu / {print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
printf '| run | wall s | ferry CPU s | server CPU s | (ferry+server) / (%s x wall) | idle (/proc/stat) | load |\n' "$cores"
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for ((i = 1; i <= runs; i++)); do
  bench_fresh_db
  s0=$(bench_server_cpu)
  read -r i0 t0 < <(stat)
  start=$(date +%s.%N)
  rc=0
  /usr/bin/time -f '%U %S' -o "$work/time.txt" "$ferry" migrate "$dumps" --user-id-from filename \
    --target "$bench_pg_url" --continue-on-error --progress none --rejects "$work/r.ndjson" \
    --report "$work/report.json" --no-backup >"$work/out.txt" 2>"$work/err.txt" || rc=$?
  end=$(date +%s.%N)
  read -r i1 t1 < <(stat)
  bench_wait_idle
  s1=$(bench_server_cpu)
  [[ $rc == 0 || $rc == 3 ]] || { echo "idle_cpu.sh: ferry exited $rc" >&2; tail -5 "$work/err.txt" >&2; exit 1; }
  wall=$(echo "$end - $start" | bc)
  fcpu=$(tail -1 "$work/time.txt" | awk '{print $1 + $2}')
  scpu=$(echo "$s1 - $s0" | bc)
  busy=$(echo "($fcpu + $scpu) / ($cores * $wall)" | bc -l)
  idle=$(echo "($i1 - $i0) / ($t1 - $t0)" | bc -l)
  printf '| %d | %.2f | %.2f | %.2f | %.1f %% | %.1f %% | %s |\n' "$i" "$wall" "$fcpu" "$scpu" \
    "$(echo "$busy * 100" | bc -l)" "$(echo "$idle * 100" | bc -l)" "$(bench_load)"
done
