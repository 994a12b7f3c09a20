// End-to-end: the session that holds a user's lock for the whole run while the workers join it
// (a database's tables loaded at once: agent/run/unit_pool.h, docs/design.md "Tables of one
// database at once"). Its connection is one of the run's: the default number of workers
// leaves room for it within the server's limit (one connection still free for others). And
// when that session is cut mid-run, the run ends non-zero naming the lost lock, and the same
// command then resumes to exactly the rows of a clean run.
#include <fmt/format.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <vector>

#include "tests/e2e/app_db.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/private_server.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::run_lock_session_test {
namespace {

constexpr const char* kTables[] = {"users", "clinics",   "dashboards", "journal_entries",
                                   "tags",  "reminders", "orders",     "tasks"};

// The app database (tools/make_app_db.py) and the mapping proposed from it, in `dir`.
std::string AppDbWithMapping(const TempDir& dir, int rows) {
  std::string path = dir / "app.db";
  CommandResult made =
      RunShell(fmt::format("python3 '{}/tools/make_app_db.py' --keys int --rows {} --out '{}' 2>&1",
                           SourceDir().string(), rows, path));
  INFO(made.out);
  REQUIRE(made.exit_code == 0);
  CommandResult proposed =
      RunFerry({"inspect", "sqlite:" + path, "--propose-mapping", dir / "mapping.yaml"});
  INFO(Describe(proposed));
  REQUIRE(proposed.exit_code == 0);
  return path;
}

std::vector<std::string> Migrate(const TempDir& dir, const std::string& db,
                                 const std::string& target, const std::string& name) {
  return {"migrate",           "sqlite:" + db,
          "--user-id",         "app",
          "--target",          target,
          "--mapping",         dir / "mapping.yaml",
          "--batch-size",      "50",
          "--no-backup",       "--continue-on-error",
          "--max-reject-rate", "0.5",
          "--rejects",         dir / (name + ".ndjson"),
          "--report",          dir / (name + ".json"),
          "--retries",         "3",
          "--retry-max-wait",  "0.2",
          "--progress",        "none"};
}

// Per table its legacy ids, per foreign key its pairs of legacy ids through the new keys, and
// the id map's rows per entity: what a run leaves, whatever ULIDs it drew.
std::vector<std::multiset<std::string>> Contents(TargetFixture& target) {
  std::vector<std::multiset<std::string>> contents;
  for (const char* table : kTables) {
    std::multiset<std::string> ids;
    for (const auto& row : target.Query(fmt::format("SELECT legacy_id FROM {}", table))) {
      ids.insert(row.at(0));
    }
    contents.push_back(std::move(ids));
  }
  for (const AppDbReference& ref : kAppDbReferences) {
    std::multiset<std::string> pairs;
    for (const auto& row : target.Query(MigratedPairs(ref))) {
      pairs.insert(row.at(0) + "->" + row.at(1));
    }
    contents.push_back(std::move(pairs));
  }
  std::multiset<std::string> id_map;
  for (const auto& row : target.Query("SELECT entity, count(*), count(DISTINCT legacy_id) FROM "
                                      "ferry.id_map GROUP BY entity")) {
    id_map.insert(row.at(0) + " " + row.at(1) + " " + row.at(2));
  }
  contents.push_back(std::move(id_map));
  return contents;
}

// How many more connections the server takes now, as ferry reckons it (ConnectionRoom).
int64_t Room(pqxx::connection& probe) {
  pqxx::nontransaction txn(probe);
  return txn
      .exec1(
          "SELECT current_setting('max_connections')::int"
          " - current_setting('superuser_reserved_connections')::int"
          " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int")
          [0]
      .as<int64_t>();
}

int64_t RunSessions(pqxx::connection& probe) {
  pqxx::nontransaction txn(probe);
  return txn
      .exec1("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'ferry run %'")[0]
      .as<int64_t>();
}

TEST_CASE("migrate a database, default --jobs: the lock's own session fits the server's room",
          "[e2e][migrate][postgresql]") {
  if (!PostgresTestUrl()) return;
  // A server of the test's own: the test fills its connections but four.
  PrivateServer server;
  TempDir dir;
  std::string db = AppDbWithMapping(dir, 2000);
  std::unique_ptr<TargetFixture> target = MakePostgresTarget(server.url());
  REQUIRE(target != nullptr);
  pqxx::connection probe(target->url());
  std::vector<std::unique_ptr<pqxx::connection>> fillers;
  while (Room(probe) > 4) fillers.push_back(std::make_unique<pqxx::connection>(server.url()));
  REQUIRE(Room(probe) == 4);

  // Ferry's own connection leaves it 3: with two cores or more, two workers (one left for
  // others) were chosen, and then the lock's session took the last one.
  FerryProcess run(Migrate(dir, db, target->url(), "run"),
                   {{"FERRY_FAULT", "pg.after_commit:8"}, {"FERRY_FAULT_SIGNAL", "STOP"}});
  REQUIRE(run.WaitStopped());
  int64_t sessions = RunSessions(probe);
  int64_t room = Room(probe);
  run.Signal(SIGCONT);
  CommandResult done = run.Wait();
  INFO(Describe(done));
  CHECK(done.exit_code == 3);  // loaded, the planted orphans rejected
  INFO("ferry's sessions at the 8th commit: " << sessions);
  CHECK(room >= 1);
  // The report's workers are what it had open: one worker loads on the run's own session;
  // more have one each beside it, and the session holding the user's lock.
  std::string report = ReadFile(dir / "run.json");
  int64_t jobs = report.find("\"jobs\":1,") != std::string::npos ? 1 : 2;
  INFO(report);
  CHECK(report.find(fmt::format("\"jobs\":{},", jobs)) != std::string::npos);
  CHECK(sessions == (jobs == 1 ? 1 : 1 + jobs + 1));
}

// The pid of the session holding the user's lock (an advisory lock taken exclusively: the
// workers hold the writers key shared), 0 when none or more than one does.
int64_t LockSession(pqxx::connection& probe) {
  pqxx::nontransaction txn(probe);
  pqxx::result pids = txn.exec(
      "SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.mode = 'ExclusiveLock' "
      "AND a.application_name LIKE 'ferry run %' AND a.datname = current_database()");
  return pids.size() == 1 ? pids[0][0].as<int64_t>() : 0;
}

TEST_CASE("migrate a database into PostgreSQL: the lock's session cut mid-run, then resumed",
          "[e2e][migrate][faults][postgresql]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  TempDir dir;
  std::string db = AppDbWithMapping(dir, 2000);
  std::unique_ptr<TargetFixture> reference = MakePostgresTarget(*server);
  std::unique_ptr<TargetFixture> target = MakePostgresTarget(*server);
  REQUIRE(reference != nullptr);
  REQUIRE(target != nullptr);
  std::vector<std::string> clean = Migrate(dir, db, reference->url(), "clean");
  clean.insert(clean.end(), {"--jobs", "1"});
  CommandResult one = RunFerry(clean);
  INFO(Describe(one));
  REQUIRE(one.exit_code == 3);  // loaded, the planted orphans rejected

  // Stopped at its 6th commit (users and clinics loading: most tables not begun), the run's
  // lock session is ended under it.
  std::vector<std::string> args = Migrate(dir, db, target->url(), "run");
  args.insert(args.end(), {"--jobs", "2"});
  FerryProcess run(args, {{"FERRY_FAULT", "pg.after_commit:6"}, {"FERRY_FAULT_SIGNAL", "STOP"}});
  REQUIRE(run.WaitStopped());
  pqxx::connection probe(target->url());
  int64_t pid = LockSession(probe);
  REQUIRE(pid != 0);
  {
    pqxx::nontransaction txn(probe);
    CHECK(txn.exec_params1("SELECT pg_terminate_backend($1)", pid)[0].as<bool>());
  }
  run.Signal(SIGCONT);
  CommandResult cut = run.Wait();
  INFO(Describe(cut));
  CHECK(cut.exit_code == 1);  // Unavailable: not a run that loaded everything (3)
  CHECK_THAT(cut.err, Catch::Contains("the run lost the lock of user app"));
  CHECK_THAT(cut.err, Catch::Contains("Run the same command again"));
  // The tables after the loss are failed at once, not each after its own retries: one
  // "retry 3 of 3" per worker that was joining when the lock was found gone, no more.
  size_t last_retries = 0;
  for (size_t at = cut.err.find("retry 3 of 3"); at != std::string::npos;
       at = cut.err.find("retry 3 of 3", at + 1)) {
    ++last_retries;
  }
  CHECK(last_retries <= 2);

  CommandResult again = RunFerry(args);
  INFO(Describe(again));
  CHECK(again.exit_code == 3);
  CHECK(Contents(*target) == Contents(*reference));
}

}  // namespace
}  // namespace ferry::e2e::run_lock_session_test
