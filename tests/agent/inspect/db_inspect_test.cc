#include "agent/inspect/db_inspect.h"

#include <catch2/catch.hpp>

#include "agent/inspect/db_inspect_print.h"
#include "tests/extractors/sqlite/sqlite_test_db.h"

namespace ferry::db_inspect_test {
namespace {

using testing::MakeSqliteDb;
using testing::TempDir;

DbInspectReport InspectOf(const std::string& path) {
  Result<DbInspectReport> report = InspectDatabase(SourceSpec{"sqlite", path, {}});
  REQUIRE(report.ok());
  return *report;
}

const DbForeignKeyFacts& KeyOf(const DbInspectReport& report, const std::string& table,
                               const std::string& column) {
  for (const DbForeignKeyFacts& key : report.foreign_keys) {
    if (key.table == table && key.columns.at(0) == column) return key;
  }
  FAIL("no foreign key " << table << "." << column);
  return report.foreign_keys.front();
}

TEST_CASE("InspectDatabase: tables parents first, counts, key kinds, orphans",
          "[agent][inspect][sqlite]") {
  TempDir dir;
  DbInspectReport report = InspectOf(MakeSqliteDb(dir, "app.db", testing::kSmallAppSql));
  REQUIRE(report.tables.size() == 3);
  CHECK(report.tables[0].name == "users");
  CHECK(report.tables[0].rows == 2);
  CHECK(DominantIdKind(report.tables[0]) == "integer");
  CHECK(DominantIdKind(report.tables[1]) == "composite");  // tags (label, user_id)
  CHECK(report.tables[1].creation_column.empty());
  CHECK(report.tables[2].rows == 3);

  const DbForeignKeyFacts& user = KeyOf(report, "tasks", "user_id");
  CHECK(user.orphans == 1);
  REQUIRE(user.examples.size() == 1);
  CHECK(user.examples[0].row_key == "3");
  CHECK(user.examples[0].value == "9");
  CHECK(KeyOf(report, "tasks", "parent_id").orphans == 0);  // NULL is no reference
  CHECK(KeyOf(report, "tags", "user_id").orphans == 0);
  CHECK(report.skipped == std::vector<std::string>{"view user_tasks"});
}

TEST_CASE("InspectDatabase: mixed key kinds, a missing parent table, a rowid table, a cycle",
          "[agent][inspect][sqlite][corrupt]") {
  TempDir dir;
  DbInspectReport report = InspectOf(MakeSqliteDb(dir, "odd.db", R"sql(
    CREATE TABLE a (id TEXT PRIMARY KEY, b_id TEXT REFERENCES b(id));
    CREATE TABLE b (id TEXT PRIMARY KEY, a_id TEXT REFERENCES a(id));
    CREATE TABLE notes (body TEXT, gone_id INTEGER REFERENCES gone(id));
    INSERT INTO a VALUES ('01ARZ3NDEKTSV4RRFFQ69G5FAV', NULL),
      ('3f2504e0-4f89-11d3-9a0c-0305e82c3301', NULL), ('42', NULL), ('x-1', 'nope');
    INSERT INTO notes VALUES ('n1', 7), ('n2', NULL), (x'ff', 8);)sql"));
  const DbTableFacts* a = nullptr;
  for (const DbTableFacts& table : report.tables) {
    if (table.name == "a") a = &table;
    if (table.name == "notes") CHECK(DominantIdKind(table) == "rowid");
  }
  REQUIRE(a != nullptr);
  CHECK(a->id_kinds[static_cast<size_t>(IdKind::kUlid)] == 1);
  CHECK(a->id_kinds[static_cast<size_t>(IdKind::kUuid)] == 1);
  CHECK(a->id_kinds[static_cast<size_t>(IdKind::kInteger)] == 1);
  CHECK(a->id_kinds[static_cast<size_t>(IdKind::kOther)] == 1);
  CHECK(report.in_cycles == std::vector<std::string>{"a", "b"});

  const DbForeignKeyFacts& gone = KeyOf(report, "notes", "gone_id");
  CHECK(gone.parent_missing);
  CHECK(gone.orphans == 2);
  CHECK(gone.examples.at(0).row_key == "1");  // rowid
  CHECK(KeyOf(report, "a", "b_id").orphans == 1);

  std::string json = DatabaseJson(report);
  CHECK_THAT(json, Catch::Contains(R"("in_cycles":["a","b"])"));
  CHECK_THAT(json, Catch::Contains(R"("parent_missing":true,"orphans":2)"));
}

}  // namespace
}  // namespace ferry::db_inspect_test
