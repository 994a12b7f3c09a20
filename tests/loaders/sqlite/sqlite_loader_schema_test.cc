// SqliteLoader::EnsureSchema: created tables, existing tables, hostile names, bookkeeping.
#include <catch2/catch.hpp>

#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/sqlite_loader.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::sqlite_loader_schema_test {
namespace {

using sqlite_testing::ExecSql;
using sqlite_testing::Query;
using sqlite_testing::QueryInt;
using sqlite_testing::ReadyLoader;
using sqlite_testing::TempDir;

Status EnsureOn(const std::string& path, const TableDef& table, bool dry_run = false) {
  auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(path));
  Status status = loader->Check(dry_run);
  if (!status.ok()) {
    return status;
  }
  return loader->EnsureSchema({&table});
}

TEST_CASE("SqliteLoader: EnsureSchema creates typed tables with their constraints",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  tasks.unique = {{"user_id", "title"}};
  auto loader = ReadyLoader(path, false, {&tasks});

  auto columns = Query(path, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('tasks')");
  CHECK(columns == std::vector<std::vector<std::string>>{{"id", "TEXT", "1", "1"},
                                                         {"user_id", "TEXT", "1", "0"},
                                                         {"title", "TEXT", "1", "0"},
                                                         {"done", "INTEGER", "0", "0"},
                                                         {"priority", "INTEGER", "0", "0"},
                                                         {"score", "REAL", "0", "0"},
                                                         {"created_at", "TEXT", "0", "0"},
                                                         {"meta", "TEXT", "0", "0"}});
  CHECK(QueryInt(path,
                 "SELECT count(*) FROM pragma_index_list('tasks') WHERE \"unique\" = 1 "
                 "AND origin = 'u'") == 1);
  for (const char* table :
       {"ferry_runs", "ferry_id_map", "ferry_checkpoints", "ferry_schema_history"}) {
    INFO(table);
    CHECK(QueryInt(path, std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                     "AND name = '") +
                             table + "'") == 1);
  }
  auto history = Query(path,
                       "SELECT version, checksum, description FROM ferry_schema_history "
                       "ORDER BY version");
  REQUIRE(history.size() == 5);  // the bookkeeping (1 to 4), then the table (schema_migrations.h)
  CHECK(history[0][0] == "1");
  CHECK(history[0][1] == sqlite::BookkeepingChecksum());
  CHECK(history[1][2] == sqlite::kUnchangedDescription);
  CHECK(history[2][2] == sqlite::kArchiveDescription);
  CHECK(history[3][2] == sqlite::kUnitRejectsDescription);
  CHECK(history[4][0] == "5");
  CHECK(history[4][2] == "create table \"tasks\"");
  CHECK(Query(path, "PRAGMA journal_mode")[0][0] == "wal");

  // A second run finds everything in place and adds nothing.
  loader.reset();
  auto again = ReadyLoader(path, false, {&tasks});
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_schema_history") == 5);
}

TEST_CASE("SqliteLoader: a key column is NOT NULL even when the mapping allows null",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef table{"forms",
                 {{"user_id", ColumnType::kText, true}, {"name", ColumnType::kText, true}},
                 {"user_id", "name"},
                 {}};
  REQUIRE(EnsureOn(path, table).ok());
  CHECK(QueryInt(path, "SELECT count(*) FROM pragma_table_info('forms') WHERE \"notnull\" = 1") ==
        2);
}

TEST_CASE("SqliteLoader: hostile table and column names are only names",
          "[loaders][sqlite][schema][hostile]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  ExecSql(path, "CREATE TABLE victim (x); INSERT INTO victim VALUES (1);");
  TableDef table;
  table.name = "x\"; DROP TABLE victim; --";
  table.columns = {{"id\"); DROP TABLE victim; --", ColumnType::kText, false},
                   {"select", ColumnType::kText, true},
                   {"a b'c", ColumnType::kInteger, true}};
  table.primary_key = {table.columns[0].name};
  auto loader = ReadyLoader(path, false, {&table});

  WriteBatch batch;
  batch.table = &table;
  batch.entity = "e\"'";
  batch.user_id = "u'; DROP TABLE victim; --";
  batch.rows = {Row{{std::string("k1'\""), std::string("v"), int64_t{3}}}};
  batch.identities = {{"id'\"", "", "hash"}};
  batch.checkpoint = {"unit'\"", "e\"'", 0};
  Result<BatchOutcome> outcome = loader->Write(batch);
  INFO(outcome.status().ToString());
  REQUIRE(outcome.ok());
  CHECK(outcome->inserted == 1);

  CHECK(QueryInt(path, "SELECT count(*) FROM victim") == 1);
  CHECK(Query(path, "SELECT name FROM sqlite_master WHERE name LIKE 'x%'")[0][0] == table.name);
  CHECK(Query(path, "SELECT \"select\", \"a b'c\" FROM \"x\"\"; DROP TABLE victim; --\"")[0] ==
        std::vector<std::string>{"v", "3"});
  CHECK(Query(path, "SELECT user_id, legacy_id FROM ferry_id_map")[0] ==
        std::vector<std::string>{batch.user_id, "id'\""});
}

