// A run taken over while its process is frozen (issue 13, item 3), driven step by step: the
// first process stops (SIGSTOP, at a fault point) before the COMMIT of its last batch of
// environments; its session is terminated, so the run looks interrupted; a second process
// resumes the run and finishes it; then the first goes on (SIGCONT). The first must see that
// the run is no longer its own and write nothing more: no reference to an environment that
// was never stored, no identity written twice, no batch skipped.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <pqxx/pqxx>
#include <thread>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::run_takeover_test {

namespace {

using std::chrono::milliseconds;

int64_t Count(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction txn(connection);
  return txn.exec1(sql)[0].as<int64_t>();
}

// Terminates every ferry session of the database and waits until the server has let them go.
void TerminateFerrySessions(const std::string& url) {
  pqxx::connection connection(url);
  const std::string sessions =
      "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
      "AND application_name LIKE 'ferry run %'";
  REQUIRE(Count(connection, "SELECT count(*) " + sessions) >= 1);
  Count(connection,
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) " + sessions + " OFFSET 0) s");
  for (int i = 0; i < 500 && Count(connection, "SELECT count(*) " + sessions) > 0; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  REQUIRE(Count(connection, "SELECT count(*) " + sessions) == 0);
}

}  // namespace

TEST_CASE("run takeover: a frozen run resumed by another process does not write when it wakes",
          "[e2e][postgres][faults][bookkeeping]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 1;
  options.environments = 6;  // three batches of two, loaded before the tasks
  options.tasks = 16;
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  std::unique_ptr<TargetFixture> target = MakePostgresTarget(*server);
  std::vector<std::string> args = {"migrate",          dir / "dumps",
                                   "--user-id-from",   "filename",
                                   "--target",         target->url(),
                                   "--batch-size",     "2",
                                   "--conflict",       "overwrite",
                                   "--progress",       "none",
                                   "--rejects",        dir / "rejects",
                                   "--retries",        "3",
                                   "--retry-max-wait", "0.2"};

  // The first process freezes before the COMMIT of its third batch (the last environments):
  // their ULIDs exist only in its memory.
  FerryProcess first(args, {{"FERRY_FAULT", "pg.before_commit:3"}, {"FERRY_FAULT_SIGNAL", "STOP"}});
  REQUIRE(first.WaitStopped());
  TerminateFerrySessions(target->url());

  // The run looks interrupted: a second process resumes it and finishes it.
  CommandResult second = RunFerryToEnd(args);
  INFO("second: " << Describe(second));
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.find("resumed the interrupted run") != std::string::npos);

  // The first goes on: the run is no longer its own.
  first.Signal(SIGCONT);
  CommandResult woken = first.Wait();
  INFO("first: " << Describe(woken));
  CHECK(woken.exit_code == 4);
  CHECK(woken.err.find("taken over by another ferry process") != std::string::npos);

  TableSnapshot snapshot = TakeSnapshot(*target);
  INFO(SnapshotDifferences(snapshot, snapshot));
  CHECK(snapshot.problems.empty());  // no dangling reference, no identity twice, no lock left
  CHECK(snapshot.Rows("environments") == static_cast<size_t>(workload.environments));
  CHECK(snapshot.Rows("tasks") == static_cast<size_t>(workload.tasks));
}

}  // namespace ferry::e2e::run_takeover_test
