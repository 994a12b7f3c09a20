#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests: a fresh cluster in a mktemp -d folder, reachable
# through a Unix socket in that folder (superuser `postgres`, trust auth) and on the loopback
# address 127.0.0.1 (password auth, scram-sha-256, for the tests of password handling); fsync off.
#
# Two ways to use it:
#   tools/test_postgres.sh CMD [ARGS...]   start a server, run CMD with the environment below,
#                                          stop the server and remove the folder; exits with CMD's code.
#   source tools/test_postgres.sh          defines ferry_pg_start / ferry_pg_stop (tools/test.sh does);
#                                          the caller must call ferry_pg_stop from its EXIT trap.
#
# ferry_pg_start exports PGHOST (the socket folder), PGPORT, PGUSER=postgres, PGDATABASE=ferry_test
# and FERRY_TEST_DATABASE_URL=postgresql:///ferry_test?host=<folder>&port=<port>&user=postgres;
# FERRY_TEST_PG_STATEMENT_LOG, the server's log, which records every statement (log_statement =
# all; FERRY_TEST_PG_LOG_STATEMENTS=0 turns that off) for tools/colocation_check.py;
# for the password tests, a role with a random password that may log in only over TCP, owning
# its own database:
#   FERRY_TEST_PG_TCP_HOST=127.0.0.1  FERRY_TEST_PG_TCP_PORT=<port>
#   FERRY_TEST_PG_PASSWORD_USER=ferry_pw  FERRY_TEST_PG_PASSWORD=<random>
#   FERRY_TEST_PG_PASSWORD_DB=ferry_pw_test
#   FERRY_TEST_PASSWORD_URL=postgresql://ferry_pw:<password>@127.0.0.1:<port>/ferry_pw_test
#
# PostgreSQL uses one port for its socket and its TCP listener. The socket lives in a private
# folder, but the TCP port is shared with every other server on the machine, so the first free
# port from 55433 up is taken (FERRY_TEST_PGPORT forces one).
# As root the server runs as the `postgres` OS user (initdb and postgres refuse to run as root).

FERRY_PG_BIN=${FERRY_PG_BIN:-/usr/lib/postgresql/15/bin}
FERRY_PG_DIR=""

# Runs "$@" as the OS user that owns the server, from a folder that user can read.
_ferry_pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$FERRY_PG_DIR" && runuser -u postgres -- "$@")
  else
    (cd "$FERRY_PG_DIR" && "$@")
  fi
}

# Starts the server and exports the connection variables. Returns non-zero (with the server log
# on stderr) when anything fails; whatever was started is still stopped by ferry_pg_stop.
# True when something listens on 127.0.0.1:$1.
_ferry_pg_port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The first port from $1 up (at most 200 tried) on which nothing listens.
_ferry_pg_free_port() {
  local port=$1
  while _ferry_pg_port_busy "$port" && ((port < $1 + 200)); do
    port=$((port + 1))
  done
  echo "$port"
}

