// Schema migrations on SQLite (SqliteLoader::SchemaStatus/Up/Down and EnsureSchema's path):
// status on an empty target, up creating and recording, a changed or dropped table refused,
// down refusing a table with rows, down then up, adoption, and dry-runs writing nothing.
#include "loaders/sqlite/schema_migrations.h"

#include <catch2/catch.hpp>
#include <map>

#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/sqlite_loader.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::schema_migrations_test {
namespace {

using State = SchemaMigration::State;
using sqlite_testing::ExecSql;
using sqlite_testing::FileBytes;
using sqlite_testing::Query;
using sqlite_testing::QueryInt;
using sqlite_testing::SqliteSpec;
using sqlite_testing::TaskBatch;
using sqlite_testing::TempDir;

// The tables of a small mapping "app": tasks (entity "tasks") and prefs (entity "userPrefs").
struct AppTables {
  TableDef tasks = sqlite_testing::TasksTable();
  TableDef prefs;
  AppTables() {
    tasks.mapping = "app";
    tasks.entity = "tasks";
    prefs.name = "prefs";
    prefs.columns = {{"user_id", ColumnType::kText, false}, {"data", ColumnType::kJson, true}};
    prefs.primary_key = {"user_id"};
    prefs.mapping = "app";
    prefs.entity = "userPrefs";
  }
  std::vector<const TableDef*> all() const { return {&tasks, &prefs}; }
};

std::unique_ptr<Loader> Checked(const std::string& path, bool dry_run) {
  std::unique_ptr<Loader> loader = MakeSqliteLoader(SqliteSpec(path));
  Status status = loader->Check(dry_run);
  INFO(status.ToString());
  REQUIRE(status.ok());
  return loader;
}

std::vector<SchemaMigration> StatusOf(const std::string& path, const AppTables& app) {
  std::vector<SchemaMigration> migrations;
  Status status = Checked(path, true)->SchemaStatus(app.all(), &migrations);
  INFO(status.ToString());
  REQUIRE(status.ok());
  return migrations;
}

std::vector<SchemaMigration> Up(const std::string& path, const AppTables& app) {
  std::vector<SchemaMigration> applied;
  Status status = Checked(path, false)->SchemaUp(app.all(), &applied);
  INFO(status.ToString());
  REQUIRE(status.ok());
  return applied;
}

int64_t HistoryRows(const std::string& path) {
  return QueryInt(path, "SELECT count(*) FROM ferry_schema_history");
}

}  // namespace

TEST_CASE("SQLite schema status: an empty target has every migration pending, and stays absent",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  AppTables app;
  std::vector<SchemaMigration> migrations = StatusOf(path, app);
  REQUIRE(migrations.size() == 6);
  CHECK(migrations[0].version == 1);
  CHECK(migrations[0].description == sqlite::kBookkeepingDescription);
  CHECK(migrations[0].checksum == sqlite::BookkeepingChecksum());
  for (const SchemaMigration& m : migrations) CHECK(m.state == State::kPending);
  CHECK(migrations[1].description == sqlite::kUnchangedDescription);
  CHECK(migrations[1].checksum == sqlite::UnchangedChecksum());
  CHECK(migrations[2].description == sqlite::kArchiveDescription);
  CHECK(migrations[2].checksum == sqlite::ArchiveChecksum());
  CHECK(migrations[3].description == sqlite::kUnitRejectsDescription);
  CHECK(migrations[3].checksum == sqlite::UnitRejectsChecksum());
  CHECK(migrations[4].table == "\"tasks\"");
  CHECK(migrations[5].description ==
        "create table \"prefs\" (mapping \"app\", entity \"userPrefs\")");
  CHECK(dir.Listing().empty());  // status writes nothing, not even the file
}

