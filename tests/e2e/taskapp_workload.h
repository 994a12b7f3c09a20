// A task-app workload for the reliability tests: a folder of localStorage dumps, one file per
// user (`<user>.json`, the user taken from the file name with --user-id-from filename), in the
// format of the bundled mapping (schemas/taskapp/): tasks referencing environments, with
// integer, string and UUID legacy ids, tags, nulls, text that COPY must escape, and tasks that
// share a creation millisecond; plus userPreferences, one formData:<name> and customData.
//
// Deterministic: the same options write byte-identical files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "tests/under_sanitizer.h"

namespace ferry::e2e {

struct TaskappWorkloadOptions {
  int users = 4;
  int environments = 5;  // per user
  int tasks = 300;       // per user
  uint32_t seed = 1;
  std::string user_prefix = "user-";  // users are <prefix>00, <prefix>01, ...
  // Users (by index) one of whose tasks has a status the mapping rejects ("archived").
  std::set<int> bad_users;
};

struct TaskappWorkload {
  std::vector<std::string> users;  // user ids, in file order
  std::vector<std::string> files;  // one dump per user, same order
  int64_t tasks = 0;               // valid tasks over every user
  int64_t environments = 0;
  // Write batches a run with --batch-size N makes: per user one batch per started N tasks and
  // N environments, and one each for user_preferences, form_data and custom_data.
  int64_t Batches(int batch_size) const;
  // Transactions such a run commits into PostgreSQL, unit marks included: a user's batches are
  // held together while they hold fewer than N rows (agent/run/unit_writes.h). For a workload
  // without bad users.
  int64_t Commits(int batch_size) const;

  TaskappWorkloadOptions options;
};

// Writes the workload's dumps into `dir` (created when missing).
TaskappWorkload WriteTaskappWorkload(const std::filesystem::path& dir,
                                     const TaskappWorkloadOptions& options);

// Flips one letter of the first task title in `file` (same length, still valid JSON): the
// changed source byte that a rerun must never pass over.
void ChangeOneTitleByte(const std::string& file);

// The lines of the reject file at `path` without their run id, sorted: what two runs' reject
// files over the same source must share.
std::vector<std::string> RejectLinesWithoutRunId(const std::string& path);

// The [slow] fault tests' workload: the default, or under AddressSanitizer (where every run
// costs 5-30 times as much) a third of its tasks; their checks derive from the workload.
inline TaskappWorkloadOptions FaultTestWorkload() {
  TaskappWorkloadOptions options;
  options.tasks = testing::PlainOrSanitized(options.tasks, options.tasks / 3);
  return options;
}

}  // namespace ferry::e2e
