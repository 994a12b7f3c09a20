#!/usr/bin/env bash
# The SQLite -> PostgreSQL move of the issue-18 test database (tools/make_app_db.py) by ferry
# beside pgloader's plain load of the same file, in one run (docs/benchmarks.md, "ferry against
# pgloader on an app database"). Each tool loads into a fresh, empty database of the server
# that PGHOST/PGPORT/PGUSER name; the runs alternate (pgloader, ferry, ferry --no-backup) so that
# the machine's load falls on each alike, and the median wall time of --runs is printed with
# the load average before and after.
#
#   pgloader  `pgloader sqlite:///app.db postgresql:///db` with its defaults: it creates the
#             tables from the SQLite schema, COPYs the rows as they are (old keys, no ULIDs),
#             then creates the indexes and the foreign keys (the planted orphans make the
#             foreign keys fail: pgloader logs that and goes on, as its plain load does).
#   ferry     `ferry migrate sqlite:app.db --user-id app --target ...` with the mapping
#             proposed from the catalog: new ULID keys timed by each row's creation column,
#             every foreign key rewritten through the id map, orphans rejected, the old key kept
#             as legacy_id, checkpoints and (unless --no-backup) the backup of the source.
#
#   tools/bench/pgloader_app_db.sh                     # uuid keys, 50,000 rows, 3 runs
#   tools/bench/pgloader_app_db.sh --keys int --rows 200000 --runs 5
#   tools/bench/pgloader_app_db.sh --baseline /work/main/build/ferry   # another ferry alternated too
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
keys=uuid
rows=50000
runs=3
ferry=build/ferry
baseline=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keys) keys="$2"; shift 2 ;;
    --rows) rows="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --ferry) ferry="$2"; shift 2 ;;
    --baseline) baseline="$2"; shift 2 ;;
    *) echo "usage: $0 [--keys int|uuid] [--rows N] [--runs N] [--ferry PATH] [--baseline PATH]" >&2
       exit 2 ;;
  esac
done
command -v pgloader >/dev/null || { echo "$0: pgloader is not installed" >&2; exit 2; }
host=${PGHOST:-/var/run/postgresql}; port=${PGPORT:-5432}; user=${PGUSER:-postgres}
work=$(mktemp -d)
db_name=ferry_bench_$$
cleanup() {
  psql -qd postgres -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
python3 tools/make_app_db.py --keys "$keys" --rows "$rows" --out "$work/app.db"
export FERRY_BACKUP_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
unset FERRY_BACKUP_PASSPHRASE

fresh_db() {
  psql -qd postgres -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null
  psql -qd postgres -c "CREATE DATABASE $db_name" >/dev/null
}
seconds() {  # runs "$@", prints its wall time in seconds, fails with its output on failure
  local start end
  start=$(date +%s.%N)
  local rc=0
  "$@" >"$work/out.txt" 2>&1 || rc=$?
  # ferry's exit 3: done, the planted orphans rejected (as expected)
  if [[ $rc -ne 0 && $rc -ne 3 ]]; then cat "$work/out.txt" >&2; return 1; fi
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
run_pgloader() {
  if [[ $host == /* ]]; then target="postgresql://$user@unix:$host:$port/$db_name"
  else target="postgresql://$user@$host:$port/$db_name"; fi
  pgloader --root-dir "$work/pgl" --logfile "$work/pgloader.log" "sqlite://$work/app.db" "$target"
}
run_ferry() {
  local binary=$ferry
  if [[ ${1:-} == --baseline ]]; then binary=$baseline; shift; fi
  rm -rf "$work/backups"
  "$binary" migrate "sqlite:$work/app.db" --user-id app --progress none \
    --target "postgresql:///$db_name?host=$host&port=$port&user=$user" \
    --continue-on-error --max-reject-rate 0.5 --rejects "$work/rejects.ndjson" \
    --backup-dir "$work/backups" "$@"
  rm -f "$work/rejects.ndjson"
}
count_rows() {  # the rows of the app's eight tables in the bench database
  psql -qtAd "$db_name" -c "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM clinics) \
    + (SELECT count(*) FROM dashboards) + (SELECT count(*) FROM journal_entries) + (SELECT \
    count(*) FROM tags) + (SELECT count(*) FROM reminders) + (SELECT count(*) FROM orders) + \
    (SELECT count(*) FROM tasks)"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/pgloader.t"; : >"$work/ferry.t"; : >"$work/ferry_nobackup.t"
: >"$work/baseline.t"; : >"$work/baseline_nobackup.t"
tools=(pgloader ferry ferry_nobackup)
[[ -n $baseline ]] && tools+=(baseline baseline_nobackup)
for ((i = 1; i <= runs; i++)); do
  fresh_db; seconds run_pgloader >>"$work/pgloader.t"
  rows_pgloader=$(count_rows)
  fresh_db; seconds run_ferry >>"$work/ferry.t"
  fresh_db; seconds run_ferry --no-backup >>"$work/ferry_nobackup.t"
  rows_ferry=$(count_rows)
  if [[ -n $baseline ]]; then
    fresh_db; seconds run_ferry --baseline >>"$work/baseline.t"
    fresh_db; seconds run_ferry --baseline --no-backup >>"$work/baseline_nobackup.t"
  fi
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "database: $keys keys, $(sqlite3 "$work/app.db" "SELECT (SELECT count(*) FROM users) + \
(SELECT count(*) FROM clinics) + (SELECT count(*) FROM dashboards) + (SELECT count(*) FROM \
journal_entries) + (SELECT count(*) FROM tags) + (SELECT count(*) FROM reminders) + (SELECT \
count(*) FROM orders) + (SELECT count(*) FROM tasks)") rows, $(stat -c %s "$work/app.db") bytes"
echo "rows in the target (last run): pgloader ${rows_pgloader:-?}, ferry ${rows_ferry:-?}"
for tool in "${tools[@]}"; do
  printf '%-16s median %6.2f s of: %s\n' "$tool" "$(median <"$work/$tool.t")" \
    "$(tr '\n' ' ' <"$work/$tool.t")"
done
