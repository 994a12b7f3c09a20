// SqliteLoader's run history (loaders/sqlite/run_history.h): runs with their states (running,
// interrupted, finished), FindInterruptedRun, checkpoints, and targets without ferry's tables.
#include "loaders/sqlite/run_history.h"

#include <catch2/catch.hpp>

#include "loaders/process_identity.h"
#include "loaders/sqlite/sqlite_loader.h"
#include "tests/loaders/lock_test_util.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::run_history_test {
namespace {

using lock_testing::DeadPid;
using sqlite_testing::ExecSql;
using sqlite_testing::SqliteSpec;
using sqlite_testing::TempDir;

// A loader on `path` past Check(false), so that the bookkeeping tables exist after BeginRun.
std::unique_ptr<Loader> CheckedLoader(const std::string& path) {
  std::unique_ptr<Loader> loader = MakeSqliteLoader(SqliteSpec(path));
  REQUIRE(loader->Check(false).ok());
  return loader;
}

void InsertRunRow(const std::string& path, const std::string& run, const std::string& started,
                  const std::string& status, const std::string& arguments, const std::string& host,
                  int64_t pid) {
  ExecSql(path,
          "INSERT INTO ferry_runs (run_id, started_at, finished_at, status, arguments, "
          "records_read, inserted, updated, skipped, rejected, fingerprint, host, pid) VALUES ('" +
              run + "', '" + started + "', NULL, '" + status + "', '" + arguments +
              "', 0, 0, 0, 0, 0, 'fp', '" + host + "', " + std::to_string(pid) + ")");
}

std::vector<RunRecord> Runs(Loader& loader, int limit = 0) {
  std::vector<RunRecord> runs;
  Status status = loader.ListRuns(limit, &runs);
  INFO(status.ToString());
  REQUIRE(status.ok());
  return runs;
}

}  // namespace

TEST_CASE("SqliteLoader history: a finished run is listed with its totals",
          "[loaders][sqlite][history]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto loader = CheckedLoader(path);
  REQUIRE(loader->BeginRun({"RUN_A", "ferry migrate a.json", false, "fp-a"}).ok());
  REQUIRE(loader->FinishRun({"completed_with_rejects", 10, 6, 1, 2, 1}).ok());
  std::vector<RunRecord> runs = Runs(*loader);
  REQUIRE(runs.size() == 1);
  const RunRecord& run = runs[0];
  CHECK(run.run_id == "RUN_A");
  CHECK(run.status == "completed_with_rejects");
  CHECK(run.arguments == "ferry migrate a.json");
  CHECK(run.fingerprint == "fp-a");
  CHECK(run.host == ThisHost());
  CHECK(run.pid == ThisPid());
  CHECK(run.read == 10);
  CHECK(run.inserted == 6);
  CHECK(run.updated == 1);
  CHECK(run.skipped == 2);
  CHECK(run.rejected == 1);
  CHECK_FALSE(run.started_at.empty());
  CHECK(run.finished_at >= run.started_at);
}

TEST_CASE("SqliteLoader history: a running run whose process is gone is interrupted",
          "[loaders][sqlite][history]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto loader = CheckedLoader(path);
  REQUIRE(loader->BeginRun({"RUN_LIVE", "args", false, ""}).ok());  // this process: running
  InsertRunRow(path, "RUN_DEAD", "2024-01-01T00:00:00.000Z", "running", "args", ThisHost(),
               DeadPid());
  InsertRunRow(path, "RUN_FAR", "2024-01-02T00:00:00.000Z", "running", "args", "far.example",
               DeadPid());
  InsertRunRow(path, "RUN_FAILED", "2024-01-03T00:00:00.000Z", "failed", "args", ThisHost(),
               DeadPid());
  std::vector<RunRecord> runs = Runs(*loader);
  REQUIRE(runs.size() == 4);
  // Newest first.
  CHECK(runs[0].run_id == "RUN_LIVE");
  CHECK(runs[0].status == "running");
  CHECK(runs[1].run_id == "RUN_FAILED");
  CHECK(runs[1].status == "failed");
  CHECK(runs[2].run_id == "RUN_FAR");
  CHECK(runs[2].status == "running");  // another host's: cannot tell, taken as running
  CHECK(runs[3].run_id == "RUN_DEAD");
  CHECK(runs[3].status == "interrupted");
  CHECK(runs[3].finished_at.empty());

  std::vector<RunRecord> newest = Runs(*loader, 2);
  REQUIRE(newest.size() == 2);
  CHECK(newest[1].run_id == "RUN_FAILED");
}

TEST_CASE("SqliteLoader history: a run whose pid is taken by another process is never resumed",
          "[loaders][sqlite][history]") {
  // SQLite's side of issue 13.3: liveness is the recorded pid on this host. A pid the kernel
  // gave to another process since (pid 1 stands for it: it always exists) keeps the run
  // "running", so no second process resumes a run that might be alive; the user clears it
  // with --restart (a new run id) or `ferry unlock --force --even-alive` for its lock.
  TempDir dir;
  std::string path = dir.File("t.db");
  auto loader = CheckedLoader(path);
  REQUIRE(loader->BeginRun({"RUN_NOW", "other args", false, ""}).ok());
  InsertRunRow(path, "RUN_REUSED", "2024-01-01T00:00:00.000Z", "running", "args", ThisHost(), 1);
  std::vector<RunRecord> runs = Runs(*loader);
  REQUIRE(runs.size() == 2);
  CHECK(runs[1].run_id == "RUN_REUSED");
  CHECK(runs[1].status == "running");
  std::optional<RunRecord> interrupted;
  REQUIRE(loader->FindInterruptedRun("args", &interrupted).ok());
  CHECK_FALSE(interrupted.has_value());
}

