// What `ferry status` shows of a target, and its two forms: lines for people (one run a line,
// its run ID first, then the lock holders) and one JSON document for machines.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "loaders/loader.h"

namespace ferry {

struct RunStatusEntry {
  RunRecord run;
  // The checkpoints this run wrote last (filled for every run; printed with --verbose).
  std::vector<CheckpointRecord> checkpoints;
  int64_t committed = 0;   // records committed by the batches of those checkpoints
  bool resumable = false;  // `ferry migrate` with the same arguments would resume this run
  // Records a second: read over its duration when finished, committed so far over the time
  // since it started while running; below 0 when unknown (an interrupted run, a timestamp
  // that does not parse).
  double records_per_s = -1;
  int workers = 0;  // a running run's units loading now: the live locks it holds
  // No archive because the run wrote nothing (its audit log's kNoBackupAction): "backup none
  // (nothing written)", where a run made with --no-backup shows "backup none".
  bool wrote_nothing = false;
};

struct StatusSnapshot {
  std::string target;                // as it may be printed (no password)
  std::vector<RunStatusEntry> runs;  // newest first
  std::vector<LockHolder> locks;     // by user id
};

// Fills committed and resumable from the runs and their checkpoints (a run is resumable when
// it is the newest interrupted run of its arguments: Loader::FindInterruptedRun), the rate
// (`now_ms`, milliseconds since the epoch, ends a running run's time) and the workers from
// the locks.
void DeriveProgress(StatusSnapshot* snapshot, int64_t now_ms);

// "run R on host H, pid P, since T".
std::string DescribeHolder(const LockHolder& holder);

// One line per lock: "  user U: run R on host H, pid P, since T (alive|stale: ...)".
void PrintLocks(const std::vector<LockHolder>& locks, std::ostream& out);

// The runs, one a line (with --verbose, each followed by its arguments, fingerprint, the error it
// ended with when it failed or stopped, and its checkpoints), then
// the lock holders; "no ferry runs in TARGET" when there is neither.
void PrintStatusText(const StatusSnapshot& snapshot, bool verbose, std::ostream& out);

// {"target": ..., "runs": [...], "locks": [...]}; each run has "error" (null unless it failed
// or stopped); with --verbose each run has "checkpoints".
std::string StatusJson(const StatusSnapshot& snapshot, bool verbose);

}  // namespace ferry