ferry_pg_start() {
  local port=${FERRY_TEST_PGPORT:-$(_ferry_pg_free_port 55433)}
  if [[ ! -x $FERRY_PG_BIN/initdb ]]; then
    echo "test_postgres: $FERRY_PG_BIN/initdb not found; install postgresql-15 (tools/install_deps.sh)" >&2
    return 1
  fi
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    echo "test_postgres: running as root needs the 'postgres' OS user (created by postgresql-15)" >&2
    return 1
  fi
  FERRY_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ferry-pg.XXXXXX") || return 1
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$FERRY_PG_DIR" || return 1
  fi
  local data=$FERRY_PG_DIR/data log=$FERRY_PG_DIR/postgres.log
  if ! _ferry_pg_as_owner "$FERRY_PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 \
      --locale=C.UTF-8 --no-sync >"$FERRY_PG_DIR/initdb.log" 2>&1; then
    echo "test_postgres: initdb failed:" >&2
    cat "$FERRY_PG_DIR/initdb.log" >&2
    return 1
  fi
  # Settings for a disposable test server: loopback TCP only, socket in our folder, durability
  # off for speed. The port goes into a file of its own, rewritten when a start has to retry.
  _ferry_pg_as_owner tee -a "$data/postgresql.conf" >/dev/null <<CONF || return 1

# --- ferry test server (tools/test_postgres.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$FERRY_PG_DIR'
include = 'ferry_port.conf'
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
CONF
  # Every statement, with its session, (virtual) transaction and application name: the
  # co-location check (tools/colocation_check.py, docs/scale-out.md) reads them after the suite.
  # FERRY_TEST_PG_LOG_STATEMENTS=0 turns it off (to measure what it costs).
  if [[ ${FERRY_TEST_PG_LOG_STATEMENTS:-1} != 0 ]]; then
    _ferry_pg_as_owner tee -a "$data/postgresql.conf" >/dev/null <<'CONF' || return 1
log_statement = 'all'
log_line_prefix = '%c %v %x <%a> '
CONF
  fi
  # TCP logins need a password (first match wins, so this goes before initdb's trust lines);
  # the socket stays trust for the superuser.
  { echo "host all all 127.0.0.1/32 scram-sha-256"; cat "$data/pg_hba.conf"; } \
    >"$FERRY_PG_DIR/pg_hba.conf.new" || return 1
  _ferry_pg_as_owner cp "$FERRY_PG_DIR/pg_hba.conf.new" "$data/pg_hba.conf" || return 1
  rm -f "$FERRY_PG_DIR/pg_hba.conf.new"
  # Another server may take the port between the probe and the start: then try the next one.
  local attempt started=0
  for attempt in 1 2 3 4 5; do
    echo "port = $port" | _ferry_pg_as_owner tee "$data/ferry_port.conf" >/dev/null || return 1
    if _ferry_pg_as_owner "$FERRY_PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 start \
        >/dev/null 2>&1; then
      started=1
      break
    fi
    if [[ -n ${FERRY_TEST_PGPORT:-} ]] || ! grep -q "could not bind\|could not create any TCP" "$log"; then
      break
    fi
    port=$(_ferry_pg_free_port $((port + 1)))
  done
  if [[ $started -ne 1 ]]; then
    echo "test_postgres: pg_ctl start failed; server log:" >&2
    cat "$log" >&2
    return 1
  fi
  if ! _ferry_pg_as_owner "$FERRY_PG_BIN/createdb" -h "$FERRY_PG_DIR" -p "$port" -U postgres \
      ferry_test; then
    echo "test_postgres: createdb ferry_test failed" >&2
    return 1
  fi
  # The password role: random per server, hex so that it needs no escaping in a URL.
  local password
  password="fpw$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" || return 1
  if ! _ferry_pg_as_owner "$FERRY_PG_BIN/psql" -h "$FERRY_PG_DIR" -p "$port" -U postgres -d ferry_test \
      -v ON_ERROR_STOP=1 -q \
      -c "CREATE ROLE ferry_pw LOGIN PASSWORD '$password'" \
      -c "CREATE DATABASE ferry_pw_test OWNER ferry_pw" >/dev/null; then
    echo "test_postgres: creating the password role failed" >&2
    return 1
  fi
  export PGHOST=$FERRY_PG_DIR PGPORT=$port PGUSER=postgres PGDATABASE=ferry_test
  export FERRY_TEST_DATABASE_URL="postgresql:///ferry_test?host=$FERRY_PG_DIR&port=$port&user=postgres"
  export FERRY_TEST_PG_TCP_HOST=127.0.0.1 FERRY_TEST_PG_TCP_PORT=$port
  export FERRY_TEST_PG_PASSWORD_USER=ferry_pw FERRY_TEST_PG_PASSWORD=$password
  export FERRY_TEST_PG_PASSWORD_DB=ferry_pw_test
  export FERRY_TEST_PG_STATEMENT_LOG=$log
  export FERRY_TEST_PASSWORD_URL="postgresql://ferry_pw:$password@127.0.0.1:$port/ferry_pw_test"
}

# Stops the server (immediate: its data is thrown away anyway) and removes the folder.
# Safe to call more than once and when ferry_pg_start failed half way.
ferry_pg_stop() {
  [[ -n $FERRY_PG_DIR && -d $FERRY_PG_DIR ]] || return 0
  local data=$FERRY_PG_DIR/data pid="" i
  if [[ -f $data/postmaster.pid ]]; then
    pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] || pid=""
    if ! _ferry_pg_as_owner "$FERRY_PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 30 stop \
        >/dev/null 2>&1 && [[ -n $pid ]]; then
      # pg_ctl could not stop it: end our own postmaster by the pid it recorded.
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # pg_ctl returns once the pid file is gone; wait (at most 5 s) until the process itself is, so
  # a `pgrep postgres` right after this finds nothing.
  if [[ -n $pid ]]; then
    for ((i = 0; i < 50; i++)); do
      [[ -e /proc/$pid ]] || break
      sleep 0.1
    done
  fi
  rm -rf "$FERRY_PG_DIR"
  FERRY_PG_DIR=""
}

# Executed (not sourced): wrap a command.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]   (runs CMD against a throwaway PostgreSQL 15)" >&2
    exit 2
  fi
  trap ferry_pg_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  ferry_pg_start
  set +e
  "$@"
  status=$?
  set -e
  exit "$status"
fi
