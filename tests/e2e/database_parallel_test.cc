// End-to-end (issue 18): the tables of one database load on several workers at once where the
// foreign keys allow (agent/run/unit_pool.h, docs/design.md "Tables of one database at once").
// The run holds the user's lock on a session of its own while its workers join it, so: a
// table loads while another (a parent of none of it) is held up by a lock of the test's; the
// rows equal a --jobs 1 run's on both targets (SQLite keeps one writer); a second ferry on the
// same user is refused with exit 4 while the first runs; a kill while two tables are in flight
// is resumed by the same command with every row once.
#include <fmt/format.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "tests/e2e/app_db.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::database_parallel_test {
namespace {

constexpr const char* kTables[] = {"users", "clinics",   "dashboards", "journal_entries",
                                   "tags",  "reminders", "orders",     "tasks"};

std::string MakeAppDb(const TempDir& dir, int rows) {
  std::string path = dir / "app.db";
  CommandResult made =
      RunShell(fmt::format("python3 '{}/tools/make_app_db.py' --keys int --rows {} --out '{}' 2>&1",
                           SourceDir().string(), rows, path));
  INFO(made.out);
  REQUIRE(made.exit_code == 0);
  return path;
}

std::vector<std::string> Migrate(const TempDir& dir, const std::string& db,
                                 const std::string& target, const std::string& jobs,
                                 const std::string& name) {
  return {"migrate",
          "sqlite:" + db,
          "--user-id",
          "app",
          "--target",
          target,
          "--mapping",
          dir / "mapping.yaml",
          "--jobs",
          jobs,
          "--batch-size",
          "50",
          "--no-backup",
          "--continue-on-error",
          "--max-reject-rate",
          "0.5",
          "--rejects",
          dir / (name + ".ndjson"),
          "--progress",
          "none"};
}

// What a target holds of the app: per table its legacy ids, per foreign key its pairs of
// legacy ids through the new keys, and its id-map rows per entity (new ULIDs differ per run).
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
  for (const auto& row : target.Query(
           fmt::format("SELECT entity, count(*), count(DISTINCT legacy_id) FROM {} GROUP BY entity",
                       target.Bookkeeping("id_map")))) {
    id_map.insert(row.at(0) + " " + row.at(1) + " " + row.at(2));
  }
  contents.push_back(std::move(id_map));
  return contents;
}

void Propose(const TempDir& dir, const std::string& db) {
  CommandResult proposed =
      RunFerry({"inspect", "sqlite:" + db, "--propose-mapping", dir / "mapping.yaml"});
  INFO(Describe(proposed));
  REQUIRE(proposed.exit_code == 0);
}

// The mapping's tables, made before the run so that the test can lock one.
void CreateTables(const TempDir& dir, const std::string& target) {
  CommandResult created =
      RunFerry({"schema", "up", "--mapping", dir / "mapping.yaml", "--target", target});
  INFO(Describe(created));
  REQUIRE(created.exit_code == 0);
}

