# shellcheck shell=bash
# Shared parts of the benchmark scripts in tools/bench/ (sourced, not run): a private PostgreSQL
# 15 set up as the peers' harness sets its own (initdb at defaults, fsync on, Unix socket only),
# the server's CPU from /proc, medians, and the goal lines peers.sh gathers into its summary.
# Each script used to carry its own copy of these.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   bench_on_exit 'rm -rf "$work"'
#   bench_pg_start 55433 [-c shared_preload_libraries=pg_stat_statements ...]
#   bench_goal "rerun / clean, wall" 0.18 "<= 0.2"

bench_pgbin=/usr/lib/postgresql/15/bin
bench_exit_commands=()

# Runs COMMAND (a string, through eval) at exit, after those registered before it.
bench_on_exit() {
  bench_exit_commands+=("$1")
  trap bench_run_exit_commands EXIT
}
bench_run_exit_commands() {
  local c
  for c in "${bench_exit_commands[@]}"; do eval "$c" || true; done
}

# Runs a command as the postgres user when root (initdb and the server refuse root).
bench_as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Starts a throwaway PostgreSQL 15 on PORT (Unix socket in a temp dir only); further arguments
# are server options ("-c name=value"). Sets PGHOST, PGPORT, PGUSER, PGDATABASE (postgres),
# bench_pg_url (of database "ferry", not created here) and bench_postmaster; stopped and deleted
# at exit. Needs root, as the harness does, to run the server as postgres.
bench_pg_start() {
  local port=$1
  shift
  bench_pgtmp=$(mktemp -d /var/tmp/ferry-bench-pg.XXXXXX)
  chown postgres:postgres "$bench_pgtmp"
  chmod 700 "$bench_pgtmp"
  bench_on_exit 'bench_as_pg "$bench_pgbin/pg_ctl" -D "$bench_pgtmp/data" -m fast -w stop >/dev/null 2>&1; rm -rf "$bench_pgtmp"'
  bench_as_pg "$bench_pgbin/initdb" -D "$bench_pgtmp/data" -A trust -U postgres -E UTF8 \
    --locale=C.UTF-8 >/dev/null
  bench_as_pg "$bench_pgbin/pg_ctl" -D "$bench_pgtmp/data" -l "$bench_pgtmp/server.log" -w \
    -o "-p $port -k $bench_pgtmp -c listen_addresses='' $*" start >/dev/null
  export PGHOST=$bench_pgtmp PGPORT=$port PGUSER=postgres PGDATABASE=postgres
  bench_pg_url="postgresql:///ferry?host=$bench_pgtmp&port=$port"
  bench_postmaster=$(head -1 "$bench_pgtmp/data/postmaster.pid")
}

# Drops and creates database "ferry", then a CHECKPOINT (no dirty pages left by the run before).
bench_fresh_db() {
  psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS ferry WITH (FORCE)" \
    -c "CREATE DATABASE ferry" >/dev/null
  psql -X -q -c "CHECKPOINT"
}

# Waits (up to 10 s) until no session but this one is in database "ferry": a killed run's
# backends end as they notice, and until then its run counts as alive (the next command would
# start a run of its own instead of resuming it), and their statistics are not yet flushed.
bench_wait_idle() {
  local i
  for ((i = 0; i < 100; i++)); do
    [[ $(psql -X -At -d ferry -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'ferry' \
      AND pid <> pg_backend_pid()") == 0 ]] && return 0
    sleep 0.1
  done
}

# CPU seconds (user+sys) of the postmaster and its children, live and reaped, as the peers'
# harness counts the server's CPU.
bench_server_cpu() {
  python3 - "$bench_postmaster" <<'PY'
import os, sys
pid = sys.argv[1]
def stat(p):
    with open("/proc/%s/stat" % p) as f:
        s = f.read()
    return s[s.rindex(")") + 2:].split()
f = stat(pid)
total = sum(int(x) for x in f[11:15])
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            s = stat(d)
            if s[1] == pid:
                total += int(s[11]) + int(s[12])
        except (OSError, IndexError):
            pass
print("%.2f" % (total / os.sysconf("SC_CLK_TCK")))
PY
}

# The median of the numbers given as arguments.
bench_median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}

# A / B to 3 decimals ("n/a" when B is 0 or either is empty).
bench_ratio() {
  if [[ -z $1 || -z $2 ]] || [[ $(echo "$2 == 0" | bc) == 1 ]]; then echo n/a; return; fi
  printf '%.3f\n' "$(echo "$1 / $2" | bc -l)"
}

# The 1-minute load average.
bench_load() { cut -d' ' -f1 /proc/loadavg; }

# bench_goal FIGURE VALUE GOAL: one line of peers.sh's summary, GOAL being ">= X" or "<= X";
# "met" is yes or no by VALUE (n/a when VALUE is not a number). Printed to stderr, and appended
# to $FERRY_BENCH_SUMMARY when set (peers.sh sets it) as FIGURE|VALUE|GOAL|MET.
bench_goal() {
  local figure=$1 value=$2 goal=$3 op threshold met=n/a
  op=${goal%% *}
  threshold=${goal#* }
  if [[ $value =~ ^[0-9.]+$ ]]; then
    case $op in
      ">=") met=$([[ $(echo "$value >= $threshold" | bc) == 1 ]] && echo yes || echo no) ;;
      "<=") met=$([[ $(echo "$value <= $threshold" | bc) == 1 ]] && echo yes || echo no) ;;
      "<") met=$([[ $(echo "$value < $threshold" | bc) == 1 ]] && echo yes || echo no) ;;
    esac
  fi
  echo "goal: $figure = $value (goal $goal): $met" >&2
  [[ -n ${FERRY_BENCH_SUMMARY:-} ]] && printf '%s|%s|%s|%s\n' "$figure" "$value" "$goal" "$met" \
    >>"$FERRY_BENCH_SUMMARY"
  return 0
}