TEST_CASE("SqliteLoader history: FindInterruptedRun matches the arguments exactly",
          "[loaders][sqlite][history]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto loader = CheckedLoader(path);
  REQUIRE(loader->BeginRun({"RUN_LIVE", "ferry migrate a.json", false, ""}).ok());
  InsertRunRow(path, "RUN_OLD", "2024-01-01T00:00:00.000Z", "running", "ferry migrate a.json",
               ThisHost(), DeadPid());
  InsertRunRow(path, "RUN_NEW", "2024-01-02T00:00:00.000Z", "running", "ferry migrate a.json",
               ThisHost(), DeadPid());
  InsertRunRow(path, "RUN_DONE", "2024-01-03T00:00:00.000Z", "completed", "ferry migrate a.json",
               ThisHost(), DeadPid());
  InsertRunRow(path, "RUN_OTHER", "2024-01-04T00:00:00.000Z", "running",
               "ferry migrate a.json --user-id x", ThisHost(), DeadPid());

  std::optional<RunRecord> found;
  REQUIRE(loader->FindInterruptedRun("ferry migrate a.json", &found).ok());
  REQUIRE(found.has_value());
  CHECK(found->run_id == "RUN_NEW");  // the newest interrupted one, not the live one
  CHECK(found->status == "interrupted");

  for (const char* near_miss : {"ferry migrate a.json ", "ferry migrate a.jso",
                                "FERRY MIGRATE A.JSON", "ferry migrate b.json"}) {
    INFO(near_miss);
    REQUIRE(loader->FindInterruptedRun(near_miss, &found).ok());
    CHECK_FALSE(found.has_value());
  }
  REQUIRE(loader->FindInterruptedRun("ferry migrate a.json --user-id x", &found).ok());
  REQUIRE(found.has_value());
  CHECK(found->run_id == "RUN_OTHER");
}

TEST_CASE("SqliteLoader history: checkpoints are read back per unit and per run",
          "[loaders][sqlite][history]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = sqlite_testing::ReadyLoader(path, false, {&tasks});
  REQUIRE(loader->Write(sqlite_testing::TaskBatch(&tasks, 1, 5, ConflictPolicy::kSkip)).ok());

  lock_testing::CheckOneCheckpoint(*loader, "RUN1", 5);
  std::optional<StoredCheckpoint> stored;
  REQUIRE(loader->ReadCheckpoint("u2", "tasks", "dump.json", &stored).ok());
  CHECK_FALSE(stored.has_value());
  std::vector<CheckpointRecord> checkpoints;
  REQUIRE(loader->ListCheckpoints("", &checkpoints).ok());
  CHECK(checkpoints.size() == 1);
  REQUIRE(loader->ListCheckpoints("RUN_OTHER", &checkpoints).ok());
  CHECK(checkpoints.empty());
}

TEST_CASE("SqliteLoader history: a target without ferry's tables has no history",
          "[loaders][sqlite][history]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  SECTION("a missing file, read as a dry run, stays missing") {}
  SECTION("a database of someone else's tables") {
    ExecSql(path, "CREATE TABLE other (x INTEGER)");
  }
  std::unique_ptr<Loader> loader = MakeSqliteLoader(SqliteSpec(path));
  REQUIRE(loader->Check(true).ok());
  std::vector<RunRecord> runs;
  std::vector<LockHolder> locks;
  std::vector<CheckpointRecord> checkpoints;
  std::optional<RunRecord> interrupted;
  std::optional<StoredCheckpoint> stored;
  CHECK(loader->ListRuns(10, &runs).ok());
  CHECK(loader->ListLocks(&locks).ok());
  CHECK(loader->ListCheckpoints("", &checkpoints).ok());
  CHECK(loader->FindInterruptedRun("x", &interrupted).ok());
  CHECK(loader->ReadCheckpoint("u", "e", "f", &stored).ok());
  CHECK(runs.empty());
  CHECK(locks.empty());
  CHECK(checkpoints.empty());
  CHECK_FALSE(interrupted.has_value());
  CHECK_FALSE(stored.has_value());
  loader.reset();
  for (const std::string& name : dir.Listing()) {
    CHECK((name == "t.db"));  // no -wal, -shm or -journal left behind
  }
}

TEST_CASE("SqliteLoader history: reading before Check is an internal error",
          "[loaders][sqlite][history]") {
  TempDir dir;
  std::unique_ptr<Loader> loader = MakeSqliteLoader(SqliteSpec(dir.File("t.db")));
  std::vector<RunRecord> runs;
  CHECK(loader->ListRuns(1, &runs).code() == Status::Code::kInternal);
  std::optional<StoredCheckpoint> stored;
  CHECK(loader->ReadCheckpoint("u", "e", "f", &stored).code() == Status::Code::kInternal);
}

}  // namespace ferry::run_history_test
