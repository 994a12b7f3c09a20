// The user lock's round trips on PostgreSQL (issue 19, loaders/postgresql/user_lock.h): the
// advisory lock and its row are taken in one statement, the row is deleted by the transaction
// that commits the user's data and unit mark, and the advisory lock is released after it. A
// SIGKILL at each of those moments (base/fault_point.h) leaves each user either whole (rows,
// mark, no lock row) or absent with its lock row there and stale, which `ferry status` shows
// and the next run takes over; that run then leaves what a clean run leaves.
#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::lock_fault_points_test {

namespace {

constexpr int kBatchSize = 500;

struct Fixture {
  TempDir dir;
  TaskappWorkload workload;
  Fixture() : workload(WriteTaskappWorkload(dir.path() / "dumps", SmallUsers())) {}

  static TaskappWorkloadOptions SmallUsers() {
    TaskappWorkloadOptions options;
    options.users = 3;
    options.environments = 2;
    options.tasks = 20;
    return options;
  }

  std::vector<std::string> Args(const TargetFixture& target) const {
    return {"migrate",        dir / "dumps",
            "--user-id-from", "filename",
            "--target",       target.url(),
            "--batch-size",   std::to_string(kBatchSize),
            "--jobs",         "1",
            "--progress",     "none",
            "--rejects",      dir / "rejects"};
  }
};

int64_t Marks(TargetFixture& target, const std::string& user) {
  return target.Count("SELECT count(*) FROM ferry.checkpoints WHERE user_id = '" + user +
                      "' AND entity = chr(1) || 'unit'");
}

int64_t Tasks(TargetFixture& target, const std::string& user) {
  return target.Count("SELECT count(*) FROM tasks WHERE user_id = '" + user + "'");
}

int64_t LockRows(TargetFixture& target) { return target.Count("SELECT count(*) FROM ferry.locks"); }

int64_t LockRowsOf(TargetFixture& target, const std::string& user) {
  return target.Count("SELECT count(*) FROM ferry.locks WHERE user_id = '" + user + "'");
}

// Kills a run at `point`, checks what the second user's state is (`whole`: its rows and mark
// committed and its lock row gone; else none of it, its lock row there and stale), then runs
// again and compares with the clean run.
void KillAndResume(const Fixture& fixture, const std::string& point, bool whole,
                   const TableSnapshot& reference) {
  INFO("killed at " << point);
  std::unique_ptr<TargetFixture> target = MakeTarget("postgresql");
  REQUIRE(target != nullptr);
  const std::string& first = fixture.workload.users.at(0);
  const std::string& second = fixture.workload.users.at(1);
  const std::string& third = fixture.workload.users.at(2);
  CommandResult killed = RunFerryToEnd(fixture.Args(*target), {{"FERRY_FAULT", point}});
  INFO(Describe(killed));
  REQUIRE(killed.exit_code == 128 + SIGKILL);
  // The first user is whole and holds no lock row; the third was never reached.
  CHECK(Marks(*target, first) == 1);
  CHECK(Tasks(*target, first) > 0);
  CHECK(LockRowsOf(*target, first) == 0);
  CHECK(Tasks(*target, third) == 0);
  if (whole) {
    CHECK(Marks(*target, second) == 1);
    CHECK(Tasks(*target, second) == fixture.workload.tasks / 3);
    CHECK(LockRows(*target) == 0);
  } else {
    CHECK(Marks(*target, second) == 0);
    CHECK(Tasks(*target, second) == 0);
    CHECK(LockRows(*target) == 1);
    CHECK(LockRowsOf(*target, second) == 1);
    CommandResult status = RunFerry({"status", "--target", target->url()});
    INFO(Describe(status));
    CHECK_THAT(status.out,
               Catch::Contains("user " + second + ": run") && Catch::Contains("(stale"));
  }
  CommandResult done = RunFerryToEnd(fixture.Args(*target));
  INFO(Describe(done));
  REQUIRE(done.exit_code == 0);
  CHECK_THAT(done.out, Catch::Contains("resumed the interrupted run"));
  CHECK(LockRows(*target) == 0);
  int64_t taken_over = target->Count(
      "SELECT count(*) FROM ferry.audit_log WHERE action = 'lock taken over' AND detail LIKE "
      "'%user " +
      second + " %'");
  CHECK(taken_over == (whole ? 0 : 1));
  std::string differences = SnapshotDifferences(reference, TakeSnapshot(*target));
  INFO(differences);
  CHECK(differences.empty());
}

}  // namespace

TEST_CASE(
    "user lock on PostgreSQL: a kill at each moment of the lock leaves each user whole or "
    "absent with a stale lock",
    "[e2e][faults][locks][postgres]") {
  Fixture fixture;
  // One transaction per small user: the second user's is the second commit.
  REQUIRE(fixture.workload.Commits(kBatchSize) == 3);
  std::unique_ptr<TargetFixture> clean = MakeTarget("postgresql");
  REQUIRE(clean != nullptr);
  CommandResult run = RunFerryToEnd(fixture.Args(*clean));
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  CHECK(LockRows(*clean) == 0);
  TableSnapshot reference = TakeSnapshot(*clean);
  REQUIRE(reference.problems.empty());

  SECTION("after the lock statement") {
    KillAndResume(fixture, "pg.after_lock:2", false, reference);
  }
  SECTION("before the commit of the data, mark and lock row") {
    KillAndResume(fixture, "pg.before_commit:2", false, reference);
  }
  SECTION("after that commit") { KillAndResume(fixture, "pg.after_commit:2", true, reference); }
  SECTION("before the advisory unlock") {
    KillAndResume(fixture, "pg.before_unlock:2", true, reference);
  }
}

}  // namespace ferry::e2e::lock_fault_points_test
