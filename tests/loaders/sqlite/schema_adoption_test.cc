// CheckAdoptable on SQLite: which declared types take the values ferry writes exactly (by
// SQLite's affinity rules), and the constraints and columns an adopted table must have.
#include "loaders/sqlite/schema_adoption.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

namespace ferry::sqlite::schema_adoption_test {
namespace {

// An in-memory database holding `ddl`.
struct Memory {
  sqlite3* db = nullptr;
  explicit Memory(const std::string& ddl) {
    REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, ddl.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  ~Memory() { sqlite3_close(db); }
};

TableDef Items() {
  TableDef table;
  table.name = "items";
  table.columns = {{"id", ColumnType::kUlid, false},
                   {"legacy_id", ColumnType::kText, false},
                   {"n", ColumnType::kInteger, true},
                   {"x", ColumnType::kReal, true}};
  table.primary_key = {"id"};
  table.unique = {{"legacy_id"}};
  return table;
}

std::string ItemsSql(const std::string& legacy_type, const std::string& n_type,
                     const std::string& x_type, const std::string& extra = "") {
  return "CREATE TABLE items (id TEXT PRIMARY KEY, legacy_id " + legacy_type + " UNIQUE, n " +
         n_type + ", x " + x_type + extra + ")";
}

}  // namespace

TEST_CASE("CheckAdoptable: types whose affinity keeps the values are adopted",
          "[loaders][sqlite][schema]") {
  for (const char* sql : {"TEXT", "VARCHAR(40)", "CLOB", ""}) {
    Memory memory(ItemsSql(sql, "INTEGER", "REAL"));
    INFO(sql);
    CHECK(CheckAdoptable(memory.db, Items()).ok());
  }
  Memory numeric(ItemsSql("TEXT", "NUMERIC", "DOUBLE"));
  CHECK(CheckAdoptable(numeric.db, Items()).ok());
  Memory typeless(ItemsSql("BLOB", "", ""));
  CHECK(CheckAdoptable(typeless.db, Items()).ok());
  Memory defaulted(ItemsSql("TEXT", "INT", "REAL", ", owner TEXT NOT NULL DEFAULT 'app'"));
  CHECK(CheckAdoptable(defaulted.db, Items()).ok());
}

TEST_CASE("CheckAdoptable: a type that changes values, a missing key or NOT NULL is refused",
          "[loaders][sqlite][schema]") {
  struct Case {
    std::string sql;
    const char* says;
  };
  for (const Case& c :
       {Case{ItemsSql("INTEGER", "INTEGER", "REAL"), "\"legacy_id\" declared INTEGER"},
        Case{ItemsSql("NUMERIC", "INTEGER", "REAL"), "NUMERIC affinity"},
        Case{ItemsSql("TEXT", "REAL", "REAL"), "\"n\" declared REAL"},
        Case{ItemsSql("TEXT", "TEXT", "REAL"), "\"n\" declared TEXT"},
        Case{ItemsSql("TEXT", "INTEGER", "NUMERIC"), "\"x\" declared NUMERIC"},
        Case{ItemsSql("TEXT", "INTEGER", "REAL", ", owner TEXT NOT NULL"), "\"owner\" NOT NULL"},
        Case{"CREATE TABLE items (id TEXT PRIMARY KEY, legacy_id TEXT, n INTEGER, "
             "x REAL)",
             "UNIQUE constraint on (\"legacy_id\")"}}) {
    Memory memory(c.sql);
    Status status = CheckAdoptable(memory.db, Items());
    INFO(c.sql << "\n" << status.ToString());
    CHECK(status.IsInvalidArgument());
    CHECK(status.message().find(c.says) != std::string::npos);
  }
}

}  // namespace ferry::sqlite::schema_adoption_test
