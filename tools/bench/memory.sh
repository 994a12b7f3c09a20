#!/usr/bin/env bash
# Peak memory (maximum RSS, /usr/bin/time) of inspect, export and migrate (--dry-run and into
# SQLite) on a dump of N tiny keys in one origin, of inspect and migrate on a Chromium profile
# whose log holds C tiny keys (tools/bench/chromium_log.py), and of inspect and export on one
# value of M MiB: the figures of docs/benchmarks.md, "Memory with many tiny keys". With
# --records R, also migrate (--dry-run and into SQLite) of a dump of R keys that a mapping takes
# as R records of one unit (the duplicate check, written keys and routing of a unit). With
# --parents P, also migrate of a dump of P parent records with 40-byte ids and one child that
# references the first (a unit's parent ULIDs, agent/run/parent_ulids.h). With --self-refs S,
# also migrate of S tasks of which the first half name a task of the second half (held for the
# second pass: agent/run/held_record_file.h). --migrate-only skips inspect and export. Uses an
# existing build (default build/).
#
#   tools/bench/memory.sh                 # 500,000 keys, a 1,000,000-key log, one 200 MiB value
#   tools/bench/memory.sh --keys 0 --chromium-keys 0 --value-mib 0 --records 1000000
#   tools/bench/memory.sh --keys 0 --chromium-keys 0 --value-mib 0 --parents 1000000
#   tools/bench/memory.sh --keys 10000000 --chromium-keys 10000000 --value-mib 0 --migrate-only
#   tools/bench/memory.sh --keys 2000000 --chromium-keys 0 --value-mib 0 --ferry build-release/ferry
#   tools/bench/memory.sh --keys 10000000 --chromium-keys 10000000 --value-mib 0  # flat? (slow)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
keys=500000
value_mib=200
chromium_keys=1000000
records=0
parents=0
self_refs=0
migrate_only=0
ferry=build/ferry
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keys) keys="$2"; shift 2 ;;
    --value-mib) value_mib="$2"; shift 2 ;;
    --chromium-keys) chromium_keys="$2"; shift 2 ;;
    --records) records="$2"; shift 2 ;;
    --parents) parents="$2"; shift 2 ;;
    --self-refs) self_refs="$2"; shift 2 ;;
    --migrate-only) migrate_only=1; shift ;;
    --ferry) ferry="$2"; shift 2 ;;
    *) echo "usage: $0 [--keys N] [--chromium-keys C] [--value-mib M] [--records R] [--parents P] [--self-refs S] [--migrate-only] [--ferry PATH]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
peak() {  # peak LABEL COMMAND...: prints the label, peak RSS, wall time and CPU (user+sys)
  local label="$1"
  shift
  /usr/bin/time -f '%M %e %U %S' "$@" >/dev/null 2>"$work/time" || true
  read -r kib secs user sys < <(tail -1 "$work/time")
  printf '%-40s %8d MiB %7s s wall %7.2f s CPU\n' "$label" $((kib / 1024)) "$secs" \
    "$(echo "$user + $sys" | bc)"
}
if [[ "$keys" -gt 0 ]]; then
  python3 - "$work/tiny.json" "$keys" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('{"https://a.test": {')
    f.write(','.join('"k%d": "v"' % i for i in range(int(sys.argv[2]))))
    f.write('}}')
PY
  echo "$keys tiny keys ($(stat -c %s "$work/tiny.json") bytes):"
  if [[ "$migrate_only" -eq 0 ]]; then
    peak "inspect" "$ferry" inspect "$work/tiny.json"
    peak "inspect --json" "$ferry" inspect --json "$work/tiny.json"
    peak "export" "$ferry" export "$work/tiny.json" --out "$work/out.json"
  fi
  peak "migrate --dry-run" "$ferry" migrate --dry-run "$work/tiny.json" --user-id u \
    --target "sqlite:$work/d.db" --progress none
  peak "migrate --target sqlite" "$ferry" migrate "$work/tiny.json" --user-id u \
    --target "sqlite:$work/t.db" --progress none --no-backup
fi
if [[ "$chromium_keys" -gt 0 ]]; then
  tools/bench/chromium_log.py "$work/chromium" "$chromium_keys"
  echo "Chromium log of $chromium_keys tiny keys ($(stat -c %s "$work/chromium/Default/Local Storage/leveldb/000004.log") bytes):"
  [[ "$migrate_only" -eq 1 ]] || peak "inspect" "$ferry" inspect "chromium:$work/chromium"
  peak "migrate --dry-run" "$ferry" migrate --dry-run "chromium:$work/chromium" --user-id u \
    --target "sqlite:$work/cd.db" --progress none
  peak "migrate --target sqlite" "$ferry" migrate "chromium:$work/chromium" --user-id u \
    --target "sqlite:$work/c.db" --progress none --no-backup
fi
if [[ "$value_mib" -gt 0 ]]; then
  python3 - "$work/big.json" "$value_mib" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('{"https://a.test": {"big": "' + 'x' * (int(sys.argv[2]) << 20) + '"}}')
