// Schema migrations on PostgreSQL (PostgresLoader::SchemaStatus/Up/Down and EnsureSchema's
// path) against the test server: status on an empty target, up creating and recording, a
// changed table refused naming it, down refusing a table with rows, down then up, dry-runs
// writing nothing, concurrent ups numbering each migration once. A fresh database per case.
#include "loaders/postgresql/schema_migrations.h"

#include <catch2/catch.hpp>
#include <future>
#include <map>
#include <pqxx/pqxx>

#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/postgres_loader.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::schema_migrations_test {
namespace {

using e2e::PostgresDatabase;
using State = SchemaMigration::State;

// The tables of a small mapping "app": notes (entity "notes"), prefs (entity "userPrefs").
struct AppTables {
  TableDef notes;
  TableDef prefs;
  AppTables() {
    notes.name = "notes";
    notes.columns = {{"id", ColumnType::kUlid, false},
                     {"user_id", ColumnType::kText, false},
                     {"body", ColumnType::kText, true}};
    notes.primary_key = {"id"};
    notes.mapping = "app";
    notes.entity = "notes";
    prefs.name = "prefs";
    prefs.columns = {{"user_id", ColumnType::kText, false}, {"data", ColumnType::kJson, true}};
    prefs.primary_key = {"user_id"};
    prefs.mapping = "app";
    prefs.entity = "userPrefs";
  }
  std::vector<const TableDef*> all() const { return {&notes, &prefs}; }
};

std::unique_ptr<Loader> Checked(const PostgresDatabase& db, bool dry_run) {
  std::unique_ptr<Loader> loader = MakePostgresLoader({"postgresql", db.url(), ""});
  Status status = loader->Check(dry_run);
  INFO(status.ToString());
  REQUIRE(status.ok());
  return loader;
}

std::vector<SchemaMigration> StatusOf(const PostgresDatabase& db, const AppTables& app) {
  std::vector<SchemaMigration> migrations;
  Status status = Checked(db, true)->SchemaStatus(app.all(), &migrations);
  INFO(status.ToString());
  REQUIRE(status.ok());
  return migrations;
}

std::vector<SchemaMigration> Up(const PostgresDatabase& db, const AppTables& app) {
  std::vector<SchemaMigration> applied;
  Status status = Checked(db, false)->SchemaUp(app.all(), &applied);
  INFO(status.ToString());
  REQUIRE(status.ok());
  return applied;
}

int64_t Count(const PostgresDatabase& db, const std::string& sql) {
  pqxx::connection connection(db.url());
  pqxx::nontransaction txn(connection);
  return txn.exec1(sql)[0].as<int64_t>();
}

void Exec(const PostgresDatabase& db, const std::string& sql) {
  pqxx::connection connection(db.url());
  pqxx::nontransaction txn(connection);
  txn.exec(sql);
}

}  // namespace

