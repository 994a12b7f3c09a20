#!/usr/bin/env bash
# What the backup of the sources costs a migrate run: wall time of `migrate` into a fresh SQLite
# target with the backup (the default) and with --no-backup, paired and alternated, the median
# of --runs each; then the archive's size against the sources'. The figures of
# docs/benchmarks.md, "Backup cost". Data: the peers' workload generator (../shared/peers/gen,
# deterministic), kept under /var/tmp/ferry-backup-bench (--data-dir) between calls.
# Uses an existing build (default build/ferry).
#
#   tools/bench/backup_cost.sh                        # 200,000 tasks over 200 users, 3 runs
#   tools/bench/backup_cost.sh --tasks 1000000 --ferry build-release/ferry
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tasks=200000
runs=3
ferry=build/ferry
shared=${FERRY_SHARED_DIR:-$PWD/../shared}
data_root=/var/tmp/ferry-backup-bench
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tasks) tasks="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --ferry) ferry="$2"; shift 2 ;;
    --shared) shared="$2"; shift 2 ;;
    --data-dir) data_root="$2"; shift 2 ;;
    *) echo "usage: $0 [--tasks N] [--runs N] [--ferry PATH] [--shared DIR] [--data-dir DIR]" >&2
       exit 2 ;;
  esac
done
users=$((tasks / 1000 > 0 ? tasks / 1000 : 1))
data=$data_root/u$users-t$tasks
if [[ ! -f $data/manifest.json ]]; then
  python3 "$shared/peers/gen/gen_taskapp.py" --users "$users" --tasks "$tasks" --seed 42 \
    --out "$data" >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A fixed raw key: no Argon2id in the timing (a passphrase adds its derivation, ~1 s, once).
export FERRY_BACKUP_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
unset FERRY_BACKUP_PASSPHRASE

one_run() {  # one_run MODE: prints the wall and CPU (user + sys) seconds of one migrate
  local mode=$1 flags=()
  rm -rf "$work/t.db"* "$work/backups" "$work/rejects.ndjson"
  [[ $mode == without ]] && flags=(--no-backup)
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$ferry" migrate "$data/dumps" --user-id-from filename \
    --target "sqlite:$work/t.db" --continue-on-error --progress none \
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
done
archive=$(find "$work/backups" -type f -name '*.ferrybak' | head -1)
archive_bytes=$(stat -c %s "$archive")
source_bytes=$(du -sb "$data/dumps" | cut -f1)
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
echo "$tasks tasks, $users users, $runs runs each, alternated"
report wall "${walls_without[@]}" -- "${walls_with[@]}"
report cpu "${cpus_without[@]}" -- "${cpus_with[@]}"
printf 'sources %d bytes, archive %d bytes (%.1f %% of the sources)\n' "$source_bytes" \
  "$archive_bytes" "$(echo "$archive_bytes * 100 / $source_bytes" | bc -l)"
