// Connection faults on PostgreSQL (issue 6): ferry's backend terminated mid-run
// (pg_terminate_backend), and the server itself restarted mid-run (pg_ctl restart -m fast, on a
// server of the test's own so that no other test loses its connections). Either way the run
// must finish on its own (transient failures are retried: agent/run/retrying_loader.h) with
// exit 0 and the rows a clean run leaves (tests/e2e/table_snapshot.h).
#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/private_server.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::connection_faults_test {

namespace {

using std::chrono::milliseconds;

// Many small batches, so that a run lasts long enough to be cut in the middle.
constexpr int kBatchSize = 10;

struct Fixture {
  TempDir dir;
  TaskappWorkload workload;
  Fixture() : workload(WriteTaskappWorkload(dir.path() / "dumps", FaultTestWorkload())) {}

  std::vector<std::string> Args(const TargetFixture& target) const {
    return {"migrate",          dir / "dumps", "--user-id-from", "filename",
            "--target",         target.url(),  "--batch-size",   std::to_string(kBatchSize),
            "--progress",       "none",        "--rejects",      dir / "rejects",
            "--retry-max-wait", "0.5",         "--retries",      "30"};
  }
};

// Rows in the target's id map so far (0 before ferry's tables exist).
int64_t IdMapRows(TargetFixture& target) {
  if (target.Count("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                   "c.relnamespace WHERE n.nspname = 'ferry' AND c.relname = 'id_map'") == 0) {
    return 0;
  }
  return target.Count("SELECT count(*) FROM ferry.id_map");
}

// Waits until the id map holds `rows` rows or the run has ended; true in the first case.
bool WaitForRows(TargetFixture& target, FerryProcess& run, int64_t rows) {
  while (run.Running()) {
    if (IdMapRows(target) >= rows) return run.Running();
    std::this_thread::sleep_for(milliseconds(5));
  }
  return false;
}

// The clean run's snapshot on `target`.
TableSnapshot CleanRun(const Fixture& fixture, TargetFixture& target) {
  CommandResult run = RunFerryToEnd(fixture.Args(target));
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  TableSnapshot reference = TakeSnapshot(target);
  INFO(SnapshotDifferences(reference, reference));
  REQUIRE(reference.problems.empty());
  REQUIRE(reference.Rows("tasks") == static_cast<size_t>(fixture.workload.tasks));
  return reference;
}

// Terminates every backend connected to `database` (the caller's own connection is to another
// database); how many it terminated.
int64_t TerminateBackends(const std::string& server_url, const std::string& database) {
  pqxx::connection connection(server_url);
  pqxx::nontransaction txn(connection);
  // OFFSET 0 keeps the filter below the call: no other database's backend is touched.
  pqxx::row terminated = txn.exec_params1(
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM (SELECT pid FROM "
      "pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() OFFSET 0) s",
      database);
  return terminated[0].as<int64_t>();
}

}  // namespace

TEST_CASE("connection faults: ferry's backend terminated mid-run, the run ends as a clean one",
          "[e2e][faults][slow][postgres]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  Fixture fixture;
  std::unique_ptr<TargetFixture> clean = MakePostgresTarget(*server);
  TableSnapshot reference = CleanRun(fixture, *clean);

  std::unique_ptr<TargetFixture> target = MakePostgresTarget(*server);
  std::string database = target->Query("SELECT current_database()").at(0).at(0);
  FerryProcess run(fixture.Args(*target));
  int64_t total = fixture.workload.tasks + fixture.workload.environments;
  int64_t terminated = 0;
  // Three cuts: after the first batch, a third of the way and two thirds of the way.
  for (int64_t rows : {int64_t{1}, total / 3, 2 * total / 3}) {
    if (!WaitForRows(*target, run, rows)) break;
    terminated += TerminateBackends(*server, database);
  }
  CommandResult result = run.Wait();
  INFO(Describe(result));
  REQUIRE(terminated >= 1);  // the run was cut at least once while it went on
  CHECK(result.exit_code == 0);
  CHECK(result.err.find("retry 1 of 30") != std::string::npos);  // it saw the cut, and retried
  std::string differences = SnapshotDifferences(reference, TakeSnapshot(*target));
  INFO(differences);
  CHECK(differences.empty());
}

TEST_CASE("connection faults: the server restarted mid-run, the run ends as a clean one",
          "[e2e][faults][slow][postgres]") {
  if (!PostgresTestUrl()) return;
  PrivateServer server;
  Fixture fixture;
  std::unique_ptr<TargetFixture> clean = MakePostgresTarget(server.url());
  TableSnapshot reference = CleanRun(fixture, *clean);

  std::unique_ptr<TargetFixture> target = MakePostgresTarget(server.url());
  FerryProcess run(fixture.Args(*target));
  REQUIRE(WaitForRows(*target, run, kBatchSize));  // it is writing batches
  CHECK(server.Restart() == 0);
  bool restarted_mid_run = run.Running();
  CommandResult result = run.Wait();
  INFO(Describe(result));
  REQUIRE(restarted_mid_run);
  CHECK(result.exit_code == 0);
  CHECK(result.err.find("retry 1 of 30") != std::string::npos);
  std::string differences = SnapshotDifferences(reference, TakeSnapshot(*target));
  INFO(differences);
  CHECK(differences.empty());
}

}  // namespace ferry::e2e::connection_faults_test