PY
  echo "one value of $value_mib MiB:"
  peak "inspect" "$ferry" inspect "$work/big.json"
  peak "export" "$ferry" export "$work/big.json" --out "$work/out.json"
  peak "migrate --dry-run" "$ferry" migrate --dry-run "$work/big.json" --user-id u \
    --target "sqlite:$work/bd.db" --progress none
  peak "migrate --target sqlite" "$ferry" migrate "$work/big.json" --user-id u \
    --target "sqlite:$work/b.db" --progress none --no-backup
fi
if [[ "$records" -gt 0 ]]; then
  python3 - "$work/records.json" "$records" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('{"https://a.test": {')
    f.write(','.join('"k%d": "%d"' % (i, i) for i in range(int(sys.argv[2]))))
    f.write('}}')
PY
  cat >"$work/kv.yaml" <<'YAML'
version: 1
name: kv
entities:
  kv:
    source: {key_prefix: k, shape: record}
    id: {field: $key_suffix}
    primary_key: [id]
    unique: [[user_id, legacy_id]]
    columns:
      id: {type: ulid, from: $ulid}
      user_id: {type: text, from: $user, nullable: false}
      legacy_id: {type: text, from: $legacy_id, nullable: false}
      value: {type: json, from: $record}
YAML
  echo "$records records of one unit ($(stat -c %s "$work/records.json") bytes):"
  peak "migrate --dry-run" "$ferry" migrate --dry-run "$work/records.json" --mapping "$work/kv.yaml" \
    --user-id u --target "sqlite:$work/rd.db" --progress none
  peak "migrate --target sqlite" "$ferry" migrate "$work/records.json" --mapping "$work/kv.yaml" \
    --user-id u --target "sqlite:$work/r.db" --progress none --no-backup
fi
if [[ "$parents" -gt 0 ]]; then
  python3 - "$work/parents.json" "$parents" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('{"https://a.test": {"c0": "{\\"id\\": \\"c0\\", \\"parent\\": '
            '\\"parent-with-a-long-legacy-id-0\\"}"')
    for i in range(int(sys.argv[2])):
        f.write(', "p%d": "{\\"id\\": \\"parent-with-a-long-legacy-id-%d\\"}"' % (i, i))
    f.write('}}')
PY
  cat >"$work/tree.yaml" <<'YAML'
version: 1
name: tree
entities:
  parents:
    source: {key_prefix: p, shape: record}
    id: {field: id}
    primary_key: [id]
    columns:
      id: {type: ulid, from: $ulid}
      legacy_id: {type: text, from: $legacy_id, nullable: false}
  children:
    source: {key_prefix: c, shape: record}
    id: {field: id}
    primary_key: [id]
    columns:
      id: {type: ulid, from: $ulid}
      parent_id: {type: ulid, from: parent, references: parents}
YAML
  echo "$parents parent records and a child of one unit ($(stat -c %s "$work/parents.json") bytes):"
  peak "migrate --dry-run" "$ferry" migrate --dry-run "$work/parents.json" --mapping "$work/tree.yaml" \
    --user-id u --target "sqlite:$work/pd.db" --progress none
  peak "migrate --target sqlite" "$ferry" migrate "$work/parents.json" --mapping "$work/tree.yaml" \
    --user-id u --target "sqlite:$work/p.db" --progress none --no-backup
fi
if [[ "$self_refs" -gt 0 ]]; then
  python3 - "$work/tasks.json" "$self_refs" <<'PY'
import sys
n = int(sys.argv[2])
with open(sys.argv[1], 'w') as f:
    f.write('{"https://a.test": {')
    for i in range(n):
        parent = ', \\"parent\\": \\"t%d\\"' % (i + n // 2) if i < n // 2 else ''
        f.write('%s"t%d": "{\\"id\\": \\"t%d\\"%s}"' % (', ' if i else '', i, i, parent))
    f.write('}}')
PY
  cat >"$work/tasks.yaml" <<'YAML'
version: 1
name: tasks
entities:
  tasks:
    source: {key_prefix: t, shape: record}
    id: {field: id}
    primary_key: [id]
    columns:
      id: {type: ulid, from: $ulid}
      legacy_id: {type: text, from: $legacy_id, nullable: false}
      parent_id: {type: ulid, from: parent, references: tasks, on_missing: null}
YAML
  echo "$self_refs tasks of one unit, half held for the second pass ($(stat -c %s "$work/tasks.json") bytes):"
  peak "migrate --dry-run" "$ferry" migrate --dry-run "$work/tasks.json" --mapping "$work/tasks.yaml" \
    --user-id u --target "sqlite:$work/td.db" --progress none
  peak "migrate --target sqlite" "$ferry" migrate "$work/tasks.json" --mapping "$work/tasks.yaml" \
    --user-id u --target "sqlite:$work/t.db" --progress none --no-backup
fi
