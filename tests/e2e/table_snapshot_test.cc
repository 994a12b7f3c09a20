// TableSnapshot (tests/e2e/table_snapshot.h) must see what the reliability tests rely on it to
// see: each kind of damage made by hand to a clean run's target is found and named.
#include "tests/e2e/table_snapshot.h"

#include <catch2/catch.hpp>

#include "tests/e2e/admin_test_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::table_snapshot_test {

namespace {

// A clean run of a small workload into a fresh SQLite target.
std::unique_ptr<TargetFixture> Loaded(const TempDir& dir) {
  std::unique_ptr<TargetFixture> target = MakeTarget("sqlite");
  CommandResult run = RunFerryToEnd({"migrate", dir / "dumps", "--user-id-from", "filename",
                                     "--target", target->url(), "--progress", "none"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return target;
}

}  // namespace

TEST_CASE("TableSnapshot: a clean run has no problem and equals itself", "[e2e][snapshot]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.tasks = 30;
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  std::unique_ptr<TargetFixture> a = Loaded(dir);
  std::unique_ptr<TargetFixture> b = Loaded(dir);
  TableSnapshot first = TakeSnapshot(*a);
  INFO(SnapshotDifferences(first, first));
  CHECK(first.problems.empty());
  CHECK(first.Rows("tasks") == 60);
  CHECK(first.Rows("environments") == 10);
  CHECK(first.Rows("(id_map)") == 60 + 10 + 2 * 3);
  // Another clean run: other ULIDs, the same snapshot.
  CHECK(SnapshotDifferences(first, TakeSnapshot(*b)).empty());
}

TEST_CASE("TableSnapshot: each kind of damage is found and named", "[e2e][snapshot]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.tasks = 30;
  WriteTaskappWorkload(dir.path() / "dumps", options);
  std::unique_ptr<TargetFixture> clean = Loaded(dir);
  TableSnapshot reference = TakeSnapshot(*clean);
  struct Damage {
    const char* what;
    std::string sql;
    const char* expected;  // in SnapshotDifferences
  };
  const std::string task =
      "(SELECT id FROM tasks WHERE legacy_id = 'task-1' AND user_id = "
      "'user-00')";
  const std::vector<Damage> damages = {
      {"a changed column", "UPDATE tasks SET title = 'x' WHERE id = " + task,
       "tasks user-00|task-1: expected"},
      {"a lost row", "DELETE FROM tasks WHERE id = " + task, "tasks user-00|task-1: missing"},
      {"a ULID of another time",
       "UPDATE tasks SET id = '01ARZ3NDEKTSV4RRFFQ69G5FAV' WHERE id = " + task, "has time"},
      {"a dangling reference",
       "UPDATE tasks SET environment_id = '01ARZ3NDEKTSV4RRFFQ69G5FAV' WHERE id = " + task,
       "is no row of environments"},
      {"a reference to another user's parent",
       "UPDATE tasks SET environment_id = (SELECT id FROM environments WHERE user_id = "
       "'user-01' LIMIT 1) WHERE id = " +
           task,
       "a row of another user"},
      {"an id map entry without its row",
       "DELETE FROM tasks WHERE id = " + task + "; DELETE FROM tasks WHERE 0",
       "no row of tasks holds it"},
      {"a row without its id map entry",
       "DELETE FROM ferry_id_map WHERE entity = 'tasks' AND legacy_id = 'task-1'",
       "has no id-map entry"},
      {"a run left running", "UPDATE ferry_runs SET finished_at = NULL, status = 'running'",
       "never finished"},
      {"a lock left behind",
       "INSERT INTO ferry_locks (user_id, run_id, host, pid, since) VALUES ('user-00', 'r', "
       "'h', 1, '2024-01-01T00:00:00Z')",
       "lock of user user-00 is left"},
  };
  for (const Damage& damage : damages) {
    INFO(damage.what);
    std::unique_ptr<TargetFixture> target = Loaded(dir);
    ExecOn(*target, damage.sql);
    std::string differences = SnapshotDifferences(reference, TakeSnapshot(*target));
    INFO(differences);
    CHECK(differences.find(damage.expected) != std::string::npos);
  }
}

}  // namespace ferry::e2e::table_snapshot_test
