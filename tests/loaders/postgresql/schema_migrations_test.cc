// Schema migrations on PostgreSQL (PostgresLoader::SchemaStatus/Up/Down and EnsureSchema's
// path) against the test server: status on an empty target, up creating and recording, a
// changed table refused naming it, down refusing a table with rows, down then up, dry-runs
// writing nothing, concurrent ups numbering each migration once. A fresh database per case.
#include "loaders/postgresql/schema_migrations.h"

#include <catch2/catch.hpp>
#include <future>
#include <pqxx/pqxx>

#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/postgres_loader.h"
#include "tests/e2e/target_fixture.h"

namespace ferry {
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
  REQUIRE(migrations.size() == 3);
  CHECK(migrations[0].version == 1);
  CHECK(migrations[0].checksum == postgres::BookkeepingChecksum());
  for (const SchemaMigration& m : migrations) CHECK(m.state == State::kPending);
  CHECK(migrations[1].table == "\"public\".\"notes\"");
  CHECK(migrations[2].description ==
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
  REQUIRE(applied.size() == 3);
  CHECK(applied[0].version == 1);
  CHECK(applied[1].version == 2);
  CHECK(applied[2].version == 3);
  CHECK(applied[2].applied_at.size() == 24);  // 2024-01-02T03:04:05.678Z
  CHECK(Count(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 2);
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 3);
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
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 3);
  CHECK(Count(db,
              "SELECT version FROM ferry.schema_history WHERE description LIKE "
              "'%\"prefs\"%'") == 3);
  for (const SchemaMigration& m : StatusOf(db, app)) CHECK(m.state == State::kApplied);
}

TEST_CASE("PostgreSQL schema: a mapping that changed a recorded table is refused, naming it",
          "[loaders][postgres][schema]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  AppTables app;
  std::string recorded = Up(db, app)[1].checksum;
  app.notes.columns[2].nullable = false;  // body NOT NULL now

  std::vector<SchemaMigration> migrations = StatusOf(db, app);
  CHECK(migrations[1].state == State::kChanged);
  CHECK(migrations[1].recorded_checksum == recorded);
  std::vector<SchemaMigration> none;
  Status up = Checked(db, false)->SchemaUp(app.all(), &none);
  CHECK(up.IsInvalidArgument());
  CHECK(up.message().find("the mapping changed table \"public\".\"notes\" since migration 2") !=
        std::string::npos);
  CHECK(up.message().find(recorded) != std::string::npos);
  CHECK(up.message().find(migrations[1].checksum) != std::string::npos);
  for (bool dry_run : {false, true}) {
    Status ensured = Checked(db, dry_run)->EnsureSchema(app.all());
    INFO(ensured.ToString());
    CHECK(ensured.IsInvalidArgument());
  }
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 3);
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
       "INSERT INTO ferry.id_map VALUES ('u1', 'userPrefs', 'u1', '', 'h', 'R', now());"
       "INSERT INTO ferry.id_map VALUES ('u1', 'notes', '7', '', 'h', 'R', now());"
       "INSERT INTO ferry.checkpoints VALUES ('u1', 'userPrefs', 'dump.json', 0, 'R', now())");
  SchemaMigration reverted;
  Status refused = Checked(db, false)->SchemaDown(app.all(), false, &reverted);
  CHECK(refused.IsInvalidArgument());
  CHECK(refused.message().find("\"public\".\"prefs\" holds 1 row:") != std::string::npos);
  CHECK(Count(db, "SELECT count(*) FROM prefs") == 1);

  REQUIRE(Checked(db, false)->SchemaDown(app.all(), true, &reverted).ok());
  CHECK(reverted.version == 3);
  CHECK(reverted.exists);
  CHECK(Count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'prefs'") == 0);
  CHECK(Count(db, "SELECT count(*) FROM ferry.id_map WHERE entity = 'userPrefs'") == 0);
  CHECK(Count(db, "SELECT count(*) FROM ferry.checkpoints WHERE entity = 'userPrefs'") == 0);
  CHECK(Count(db, "SELECT count(*) FROM ferry.id_map WHERE entity = 'notes'") == 1);
  CHECK(StatusOf(db, app)[2].state == State::kPending);

  std::vector<SchemaMigration> again = Up(db, app);
  REQUIRE(again.size() == 1);
  CHECK(again[0].version == 3);
  CHECK(Count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'prefs'") == 1);

  REQUIRE(Checked(db, false)->SchemaDown(app.all(), false, &reverted).ok());
  REQUIRE(Checked(db, false)->SchemaDown(app.all(), false, &reverted).ok());
  CHECK(reverted.version == 2);
  Status nothing = Checked(db, false)->SchemaDown(app.all(), false, &reverted);
  CHECK(nothing.IsNotFound());
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 1);  // the bookkeeping stays
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
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 2);
  CHECK(Count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'prefs'") == 0);

  Exec(db, "DROP TABLE notes");
  CHECK(StatusOf(db, app)[1].state == State::kMissing);
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
  CHECK(count1 + count2 == 3);
  CHECK(Count(db, "SELECT count(*) FROM ferry.schema_history") == 3);
  CHECK(Count(db, "SELECT max(version) FROM ferry.schema_history") == 3);
}

TEST_CASE(
    "PostgreSQL bookkeeping checksum: unchanged, so targets made by earlier ferries stay "
    "valid",
    "[loaders][postgres][schema]") {
  CHECK(postgres::BookkeepingChecksum() == "bcb45e69d74e2b51");
}

}  // namespace ferry
