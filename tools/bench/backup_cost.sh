#!/usr/bin/env bash
# What the backup costs a migrate run: wall time of `migrate` with the backup (the default:
# sources, then the pre-image of every row a batch changes) and with --no-backup, paired and
# alternated, the median of --runs each; then the archive's size against the sources'. The
# figures of docs/benchmarks.md, "Backup cost". Data: the peers' workload generator
# (../shared/peers/gen, deterministic), kept under /var/tmp/ferry-backup-bench (--data-dir).
# Uses an existing build (default build/ferry).
#   --target sqlite       a fresh SQLite file per run (the default)
#   --target postgresql   a fresh database per run on the server of $FERRY_BENCH_PG_URL (a
#                         postgresql:///DB?host=... URL without a password; DB is replaced;
#                         psql's PG* variables must reach the same server; the databases'
#                         names begin with $FERRY_BENCH_PG_PREFIX, default ferry_backup_bench)
#   --load first          into an empty target (every batch only inserts: no pre-image read)
#   --load overwrite      `--conflict overwrite` over a target holding the same load already
#                         (identical data: ferry sees every row unchanged and writes none)
#   --load change         `--conflict overwrite` of a changed copy of the data (every task's
#                         title prefixed "v2 ") over a target holding the first load: every
#                         valid task row really changes (a pre-image read, written and synced)
#   --rollback            then times `ferry rollback --run` of the last run with the backup
#
#   tools/bench/backup_cost.sh                        # 200,000 tasks over 200 users, 3 runs
#   tools/bench/backup_cost.sh --tasks 1000000 --ferry build-release/ferry
#   tools/bench/backup_cost.sh --target postgresql --load overwrite
#   tools/bench/backup_cost.sh --tasks 1000000 --load change --rollback
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tasks=200000
runs=3
ferry=build/ferry
shared=${FERRY_SHARED_DIR:-$PWD/../shared}
data_root=/var/tmp/ferry-backup-bench
target=sqlite
load=first
rollback=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tasks) tasks="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --ferry) ferry="$2"; shift 2 ;;
    --shared) shared="$2"; shift 2 ;;
    --data-dir) data_root="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --load) load="$2"; shift 2 ;;
    --rollback) rollback=1; shift ;;
    *) echo "usage: $0 [--tasks N] [--runs N] [--ferry PATH] [--shared DIR] [--data-dir DIR]" \
         "[--target sqlite|postgresql] [--load first|overwrite|change] [--rollback]" >&2
       exit 2 ;;
  esac
done
users=$((tasks / 1000 > 0 ? tasks / 1000 : 1))
data=$data_root/u$users-t$tasks
if [[ ! -f $data/manifest.json ]]; then
  python3 "$shared/peers/gen/gen_taskapp.py" --users "$users" --tasks "$tasks" --seed 42 \
    --out "$data" >/dev/null
fi
dumps=$data/dumps
if [[ $load == change ]]; then  # the changed copy: every title (in the JSON text) prefixed
  dumps=$data/dumps-v2
  if [[ ! -d $dumps ]]; then
    mkdir -p "$dumps.tmp"
    for f in "$data"/dumps/*.json; do
      sed 's/\\"title\\":\\"/\\"title\\":\\"v2 /g' "$f" >"$dumps.tmp/${f##*/}"
    done
    mv "$dumps.tmp" "$dumps"
  fi