TEST_CASE(
    "PostgreSQL schema status: an empty target has every migration pending, and stays "
    "empty",
    "[loaders][postgres][schema]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  AppTables app;
  std::vector<SchemaMigration> migrations = StatusOf(db, app);
  REQUIRE(migrations.size() == 7);
  CHECK(migrations[0].version == 1);
  CHECK(migrations[0].checksum == postgres::BookkeepingChecksum());
  for (const SchemaMigration& m : migrations) CHECK(m.state == State::kPending);
  CHECK(migrations[1].description == postgres::kKeyedDescription);
  CHECK(migrations[1].checksum == postgres::KeyedChecksum());
  CHECK(migrations[2].description == postgres::kUnchangedDescription);
  CHECK(migrations[2].checksum == postgres::UnchangedChecksum());
  CHECK(migrations[3].description == postgres::kArchiveDescription);
  CHECK(migrations[3].checksum == postgres::ArchiveChecksum());
  CHECK(migrations[4].description == postgres::kUnitRejectsDescription);
  CHECK(migrations[4].checksum == postgres::UnitRejectsChecksum());
  CHECK(migrations[5].table == "\"public\".\"notes\"");
  CHECK(migrations[6].description ==
        "create table \"public\".\"prefs\" (mapping \"app\", entity \"userPrefs\")");
  CHECK(Count(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'ferry'") == 0);
  CHECK(Count(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0);
}

TEST_CASE("PostgreSQL schema up: creates the tables and records each, then has nothing to do",
          "[loaders][postgres][schema]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  AppTables app;
  std::vector<SchemaMigration> applied = Up(db, app);
  REQUIRE(applied.size() == 7);
  CHECK(applied[0].version == 1);
  CHECK(applied[1].version == 2);
  CHECK(applied[1].description == postgres::kKeyedDescription);
  CHECK(applied[2].version == 3);
  CHECK(applied[2].description == postgres::kUnchangedDescription);
  CHECK(applied[3].version == 4);
  CHECK(applied[3].description == postgres::kArchiveDescription);
  CHECK(applied[4].version == 5);
  CHECK(applied[4].description == postgres::kUnitRejectsDescription);
  CHECK(applied[5].version == 6);
  CHECK(applied[6].version == 7);
  CHECK(applied[6].applied_at.size() == 24);  // 2024-01-02T03:04:05.678Z
  CHECK(Count(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 2);
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 7);
  for (const SchemaMigration& m : StatusOf(db, app)) {
    INFO(m.description);
    CHECK(m.state == State::kApplied);
  }
  CHECK(Up(db, app).empty());
}

TEST_CASE("PostgreSQL EnsureSchema: migrate records what it creates and adopts a hand-made table",
          "[loaders][postgres][schema]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  AppTables app;
  Exec(db, "CREATE TABLE prefs (user_id text PRIMARY KEY, data jsonb, extra int)");
  auto loader = Checked(db, false);
  REQUIRE(loader->EnsureSchema(app.all()).ok());
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 7);
  CHECK(Count(db,
              "SELECT version FROM ferry.schema_history WHERE description LIKE "
              "'%\"prefs\"%'") == 7);
  for (const SchemaMigration& m : StatusOf(db, app)) CHECK(m.state == State::kApplied);
}

TEST_CASE("PostgreSQL schema: a mapping that changed a recorded table is refused, naming it",
          "[loaders][postgres][schema]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  AppTables app;
  std::string recorded = Up(db, app)[5].checksum;
  app.notes.columns[2].nullable = false;  // body NOT NULL now

  std::vector<SchemaMigration> migrations = StatusOf(db, app);
  CHECK(migrations[5].state == State::kChanged);
  CHECK(migrations[5].recorded_checksum == recorded);
  std::vector<SchemaMigration> none;
  Status up = Checked(db, false)->SchemaUp(app.all(), &none);
  CHECK(up.IsInvalidArgument());
  CHECK(up.message().find("the mapping changed table \"public\".\"notes\" since migration 6") !=
        std::string::npos);
  CHECK(up.message().find(recorded) != std::string::npos);
  CHECK(up.message().find(migrations[5].checksum) != std::string::npos);
  for (bool dry_run : {false, true}) {
    Status ensured = Checked(db, dry_run)->EnsureSchema(app.all());
    INFO(ensured.ToString());
    CHECK(ensured.IsInvalidArgument());
  }
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 7);
}

TEST_CASE("PostgreSQL schema down: refuses a table with rows unless forced; then up again",
          "[loaders][postgres][schema]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  AppTables app;
  Up(db, app);
  Exec(db,
       "INSERT INTO prefs VALUES ('u1', '{}');"
       "INSERT INTO ferry.id_map VALUES ('u1', 'userPrefs', 'u1', '', 'h', 'R', now(), 'public');"
       "INSERT INTO ferry.id_map VALUES ('u1', 'notes', '7', '', 'h', 'R', now(), 'public');"
       // Another schema's rows of the same entity are not this schema's to clear.
       "INSERT INTO ferry.id_map VALUES ('u1', 'userPrefs', 'u1', '', 'h', 'R', now(), 's2');"
       "INSERT INTO ferry.checkpoints VALUES ('u1', 'userPrefs', 'dump.json', 0, 'R', now(), "
       "'public', 'T');"
       "INSERT INTO ferry.checkpoints VALUES ('u1', 'userPrefs', 'dump.json', 0, 'R', now(), "
       "'s2', 'T')");
  SchemaMigration reverted;
  Status refused = Checked(db, false)->SchemaDown(app.all(), false, &reverted);
  CHECK(refused.IsInvalidArgument());
  CHECK(refused.message().find("\"public\".\"prefs\" holds 1 row:") != std::string::npos);
  CHECK(Count(db, "SELECT count(*) FROM prefs") == 1);

  REQUIRE(Checked(db, false)->SchemaDown(app.all(), true, &reverted).ok());
  CHECK(reverted.version == 7);
  CHECK(reverted.exists);
  CHECK(Count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'prefs'") == 0);
  CHECK(Count(db,
              "SELECT count(*) FROM ferry.id_map WHERE entity = 'userPrefs' AND "
              "target_schema = 'public'") == 0);
  CHECK(Count(db,
              "SELECT count(*) FROM ferry.id_map WHERE entity = 'userPrefs' AND "
              "target_schema = 's2'") == 1);
  CHECK(Count(db, "SELECT count(*) FROM ferry.checkpoints WHERE entity = 'userPrefs'") == 1);
  CHECK(Count(db, "SELECT count(*) FROM ferry.id_map WHERE entity = 'notes'") == 1);
  CHECK(StatusOf(db, app)[6].state == State::kPending);

  std::vector<SchemaMigration> again = Up(db, app);
  REQUIRE(again.size() == 1);
  CHECK(again[0].version == 7);
  CHECK(Count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'prefs'") == 1);

  REQUIRE(Checked(db, false)->SchemaDown(app.all(), false, &reverted).ok());
  REQUIRE(Checked(db, false)->SchemaDown(app.all(), false, &reverted).ok());
  CHECK(reverted.version == 6);
  Status nothing = Checked(db, false)->SchemaDown(app.all(), false, &reverted);
  CHECK(nothing.IsNotFound());
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 5);  // the bookkeeping stays
}

TEST_CASE("PostgreSQL schema: a dry-run migrate writes nothing; a dropped table is MISSING",
          "[loaders][postgres][schema][dry-run]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  AppTables app;
  {
    auto loader = Checked(db, false);
    REQUIRE(loader->EnsureSchema({&app.notes}).ok());
  }
  auto loader = Checked(db, true);
  REQUIRE(loader->EnsureSchema(app.all()).ok());
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 6);
  CHECK(Count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'prefs'") == 0);

  Exec(db, "DROP TABLE notes");
  CHECK(StatusOf(db, app)[5].state == State::kMissing);
  Status ensured = Checked(db, false)->EnsureSchema(app.all());
  CHECK(ensured.IsCorruption());
  CHECK(ensured.message().find("no longer in the target") != std::string::npos);
}

TEST_CASE("PostgreSQL schema up: concurrent runs apply each migration once",
          "[loaders][postgres][schema][concurrency]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  AppTables app;
  auto run = [&]() {
    std::unique_ptr<Loader> loader = MakePostgresLoader({"postgresql", db.url(), ""});
    std::vector<SchemaMigration> applied;
    Status status = loader->Check(false);
    if (status.ok()) status = loader->SchemaUp(app.all(), &applied);
    return std::make_pair(status, applied.size());
  };
  auto first = std::async(std::launch::async, run);
  auto second = std::async(std::launch::async, run);
  auto [status1, count1] = first.get();
  auto [status2, count2] = second.get();
  INFO(status1.ToString() << " / " << status2.ToString());
  CHECK(status1.ok());
  CHECK(status2.ok());
  CHECK(count1 + count2 == 7);
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 7);
  CHECK(Count(db, "SELECT max(version) FROM ferry.schema_history") == 7);
}

TEST_CASE("PostgreSQL bookkeeping 2: an older ferry's target is upgraded, each row to its schema",
          "[loaders][postgres][schema]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  // What an older ferry left: version 1, tasks recorded in public then in s2 (the id map only
  // ever got public's rows), notes in s2 only, and rows of an entity no table records.
  for (const std::string& statement : postgres::BookkeepingDdl()) Exec(db, statement);
  Exec(db,
       "INSERT INTO ferry.schema_history VALUES (1, '" + postgres::BookkeepingChecksum() +
           "', now(), '" + postgres::kBookkeepingDescription +
           "');"
           "INSERT INTO ferry.schema_history VALUES (2, 'c', now(), "
           "'create table \"public\".\"tasks\" (mapping \"m\", entity \"tasks\")');"
           "INSERT INTO ferry.schema_history VALUES (3, 'c', now(), "
           "'create table \"s2\".\"tasks\" (mapping \"m\", entity \"tasks\")');"
           "INSERT INTO ferry.schema_history VALUES (4, 'c', now(), "
           "'create table \"s2\".\"notes\" (mapping \"m\", entity \"notes\")');"
           "INSERT INTO ferry.id_map VALUES ('u1', 'tasks', '1', 'A', 'h', 'R', now()),"
           " ('u1', 'notes', '1', 'B', 'h', 'R', now()), ('u1', 'gone', '1', 'C', 'h', 'R', now());"
           "INSERT INTO ferry.checkpoints VALUES ('u1', 'notes', 'd.json', 3, 'R', now())");
  {
    auto loader = Checked(db, true);  // a dry run reads the older id map as empty, writes nothing
    std::vector<std::optional<KnownIdentity>> known;
    REQUIRE(loader->LookupIdentities("tasks", "u1", {"1"}, &known).ok());
    CHECK_FALSE(known[0].has_value());
    CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 4);
  }
  auto loader = Checked(db, false);
  REQUIRE(loader->BeginRun({"RUN", "ferry migrate x.json", false, ""}).ok());
  CHECK(Count(db,
              "SELECT count(*) FROM ferry.schema_history WHERE version = 5 AND "
              "description = '" +
                  std::string(postgres::kKeyedDescription) + "' AND checksum = '" +
                  postgres::KeyedChecksum() + "'") == 1);
  CHECK(Count(db,
              "SELECT count(*) FROM ferry.schema_history WHERE version = 6 AND "
              "description = '" +
                  std::string(postgres::kUnchangedDescription) + "'") == 1);
  CHECK(Count(db,
              "SELECT count(*) FROM ferry.schema_history WHERE version = 7 AND "
              "description = '" +
                  std::string(postgres::kArchiveDescription) + "'") == 1);
  CHECK(Count(db, "SELECT count(*) FROM ferry.runs WHERE run_id = 'RUN' AND unchanged = 0") == 1);
  CHECK(Count(db,
              "SELECT count(*) FROM ferry.id_map WHERE entity = 'tasks' AND target_schema = "
              "'public'") == 1);
  CHECK(Count(db,
              "SELECT count(*) FROM ferry.id_map WHERE entity = 'notes' AND target_schema = "
              "'s2'") == 1);
  CHECK(Count(db, "SELECT count(*) FROM ferry.checkpoints WHERE target_schema = 's2'") == 1);
  CHECK(Count(db,
              "SELECT count(*) FROM ferry.id_map WHERE entity = 'gone' AND target_schema = "
              "'public'") == 1);
  CHECK(Count(db, "SELECT count(*) FROM ferry.audit_log WHERE action = 'bookkeeping upgraded'") ==
        1);
  // The keys are the schema's now: the same identity in s2 is another row.
  Exec(db, "INSERT INTO ferry.id_map VALUES ('u1', 'tasks', '1', 'D', 'h', 'R', now(), 's2')");
  std::vector<std::optional<KnownIdentity>> known;
  REQUIRE(loader->LookupIdentities("tasks", "u1", {"1"}, &known).ok());
  REQUIRE(known[0].has_value());
  CHECK(known[0]->ulid == "A");  // public's
  // An older ferry now refuses the target (its history holds a row it does not know); this
  // one accepts it as it is.
  CHECK(Checked(db, false)->BeginRun({"RUN2", "ferry migrate x.json", false, ""}).ok());
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 8);
}