TEST_CASE("SQLite schema up: creates the tables and records each, then has nothing to do",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  AppTables app;
  std::vector<SchemaMigration> applied = Up(path, app);
  REQUIRE(applied.size() == 6);
  CHECK(applied[0].version == 1);
  CHECK(applied[1].version == 2);
  CHECK(applied[1].description == sqlite::kUnchangedDescription);
  CHECK(applied[2].version == 3);
  CHECK(applied[2].description == sqlite::kArchiveDescription);
  CHECK(applied[3].version == 4);
  CHECK(applied[3].description == sqlite::kUnitRejectsDescription);
  CHECK(applied[4].version == 5);
  CHECK(applied[4].table == "\"tasks\"");
  CHECK(applied[5].version == 6);
  CHECK_FALSE(applied[5].exists);  // created, not adopted
  CHECK(QueryInt(path, "SELECT count(*) FROM sqlite_master WHERE name IN ('tasks', 'prefs')") == 2);
  auto rows = Query(path,
                    "SELECT version, checksum, description FROM ferry_schema_history "
                    "ORDER BY version");
  REQUIRE(rows.size() == 6);
  CHECK(rows[4][1] == applied[4].checksum);
  CHECK(rows[5][2] == "create table \"prefs\" (mapping \"app\", entity \"userPrefs\")");

  for (const SchemaMigration& m : StatusOf(path, app)) {
    INFO(m.description);
    CHECK(m.state == State::kApplied);
    CHECK(m.recorded_checksum == m.checksum);
    CHECK_FALSE(m.applied_at.empty());
  }
  CHECK(Up(path, app).empty());
  CHECK(HistoryRows(path) == 6);
}

TEST_CASE(
    "SQLite EnsureSchema: migrate creates and records in one go, and adopts a table made "
    "by hand",
    "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  AppTables app;
  ExecSql(path, "CREATE TABLE prefs (user_id TEXT PRIMARY KEY, data TEXT, extra TEXT)");
  auto loader = sqlite_testing::ReadyLoader(path, false, app.all());
  auto rows = Query(path, "SELECT version, description FROM ferry_schema_history ORDER BY version");
  REQUIRE(rows.size() == 6);
  CHECK(rows[4][1].find("\"tasks\"") != std::string::npos);
  CHECK(rows[5][1].find("\"prefs\"") != std::string::npos);
  // The hand-made table is recorded as it is: its extra column stays.
  CHECK(QueryInt(path, "SELECT count(*) FROM pragma_table_info('prefs') WHERE name='extra'") == 1);
  for (const SchemaMigration& m : StatusOf(path, app)) CHECK(m.state == State::kApplied);
}

TEST_CASE("SQLite schema: a mapping that changed a recorded table is refused, naming it",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  AppTables app;
  std::vector<SchemaMigration> applied = Up(path, app);
  std::string recorded = applied[4].checksum;
  // NOT NULL without a default: a change ferry cannot evolve (a nullable column it adds with
  // `schema up`: tests/e2e/schema_evolution_test.cc).
  app.tasks.columns.push_back({"due", ColumnType::kTimestamp, false});

  std::vector<SchemaMigration> migrations = StatusOf(path, app);
  REQUIRE(migrations.size() == 6);
  CHECK(migrations[4].state == State::kChanged);
  CHECK(migrations[4].recorded_checksum == recorded);
  CHECK(migrations[4].checksum != recorded);
  CHECK(migrations[5].state == State::kApplied);

  std::vector<SchemaMigration> none;
  Status up = Checked(path, false)->SchemaUp(app.all(), &none);
  CHECK(up.IsInvalidArgument());
  CHECK(up.message().find("the mapping changed table \"tasks\" since migration 5") !=
        std::string::npos);
  CHECK(up.message().find(recorded) != std::string::npos);
  CHECK(up.message().find(migrations[4].checksum) != std::string::npos);
  CHECK(none.empty());

  // migrate (EnsureSchema), and its dry run, refuse it the same way.
  for (bool dry_run : {false, true}) {
    auto loader = Checked(path, dry_run);
    Status ensured = loader->EnsureSchema(app.all());
    INFO(ensured.ToString());
    CHECK(ensured.IsInvalidArgument());
    CHECK(ensured.message().find("\"tasks\"") != std::string::npos);
  }
  CHECK(QueryInt(path, "SELECT count(*) FROM pragma_table_info('tasks') WHERE name='due'") == 0);
}