fi
work=$(mktemp -d)
pg_db=${FERRY_BENCH_PG_PREFIX:-ferry_backup_bench}_$$  # and ${pg_db}_t: dropped on exit
cleanup() {
  rm -rf "$work"
  if [[ $target == postgresql ]]; then
    psql -q -d postgres -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
    psql -q -d postgres -c "DROP DATABASE IF EXISTS ${pg_db}_t WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
if [[ $target == postgresql ]]; then
  : "${FERRY_BENCH_PG_URL:?set FERRY_BENCH_PG_URL to the server (postgresql:///?host=...)}"
  pg_url() { sed "s|:///[^?]*|:///$1|" <<<"$FERRY_BENCH_PG_URL"; }
fi
# A fixed raw key: no Argon2id in the timing (a passphrase adds its derivation, ~1 s, once).
export FERRY_BACKUP_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
unset FERRY_BACKUP_PASSPHRASE

migrate() {  # migrate TARGET FLAGS...: one migrate of the (first) data, exit 0 or 3
  local to=$1
  shift
  "$ferry" migrate "$data/dumps" --user-id-from filename --target "$to" --continue-on-error \
    --progress none --rejects "$work/rejects.ndjson" --backup-dir "$work/backups" "$@" \
    >/dev/null 2>"$work/err" || [[ $? == 3 ]] || { cat "$work/err" >&2; exit 1; }
}
fresh_target() {  # fresh_target: prints the target of a timed run, as --load wants it
  if [[ $target == sqlite ]]; then
    rm -rf "$work/t.db"*
    [[ $load != first ]] && cp "$work/loaded.db" "$work/t.db"
    echo "sqlite:$work/t.db"
  else
    psql -q -d postgres -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null
    if [[ $load != first ]]; then
      psql -q -d postgres -c "CREATE DATABASE $pg_db TEMPLATE ${pg_db}_t" >/dev/null
    else
      psql -q -d postgres -c "CREATE DATABASE $pg_db" >/dev/null
    fi
    pg_url "$pg_db"
  fi
}
if [[ $load != first ]]; then  # the load the timed runs overwrite, made once
  if [[ $target == sqlite ]]; then
    migrate "sqlite:$work/loaded.db" --no-backup
  else
    psql -q -d postgres -c "CREATE DATABASE ${pg_db}_t" >/dev/null
    migrate "$(pg_url "${pg_db}_t")" --no-backup
  fi
fi
one_run() {  # one_run MODE: prints the wall and CPU (user + sys) seconds of one migrate
  local mode=$1 flags=() to
  to=$(fresh_target)
  rm -rf "$work/backups" "$work/rejects.ndjson"
  [[ $mode == without ]] && flags=(--no-backup)
  [[ $load != first ]] && flags+=(--conflict overwrite)
  echo "$to" >"$work/last_target"
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$ferry" migrate "$dumps" --user-id-from filename \
    --target "$to" --continue-on-error --progress none \
    --rejects "$work/rejects.ndjson" --backup-dir "$work/backups" "${flags[@]}" \
    >/dev/null 2>"$work/err" || [[ $? == 3 ]] || { cat "$work/err" >&2; exit 1; }
  tail -1 "$work/time" | awk '{printf "%s %.2f\n", $1, $2 + $3}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

walls_with=()
walls_without=()
cpus_with=()
cpus_without=()
for ((i = 0; i < runs; i++)); do  # alternated, so that a change of load hits both alike
  read -r wall cpu < <(one_run without)
  walls_without+=("$wall")
  cpus_without+=("$cpu")
  read -r wall cpu < <(one_run with)
  walls_with+=("$wall")
  cpus_with+=("$cpu")
  echo "round $((i + 1)): --no-backup ${walls_without[-1]} s (CPU ${cpus_without[-1]} s)," \
    "backup $wall s (CPU $cpu s), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
archive=$(find "$work/backups" -type f -name '*.ferrybak' | head -1)
archive_bytes=$(stat -c %s "$archive")
source_bytes=$(du -sb "$dumps" | cut -f1)
report() {  # report LABEL WITHOUT... -- WITH...
  local label=$1
  shift
  local without=() with=()
  while [[ $1 != -- ]]; do without+=("$1"); shift; done
  shift
  with=("$@")
  local m_without m_with
  m_without=$(printf '%s\n' "${without[@]}" | median)
  m_with=$(printf '%s\n' "${with[@]}" | median)
  printf '%-5s --no-backup median %7.2f s, backup median %7.2f s: +%.2f s (%+.1f %%)   [%s | %s]\n' \
    "$label" "$m_without" "$m_with" "$(echo "$m_with - $m_without" | bc -l)" \
    "$(echo "($m_with - $m_without) * 100 / $m_without" | bc -l)" "${without[*]}" "${with[*]}"
}
echo "$tasks tasks, $users users, $target target, $load load, $runs runs each, alternated," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
report wall "${walls_without[@]}" -- "${walls_with[@]}"
report cpu "${cpus_without[@]}" -- "${cpus_with[@]}"
if [[ $rollback == 1 ]]; then  # the last run (with the backup) undone, timed
  to=$(cat "$work/last_target")
  if [[ $target == sqlite ]]; then
    run_id=$(sqlite3 "${to#sqlite:}" "SELECT run_id FROM ferry_runs ORDER BY started_at DESC LIMIT 1")
  else
    run_id=$(psql -qAt -d "$pg_db" -c "SELECT run_id FROM ferry.runs ORDER BY started_at DESC LIMIT 1")
  fi
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$ferry" rollback --target "$to" --run "$run_id" \
    --backup-dir "$work/backups" >"$work/rollback.out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r wall user sys rss <"$work/time"
  printf 'rollback of the last run: %.2f s wall, %.2f s CPU, peak RSS %d MiB: %s\n' "$wall" \
    "$(echo "$user + $sys" | bc -l)" "$((rss / 1024))" "$(tail -1 "$work/rollback.out")"
fi
printf 'sources %d bytes, archive %d bytes (%.1f %% of the sources)\n' "$source_bytes" \
  "$archive_bytes" "$(echo "$archive_bytes * 100 / $source_bytes" | bc -l)"
