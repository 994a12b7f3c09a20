// End-to-end: a small user (its records fit in one batch) is written into PostgreSQL in one
// transaction, its unit mark included (agent/run/unit_writes.h; issue 19 item 1). Each row
// carries the id of the transaction that wrote it (xmin), so the checkpoints of one user tell
// how many transactions its run committed.
#include <catch2/catch.hpp>
#include <string>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::small_user_commit_test {

namespace {

// Per user: "user|checkpoints|transactions", by user.
std::vector<std::vector<std::string>> TransactionsPerUser(TargetFixture& target) {
  return target.Query(
      "SELECT user_id, count(*), count(DISTINCT xmin::text) FROM ferry.checkpoints "
      "GROUP BY user_id ORDER BY user_id");
}

}  // namespace

TEST_CASE("small users: each user's entities and unit mark commit in one transaction",
          "[e2e][postgres][rerun]") {
  TempDir dumps;
  TaskappWorkloadOptions options;
  options.users = 3;
  options.environments = 3;
  options.tasks = 10;
  TaskappWorkload workload = WriteTaskappWorkload(dumps.path(), options);
  std::unique_ptr<TargetFixture> target = MakeTarget("postgresql");
  if (target == nullptr) return;
  CommandResult run = RunFerry({"migrate", dumps.path().string(), "--user-id-from", "filename",
                                "--target", target->url(), "--progress", "none"});
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  std::vector<std::vector<std::string>> users = TransactionsPerUser(*target);
  REQUIRE(users.size() == 3);
  for (const std::vector<std::string>& user : users) {
    INFO(user[0]);
    CHECK(user[1] == "6");  // environments, tasks, three one-row entities, the unit's mark
    CHECK(user[2] == "1");
  }
  CHECK(target->Count("SELECT count(*) FROM tasks") == workload.tasks);
  CHECK(target->Count("SELECT count(*) FROM ferry.id_map WHERE xmin::text NOT IN "
                      "(SELECT xmin::text FROM ferry.checkpoints)") == 0);

  // A rerun over the same dumps skips each user by its mark: nothing more is written.
  CommandResult rerun = RunFerry({"migrate", dumps.path().string(), "--user-id-from", "filename",
                                  "--target", target->url(), "--progress", "none"});
  INFO(Describe(rerun));
  CHECK(rerun.exit_code == 0);
  CHECK(rerun.out.find("unchanged") != std::string::npos);
  CHECK(TransactionsPerUser(*target) == users);
}

TEST_CASE("small users: a user larger than a batch commits batch by batch, every row once",
          "[e2e][postgres]") {
  TempDir dumps;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.environments = 3;
  options.tasks = 10;
  TaskappWorkload workload = WriteTaskappWorkload(dumps.path(), options);
  std::unique_ptr<TargetFixture> target = MakeTarget("postgresql");
  if (target == nullptr) return;
  CommandResult run =
      RunFerry({"migrate", dumps.path().string(), "--user-id-from", "filename", "--target",
                target->url(), "--progress", "none", "--batch-size", "4"});
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  for (const std::vector<std::string>& user : TransactionsPerUser(*target)) {
    INFO(user[0]);
    // Held until 4 rows: environments 3 + tasks 4 (environments' checkpoint); tasks 4; tasks 2
    // + two one-row entities (the tasks' checkpoint); the third one-row entity + the mark.
    CHECK(user[1] == "6");
    CHECK(user[2] == "3");
  }
  CHECK(target->Count("SELECT count(*) FROM tasks") == workload.tasks);
  CHECK(target->Count("SELECT count(*) FROM environments") == workload.environments);
}

}  // namespace ferry::e2e::small_user_commit_test
