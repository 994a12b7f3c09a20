#!/usr/bin/env bash
# Every goal of issue 19 in one go, each selectable, ending with one summary table
# "figure | value | goal | met". ferry runs at its default settings (plus --continue-on-error:
# the generator's 1 % invalid tasks), in the peers' own harness (../shared/peers/run.sh: its
# workload, checks, /usr/bin/time and throwaway PostgreSQL 15) for the PostgreSQL goals, and in
# the scripts next to this one for the others. The harness writes each of its tables under
# ../shared/peers/results/; copy the figures into docs/benchmarks.md with the load average.
#
#   tools/bench/peers.sh                                  # every goal but 10m (hours on 2 cores)
#   tools/bench/peers.sh --goals 'load resume' --load-sizes 200000 --large 200000 --runs 3
#   tools/bench/peers.sh --goals decode --ferry build/ferry
#   tools/bench/peers.sh --goals '10m' --load-sizes 1000000     # 10M needs the 1M figure
#
# Goals (--goals LIST; default: load small-users one-user resume sqlite decode):
#   load         at each --load-sizes (default '200000 1000000'; users = tasks / 1000): ferry
#                against copy (>= 0.8x), copy-upsert-all (>= 1.3x) and node-pg (>= 1.8x) by
#                wall time, ferry's peak RSS (< 100 MB), and ferry-rerun (the same command over
#                the finished load: >= 5x faster than the first load)
#   small-users  2000 users x 10 tasks: >= 1.8x node-pg
#   one-user     1 user x 200,000 tasks (one unit): >= 1.3x copy-upsert-all
#   resume       resume_rerun.sh on --large tasks: a resume after a kill at 90 % of the commits
#                (<= 0.2 of a clean run) and a rerun (>= 5x faster), alternated with clean runs
#   sqlite       sqlite_ceiling.sh on --large tasks: >= 0.6x the sqlite3 shell's import, by CPU
#   decode       decode_rate.sh: the Chromium large fixture, >= 200 MB/s
#   10m          (only when named) 10,000,000 tasks, one run: peak RSS < 100 MB and <= 11x the
#                1M time of the load goal in the same invocation (hours on this machine)
#
# Options: --goals LIST, --load-sizes LIST, --large N (default 1000000), --runs N (default 3;
# for the harness: rounds of one run of every peer, so that the peers alternate),
# --peers LIST (the load goal's peers besides ferry; default: copy copy-upsert-all node-pg),
# --jobs LIST (ferry's --jobs values for the load goal: 0 = the default settings, the peer
# "ferry" and its "ferry-rerun"; N adds a peer "ferry-jN"), --batch-size N, --shared DIR (where
# the peers live; default ../shared next to the repository, or $FERRY_SHARED_DIR), --ferry PATH
# (a ferry built already; otherwise a Release build into build-bench/), --baseline PATH
# (another build, main's say: the peer "ferry-base" in the same rounds of the harness goals).
# Needs root, like the harness (apt, postgres).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
source tools/bench/lib.sh

goals="load small-users one-user resume sqlite decode"
load_sizes="200000 1000000"
large=1000000
runs=3
peers="copy copy-upsert-all node-pg"
batch_size=""
jobs_list="0"
shared=${FERRY_SHARED_DIR:-$root/../shared}
ferry=""
baseline=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --goals) goals=$2; shift 2 ;;
    --load-sizes) load_sizes=$2; shift 2 ;;
    --large) large=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --peers) peers=$2; shift 2 ;;
    --batch-size) batch_size=$2; shift 2 ;;
    --jobs) jobs_list=$2; shift 2 ;;
    --shared) shared=$2; shift 2 ;;
    --ferry) ferry=$(realpath "$2"); shift 2 ;;
    --baseline) baseline=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "peers.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for goal in $goals; do
  case $goal in
    load|small-users|one-user|resume|sqlite|decode|10m) ;;
    *) echo "peers.sh: unknown goal $goal (see --help)" >&2; exit 2 ;;
  esac
done
harness=$shared/peers/run.sh
if [[ ! -x $harness ]]; then
  echo "peers.sh: the peers' harness is not at $harness (set --shared or FERRY_SHARED_DIR)" >&2
  exit 2
fi
data_root=${FERRY_PEERS_DATA:-/var/tmp/ferry-peers}

if [[ -z $ferry ]]; then
  tools/install_deps.sh
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF >/dev/null
  cmake --build build-bench -j "${FERRY_JOBS:-2}" --target ferry
  ferry=$root/build-bench/ferry