TEST_CASE("SQLite schema: a recorded table dropped by hand is MISSING and refused",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  AppTables app;
  Up(path, app);
  ExecSql(path, "DROP TABLE prefs");
  CHECK(StatusOf(path, app)[5].state == State::kMissing);
  Status ensured = Checked(path, false)->EnsureSchema(app.all());
  CHECK(ensured.IsCorruption());
  CHECK(ensured.message().find("\"prefs\" was created by migration 6") != std::string::npos);
  // down forgets it: nothing to drop, the history row goes.
  SchemaMigration reverted;
  REQUIRE(Checked(path, false)->SchemaDown(app.all(), false, &reverted).ok());
  CHECK(reverted.version == 6);
  CHECK_FALSE(reverted.exists);
  CHECK(StatusOf(path, app)[5].state == State::kPending);
}

TEST_CASE(
    "SQLite schema down: refuses a table that holds rows unless forced, and forgets its "
    "entity",
    "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  AppTables app;
  ExecSql(path, "");  // the file exists
  {
    auto loader = sqlite_testing::ReadyLoader(path, false, {&app.prefs, &app.tasks});
    REQUIRE(loader->Write(TaskBatch(&app.tasks, 1, 3, ConflictPolicy::kSkip)).ok());
  }
  ExecSql(path,
          "INSERT INTO ferry_id_map VALUES ('userPrefs', 'u1', 'p', '', 'h', 'RUN1', 'now');"
          "INSERT INTO ferry_checkpoints VALUES ('u1', 'userPrefs', 'dump.json', 1, 'RUN1', 'x')");
  REQUIRE(QueryInt(path,
                   "SELECT version FROM ferry_schema_history WHERE description LIKE "
                   "'%\"tasks\"%'") == 6);  // tasks is the newest

  SchemaMigration reverted;
  Status refused = Checked(path, false)->SchemaDown(app.all(), /*force=*/false, &reverted);
  CHECK(refused.IsInvalidArgument());
  CHECK(refused.message().find("\"tasks\" holds 3 rows") != std::string::npos);
  CHECK(refused.message().find("--force") != std::string::npos);
  CHECK(QueryInt(path, "SELECT count(*) FROM tasks") == 3);
  CHECK(HistoryRows(path) == 6);

  REQUIRE(Checked(path, false)->SchemaDown(app.all(), /*force=*/true, &reverted).ok());
  CHECK(reverted.version == 6);
  CHECK(reverted.table == "\"tasks\"");
  CHECK(reverted.exists);
  CHECK(QueryInt(path, "SELECT count(*) FROM sqlite_master WHERE name='tasks'") == 0);
  CHECK(HistoryRows(path) == 5);
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_id_map WHERE entity='tasks'") == 0);
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_checkpoints WHERE entity='tasks'") == 0);
  // Another entity's rows stay.
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_id_map WHERE entity='userPrefs'") == 1);

  // prefs is empty: no --force needed; then only the bookkeeping is left, never reverted.
  REQUIRE(Checked(path, false)->SchemaDown(app.all(), false, &reverted).ok());
  CHECK(reverted.version == 5);
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_checkpoints WHERE entity='userPrefs'") == 0);
  Status nothing = Checked(path, false)->SchemaDown(app.all(), true, &reverted);
  CHECK(nothing.IsNotFound());
  CHECK(nothing.message().find("never reverted") != std::string::npos);
  CHECK(HistoryRows(path) == 4);  // version 1, bookkeeping 2, 3 and 4
  CHECK(QueryInt(path, "SELECT count(*) FROM sqlite_master WHERE name='ferry_id_map'") == 1);
}

