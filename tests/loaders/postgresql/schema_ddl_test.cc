// PostgreSQL DDL and write statements from TableDefs, and identifier quoting (pure, no server).
#include "loaders/postgresql/schema_ddl.h"

#include <catch2/catch.hpp>

#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/row_reader.h"
#include "loaders/postgresql/sql_identifier.h"
#include "loaders/postgresql/write_sql.h"

namespace ferry::postgres::schema_ddl_test {
namespace {

TableDef Tasks() {
  TableDef table;
  table.name = "tasks";
  table.columns = {{"id", ColumnType::kUlid, false},        {"user_id", ColumnType::kText, false},
                   {"legacy_id", ColumnType::kText, false}, {"done", ColumnType::kBoolean, true},
                   {"tags", ColumnType::kJson, true},       {"due", ColumnType::kTimestamp, true},
                   {"rank", ColumnType::kReal, true},       {"n", ColumnType::kInteger, true}};
  table.primary_key = {"id"};
  table.unique = {{"user_id", "legacy_id"}};
  return table;
}

}  // namespace

TEST_CASE("PgSchemaDdl: CREATE TABLE maps every column type and keeps the keys",
          "[loaders][postgres]") {
  std::string sql = CreateTableSql(Tasks(), "public");
  CHECK(sql.rfind("CREATE TABLE IF NOT EXISTS \"public\".\"tasks\" (", 0) == 0);
  CHECK(sql.find("\"id\" text NOT NULL CHECK (length(\"id\") = 26 AND \"id\" !~ "
                 "'[^0-9A-HJKMNP-TV-Z]')") != std::string::npos);
  CHECK(sql.find("\"done\" boolean,") != std::string::npos);
  CHECK(sql.find("\"tags\" jsonb,") != std::string::npos);
  CHECK(sql.find("\"due\" timestamptz,") != std::string::npos);
  CHECK(sql.find("\"rank\" double precision,") != std::string::npos);
  CHECK(sql.find("\"n\" bigint,") != std::string::npos);
  CHECK(sql.find("PRIMARY KEY (\"id\")") != std::string::npos);
  CHECK(sql.find("UNIQUE (\"user_id\", \"legacy_id\")") != std::string::npos);
}

TEST_CASE("PgSchemaDdl: a key column is NOT NULL even when the mapping says nullable",
          "[loaders][postgres]") {
  TableDef table;
  table.name = "t";
  table.columns = {{"k", ColumnType::kText, true}, {"v", ColumnType::kText, true}};
  table.primary_key = {"k"};
  std::string sql = CreateTableSql(table, "s");
  CHECK(sql.find("\"k\" text NOT NULL") != std::string::npos);
  CHECK(sql.find("\"v\" text,") != std::string::npos);
}

TEST_CASE("PgIdentifier: hostile names stay names", "[loaders][postgres]") {
  CHECK(QuoteIdentifier("tasks") == "\"tasks\"");
  CHECK(QuoteIdentifier("x\"; DROP TABLE t; --") == "\"x\"\"; DROP TABLE t; --\"");
  CHECK(QuoteIdentifier("Mixed Case") == "\"Mixed Case\"");
  CHECK(QualifiedName("my\"schema", "t") == "\"my\"\"schema\".\"t\"");

  TableDef table = Tasks();
  table.name = "t\"x";
  table.columns[3].name = "a\"); DROP TABLE tasks; --";
  std::string sql = CreateTableSql(table, "public");
  CHECK(sql.find("\"t\"\"x\"") != std::string::npos);
  CHECK(sql.find("\"a\"\"); DROP TABLE tasks; --\" boolean") != std::string::npos);
  // Staging columns never carry a mapping name.
  std::string staging = CreateStagingSql(table, "ferry_stage_0");
  CHECK(staging.find("DROP") == std::string::npos);
}

TEST_CASE("PgIdentifier: empty, NUL-holding and over-long names are refused",
          "[loaders][postgres]") {
  CHECK(CheckIdentifier("", "a column").IsInvalidArgument());
  CHECK(CheckIdentifier(std::string("a\0b", 3), "a column").IsInvalidArgument());
  CHECK(CheckIdentifier(std::string(63, 'x'), "a column").ok());
  Status long_name = CheckIdentifier(std::string(64, 'x'), "a column");
  CHECK(long_name.IsInvalidArgument());
  CHECK(long_name.message().find("63") != std::string::npos);
}

TEST_CASE("PgSchemaDdl: bad table definitions are refused naming the table",
          "[loaders][postgres]") {
  TableDef no_key = Tasks();
  no_key.primary_key.clear();
  CHECK(CheckTableDef(no_key).IsInvalidArgument());
  TableDef bad_key = Tasks();
  bad_key.primary_key = {"nope"};
  CHECK(CheckTableDef(bad_key).message().find("nope") != std::string::npos);
  TableDef twice = Tasks();
  twice.columns.push_back(twice.columns[0]);
  CHECK(CheckTableDef(twice).IsInvalidArgument());
  TableDef reserved = Tasks();
  reserved.name = "Ferry_runs";
  CHECK(CheckTableDef(reserved).IsInvalidArgument());
  CHECK(CheckTableDef(Tasks()).ok());
}

TEST_CASE("PgWriteSql: the upsert keeps or updates by the key, writes kept rows' ids only",
          "[loaders][postgres]") {
  TableDef table = Tasks();
  std::string keep = UpsertSql(table, "public", "ferry_stage_0", /*update=*/false);
  CHECK(keep.find("INSERT INTO \"public\".\"tasks\"") != std::string::npos);
  CHECK(keep.find("ON CONFLICT (\"id\") DO NOTHING") != std::string::npos);
  CHECK(keep.find("EXCLUDED.\"") == std::string::npos);  // no column of the table is updated
  CHECK(keep.find("WHERE NOT f_keep") != std::string::npos);
  CHECK(keep.find("ferry.checkpoints") != std::string::npos);
  CHECK(keep.find("LOCK") == std::string::npos);
  std::string overwrite = UpsertSql(table, "public", "ferry_stage_0", /*update=*/true);
  CHECK(overwrite.find("ON CONFLICT (\"id\") DO UPDATE SET \"user_id\" = EXCLUDED.\"user_id\"") !=
        std::string::npos);
  CHECK(overwrite.find("\"id\" = EXCLUDED") == std::string::npos);  // the key is not updated
  CHECK(overwrite.find("RETURNING (t.xmax = 0)") != std::string::npos);
  CHECK(overwrite.find("LOCK") == std::string::npos);

  TableDef all_key;
  all_key.name = "pairs";
  all_key.columns = {{"a", ColumnType::kText, false}, {"b", ColumnType::kText, false}};
  all_key.primary_key = {"a", "b"};
  CHECK(UpsertSql(all_key, "s", "st", true).find("DO NOTHING") != std::string::npos);
  CHECK(FetchRowsSql(all_key, "s").find("unnest($1::text[], $2::text[])") != std::string::npos);
}

TEST_CASE("PgBookkeeping: the DDL has a stable checksum and keys start with user_id",
          "[loaders][postgres]") {
  CHECK(BookkeepingChecksum().size() == 16);
  CHECK(BookkeepingChecksum() == BookkeepingChecksum());
  bool id_map = false;
  for (const std::string& statement : BookkeepingDdl()) {
    if (statement.find("ferry.id_map") != std::string::npos) {
      id_map = true;
      CHECK(statement.find("PRIMARY KEY (user_id, entity, legacy_id)") != std::string::npos);
    }
  }
  CHECK(id_map);
}

}  // namespace ferry::postgres::schema_ddl_test
