#!/usr/bin/env bash
# What a resume and a rerun cost against a clean run (issue 19), at default settings, on the
# peers' workload and a throwaway PostgreSQL 15 set up as theirs (every setting at its default,
# fsync on), medians of --runs, side by side in one go:
#   clean   a first load into an empty database
#   rerun   the same command again over the finished load (unchanged source, policy skip)
#   resume  a run killed (SIGKILL) once --kill-at of the clean run's tasks are in, then the
#           same command again: the timed part is that second run, which resumes the first
# Prints each median and the ratios rerun/clean and resume/clean (goals: <= 0.2 for both).
#
#   tools/bench/resume_rerun.sh --dumps /var/tmp/ferry-peers/u200-t200000-s42/dumps
#   tools/bench/resume_rerun.sh --dumps DIR --runs 3 --kill-at 0.9 --ferry build-bench/ferry
#
# The dumps come from the peers' generator (tools/bench/peers.sh makes them once). Needs root
# (to run PostgreSQL as the postgres user), like the harness.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD

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
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "resume_rerun.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -d $dumps ]] || { echo "resume_rerun.sh: --dumps DIR is needed (a folder of <user>.json)" >&2; exit 2; }
[[ -x $ferry ]] || { echo "resume_rerun.sh: no ferry at $ferry (--ferry)" >&2; exit 2; }

pgbin=/usr/lib/postgresql/15/bin
pgtmp=$(mktemp -d /var/tmp/ferry-resume-pg.XXXXXX)
work=$(mktemp -d /var/tmp/ferry-resume-work.XXXXXX)
chown postgres:postgres "$pgtmp"; chmod 700 "$pgtmp"
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  as_pg "$pgbin/pg_ctl" -D "$pgtmp/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pgtmp" "$work"
}
trap cleanup EXIT
as_pg "$pgbin/initdb" -D "$pgtmp/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgtmp/data" -l "$pgtmp/server.log" -w \
  -o "-p $port -k $pgtmp -c listen_addresses=''" start >/dev/null
export PGHOST=$pgtmp PGPORT=$port PGUSER=postgres PGDATABASE=postgres
url="postgresql:///ferry?host=$pgtmp&port=$port"

fresh_db() {
  psql -X -q -c "DROP DATABASE IF EXISTS ferry WITH (FORCE)" -c "CREATE DATABASE ferry"
  psql -X -q -c "CHECKPOINT"
}
# The command as peers.sh runs it: default settings but for the peers' deliberate rejects.
ferry_args=(migrate "$dumps" --user-id-from filename --target "$url" --continue-on-error
  --progress none --rejects "$work/rejects.ndjson" --report "$work/report.json"
  --backup-dir "$work/backups")
ferry_run() { "$ferry" "${ferry_args[@]}" >"$work/out.txt" 2>"$work/err.txt"; }
# "wall cpu" seconds of `ferry_run` (cpu: ferry's user+sys, the figure to read on a shared
# machine); exit 0 and 3 (the generator's invalid records) are success.
timed_run() {
  local start end rc=0
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$work/time.txt" "$ferry" "${ferry_args[@]}" >"$work/out.txt" \
    2>"$work/err.txt" || rc=$?
  end=$(date +%s.%N)
  if [[ $rc != 0 && $rc != 3 ]]; then
    echo "resume_rerun.sh: ferry exited $rc:" >&2; tail -5 "$work/err.txt" >&2; exit 1
  fi
  echo "$(echo "$end - $start" | bc) $(tail -1 "$work/time.txt" | awk '{print $1 + $2}')"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
count_tasks() { psql -X -At -d ferry -c "SELECT count(*) FROM tasks"; }

clean=(); rerun=(); resume=(); clean_cpu=(); rerun_cpu=(); resume_cpu=()
for ((i = 1; i <= runs; i++)); do
  fresh_db
  read -r w c < <(timed_run); clean+=("$w"); clean_cpu+=("$c")
  read -r w c < <(timed_run); rerun+=("$w"); rerun_cpu+=("$c")
  echo "run $i: clean ${clean[-1]} s (${clean_cpu[-1]} s CPU), rerun ${rerun[-1]} s (${rerun_cpu[-1]} s CPU) ($(count_tasks) tasks), load $(cut -d' ' -f1 /proc/loadavg)" >&2
done
clean_median=$(printf '%s\n' "${clean[@]}" | median)
total=$(count_tasks)
kill_tasks=$(echo "$total * $kill_at / 1" | bc)
for ((i = 1; i <= runs; i++)); do
  fresh_db
  ferry_run & pid=$!
  # Killed once --kill-at of the tasks are in (a wall-time point drifts with the machine's load).
  until [[ $(count_tasks 2>/dev/null || echo 0) -ge $kill_tasks ]] || ! kill -0 "$pid" 2>/dev/null; do
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # The killed run's sessions end as their backends notice: until then it counts as alive, and
  # the next command would start a run of its own instead of resuming it.
  for _ in $(seq 50); do
    [[ $(psql -X -At -d ferry -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'ferry' \
      AND pid <> pg_backend_pid()") == 0 ]] && break
    sleep 0.2
  done
  before=$(count_tasks 2>/dev/null || echo 0)
  read -r w c < <(timed_run); resume+=("$w"); resume_cpu+=("$c")
  grep -q "resumed the interrupted run" "$work/out.txt" || echo "run $i: not a resume (the kill came after the end?)" >&2
  echo "run $i: killed with $before tasks in, resume ${resume[-1]} s (${resume_cpu[-1]} s CPU) ($(count_tasks) tasks), load $(cut -d' ' -f1 /proc/loadavg)" >&2
done
rerun_median=$(printf '%s\n' "${rerun[@]}" | median)
resume_median=$(printf '%s\n' "${resume[@]}" | median)
cm=$(printf '%s\n' "${clean_cpu[@]}" | median)
rm_=$(printf '%s\n' "${rerun_cpu[@]}" | median)
sm=$(printf '%s\n' "${resume_cpu[@]}" | median)
printf '| what | median wall s | runs | ratio to clean | median ferry CPU s | CPU runs | CPU ratio |\n'
printf '| --- | ---: | --- | ---: | ---: | --- | ---: |\n'
printf '| clean | %.2f | %s | 1.00 | %.2f | %s | 1.00 |\n' "$clean_median" "${clean[*]}" "$cm" "${clean_cpu[*]}"
printf '| rerun (unchanged) | %.2f | %s | %.3f | %.2f | %s | %.3f |\n' "$rerun_median" "${rerun[*]}" \
  "$(echo "$rerun_median / $clean_median" | bc -l)" "$rm_" "${rerun_cpu[*]}" "$(echo "$rm_ / $cm" | bc -l)"
printf '| resume (killed at %s) | %.2f | %s | %.3f | %.2f | %s | %.3f |\n' "$kill_at" "$resume_median" \
  "${resume[*]}" "$(echo "$resume_median / $clean_median" | bc -l)" "$sm" "${resume_cpu[*]}" "$(echo "$sm / $cm" | bc -l)"
