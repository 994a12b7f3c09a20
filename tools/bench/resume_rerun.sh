#!/usr/bin/env bash
# What a resume and a rerun cost against a clean run (issue 19), at default settings, on the
# peers' workload and a throwaway PostgreSQL 15 set up as theirs (every setting at its default,
# fsync on), medians of --runs, the three alternated in each round:
#   clean   a first load into an empty database
#   rerun   the same command again over the finished load (unchanged source, policy skip)
#   resume  a run killed (SIGKILL) right after its commit number round(--kill-at x C), C being
#           the data commits of the first clean run, then the same command again: the timed
#           part is that second run, which resumes the first
# Prints each median (wall, ferry's CPU, the server's CPU) and the ratios rerun/clean and
# resume/clean (goals: rerun >= 5x faster, resume <= 0.2 of a clean run), and for the resume
# what its report says it passed over (records at or before a checkpoint, units skipped by
# their marks).
#
#   tools/bench/resume_rerun.sh --dumps /var/tmp/ferry-peers/u1000-t1000000-s42/dumps
#   tools/bench/resume_rerun.sh --dumps DIR --runs 3 --kill-at 0.9 --ferry build-bench/ferry
#
# The kill is ferry's own test hook (FERRY_FAULT=pg.after_commit:N, base/fault_point.h): it
# lands after the same commit every time, whatever the machine's load (a poll of count(*) came
# too late under load). C is counted in the target after the first clean run, as the distinct
# transactions (xmin) of the id map's rows and the checkpoints: every batch that inserts rows
# writes id-map rows, and each unit mark is a checkpoint of its own.
# The dumps come from the peers' generator (tools/bench/peers.sh makes them). Needs root (to run
# PostgreSQL as the postgres user), like the harness.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
source tools/bench/lib.sh

dumps=""
runs=3
kill_at=0.9
ferry=$root/build-bench/ferry
port=55433
while [[ $# -gt 0 ]]; do
  case $1 in
    --dumps) dumps=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --kill-at) kill_at=$2; shift 2 ;;
    --ferry) ferry=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "resume_rerun.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -d $dumps ]] || { echo "resume_rerun.sh: --dumps DIR is needed (a folder of <user>.json)" >&2; exit 2; }
[[ -x $ferry ]] || { echo "resume_rerun.sh: no ferry at $ferry (--ferry)" >&2; exit 2; }

work=$(mktemp -d /var/tmp/ferry-resume-work.XXXXXX)
bench_on_exit 'rm -rf "$work"'
bench_pg_start "$port"

# The command as peers.sh runs it: default settings but for the peers' deliberate rejects.
ferry_args=(migrate "$dumps" --user-id-from filename --target "$bench_pg_url" --continue-on-error
  --progress none --rejects "$work/rejects.ndjson" --report "$work/report.json"
  --backup-dir "$work/backups")
# "wall ferry_cpu server_cpu" seconds of one run (exit 0 and 3, the generator's invalid
# records, are success).
timed_run() {
  local start end rc=0 s0 s1
  s0=$(bench_server_cpu)
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$work/time.txt" "$ferry" "${ferry_args[@]}" >"$work/out.txt" \
    2>"$work/err.txt" || rc=$?
  end=$(date +%s.%N)
  bench_wait_idle
  s1=$(bench_server_cpu)
  if [[ $rc != 0 && $rc != 3 ]]; then
    echo "resume_rerun.sh: ferry exited $rc:" >&2; tail -5 "$work/err.txt" >&2; exit 1
  fi
  echo "$(echo "$end - $start" | bc) $(tail -1 "$work/time.txt" | awk '{print $1 + $2}') $(echo "$s1 - $s0" | bc)"
}
count_tasks() { psql -X -At -d ferry -c "SELECT count(*) FROM tasks"; }
data_commits() {
  psql -X -At -d ferry -c "SELECT count(DISTINCT x) FROM (SELECT xmin::text AS x FROM ferry.id_map \
    UNION ALL SELECT xmin::text FROM ferry.checkpoints) s"
}
# Times one run and adds its figures to the lists of $1 (clean, rerun or resume).
measure() {
  local w c s
  read -r w c s < <(timed_run) || true
  [[ -n ${s:-} ]] || exit 1  # timed_run said why
  wall[$1]+=" $w"; cpu[$1]+=" $c"; scpu[$1]+=" $s"
  last="$w s ($c s ferry CPU, $s s server CPU)"
}
report_number() { python3 -c "import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))" "$work/report.json" "$1"; }

declare -A wall cpu scpu
kill_pass=""
total=0
for ((i = 1; i <= runs; i++)); do
  bench_fresh_db
  measure clean
  clean_last=$last
  if [[ -z $kill_pass ]]; then
    total=$(count_tasks)
    commits=$(data_commits)
    kill_pass=$(printf '%.0f' "$(echo "$commits * $kill_at" | bc -l)")
    echo "clean run: $total tasks in $commits data commits; the resume's run is killed after commit $kill_pass" >&2
  fi
  measure rerun
  echo "round $i: clean $clean_last, rerun $last ($(report_number unchanged_units) units skipped, $(report_number unchanged_rejects_kept) given their kept rejects back), load $(bench_load)" >&2

  bench_fresh_db
  rc=0
  FERRY_FAULT=pg.after_commit:$kill_pass "$ferry" "${ferry_args[@]}" >"$work/killed.txt" 2>&1 || rc=$?
  [[ $rc == 137 ]] || echo "round $i: the run to kill exited $rc, not by SIGKILL at its commit $kill_pass" >&2
  bench_wait_idle
  before=$(count_tasks)
  measure resume
  grep -q "resumed the interrupted run" "$work/out.txt" || echo "round $i: NOT a resume" >&2
  echo "round $i: killed with $before of $total tasks in, resume $last: $(report_number resume_passed_over) records passed over, $(report_number unchanged_units) units skipped by their marks, $(report_number unchanged_rejects_kept) given their kept rejects back, $(count_tasks) tasks after, load $(bench_load)" >&2
done

# shellcheck disable=SC2086
{
  cw=$(bench_median ${wall[clean]}); cc=$(bench_median ${cpu[clean]}); cs=$(bench_median ${scpu[clean]})
  printf '| what | median wall s | wall runs | ratio to clean | ferry CPU s | ratio | server CPU s | ratio |\n'
  printf '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n'
  for what in clean rerun resume; do
    w=$(bench_median ${wall[$what]}); c=$(bench_median ${cpu[$what]}); s=$(bench_median ${scpu[$what]})
    label=$what
    [[ $what == rerun ]] && label="rerun (unchanged)"
    [[ $what == resume ]] && label="resume (killed after commit $kill_pass of $commits)"
    printf '| %s | %.2f | %s | %s | %.2f | %s | %.2f | %s |\n' "$label" "$w" "${wall[$what]# }" \
      "$(bench_ratio "$w" "$cw")" "$c" "$(bench_ratio "$c" "$cc")" "$s" "$(bench_ratio "$s" "$cs")"
  done
  rw=$(bench_median ${wall[rerun]}); sw=$(bench_median ${wall[resume]})
}
bench_goal "rerun: first load / rerun, wall ($total tasks)" "$(bench_ratio "$cw" "$rw")" ">= 5"
bench_goal "resume after a kill at $kill_at: resume / clean, wall ($total tasks)" "$(bench_ratio "$sw" "$cw")" "<= 0.2"