fi
mkdir -p "$root/build-bench"  # the peer scripts below
export FERRY_BENCH_SUMMARY=$root/build-bench/summary.txt
: >"$FERRY_BENCH_SUMMARY"
started=$(date -u +%H:%M)
loads=()

batch_flag=""
[[ -n $batch_size ]] && batch_flag="--batch-size $batch_size"
# The harness passes DUMPS (one <userId>.json per user) and DATABASE_URL; exit 3 (done, with the
# generator's deliberately invalid records rejected) counts as success. Rejects go to a temp
# file so that the repository stays clean. The command goes through a script of its own: the
# harness copies an extra's command into a Python string literal of its results table, which a
# double quote or a backslash would break.
extras=()
ferry_peers=""
for jobs in $jobs_list; do
  name=ferry  # --jobs 0: the run chooses (the default settings)
  [[ $jobs != 0 ]] && name=ferry-j$jobs
  peer_script=$root/build-bench/$name-peer.sh
  cat >"$peer_script" <<SCRIPT
#!/usr/bin/env bash
exec '$ferry' migrate "\$DUMPS" --user-id-from filename --target "\$DATABASE_URL" \\
  --continue-on-error --progress none --jobs $jobs $batch_flag \\
  --rejects "\${TMPDIR:-/tmp}/ferry-bench-rejects.ndjson" \\
  --report "\${TMPDIR:-/tmp}/ferry-bench-report.json"
SCRIPT
  chmod +x "$peer_script"
  extras+=(--extra "$name=$peer_script")
  ferry_peers+=" $name"
done

# --baseline: the same command with another build (main's), a peer of the harness goals in the
# same rounds, so that a change is measured side by side with what it changes.
if [[ -n $baseline ]]; then
  sed "s|exec '$ferry'|exec '$baseline'|" "$root/build-bench/ferry-peer.sh" \
    >"$root/build-bench/ferry-base-peer.sh" 2>/dev/null ||
    { echo "peers.sh: --baseline needs --jobs 0 among --jobs" >&2; exit 2; }
  chmod +x "$root/build-bench/ferry-base-peer.sh"
  extras+=(--extra "ferry-base=$root/build-bench/ferry-base-peer.sh")
  ferry_peers+=" ferry-base"
fi

# run_harness USERS TASKS PEERS: runs the peers' harness --runs times with --runs 1 (ferry's
# peers added by the caller in PEERS), so that each round runs every peer once and the peers
# alternate: on a shared machine the load drifts over minutes, and the harness's own --runs N
# runs one peer N times before the next. Sets harness_runs to the rounds' runs.tsv files. A
# failed check is reported, not fatal: the other goals still run.
run_harness() {
  local out rc round
  harness_runs=()
  for ((round = 1; round <= runs; round++)); do
    out=$root/build-bench/harness-$2-$round.out
    rc=0
    loads+=("$(bench_load)")
    "$harness" --tasks "$2" --users "$1" --runs 1 --peers "$3" "${extras[@]}" --tag ferry \
      2>&1 | tee "$out" || rc=$?
    [[ $rc == 0 ]] || echo "peers.sh: the harness exited $rc (a failed check or run: see above)" >&2
    harness_runs+=("$(sed -n 's/.*(logs: \(.*\)); took.*/\1/p' "$out" | tail -1)/runs.tsv")
  done
}
# median PEER FIELD: the median over the rounds of PEER's wall, rss_mb, client_cpu or
# server_cpu ("" when PEER has no run that passed its checks).
median() {
  python3 - "$1" "$2" "${harness_runs[@]}" <<'PY'
import csv, statistics, sys
peer, field, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
values = []
for path in paths:
    try:
        rows = list(csv.DictReader(open(path), delimiter="\t"))
    except OSError:
        continue
    for r in rows:
        if r["peer"] != peer or r["ok"] != "ok":
            continue
        values.append({"wall": float(r["wall"]), "rss_mb": int(r["maxrss_kb"]) / 1024,
                       "client_cpu": float(r["user"]) + float(r["sys"]),
                       "server_cpu": float(r["server_cpu"])}[field])
print("%.2f" % statistics.median(values) if values else "")
PY
}
# runs_of PEER FIELD: every round's value, for the table's "runs" column.
runs_of() {
  python3 - "$1" "$2" "${harness_runs[@]}" <<'PY'
import csv, sys
peer, field, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
out = []
for path in paths:
    try:
        for r in csv.DictReader(open(path), delimiter="\t"):
            if r["peer"] == peer:
                out.append(r[field] if r["ok"] == "ok" else "failed")
    except OSError:
        out.append("none")
print(", ".join(out))
PY
}
# against PEER GOAL LABEL: ferry (default settings) relative to PEER, by wall (PEER's time over
# ferry's), and where each one's time went.
against() {
  local f p
  f=$(median ferry wall); p=$(median "$1" wall)
  bench_goal "$3: ferry vs $1 (wall $p s / $f s)" "$(bench_ratio "$p" "$f")" "$2"
}
where_time_goes() {
  local peer
  for peer in "$@"; do
    echo "$peer: wall $(median "$peer" wall) s (rounds: $(runs_of "$peer" wall)), client CPU $(median "$peer" client_cpu) s, server CPU $(median "$peer" server_cpu) s, peak RSS $(median "$peer" rss_mb) MB" >&2
  done
}
# dumps_for USERS TASKS: the generator's dumps (made once, as the harness makes them).
dumps_for() {
  local dir=$data_root/u$1-t$2-s42
  if [[ ! -f $dir/manifest.json ]]; then
    mkdir -p "$dir"
    python3 "$shared/peers/gen/gen_taskapp.py" --users "$1" --tasks "$2" --seed 42 --out "$dir" >&2
  fi
  echo "$dir/dumps"
}
users_of() { echo $(($1 / 1000 > 0 ? $1 / 1000 : 1)); }

