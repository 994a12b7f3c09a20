// End-to-end: one probe per user (agent/run/user_probe.h, issue 19). A user the target holds
// nothing of is read once, not once per entity; a user it holds some rows of (an earlier run's,
// or rows written by hand) is read entity by entity as before, and every policy still finds
// those rows.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::user_probe_test {

namespace {

// The index reads of ferry.id_map the server has counted, once the backends of earlier
// connections are gone: a backend flushes its counts as it exits, before it leaves
// pg_stat_activity. (Each user also costs one sequential scan of the id map, before this
// change as after it; not counted here.)
int64_t IdMapIndexScans(TargetFixture& target) {
  for (int i = 0; i < 100; ++i) {
    if (target.Count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND pid <> pg_backend_pid()") == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return target.Count(
      "SELECT coalesce(idx_scan, 0) FROM pg_stat_user_tables "
      "WHERE schemaname = 'ferry' AND relname = 'id_map'");
}

std::vector<std::string> MigrateArgs(const std::string& dumps, const TargetFixture& target) {
  return {"migrate",  dumps,        "--user-id-from", "filename",
          "--target", target.url(), "--progress",     "none"};
}

}  // namespace

TEST_CASE("user probe: a first load reads the id map once per user, not once per entity",
          "[e2e][postgres][rerun]") {
  TempDir dumps;
  TaskappWorkloadOptions options;
  options.users = 4;
  options.environments = 3;
  options.tasks = 10;
  TaskappWorkload workload = WriteTaskappWorkload(dumps.path(), options);
  std::unique_ptr<TargetFixture> target = MakeTarget("postgresql");
  if (target == nullptr) return;
  CommandResult run = RunFerry(MigrateArgs(dumps.path().string(), *target));
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  // Five entities a user: an id-map lookup each, entity by entity (20 index reads here, as
  // measured before the probe); one a user with the probe.
  CHECK(IdMapIndexScans(*target) <= options.users);
  CHECK(target->Count("SELECT count(*) FROM tasks") == workload.tasks);
  CHECK(target->Count("SELECT count(*) FROM tasks t JOIN environments e ON e.id = "
                      "t.environment_id AND e.user_id = t.user_id") ==
        target->Count("SELECT count(*) FROM tasks WHERE environment_id IS NOT NULL"));
  CHECK(target->Count("SELECT count(*) FROM tasks WHERE environment_id IS NOT NULL") > 0);
}

TEST_CASE("user probe: a user an earlier run loaded part of is matched through the id map",
          "[e2e][rerun][conflicts]") {
  TempDir dumps;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.environments = 3;
  options.tasks = 12;
  TaskappWorkload workload = WriteTaskappWorkload(dumps.path(), options);
  FERRY_FOR_EACH_TARGET(target) {
    // The environments first: the user is then not fresh, and the tasks' references must
    // resolve through the id map to the environments the first run wrote.
    std::vector<std::string> first = MigrateArgs(dumps.path().string(), *target);
    first.insert(first.end(), {"--include", "environments"});
    CommandResult environments = RunFerry(first);
    INFO(Describe(environments));
    REQUIRE(environments.exit_code == 0);
    std::vector<std::vector<std::string>> before =
        target->Query("SELECT id, user_id, legacy_id FROM environments ORDER BY id");
    REQUIRE(static_cast<int64_t>(before.size()) == workload.environments);

    for (const char* policy : {"skip", "overwrite", "merge"}) {
      INFO(policy);
      std::vector<std::string> args = MigrateArgs(dumps.path().string(), *target);
      args.insert(args.end(), {"--conflict", policy});
      CommandResult run = RunFerry(args);
      INFO(Describe(run));
      REQUIRE(run.exit_code == 0);
      // The environments keep their rows and ULIDs; every task is there once, and each
      // reference names an environment of its user.
      CHECK(target->Query("SELECT id, user_id, legacy_id FROM environments ORDER BY id") == before);
      CHECK(target->Count("SELECT count(*) FROM tasks") == workload.tasks);
      CHECK(target->Count("SELECT count(*) FROM tasks WHERE environment_id IS NOT NULL") > 0);
      CHECK(target->Count("SELECT count(*) FROM tasks t WHERE t.environment_id IS NOT NULL "
                          "AND NOT EXISTS (SELECT 1 FROM environments e WHERE e.id = "
                          "t.environment_id AND e.user_id = t.user_id)") == 0);
    }
  }
}

}  // namespace ferry::e2e::user_probe_test
