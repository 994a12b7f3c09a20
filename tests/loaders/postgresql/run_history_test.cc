// PostgresLoader's run history (loaders/postgresql/run_history.h) against the test server:
// runs with their states (running while a session carries the run's name, interrupted when
// none does), FindInterruptedRun, checkpoints, and a database without ferry's schema.
#include "loaders/postgresql/run_history.h"

#include <catch2/catch.hpp>

#include "loaders/process_identity.h"
#include "tests/e2e/target_fixture.h"
#include "tests/loaders/lock_test_util.h"
#include "tests/loaders/postgresql/pg_test_session.h"

namespace ferry::run_history_test {
namespace {

using e2e::PostgresDatabase;
using pg_testing::Admin;
using pg_testing::RunLoader;

void InsertRunRow(Admin& admin, const std::string& run, const std::string& started,
                  const std::string& status, const std::string& arguments) {
  admin.Exec(
      "INSERT INTO ferry.runs (run_id, started_at, finished_at, status, arguments, "
      "records_read, inserted, updated, skipped, rejected, fingerprint, host, pid) VALUES ('" +
      run + "', '" + started + "', NULL, '" + status + "', '" + arguments +
      "', 0, 0, 0, 0, 0, 'fp', 'h', 1)");
}

std::vector<RunRecord> Runs(Loader& loader, int limit = 0) {
  std::vector<RunRecord> runs;
  Status status = loader.ListRuns(limit, &runs);
  INFO(status.ToString());
  REQUIRE(status.ok());
  return runs;
}

}  // namespace

TEST_CASE("PostgresLoader history: a finished run is listed with its totals and UTC times",
          "[loaders][postgres][history]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  auto loader = RunLoader(db.url(), "RUN_A", false, "ferry migrate a.json");
  REQUIRE(loader->FinishRun({"completed", 10, 7, 1, 2, 0}).ok());
  std::vector<RunRecord> runs = Runs(*loader);
  REQUIRE(runs.size() == 1);
  const RunRecord& run = runs[0];
  CHECK(run.run_id == "RUN_A");
  CHECK(run.status == "completed");
  CHECK(run.arguments == "ferry migrate a.json");
  CHECK(run.host == ThisHost());
  CHECK(run.pid == ThisPid());
  CHECK(run.read == 10);
  CHECK(run.inserted == 7);
  CHECK(run.updated == 1);
  CHECK(run.skipped == 2);
  CHECK(run.rejected == 0);
  REQUIRE(run.started_at.size() == 24);  // 2024-01-02T03:04:05.678Z
  CHECK(run.started_at.back() == 'Z');
  CHECK(run.finished_at >= run.started_at);
}

TEST_CASE("PostgresLoader history: a running run without a session is interrupted",
          "[loaders][postgres][history]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  Admin admin(db.url());
  auto live = RunLoader(db.url(), "RUN_LIVE", false, "args");
  InsertRunRow(admin, "RUN_GONE", "2024-01-01T00:00:00Z", "running", "args");
  InsertRunRow(admin, "RUN_FAILED", "2024-01-02T00:00:00Z", "failed", "args");
  std::vector<RunRecord> runs = Runs(*live);
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].run_id == "RUN_LIVE");
  CHECK(runs[0].status == "running");
  CHECK(runs[1].run_id == "RUN_FAILED");
  CHECK(runs[1].status == "failed");
  CHECK(runs[2].run_id == "RUN_GONE");
  CHECK(runs[2].status == "interrupted");
  CHECK(runs[2].finished_at.empty());
  CHECK(Runs(*live, 1).size() == 1);

  // The live run's process dies: its run reads as interrupted from then on.
  admin.KillRun("RUN_LIVE");
  auto reader = RunLoader(db.url(), "RUN_READER", /*dry_run=*/true);
  CHECK(Runs(*reader)[0].status == "interrupted");
}

TEST_CASE("PostgresLoader history: FindInterruptedRun matches the arguments exactly",
          "[loaders][postgres][history]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  Admin admin(db.url());
  auto live = RunLoader(db.url(), "RUN_LIVE", false, "ferry migrate a.json");
  InsertRunRow(admin, "RUN_OLD", "2024-01-01T00:00:00Z", "running", "ferry migrate a.json");
  InsertRunRow(admin, "RUN_NEW", "2024-01-02T00:00:00Z", "running", "ferry migrate a.json");
  InsertRunRow(admin, "RUN_DONE", "2024-01-03T00:00:00Z", "completed", "ferry migrate a.json");

  std::optional<RunRecord> found;
  REQUIRE(live->FindInterruptedRun("ferry migrate a.json", &found).ok());
  REQUIRE(found.has_value());
  CHECK(found->run_id == "RUN_NEW");
  CHECK(found->status == "interrupted");
  for (const char* near_miss :
       {"ferry migrate a.json ", "ferry migrate a.jso", "FERRY MIGRATE A.JSON", "%", ""}) {
    INFO(near_miss);
    REQUIRE(live->FindInterruptedRun(near_miss, &found).ok());
    CHECK_FALSE(found.has_value());
  }
}

TEST_CASE("PostgresLoader history: checkpoints are read back per unit and per run",
          "[loaders][postgres][history]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  auto loader = RunLoader(db.url(), "RUN_A");
  Admin(db.url()).Exec(
      "INSERT INTO ferry.checkpoints VALUES ('u1', 'tasks', 'dump.json', 40, 'RUN_A', now(), "
      "'public', 'T'), ('u2', 'tasks', 'dump.json', 7, 'RUN_OLD', now(), 'public', 'T'), "
      // Another schema's checkpoint is not this target's.
      "('u1', 'tasks', 'dump.json', 99, 'RUN_S2', now(), 's2', 'T')");
  CheckpointRecord listed = lock_testing::CheckOneCheckpoint(*loader, "RUN_A", 40);
  CHECK(listed.updated_at.back() == 'Z');
  std::vector<CheckpointRecord> checkpoints;
  REQUIRE(loader->ListCheckpoints("", &checkpoints).ok());
  REQUIRE(checkpoints.size() == 2);
  CHECK(checkpoints[1].run_id == "RUN_OLD");
}

TEST_CASE("PostgresLoader history: a database without the ferry schema has no history",
          "[loaders][postgres][history]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  std::unique_ptr<Loader> loader = MakePostgresLoader({"postgresql", db.url(), ""});
  REQUIRE(loader->Check(true).ok());
  std::vector<RunRecord> runs;
  std::vector<CheckpointRecord> checkpoints;
  std::optional<RunRecord> interrupted;
  std::optional<StoredCheckpoint> stored;
  CHECK(loader->ListRuns(5, &runs).ok());
  CHECK(loader->ListCheckpoints("", &checkpoints).ok());
  CHECK(loader->FindInterruptedRun("x", &interrupted).ok());
  CHECK(loader->ReadCheckpoint("u", "e", "f", &stored).ok());
  CHECK(runs.empty());
  CHECK(checkpoints.empty());
  CHECK_FALSE(interrupted.has_value());
  CHECK_FALSE(stored.has_value());
  CHECK(Admin(db.url()).Count("SELECT count(*) FROM pg_namespace WHERE nspname = 'ferry'") == 0);
}

}  // namespace ferry::run_history_test
