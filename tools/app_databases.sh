#!/usr/bin/env bash
# Builds application databases in each shape issue 16 tried ("Loading into an existing
# application database"): the `tasks` table of the bundled taskapp mapping as an application
# might already have it, so that `ferry schema status|up` and `ferry migrate` can be tried on
# each (docs/schema-migrations.md, "What ferry adopts and what it refuses").
#
#   tools/app_databases.sh sqlite DIR         # DIR/<shape>.db, one SQLite file per shape
#   tools/app_databases.sh postgresql URL     # schema app_<shape> per shape in URL's database
#                                             # (dropped first); target it with
#                                             # URL?options=-csearch_path%3Dapp_<shape>
#   tools/app_databases.sh shapes             # the shapes, one a line: name, then what it is
#
# Needs the sqlite3 or psql client. tests/e2e/app_databases_script_test.cc runs it on both
# targets and checks each shape's verdict; tests/e2e/app_tables.h builds the same tables in
# C++ for the tests that load into them.
set -euo pipefail

# name|what the application's tasks table has (the verdict is in docs/schema-migrations.md)
SHAPES=(
  "compatible|the mapping's columns and types, PRIMARY KEY (id), UNIQUE (user_id, legacy_id): adopted"
  "legacy_id_integer|legacy_id INTEGER / bigint: refused (\"007\" would become 7)"
  "created_at_other_type|created_at INTEGER / timestamp without time zone: refused"
  "no_unique_key|no UNIQUE (user_id, legacy_id): schema up adopts it and adds the key"
  "duplicate_rows|no UNIQUE (user_id, legacy_id), two rows sharing one: refused, naming them"
  "extra_not_null|an extra column NOT NULL without a default: refused"
  "extra_defaulted|an extra column NOT NULL DEFAULT 3: adopted, left to its default"
  "id_other_type|id INTEGER PRIMARY KEY / uuid: refused"
  "foreign_key|tasks.status REFERENCES app_statuses (pending, completed): adopted; a task breaking it is a reject"
  "rows_under_key|UNIQUE (user_id, legacy_id) holding two of the sample dump's ids: adopted, those rows adopted"
  "with_index|the application's own index on (user_id, status): adopted; a mapping index on those columns uses it"
  "rollback_journal|(SQLite only) journal_mode=DELETE: ferry leaves it so"
)

die() { echo "app_databases.sh: $*" >&2; exit 2; }

# The CREATE TABLE of tasks in shape $1 for target kind $2 (sqlite | postgresql), then its rows.
tasks_sql() {
  local shape=$1 kind=$2
  local text=TEXT timestamp=TEXT json=TEXT
  if [[ $kind == postgresql ]]; then text=text timestamp=timestamptz json=jsonb; fi
  local id="$text PRIMARY KEY" legacy_id=$text created_at=$timestamp extra="" status=$text
  local unique=", UNIQUE (user_id, legacy_id)" after=""
  case $shape in
    compatible | rollback_journal) ;;
    legacy_id_integer) legacy_id=$([[ $kind == postgresql ]] && echo bigint || echo INTEGER) ;;
    created_at_other_type)
      created_at=$([[ $kind == postgresql ]] && echo "timestamp without time zone" || echo INTEGER) ;;
    no_unique_key) unique="" ;;
    duplicate_rows)
      unique=""
      after="INSERT INTO tasks (id, user_id, legacy_id, title) VALUES
        ('01HZZZZZZZZZZZZZZZZZZZZZZ1', 'demo-user', 'a1', 'one'),
        ('01HZZZZZZZZZZZZZZZZZZZZZZ2', 'demo-user', 'a1', 'two');" ;;
    extra_not_null) extra=", owner $text NOT NULL" ;;
    extra_defaulted) extra=", priority $([[ $kind == postgresql ]] && echo bigint || echo INTEGER) NOT NULL DEFAULT 3" ;;
    id_other_type) id=$([[ $kind == postgresql ]] && echo "uuid PRIMARY KEY" || echo "INTEGER PRIMARY KEY") ;;
    foreign_key)
      status="$text REFERENCES app_statuses (name)"
      echo "CREATE TABLE app_statuses (name $text PRIMARY KEY);"
      echo "INSERT INTO app_statuses VALUES ('pending'), ('completed');" ;;
    rows_under_key)
      after="INSERT INTO tasks (id, user_id, legacy_id, title, status) VALUES
        ('01HZZZZZZZZZZZZZZZZZZZZZZ1', 'demo-user', 't1', 'by hand 1', 'pending'),
        ('01HZZZZZZZZZZZZZZZZZZZZZZ2', 'demo-user', 't2', 'by hand 2', 'pending');" ;;
    with_index) after="CREATE INDEX app_tasks_user_status ON tasks (user_id, status);" ;;
    *) die "unknown shape $shape" ;;
  esac
  echo "CREATE TABLE tasks (id $id, user_id $text NOT NULL, legacy_id $legacy_id NOT NULL,
    title $text NOT NULL, description $text, status $status, tags $json,
    environment_id $text, created_at $created_at, updated_at $timestamp$extra$unique);"
  echo "$after"
}

[[ $# -ge 1 ]] || die "usage: app_databases.sh sqlite DIR | postgresql URL | shapes"
case $1 in
  shapes)
    for entry in "${SHAPES[@]}"; do echo "${entry%%|*}	${entry#*|}"; done ;;
  sqlite)
    [[ $# -eq 2 ]] || die "usage: app_databases.sh sqlite DIR"
    mkdir -p "$2"
    for entry in "${SHAPES[@]}"; do
      shape=${entry%%|*}
      rm -f "$2/$shape.db" "$2/$shape.db-journal" "$2/$shape.db-wal" "$2/$shape.db-shm"
      { echo "PRAGMA journal_mode=DELETE;"; tasks_sql "$shape" sqlite; } |
        sqlite3 -bail "$2/$shape.db" >/dev/null
    done ;;
  postgresql)
    [[ $# -eq 2 ]] || die "usage: app_databases.sh postgresql URL"
    for entry in "${SHAPES[@]}"; do
      shape=${entry%%|*}
      [[ $shape == rollback_journal ]] && continue
      { echo "SET client_min_messages = warning;"
        echo "DROP SCHEMA IF EXISTS app_$shape CASCADE; CREATE SCHEMA app_$shape;"
        echo "SET search_path = app_$shape;"
        tasks_sql "$shape" postgresql; } |
        psql "$2" -X -q -v ON_ERROR_STOP=1 >/dev/null
    done ;;
  *) die "unknown target kind $1 (sqlite or postgresql)" ;;
esac
