// Validation: what `ferry validate` found, judged from a dry run of the recorded run's sources
// against the target (agent/run/migration.h) under the policy that compares rows: overwrite
// (the run's skip or overwrite) or merge. Every valid record should find its row there, equal
// to what the run would write; anything else is a difference.
//
// Thread safety: pure; owned by the command's thread.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "agent/run/run_report.h"
#include "agent/validate/dangling_check.h"

namespace ferry {

struct EntityValidation {
  std::string entity;
  int64_t valid = 0;    // the source's valid records
  int64_t equal = 0;    // their rows in the target, equal to what the run writes
  int64_t missing = 0;  // no row in the target (deleted since, or never written)
  int64_t differs = 0;  // a row, other than what the run writes
  // A row kept as it is by the entity's own conflict: skip, or by a skip the run decided
  // interactively (agent/validate/recorded_decisions.h).
  int64_t not_compared = 0;
  int64_t rejected = 0;                       // records the run rejects: not the target's to hold
  std::vector<std::string> missing_examples;  // legacy ids
  std::vector<ConflictExample> differs_examples;  // legacy ids and the fields that differ
  // The target's side (agent/validate/row_scan.h): its rows of the run's users, and those
  // that no valid record of the source accounts for (rows - equal - differs - kept).
  int64_t target_rows = 0;
  int64_t extra = 0;
  int64_t ulids_checked = 0;
  int64_t bad_ulids = 0;                   // null or not a well-formed ULID
  int64_t ulid_times = 0;                  // a ULID whose time is not the row's creation time
  std::vector<std::string> ulid_examples;  // "key K: ULID U: ..."
  std::string ulids_unchecked;             // why the ULIDs were not read, when not

  int64_t Differences() const { return missing + differs + extra + bad_ulids + ulid_times; }
};

struct Validation {
  std::string run_id;  // the run validated
  // How rows were compared: "overwrite", "merge", or "interactive" (each as the decision the
  // run recorded for it: agent/validate/recorded_decisions.h).
  std::string compared;
  // Where the sources were read: "sources" (where the run read them), or "backup ID" (the
  // run's archive, when a source is gone or changed since).
  std::string read_from = "sources";
  std::vector<EntityValidation> entities;  // in load order
  std::vector<DanglingFinding> dangling;   // reference columns naming no parent row

  // Missing, differing and extra rows, bad ULIDs, and rows with a dangling reference.
  int64_t Differences() const;
  // 0 when nothing differs, 3 otherwise.
  int ExitCode() const { return Differences() == 0 ? 0 : 3; }
};

// The validation a dry run's report (REQUIRES: a dry run that completed) says.
Validation JudgeDryRun(const RunReport& dry_run);

// One line per entity (valid, equal, missing, differs, ...), then its examples, then the
// count table (the source's valid records against the target's rows, and the ULIDs checked),
// then the dangling references with theirs, then the verdict. Legacy ids, keys, ULIDs and
// field names only: never a value.
void PrintValidation(const Validation& validation, std::ostream& out);

// The validation as one JSON document (`ferry validate --report FILE`), with the same names
// only.
std::string ValidationJson(const Validation& validation);

}  // namespace ferry