TEST_CASE("SqliteLoader: names SQLite cannot hold, reserved names and bad keys are refused",
          "[loaders][sqlite][schema][hostile]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef good = sqlite_testing::TasksTable();
  auto refused = [&](const TableDef& table) {
    Status status = EnsureOn(path, table);
    INFO(status.ToString());
    CHECK(status.IsInvalidArgument());
  };
  TableDef t = good;
  t.name = "";
  refused(t);
  t.name = std::string("tas\0ks", 6);
  refused(t);
  for (const char* reserved :
       {"ferry_runs", "FERRY_ID_MAP", "ferry_anything", "sqlite_master", "SQLite_x"}) {
    t.name = reserved;
    refused(t);
  }
  t = good;
  t.columns[1].name = "ID";  // SQLite names ignore case: a second "id"
  refused(t);
  t = good;
  t.primary_key = {};
  refused(t);
  t = good;
  t.primary_key = {"nope"};
  refused(t);
  t = good;
  t.primary_key = {"id", "id"};
  refused(t);
  t = good;
  t.unique = {{"title", "missing"}};
  refused(t);
  t = good;
  t.columns.clear();
  refused(t);
  // Nothing was created for any of them.
  CHECK(QueryInt(path,
                 "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'ferry_%' "
                 "AND name NOT LIKE 'sqlite_%'") == 0);
}

TEST_CASE("SqliteLoader: an existing table lacking a mapped column fails naming both",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  ExecSql(path,
          "CREATE TABLE tasks (id TEXT PRIMARY KEY, user_id TEXT, title TEXT, done INT, "
          "priority INT, score REAL, meta TEXT)");
  TableDef tasks = sqlite_testing::TasksTable();
  for (bool dry_run : {false, true}) {
    Status status = EnsureOn(path, tasks, dry_run);
    INFO(status.ToString());
    CHECK(status.IsInvalidArgument());
    CHECK(status.message().find("\"tasks\"") != std::string::npos);
    CHECK(status.message().find("\"created_at\"") != std::string::npos);
  }
}

TEST_CASE("SqliteLoader: an existing table without a key on the key columns is refused",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  ExecSql(path,
          "CREATE TABLE tasks (id TEXT, user_id TEXT, title TEXT, done INT, priority INT, "
          "score REAL, created_at TEXT, meta TEXT)");
  TableDef tasks = sqlite_testing::TasksTable();
  Status status = EnsureOn(path, tasks);
  CHECK(status.IsInvalidArgument());
  CHECK(status.message().find("PRIMARY KEY or UNIQUE") != std::string::npos);

  // A unique index on the key columns (any case) is enough; extra columns are fine.
  ExecSql(path, "CREATE UNIQUE INDEX tasks_id ON tasks (ID); ALTER TABLE tasks ADD extra TEXT");
  status = EnsureOn(path, tasks);
  INFO(status.ToString());
  CHECK(status.ok());
  // But a partial unique index is not.
  ExecSql(path, "DROP INDEX tasks_id; CREATE UNIQUE INDEX tasks_id ON tasks (id) WHERE id > 'a'");
  CHECK(EnsureOn(path, tasks).IsInvalidArgument());
}

TEST_CASE("SqliteLoader: an existing table is written as it is", "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  ExecSql(path,
          "CREATE TABLE Tasks (ID TEXT PRIMARY KEY, user_id TEXT, title TEXT NOT NULL, "
          "done INT, priority INT, score REAL, created_at TEXT, meta TEXT, "
          "note TEXT DEFAULT 'kept')");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  Result<BatchOutcome> outcome =
      loader->Write(sqlite_testing::TaskBatch(&tasks, 1, 2, ConflictPolicy::kSkip));
  REQUIRE(outcome.ok());
  CHECK(QueryInt(path, "SELECT count(*) FROM Tasks WHERE note = 'kept'") == 2);
}

TEST_CASE("SqliteLoader: a view or index in the table's place is refused",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  ExecSql(path, "CREATE TABLE base (x); CREATE VIEW tasks AS SELECT x FROM base");
  Status status = EnsureOn(path, sqlite_testing::TasksTable());
  CHECK(status.IsInvalidArgument());
  CHECK(status.message().find("view") != std::string::npos);
}

TEST_CASE("SqliteLoader: ferry tables of a newer ferry are refused", "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  { auto loader = ReadyLoader(path, false, {&tasks}); }
  ExecSql(path, "INSERT INTO ferry_schema_history VALUES (9, 'abc', '2030-01-01', 'future')");
  for (bool dry_run : {false, true}) {
    auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(path));
    Status status = loader->Check(dry_run);
    CHECK(status.IsInvalidArgument());
    CHECK(status.message().find("newer") != std::string::npos);
  }
}

TEST_CASE("SqliteLoader: ferry tables changed outside ferry are reported",
          "[loaders][sqlite][schema]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  { auto loader = ReadyLoader(path, false, {&tasks}); }

  SECTION("a different checksum") {
    ExecSql(path, "UPDATE ferry_schema_history SET checksum = 'tampered'");
    auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(path));
    CHECK(loader->Check(false).IsCorruption());
  }
  SECTION("a bookkeeping table without one of its columns") {
    ExecSql(path, "DROP TABLE ferry_id_map; CREATE TABLE ferry_id_map (entity, user_id)");
    auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(path));
    Status status = loader->Check(false);
    CHECK(status.IsInvalidArgument());
    CHECK(status.message().find("ferry_id_map") != std::string::npos);
  }
}

}  // namespace
}  // namespace ferry::sqlite_loader_schema_test
