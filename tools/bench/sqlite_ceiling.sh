#!/usr/bin/env bash
# The SQLite target against its ceiling (issue 19): ferry loading the peers' dumps into a fresh
# SQLite file, against the `sqlite3` shell importing the very rows ferry wrote (every table of
# the mapping and ferry_id_map, exported as CSV beforehand, untimed) into the same tables
# (ferry's schema and indexes, the same pragmas: WAL, synchronous=FULL) in one transaction.
# Goal: ferry at least 0.6x the ceiling's speed (ceiling time / ferry time >= 0.6).
#
#   tools/bench/sqlite_ceiling.sh --dumps /var/tmp/ferry-peers/u200-t200000-s42/dumps
#   tools/bench/sqlite_ceiling.sh --dumps DIR --runs 3 --ferry build/ferry --backup
#
# Timed with /usr/bin/time: CPU (user+sys) is the figure to read on a shared machine; wall and
# peak RSS are printed too. Medians of --runs, ferry and the shell alternated. ferry runs with
# --no-backup unless --backup (the backup's cost is docs/benchmarks.md, "Backup cost"); its
# rejects (the generator's invalid tasks) go to a temp file. No root needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tools/bench/lib.sh

dumps=""
runs=3
ferry=build/ferry
backup=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --dumps) dumps=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --ferry) ferry=$2; shift 2 ;;
    --backup) backup=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "sqlite_ceiling.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -d $dumps ]] || { echo "sqlite_ceiling.sh: --dumps DIR is needed (a folder of <user>.json)" >&2; exit 2; }
[[ -x $ferry ]] || { echo "sqlite_ceiling.sh: no ferry at $ferry (--ferry)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sqlite_ceiling.sh: needs the sqlite3 shell (apt install sqlite3)" >&2; exit 2; }

work=$(mktemp -d /var/tmp/ferry-sqlite-ceiling.XXXXXX)
bench_on_exit 'rm -rf "$work"'

# "user sys wall maxrss_kb" of a command, its output in $work/out.txt and $work/err.txt.
timed() {
  local rc=0
  /usr/bin/time -f '%U %S %e %M' -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
  if [[ $rc != 0 && $rc != 3 ]]; then
    echo "sqlite_ceiling.sh: $1 exited $rc:" >&2; tail -5 "$work/err.txt" >&2; exit 1
  fi
  tail -1 "$work/time.txt"
}
ferry_run() {
  rm -f "$work"/ferry.db*
  local flags=(--no-backup)
  if [[ $backup == 1 ]]; then
    flags=(--backup-dir "$work/backups")
    export FERRY_BACKUP_KEY=${FERRY_BACKUP_KEY:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
  fi
  timed "$ferry" migrate "$dumps" --user-id-from filename --target "sqlite:$work/ferry.db" \
    --continue-on-error --progress none --rejects "$work/rejects.ndjson" "${flags[@]}"
}

# The prepared rows: ferry's own output, table by table (bookkeeping other than the id map is
# a few rows and left out), and its schema with the indexes.
ferry_run >/dev/null
tables=$(sqlite3 "$work/ferry.db" "SELECT name FROM sqlite_schema WHERE type = 'table' AND \
  name NOT LIKE 'sqlite_%' AND (name NOT LIKE 'ferry_%' OR name = 'ferry_id_map') ORDER BY name")
rows=0
{
  echo "PRAGMA journal_mode=WAL;"
  echo "PRAGMA synchronous=FULL;"
  echo "PRAGMA foreign_keys=ON;"
  echo "PRAGMA cache_size=-32768;"
  echo "BEGIN;"
  for table in $tables; do
    sqlite3 "$work/ferry.db" ".schema $table"
    sqlite3 -csv "$work/ferry.db" "SELECT * FROM \"$table\"" >"$work/$table.csv"
    rows=$((rows + $(sqlite3 "$work/ferry.db" "SELECT count(*) FROM \"$table\"")))
    echo ".import --csv $work/$table.csv $table"
  done
  echo "COMMIT;"
} >"$work/import.sql"
echo "tables: $(echo $tables | tr '\n' ' '); rows: $rows" >&2
ceiling_run() {
  rm -f "$work"/ceiling.db*
  timed sqlite3 "$work/ceiling.db" ".read $work/import.sql"
}

ferry_cpu=(); ferry_wall=(); ferry_rss=(); shell_cpu=(); shell_wall=(); shell_rss=()
for ((i = 1; i <= runs; i++)); do
  read -r u s w m < <(ferry_run)
  ferry_cpu+=("$(echo "$u + $s" | bc)"); ferry_wall+=("$w"); ferry_rss+=("$((m / 1024))")
  read -r u s w m < <(ceiling_run)
  shell_cpu+=("$(echo "$u + $s" | bc)"); shell_wall+=("$w"); shell_rss+=("$((m / 1024))")
  check=$(sqlite3 "$work/ceiling.db" "SELECT count(*) FROM ferry_id_map")
  echo "run $i: ferry ${ferry_cpu[-1]} s CPU (${ferry_wall[-1]} s wall), sqlite3 ${shell_cpu[-1]} s CPU (${shell_wall[-1]} s wall; $check id-map rows), load $(cut -d' ' -f1 /proc/loadavg)" >&2
done
fc=$(bench_median "${ferry_cpu[@]}"); sc=$(bench_median "${shell_cpu[@]}")
fw=$(bench_median "${ferry_wall[@]}"); sw=$(bench_median "${shell_wall[@]}")
printf '| loader | median CPU s | CPU runs | median wall s | peak RSS MB |\n| --- | ---: | --- | ---: | ---: |\n'
printf '| ferry (%s) | %.2f | %s | %.2f | %s |\n' "$([[ $backup == 1 ]] && echo 'with its backup' || echo '--no-backup')" \
  "$fc" "${ferry_cpu[*]}" "$fw" "$(bench_median "${ferry_rss[@]}")"
printf '| sqlite3 .import, one transaction | %.2f | %s | %.2f | %s |\n' "$sc" "${shell_cpu[*]}" "$sw" "$(bench_median "${shell_rss[@]}")"
printf 'ferry relative to the ceiling (ceiling CPU / ferry CPU): %.2fx (goal >= 0.6); by wall: %.2fx\n' \
  "$(echo "$sc / $fc" | bc -l)" "$(echo "$sw / $fw" | bc -l)"
bench_goal "SQLite: ferry / the sqlite3 shell's import, by CPU ($(basename "$(dirname "$dumps")"))" \
  "$(bench_ratio "$sc" "$fc")" ">= 0.6"