TEST_CASE(
    "PostgreSQL bookkeeping checksum: unchanged, so targets made by earlier ferries stay "
    "valid",
    "[loaders][postgres][schema]") {
  CHECK(postgres::BookkeepingChecksum() == "bcb45e69d74e2b51");
  CHECK(postgres::KeyedChecksum().size() == 16);
}

TEST_CASE("PostgreSQL bookkeeping 4: the run history gains the archive, filled from the audit log",
          "[loaders][postgres][schema][rollback]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  RunInfo first{"RUN1", "ferry migrate x.json", false, ""};
  REQUIRE(Checked(db, false)->BeginRun(first).ok());
  RunInfo second{"RUN2", "ferry migrate y.json", false, ""};
  second.archive = "01ARCHIVEOFRUN2";
  REQUIRE(Checked(db, false)->BeginRun(second).ok());
  CHECK(Count(db,
              "SELECT count(*) FROM ferry.runs WHERE run_id = 'RUN2' AND archive = "
              "'01ARCHIVEOFRUN2'") == 1);
  CHECK(Count(db, "SELECT count(*) FROM ferry.runs WHERE archive IS NULL") == 1);  // RUN1
  // What an older ferry left: no column, no step; the archive only in the audit log.
  Exec(db,
       "ALTER TABLE ferry.runs DROP COLUMN archive; DELETE FROM ferry.schema_history WHERE "
       "description = '" +
           std::string(postgres::kArchiveDescription) + "'");
  {
    std::vector<RunRecord> runs;  // status reads it as it is, and writes nothing
    REQUIRE(Checked(db, true)->ListRuns(0, &runs).ok());
    REQUIRE(runs.size() == 2);
    for (const RunRecord& run : runs) CHECK(run.archive.empty());
    CHECK(Count(db,
                "SELECT count(*) FROM pg_attribute WHERE attrelid = 'ferry.runs'::regclass "
                "AND attname = 'archive' AND NOT attisdropped") == 0);
  }
  auto loader = Checked(db, false);
  REQUIRE(loader->BeginRun({"RUN3", "ferry migrate z.json", false, ""}).ok());  // upgrades
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history WHERE description = '" +
                      std::string(postgres::kArchiveDescription) + "' AND checksum = '" +
                      postgres::ArchiveChecksum() + "'") == 1);
  std::vector<RunRecord> runs;
  REQUIRE(loader->ListRuns(0, &runs).ok());
  std::map<std::string, std::string> archive_of;
  for (const RunRecord& run : runs) archive_of[run.run_id] = run.archive;
  CHECK(archive_of["RUN2"] == "01ARCHIVEOFRUN2");  // backfilled
  CHECK(archive_of["RUN1"].empty());
  CHECK(archive_of["RUN3"].empty());
  // A resumed session without a backup keeps the run's archive.
  REQUIRE(Checked(db, false)->BeginRun({"RUN2", "ferry migrate y.json", false, ""}).ok());
  CHECK(Count(db,
              "SELECT count(*) FROM ferry.runs WHERE run_id = 'RUN2' AND archive = "
              "'01ARCHIVEOFRUN2'") == 1);
}

}  // namespace ferry::schema_migrations_test
