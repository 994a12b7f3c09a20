#!/usr/bin/env bash
# ferry against its peers (node-pg + zod, raw COPY, COPY -> staging -> upsert, pgloader) on the
# peers' own workload, harness, checks and throwaway PostgreSQL 15, in one run: the harness
# times every loader the same way (/usr/bin/time -v, median of --runs) and checks the rows each
# one wrote. Results: the table printed at the end, also written by the harness under
# ../shared/peers/results/; copy the medians and ratios into docs/benchmarks.md.
#
#   tools/bench/peers.sh                       # 100,000 tasks over 100 users, 3 runs
#   tools/bench/peers.sh --tasks 1000000       # the headline size (users = tasks / 1000)
#   tools/bench/peers.sh --peers 'copy-upsert-all node-pg' --runs 5
#   tools/bench/peers.sh --jobs '0 1 4'        # ferry (default settings), ferry-j1, ferry-j4
#   tools/bench/peers.sh --tasks 200000 --all  # and, on the same dumps, the other goals below
#
# Options: --tasks N, --users N, --runs N, --peers LIST (peers besides ferry's; default: copy
# copy-upsert-all node-pg pgloader), --jobs LIST (ferry's --jobs values, default '0 1': a peer
# "ferry" for 0, the default settings, with its "ferry-rerun", "ferry-jN" for the others),
# --batch-size N (ferry's), --shared DIR (where the peers live; default ../shared next to the
# repository, or $FERRY_SHARED_DIR), --ferry PATH (a ferry built already: no build), --all
# (after the harness, on the same dumps: sqlite_ceiling.sh, decode_rate.sh and resume_rerun.sh,
# each printing its table; the many-small-users and one-large-user goals are runs of this script
# with --users 2000 --tasks 20000 and --users 1 --tasks 200000).
# Builds ferry (Release) into build-bench/ first, unless --ferry. Needs root, like the harness
# (apt, postgres). What a resume and a rerun cost against a clean run: resume_rerun.sh here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD

tasks=100000
users=""
runs=3
peers="copy copy-upsert-all node-pg pgloader"
batch_size=""
jobs_list="0 1"
shared=${FERRY_SHARED_DIR:-$root/../shared}
ferry=""
all=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --tasks) tasks=$2; shift 2 ;;
    --users) users=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --peers) peers=$2; shift 2 ;;
    --batch-size) batch_size=$2; shift 2 ;;
    --jobs) jobs_list=$2; shift 2 ;;
    --shared) shared=$2; shift 2 ;;
    --ferry) ferry=$(realpath "$2"); shift 2 ;;
    --all) all=1; shift ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "peers.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
users=${users:-$((tasks / 1000 > 0 ? tasks / 1000 : 1))}
harness=$shared/peers/run.sh
if [[ ! -x $harness ]]; then
  echo "peers.sh: the peers' harness is not at $harness (set --shared or FERRY_SHARED_DIR)" >&2
  exit 2
fi

if [[ -z $ferry ]]; then
  tools/install_deps.sh
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF >/dev/null
  cmake --build build-bench -j "${FERRY_JOBS:-2}" --target ferry
  ferry=$root/build-bench/ferry
fi
mkdir -p "$root/build-bench"  # the peer scripts below

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
  [[ $name == ferry ]] && ferry_peers+=" ferry-rerun"
done

"$harness" --tasks "$tasks" --users "$users" --runs "$runs" \
  --peers "$peers$ferry_peers" "${extras[@]}" --tag ferry
[[ $all == 1 ]] || exit 0
dumps=${FERRY_PEERS_DATA:-/var/tmp/ferry-peers}/u$users-t$tasks-s42/dumps
echo "## SQLite target against the sqlite3 shell's import ($dumps)"
tools/bench/sqlite_ceiling.sh --dumps "$dumps" --runs "$runs" --ferry "$ferry"
echo "## Chromium decode rate (the large fixture)"
tools/bench/decode_rate.sh --ferry "$ferry" --shared "$shared"
echo "## Resume at 90 % and rerun against a clean run"
tools/bench/resume_rerun.sh --dumps "$dumps" --runs "$runs" --ferry "$ferry"