TEST_CASE("SQLite schema: down then up creates the table again under a new version",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  AppTables app;
  Up(path, app);
  SchemaMigration reverted;
  REQUIRE(Checked(path, false)->SchemaDown(app.all(), false, &reverted).ok());
  CHECK(reverted.table == "\"prefs\"");
  CHECK(StatusOf(path, app)[5].state == State::kPending);
  std::vector<SchemaMigration> again = Up(path, app);
  REQUIRE(again.size() == 1);
  CHECK(again[0].table == "\"prefs\"");
  CHECK(again[0].version == 6);  // the highest recorded is 5 now
  CHECK(QueryInt(path, "SELECT count(*) FROM sqlite_master WHERE name='prefs'") == 1);
}

TEST_CASE("SQLite schema: a dry-run migrate and status leave an existing target byte-identical",
          "[loaders][sqlite][schema][dry-run]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  AppTables app;
  { auto loader = sqlite_testing::ReadyLoader(path, false, {&app.tasks}); }
  std::string before = FileBytes(path);
  std::set<std::string> listing = dir.Listing();
  {
    auto loader = sqlite_testing::ReadyLoader(path, true, app.all());  // prefs is pending
    std::vector<SchemaMigration> migrations;
    REQUIRE(loader->SchemaStatus(app.all(), &migrations).ok());
    CHECK(migrations[5].state == State::kPending);
  }
  CHECK(FileBytes(path) == before);
  CHECK(dir.Listing() == listing);
  CHECK(HistoryRows(path) == 5);
}

TEST_CASE("SQLite schema: up and down need a writable Check; a newer ferry's row is refused",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  AppTables app;
  std::vector<SchemaMigration> applied;
  CHECK(Checked(path, true)->SchemaUp(app.all(), &applied).code() == Status::Code::kInternal);
  Up(path, app);
  ExecSql(path, "INSERT INTO ferry_schema_history VALUES (9, 'x', 'now', 'split the id map')");
  std::unique_ptr<Loader> loader = MakeSqliteLoader(SqliteSpec(path));
  Status checked = loader->Check(true);
  CHECK(checked.IsInvalidArgument());
  CHECK(checked.message().find("upgrade ferry") != std::string::npos);
}

TEST_CASE("SQLite bookkeeping checksum: unchanged, so targets made by earlier ferries stay valid",
          "[loaders][sqlite][schema]") {
  // Recorded in ferry_schema_history by every ferry since the bookkeeping's version 1.
  CHECK(sqlite::BookkeepingChecksum() == "26aa0707d9d859f0");
}

TEST_CASE("SQLite bookkeeping 2: an older ferry's target gains ferry_runs.unchanged, recorded",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  AppTables app;
  { auto loader = sqlite_testing::ReadyLoader(path, false, {&app.tasks}); }  // run RUN1
  // What an older ferry left: version 1 and the tasks table, ferry_runs without the column.
  ExecSql(path,
          "ALTER TABLE ferry_runs DROP COLUMN unchanged;"
          "DELETE FROM ferry_schema_history WHERE description = '" +
              std::string(sqlite::kUnchangedDescription) + "'");
  REQUIRE(HistoryRows(path) == 4);  // version 1, bookkeeping 3 and 4, tasks
  {
    // status reads it as it is (unchanged 0), and writes nothing.
    std::vector<RunRecord> runs;
    REQUIRE(Checked(path, true)->ListRuns(0, &runs).ok());
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].run_id == "RUN1");
    CHECK(runs[0].unchanged == 0);
    CHECK(HistoryRows(path) == 4);
  }
  auto loader = sqlite_testing::ReadyLoader(path, false, {&app.tasks});
  REQUIRE(loader->BeginRun({"NEW", "ferry migrate x.json", false, ""}).ok());
  CHECK(QueryInt(path, "SELECT version FROM ferry_schema_history WHERE description = '" +
                           std::string(sqlite::kUnchangedDescription) + "' AND checksum = '" +
                           sqlite::UnchangedChecksum() + "'") == 6);
  RunTotals totals{"completed", 5, 1, 0, 1, 0};
  totals.unchanged = 3;
  REQUIRE(loader->FinishRun(totals).ok());
  std::vector<RunRecord> runs;
  REQUIRE(loader->ListRuns(0, &runs).ok());
  REQUIRE(runs.size() == 2);
  const RunRecord& run = runs[0].run_id == "NEW" ? runs[0] : runs[1];
  CHECK(run.run_id == "NEW");
  CHECK(run.unchanged == 3);
  CHECK(run.skipped == 1);
}

