#include "agent/rekey/key_switch.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::key_switch_test {
namespace {

TEST_CASE("FormatSwitchedGroup and ParseSwitchedGroup round-trip tables, keys, references",
          "[rekey]") {
  RekeyPlan group;
  group.tables.push_back({"users", "id", "", "", {}});
  group.tables.push_back({"tasks", "id", "", "", {{"user_id", "users"}, {"parent_id", "tasks"}}});
  std::string text = FormatSwitchedGroup(group);
  CHECK(text == "users\tid\ntasks\tid\tuser_id\tparent_id");
  RekeyPlan parsed = ParseSwitchedGroup(text + "\n\nnot a table");
  REQUIRE(parsed.tables.size() == 2);
  CHECK(parsed.tables[0].name == "users");
  CHECK(parsed.tables[0].foreign_keys.empty());
  CHECK(parsed.tables[1].key == "id");
  REQUIRE(parsed.tables[1].foreign_keys.size() == 2);
  CHECK(parsed.tables[1].foreign_keys[1].column == "parent_id");
  CHECK(ParseSwitchedGroup("").tables.empty());
  std::vector<SchemaObject> schema = {
      {"table", "t", "CREATE TABLE t (\n  a\ttext DEFAULT '\\n'\n)"}};
  std::vector<SchemaObject> parsed_schema;
  CHECK(ParseSwitchedGroup(FormatSwitchedGroup(group, schema), &parsed_schema).tables.size() == 2);
  CHECK(parsed_schema == schema);
}

TEST_CASE("SwitchStateOf and PlanSwitch on SQLite: the state read, the table rebuilt", "[rekey]") {
  sqlite_testing::TempDir dir;
  std::string path = dir.File("app.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "CREATE TABLE users (legacy_id INTEGER, id TEXT PRIMARY KEY);"
                       "CREATE TABLE notes (id INTEGER PRIMARY KEY, id_ulid TEXT, legacy_id TEXT);"
                       "CREATE TABLE tags (id INTEGER PRIMARY KEY, id_ulid TEXT)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  Result<std::unique_ptr<RekeySql>> sql =
      OpenRekeySql(TargetSpec{"sqlite", "sqlite:" + path, path});
  REQUIRE(sql.ok());
  auto group = [](const char* table) {
    RekeyPlan plan;
    plan.tables.push_back({table, "id", "", "", {}});
    return plan;
  };
  bool switched = false;
  REQUIRE((*sql)->name() == std::string("SQLite"));
  REQUIRE(SwitchStateOf(**sql, group("users"), &switched).ok());
  CHECK(switched);
  REQUIRE(SwitchStateOf(**sql, group("tags"), &switched).ok());
  CHECK_FALSE(switched);
  Status collision = SwitchStateOf(**sql, group("notes"), &switched);
  CHECK(collision.IsInvalidArgument());
  CHECK(collision.ToString().find("notes.legacy_id is there already") != std::string::npos);
  RekeyPlan both = group("users");
  both.tables.push_back({"tags", "id", "", "", {{"user_id", "users"}}});
  CHECK(SwitchStateOf(**sql, both, &switched).IsInvalidArgument());

  SwitchWork work;
  REQUIRE(PlanSwitch(**sql, group("tags"), /*back=*/false, &work).ok());
  INFO(work.statements);
  CHECK(work.statements.find("ALTER TABLE \"tags\" RENAME TO \"ferry_switch_tags\";\n"
                             "CREATE TABLE \"tags\" (\"legacy_id\" INTEGER, \"id\" TEXT NOT "
                             "NULL, PRIMARY KEY (\"id\"));\nINSERT INTO \"tags\" "
                             "(\"legacy_id\", \"id\") SELECT \"id\", \"id_ulid\" FROM "
                             "\"ferry_switch_tags\";") != std::string::npos);
  CHECK(work.constraints == 1);
  REQUIRE(work.before.size() == 1);
  CHECK(work.before[0] ==
        SchemaObject{"table", "tags", "CREATE TABLE tags (id INTEGER PRIMARY KEY, id_ulid TEXT)"});
  std::vector<SchemaObject> saved;
  RekeyPlan parsed = ParseSwitchedGroup(FormatSwitchedGroup(group("tags"), work.before), &saved);
  CHECK(saved == work.before);
  CHECK(parsed.tables.size() == 1);

  // Switched back: the table's own text again, each column copied from its name now.
  Status unsaved = PlanSwitch(**sql, group("users"), /*back=*/true, &work);
  CHECK(unsaved.IsInvalidArgument());
  std::vector<SchemaObject> users = {
      {"table", "users", "CREATE TABLE users (id INTEGER PRIMARY KEY, id_ulid TEXT)"},
      {"index", "users_by_key", "CREATE INDEX users_by_key ON users(id)"}};
  REQUIRE(PlanSwitch(**sql, group("users"), /*back=*/true, &work, users).ok());
  CHECK(work.statements.find("CREATE TABLE users (id INTEGER PRIMARY KEY, id_ulid TEXT);\n"
                             "INSERT INTO \"users\" (\"id\", \"id_ulid\") SELECT "
                             "\"legacy_id\", \"id\" FROM \"ferry_switch_users\";") !=
        std::string::npos);
  CHECK(work.statements.find("CREATE INDEX users_by_key ON users(id);") != std::string::npos);
  CHECK(work.indexes == 1);

  // What the rebuild cannot carry over is refused, naming it.
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "CREATE TABLE named (id INTEGER, id_ulid TEXT, CONSTRAINT named_pk PRIMARY "
                       "KEY (id));"
                       "CREATE TABLE checked (id INTEGER PRIMARY KEY CHECK (id > 0), id_ulid TEXT)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  Status named = PlanSwitch(**sql, group("named"), /*back=*/false, &work);
  CHECK(named.IsInvalidArgument());
  CHECK(named.ToString().find("table named is defined with CONSTRAINT") != std::string::npos);
  CHECK(PlanSwitch(**sql, group("checked"), /*back=*/false, &work).IsInvalidArgument());
}

}  // namespace
}  // namespace ferry::key_switch_test