ferry_wall_1m=""
for goal in $goals; do
  echo "## goal: $goal ($(date -u +%H:%M), load $(bench_load))" >&2
  case $goal in
    load)
      for tasks in $load_sizes; do
        run_harness "$(users_of "$tasks")" "$tasks" "$peers$ferry_peers ferry-rerun"
        where_time_goes $peers $ferry_peers ferry-rerun
        label="$((tasks / 1000))k"
        for peer in $peers; do
          case $peer in
            copy) against copy ">= 0.8" "$label" ;;
            copy-upsert-all) against copy-upsert-all ">= 1.3" "$label" ;;
            node-pg) against node-pg ">= 1.8" "$label" ;;
          esac
        done
        bench_goal "$label: ferry's peak RSS, MB" "$(median ferry rss_mb)" "< 100"
        bench_goal "$label: ferry's first load / ferry-rerun, wall" \
          "$(bench_ratio "$(median ferry wall)" "$(median ferry-rerun wall)")" ">= 5"
        [[ $tasks == 1000000 ]] && ferry_wall_1m=$(median ferry wall)
      done
      ;;
    small-users)
      run_harness 2000 20000 "node-pg$ferry_peers"
      where_time_goes node-pg $ferry_peers
      against node-pg ">= 1.8" "2000 users x 10 tasks"
      ;;
    one-user)
      run_harness 1 200000 "copy-upsert-all$ferry_peers"
      where_time_goes copy-upsert-all $ferry_peers
      against copy-upsert-all ">= 1.3" "1 user x 200k tasks"
      if [[ -n $baseline ]]; then
        echo "one-user: ferry-base / ferry, wall: $(bench_ratio "$(median ferry-base wall)" "$(median ferry wall)")" >&2
      fi
      ;;
    resume)
      loads+=("$(bench_load)")
      tools/bench/resume_rerun.sh --dumps "$(dumps_for "$(users_of "$large")" "$large")" \
        --runs "$runs" --ferry "$ferry"
      ;;
    sqlite)
      loads+=("$(bench_load)")
      tools/bench/sqlite_ceiling.sh --dumps "$(dumps_for "$(users_of "$large")" "$large")" \
        --runs "$runs" --ferry "$ferry"
      ;;
    decode)
      loads+=("$(bench_load)")
      tools/bench/decode_rate.sh --ferry "$ferry" --shared "$shared"
      ;;
    10m)
      saved_runs=$runs; runs=1
      run_harness 10000 10000000 "ferry"
      runs=$saved_runs
      where_time_goes ferry
      bench_goal "10M: ferry's peak RSS, MB" "$(median ferry rss_mb)" "< 100"
      bench_goal "10M: ferry's time / its 1M time (same invocation)" \
        "$(bench_ratio "$(median ferry wall)" "$ferry_wall_1m")" "<= 11"
      ;;
  esac
done

echo
echo "Issue 19's goals, $started-$(date -u +%H:%M) UTC, load average (1 min) ${loads[*]:-n/a}; ferry: $ferry"
echo
echo "| figure | value | goal | met |"
echo "| --- | ---: | --- | --- |"
while IFS='|' read -r figure value goal met; do
  echo "| $figure | $value | $goal | $met |"
done <"$FERRY_BENCH_SUMMARY"
