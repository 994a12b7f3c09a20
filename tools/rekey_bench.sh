#!/usr/bin/env bash
# Times `ferry rekey` on one table of N rows (default 1,000,000) with a creation column, in
# SQLite and (when DATABASE_URL is a PostgreSQL URL) PostgreSQL, for strategies add and hybrid
# (STRATEGIES="add hybrid switch" adds switch); prints wall time, CPU time
# and the longest write transaction of each (docs/benchmarks.md, "rekey").
#   tools/rekey_bench.sh BUILD_DIR WORK_DIR [ROWS]
set -euo pipefail
ferry="$1/ferry"
work="$2"
rows="${3:-1000000}"
mkdir -p "$work"
cat > "$work/plan.yaml" <<'YAML'
version: 1
name: "bench"
entities:
  "events":
    source: {keys: ["events"], shape: record}
    id: {field: "id", time_field: "created_at", time_format: iso8601}
    primary_key: ["id"]
    columns:
      "id": {type: ulid, from: $ulid}
      "created_at": {type: timestamp, from: "created_at", format: iso8601}
YAML
run() {  # label target strategy
  local started ended
  started=$(date +%s.%N)
  /usr/bin/time -f 'cpu %U+%S s' -o "$work/$1-$3.time" \
    "$ferry" rekey "$2" --plan "$work/plan.yaml" --strategy "$3" > "$work/$1-$3.out" 2>&1 || true
  ended=$(date +%s.%N)
  printf '%s %s: %.1f s, %s, %s (load average %s)\n' "$1" "$3" \
    "$(echo "$ended - $started" | bc)" "$(cat "$work/$1-$3.time")" \
    "$(grep 'longest write' "$work/$1-$3.out" | tail -1)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
for strategy in ${STRATEGIES:-add hybrid}; do
  db="$work/bench-$strategy.db"
  rm -f "$db"
  sqlite3 "$db" "CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL,
    created_at TEXT NOT NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
    INSERT INTO events SELECT i, 'payload ' || i,
      strftime('%Y-%m-%dT%H:%M:%fZ', 1640995200 + i * 37 / 1000.0, 'unixepoch') FROM n;"
  run sqlite "sqlite:$db" "$strategy"
  if [[ "${DATABASE_URL:-}" == postgresql* ]]; then
    psql -q "$DATABASE_URL" -c "DROP TABLE IF EXISTS events; DROP SCHEMA IF EXISTS ferry CASCADE;
      CREATE TABLE events (id bigint PRIMARY KEY, payload text NOT NULL,
        created_at timestamptz NOT NULL);
      INSERT INTO events SELECT i, 'payload ' || i,
        to_timestamp(1640995200 + i * 37 / 1000.0) FROM generate_series(1, $rows) i;"
    run postgresql "$DATABASE_URL" "$strategy"
  fi
done
