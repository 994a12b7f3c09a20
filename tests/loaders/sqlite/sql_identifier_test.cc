#include "loaders/sqlite/sql_identifier.h"

#include <catch2/catch.hpp>

#include "loaders/sqlite/connection.h"
#include "loaders/sqlite/schema_ddl.h"

namespace ferry::sqlite::sql_identifier_test {
namespace {

TEST_CASE("QuoteIdentifier: names are wrapped in quotes, inner quotes doubled",
          "[loaders][sqlite][identifier]") {
  CHECK(QuoteIdentifier("tasks") == "\"tasks\"");
  CHECK(QuoteIdentifier("x\"; DROP TABLE y; --") == "\"x\"\"; DROP TABLE y; --\"");
  CHECK(QuoteIdentifier("\"") == "\"\"\"\"");
  CHECK(QuoteIdentifier("a'b") == "\"a'b\"");
}

TEST_CASE("CheckIdentifier: empty names and NUL bytes are refused",
          "[loaders][sqlite][identifier]") {
  CHECK(CheckIdentifier("ok", "a column").ok());
  CHECK(CheckIdentifier("", "a column").IsInvalidArgument());
  CHECK(CheckIdentifier(std::string("a\0b", 3), "a column").IsInvalidArgument());
}

TEST_CASE("SameIdentifier: ASCII case is ignored, nothing else", "[loaders][sqlite][identifier]") {
  CHECK(SameIdentifier("Tasks", "tASKS"));
  CHECK_FALSE(SameIdentifier("tasks", "task"));
  CHECK_FALSE(SameIdentifier("a_b", "a-b"));
}

TEST_CASE("CreateTableSql: quoted names, types, NOT NULL, keys", "[loaders][sqlite][schema]") {
  TableDef table{"t\"x",
                 {{"id", ColumnType::kUlid, true},
                  {"n", ColumnType::kInteger, false},
                  {"b", ColumnType::kBoolean, true},
                  {"r", ColumnType::kReal, true},
                  {"at", ColumnType::kTimestamp, true},
                  {"j", ColumnType::kJson, true}},
                 {"id"},
                 {{"n", "b"}}};
  REQUIRE(CheckTableDef(table).ok());
  CHECK(CreateTableSql(table, false) ==
        "CREATE TABLE IF NOT EXISTS \"t\"\"x\" (\n"
        "  \"id\" TEXT NOT NULL,\n"
        "  \"n\" INTEGER NOT NULL,\n"
        "  \"b\" INTEGER,\n"
        "  \"r\" REAL,\n"
        "  \"at\" TEXT,\n"
        "  \"j\" TEXT,\n"
        "  PRIMARY KEY (\"id\"),\n"
        "  UNIQUE (\"n\", \"b\")\n"
        ")");
  CHECK(CreateTableSql(table, true).ends_with(") WITHOUT ROWID"));
}

TEST_CASE("FileUri: every byte that could be read as URI syntax is escaped",
          "[loaders][sqlite][hostile]") {
  CHECK(FileUri("a.db", "") == "file:a.db");
  CHECK(FileUri("/srv/a b.db", "immutable=1") == "file:/srv/a%20b.db?immutable=1");
  CHECK(FileUri("a?mode=memory#x%.db", "") == "file:a%3Fmode%3Dmemory%23x%25.db");
  CHECK(FileUri("//host/a.db", "") == "file:%2F/host/a.db");
}

}  // namespace
}  // namespace ferry::sqlite::sql_identifier_test
