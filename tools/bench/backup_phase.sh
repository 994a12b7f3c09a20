#!/usr/bin/env bash
# The sources' backup phase of a migrate alone (write the archive, read it back and check it,
# before BeginRun), for two builds side by side: each run is a `migrate` of the generated dumps
# into a fresh SQLite file with --log-level debug, killed at its first commit
# (FERRY_FAULT=sqlite.before_commit:1); it prints the phase's wall and CPU time from the debug
# line "backup: the sources ... written and read back in". Alternated, --runs pairs.
# docs/benchmarks.md, "Backup cost at 1M, eighth session". The dumps: tools/bench/backup_cost.sh
# makes them (under /var/tmp/ferry-backup-bench).
#   tools/bench/backup_phase.sh --before OTHER/build/ferry [--after build/ferry] [--runs 5]
#                               [--dumps DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
before=
after=build/ferry
runs=5
dumps=/var/tmp/ferry-backup-bench/u1000-t1000000/dumps
while [[ $# -gt 0 ]]; do
  case "$1" in
    --before) before="$2"; shift 2 ;;
    --after) after="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --dumps) dumps="$2"; shift 2 ;;
    *) echo "usage: $0 --before FERRY [--after FERRY] [--runs N] [--dumps DIR]" >&2; exit 2 ;;
  esac
done
[[ -n $before && -d $dumps ]] || { echo "$0: --before and the dumps ($dumps) are needed" >&2; exit 2; }
export FERRY_BACKUP_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
unset FERRY_BACKUP_PASSPHRASE
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((i = 0; i < runs; i++)); do
  for which in before after; do
    ferry=$before
    [[ $which == after ]] && ferry=$after
    rm -rf "$work"/*
    line=$(FERRY_FAULT=sqlite.before_commit:1 "$ferry" migrate "$dumps" --user-id-from filename \
      --target "sqlite:$work/t.db" --continue-on-error --progress none \
      --rejects "$work/r.ndjson" --backup-dir "$work/b" --log-level debug 2>&1 >/dev/null |
      grep -o "written and read back in.*" || true)
    echo "$which, load $(cut -d' ' -f1 /proc/loadavg): ${line:-no debug line (a build without it?)}"
  done
done
