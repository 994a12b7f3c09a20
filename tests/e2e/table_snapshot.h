// TableSnapshot: everything a run of the bundled task-app mapping left in a target, read into a
// form in which two runs (a clean one, and one killed and resumed) can be compared, with the
// invariants of a correct load checked on the way:
//   - every row once: no two rows under one (user, legacy id) or primary key;
//   - every ULID well-formed, unique in the target, and its time the row's created_at;
//   - every reference resolves to a parent row of the same user (and compares as that parent's
//     legacy id, so the right parent is checked against the other run);
//   - the id map holds exactly the rows the tables hold, each under the row's own ULID;
//   - no run is left running or interrupted, and no lock is left behind.
// ULIDs differ from run to run, so a row is compared by everything but its own ULID.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/e2e/target_fixture.h"

namespace ferry::e2e {

struct TableSnapshot {
  // Table ("tasks", ... and "(id_map)", "(checkpoints)") -> row key ("user|legacy id", or the
  // primary key; a checkpoint's unit by its file name) -> the row as text: each column but the
  // row's own ULID, a reference as "->user|legacy id" of its parent.
  std::map<std::string, std::map<std::string, std::string>> tables;
  // Each invariant that does not hold, naming the table, the key and what is wrong.
  std::vector<std::string> problems;

  // Rows of `table` in the snapshot.
  size_t Rows(const std::string& table) const;
};

// Reads the target's task-app tables and ferry's bookkeeping.
TableSnapshot TakeSnapshot(TargetFixture& target);

// `snapshot` without the rows of `user` (every key that has it as a field).
TableSnapshot WithoutUser(const TableSnapshot& snapshot, const std::string& user);

// What makes `actual` differ from `expected`: its problems first, then at most `limit` rows
// missing, extra or changed, each naming table and key. Empty when they are equal and
// `actual` has no problem.
std::string SnapshotDifferences(const TableSnapshot& expected, const TableSnapshot& actual,
                                size_t limit = 8);

// Every mapping table's rows in full (the ULIDs too), and the id map's and checkpoints' but for
// when they were written, as sorted text: what a rollback must give back exactly.
std::string ExactContents(TargetFixture& target);

}  // namespace ferry::e2e