TEST_CASE("SQLite bookkeeping 3: the run history gains the archive, filled from the audit log",
          "[loaders][sqlite][schema][rollback]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  AppTables app;
  {
    auto loader = sqlite_testing::ReadyLoader(path, false, {&app.tasks});  // run RUN1
    RunInfo second{"RUN2", "ferry migrate y.json", false, ""};
    second.archive = "01ARCHIVEOFRUN2";
    REQUIRE(loader->BeginRun(second).ok());
  }
  CHECK(QueryInt(path,
                 "SELECT count(*) FROM ferry_runs WHERE run_id = 'RUN2' AND archive = "
                 "'01ARCHIVEOFRUN2'") == 1);
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_runs WHERE archive IS NULL") == 1);  // RUN1
  // What an older ferry left: no column, no step; the archive only in the audit log.
  ExecSql(path,
          "ALTER TABLE ferry_runs DROP COLUMN archive;"
          "DELETE FROM ferry_schema_history WHERE description = '" +
              std::string(sqlite::kArchiveDescription) + "'");
  {
    // status reads it as it is (no archive), and writes nothing.
    std::vector<RunRecord> runs;
    REQUIRE(Checked(path, true)->ListRuns(0, &runs).ok());
    REQUIRE(runs.size() == 2);
    for (const RunRecord& run : runs) CHECK(run.archive.empty());
    CHECK(QueryInt(path,
                   "SELECT count(*) FROM pragma_table_info('ferry_runs') WHERE name = "
                   "'archive'") == 0);
  }
  auto loader = sqlite_testing::ReadyLoader(path, false, {&app.tasks});  // upgrades
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_schema_history WHERE description = '" +
                           std::string(sqlite::kArchiveDescription) + "' AND checksum = '" +
                           sqlite::ArchiveChecksum() + "'") == 1);
  std::vector<RunRecord> runs;
  REQUIRE(loader->ListRuns(0, &runs).ok());
  std::map<std::string, std::string> archive_of;
  for (const RunRecord& run : runs) archive_of[run.run_id] = run.archive;
  CHECK(archive_of["RUN2"] == "01ARCHIVEOFRUN2");  // backfilled
  CHECK(archive_of["RUN1"].empty());
  // A resumed session without a backup keeps the run's archive; one with a backup names its own.
  REQUIRE(loader->BeginRun({"RUN2", "ferry migrate y.json", false, ""}).ok());
  RunInfo third{"RUN3", "ferry migrate z.json", false, ""};
  third.archive = "01ARCHIVEOFRUN3";
  REQUIRE(loader->BeginRun(third).ok());
  CHECK(QueryInt(path,
                 "SELECT count(*) FROM ferry_runs WHERE run_id = 'RUN2' AND archive = "
                 "'01ARCHIVEOFRUN2'") == 1);
  CHECK(QueryInt(path,
                 "SELECT count(*) FROM ferry_runs WHERE run_id = 'RUN3' AND archive = "
                 "'01ARCHIVEOFRUN3'") == 1);
}

}  // namespace ferry::schema_migrations_test