// Waits until `done()` or the process ends (or, for a run that never gets there, 120 s).
template <typename Done>
bool WaitFor(FerryProcess& process, Done done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    if (!process.Running()) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST_CASE("migrate a database --jobs 2: the same rows as --jobs 1",
          "[e2e][migrate][sqlite][postgresql]") {
  TempDir dir;
  std::string db = MakeAppDb(dir, 2000);
  Propose(dir, db);
  FERRY_FOR_EACH_TARGET(serial) {
    std::unique_ptr<TargetFixture> parallel = MakeTarget(serial->kind());
    REQUIRE(parallel != nullptr);
    CommandResult one = RunFerry(Migrate(dir, db, serial->url(), "1", "one"));
    INFO(Describe(one));
    REQUIRE(one.exit_code == 3);  // done, the planted orphans rejected
    CommandResult two = RunFerry(Migrate(dir, db, parallel->url(), "2", "two"));
    INFO(Describe(two));
    REQUIRE(two.exit_code == 3);
    CHECK(Contents(*parallel) == Contents(*serial));
    CHECK(ReadFile(dir / "two.ndjson").size() == ReadFile(dir / "one.ndjson").size());
  }
}

TEST_CASE("migrate a database into PostgreSQL: tables load at once; another run gets exit 4",
          "[e2e][migrate][postgresql]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  TempDir dir;
  std::string db = MakeAppDb(dir, 2000);
  std::unique_ptr<TargetFixture> target = MakePostgresTarget(*server);
  REQUIRE(target != nullptr);
  Propose(dir, db);
  CreateTables(dir, target->url());
  const int64_t tasks =
      std::stoll(Query(db, "SELECT count(*) FROM (" + LoadableKeys("tasks") + ") t")[0][0]);

  // orders (whose parents are users and clinics) is held up by the test's lock: the tables
  // after it in the load order (reminders, tags, tasks) reference none of it and load anyway.
  pqxx::connection holder(target->url());
  pqxx::work hold(holder);
  hold.exec("LOCK TABLE orders IN SHARE MODE");
  FerryProcess run(Migrate(dir, db, target->url(), "2", "run"));
  bool loaded = WaitFor(run, [&] { return target->Count("SELECT count(*) FROM tasks") == tasks; });
  CHECK(loaded);
  CHECK(target->Count("SELECT count(*) FROM orders") == 0);

  // Meanwhile the user is the run's: a second ferry is refused (exit 4), naming the holder.
  CommandResult second = RunFerry(Migrate(dir, db, target->url(), "2", "second"));
  INFO(Describe(second));
  CHECK(second.exit_code == 4);
  CHECK_THAT(second.err, Catch::Contains("is locked by run"));

  hold.abort();
  CommandResult done = run.Wait();
  INFO(Describe(done));
  CHECK(done.exit_code == 3);
  CHECK(target->Count("SELECT count(*) FROM orders") > 0);
}

TEST_CASE("migrate a database into PostgreSQL: a kill with two tables in flight resumes exactly",
          "[e2e][migrate][postgresql]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  TempDir dir;
  std::string db = MakeAppDb(dir, 2000);
  std::unique_ptr<TargetFixture> reference = MakePostgresTarget(*server);
  std::unique_ptr<TargetFixture> target = MakePostgresTarget(*server);
  REQUIRE(reference != nullptr);
  REQUIRE(target != nullptr);
  Propose(dir, db);
  CreateTables(dir, target->url());
  CommandResult one = RunFerry(Migrate(dir, db, reference->url(), "1", "reference"));
  INFO(Describe(one));
  REQUIRE(one.exit_code == 3);
  const int64_t orders = reference->Count("SELECT count(*) FROM orders");

  std::vector<std::string> args = Migrate(dir, db, target->url(), "2", "run");
  {
    // The tables come the heaviest chain first (extractors/sqlite/table_order.h): users, then
    // tasks beside journal_entries, clinics, orders, reminders, tags, dashboards. tasks waits
    // on the test's lock in its first batch, so the other worker's commits are the only ones
    // and come in that order: users 2 (2000 rows, batches of 50), journal_entries 8, clinics
    // 1, orders 4: the run is stopped after the 13th, part-way through orders, and killed.
    pqxx::connection holder(target->url());
    pqxx::work hold(holder);
    hold.exec("LOCK TABLE tasks IN SHARE MODE");
    FerryProcess run(args, {{"FERRY_FAULT", "pg.after_commit:13"}, {"FERRY_FAULT_SIGNAL", "STOP"}});
    REQUIRE(run.WaitStopped());
    // Two tables in flight: tasks waiting on the lock, orders part-way.
    CHECK(target->Count("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
                        "'ferry run %' AND wait_event_type = 'Lock'") == 1);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 0);
    int64_t part = target->Count("SELECT count(*) FROM orders");
    CHECK(part > 0);
    CHECK(part < orders);
    run.Signal(SIGKILL);
    run.Wait();
    hold.abort();
  }
  CommandResult resumed = RunFerry(args);
  INFO(Describe(resumed));
  CHECK(resumed.exit_code == 3);
  CHECK_THAT(resumed.out + resumed.err, Catch::Contains("resum"));
  CHECK(Contents(*target) == Contents(*reference));
}

}  // namespace
}  // namespace ferry::e2e::database_parallel_test
