#!/usr/bin/env bash
# What the server is asked per user (issue 19): one or more ferry binaries, alternated, loading
# the same dumps into a fresh database of a private PostgreSQL 15 (initdb at defaults, fsync on,
# with pg_stat_statements, track = all). Per run: statements (pg_stat_statements calls, BEGIN and
# COMMIT included), transactions (xact_commit + xact_rollback), ferry's CPU (user+sys,
# /usr/bin/time), the server's CPU (the postmaster and its children, live and reaped, from
# /proc, as the peers' harness counts it) and wall time; then the medians per binary. Counts do
# not depend on the machine's load; CPU a little, wall a lot.
#
#   tools/bench/statements_per_user.sh --dumps DIR --ferry build/ferry --ferry /tmp/base/ferry
#   tools/bench/statements_per_user.sh --dumps DIR --ferry build/ferry --runs 3 -- --jobs 1
#
# Arguments after -- go to every `ferry migrate` (default settings otherwise, plus
# --continue-on-error, --no-backup: the backup is measured in "Backup cost"). Needs root (to
# run PostgreSQL as the postgres user).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tools/bench/lib.sh

dumps=""
runs=3
ferries=()
port=55434
extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --dumps) dumps=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --ferry) ferries+=("$(realpath "$2")"); shift 2 ;;
    --port) port=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "statements_per_user.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -d $dumps ]] || { echo "statements_per_user.sh: --dumps DIR is needed" >&2; exit 2; }
[[ ${#ferries[@]} -gt 0 ]] || ferries=("$PWD/build/ferry")
users=$(find "$dumps" -maxdepth 1 -name '*.json' | wc -l)

work=$(mktemp -d /var/tmp/ferry-stmts-work.XXXXXX)
bench_on_exit 'rm -rf "$work"'
bench_pg_start "$port" -c shared_preload_libraries=pg_stat_statements \
  -c pg_stat_statements.track=all -c pg_stat_statements.max=10000
url=$bench_pg_url
q() { psql -X -At "$@"; }

declare -A stmts xacts fcpu scpu wall
for ((i = 1; i <= runs; i++)); do
  for ((b = 0; b < ${#ferries[@]}; b++)); do
    q -c "DROP DATABASE IF EXISTS ferry WITH (FORCE)" -c "CREATE DATABASE ferry" >/dev/null
    q -d ferry -c "CREATE EXTENSION pg_stat_statements" -c "CHECKPOINT" >/dev/null
    q -d ferry -c "SELECT pg_stat_statements_reset()" -c "SELECT pg_stat_reset()" >/dev/null
    before=$(bench_server_cpu)
    rc=0
    /usr/bin/time -f '%U %S %e' -o "$work/time.txt" "${ferries[$b]}" migrate "$dumps" \
      --user-id-from filename --target "$url" --continue-on-error --no-backup --progress none \
      --rejects "$work/rejects.ndjson" "${extra[@]}" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
    if [[ $rc != 0 && $rc != 3 ]]; then
      echo "statements_per_user.sh: ${ferries[$b]} exited $rc:" >&2; tail -5 "$work/err.txt" >&2; exit 1
    fi
    bench_wait_idle  # the backends flush their counts as they exit
    after=$(bench_server_cpu)
    read -r u s w < <(tail -1 "$work/time.txt")
    n=$(q -d ferry -c "SELECT sum(calls) FROM pg_stat_statements s JOIN pg_database d \
      ON d.oid = s.dbid WHERE d.datname = 'ferry' AND s.query NOT LIKE '%pg_stat_%' \
      AND s.query NOT LIKE 'CREATE EXTENSION%' AND s.query NOT LIKE 'CHECKPOINT%'")
    x=$(q -d ferry -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'ferry'")
    tasks=$(q -d ferry -c "SELECT count(*) FROM tasks")
    stmts[$b]+=" $n"; xacts[$b]+=" $x"; fcpu[$b]+=" $(echo "$u + $s" | bc)"
    scpu[$b]+=" $(echo "$after - $before" | bc)"; wall[$b]+=" $w"
    echo "run $i, ${ferries[$b]}: $n statements, $x transactions, ferry $(echo "$u + $s" | bc) s CPU, server $(echo "$after - $before" | bc) s CPU, wall $w s, $tasks tasks, load $(cut -d' ' -f1 /proc/loadavg)" >&2
  done
done
printf '%s users; medians of %s runs\n\n' "$users" "$runs"
printf '| ferry | statements | per user | transactions | ferry CPU s | server CPU s | wall s |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for ((b = 0; b < ${#ferries[@]}; b++)); do
  # shellcheck disable=SC2086
  n=$(bench_median ${stmts[$b]})
  printf '| %s | %s | %.1f | %s | %s | %s | %s |\n' "${ferries[$b]}" "$n" \
    "$(echo "$n / $users" | bc -l)" "$(bench_median ${xacts[$b]})" "$(bench_median ${fcpu[$b]})" \
    "$(bench_median ${scpu[$b]})" "$(bench_median ${wall[$b]})"
done
