// SqliteLoader::FetchRows: rows read back by primary key, in the types they were written with.
#include <catch2/catch.hpp>

#include "loaders/sqlite/sqlite_loader.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::sqlite_loader_fetch_test {
namespace {

using sqlite_testing::ExecSql;
using sqlite_testing::ReadyLoader;
using sqlite_testing::TaskBatch;
using sqlite_testing::TaskRow;
using sqlite_testing::TempDir;

Row KeyOf(int n) { return Row{{TaskRow(n).cells[0]}}; }

std::vector<std::optional<Row>> FetchOk(Loader& loader, const TableDef& table,
                                        const std::vector<Row>& keys) {
  std::vector<std::optional<Row>> rows;
  Status status = loader.FetchRows(table, keys, &rows);
  INFO(status.ToString());
  REQUIRE(status.ok());
  REQUIRE(rows.size() == keys.size());
  return rows;
}

TEST_CASE("SqliteLoader: FetchRows reads back what Write wrote, cell for cell",
          "[loaders][sqlite][fetch]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  WriteBatch batch = TaskBatch(&tasks, 1, 5, ConflictPolicy::kSkip);
  batch.rows[2].cells[3] = std::monostate();  // a NULL boolean
  REQUIRE(loader->Write(batch).ok());

  // Keys out of order, one twice, one absent.
  std::vector<Row> keys = {KeyOf(4), KeyOf(9), KeyOf(1), KeyOf(3), KeyOf(4)};
  auto rows = FetchOk(*loader, tasks, keys);
  REQUIRE(rows[0]);
  CHECK(rows[0]->cells == TaskRow(4).cells);  // ulid, text, bool, int, real, time, json
  CHECK_FALSE(rows[1]);
  REQUIRE(rows[2]);
  CHECK(rows[2]->cells == TaskRow(1).cells);
  REQUIRE(rows[3]);
  CHECK(IsNull(rows[3]->cells[3]));
  REQUIRE(rows[4]);
  CHECK(rows[4]->cells == rows[0]->cells);
}

TEST_CASE("SqliteLoader: FetchRows with a composite key and more keys than one statement binds",
          "[loaders][sqlite][fetch]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef prefs;
  prefs.name = "prefs";
  prefs.columns = {{"user_id", ColumnType::kText, false},
                   {"form", ColumnType::kText, false},
                   {"data", ColumnType::kJson, true}};
  prefs.primary_key = {"user_id", "form"};
  auto loader = ReadyLoader(path, false, {&prefs});
  ExecSql(path,
          "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19999) "
          "INSERT INTO prefs SELECT 'u', 'f' || i, '{\"i\":' || i || '}' FROM n");
  std::vector<Row> keys;
  for (int i = 0; i < 20000; ++i) {
    keys.push_back(Row{{std::string("u"), "f" + std::to_string(19999 - i)}});
  }
  keys.push_back(Row{{std::string("other user"), std::string("f1")}});
  auto rows = FetchOk(*loader, prefs, keys);
  for (int i = 0; i < 20000; i += 4999) {
    REQUIRE(rows[i]);
    CHECK(std::get<std::string>(rows[i]->cells[2]) == "{\"i\":" + std::to_string(19999 - i) + "}");
  }
  CHECK_FALSE(rows.back());
}

TEST_CASE("SqliteLoader: FetchRows in a dry run of a missing file or table finds nothing",
          "[loaders][sqlite][fetch][dry-run]") {
  TempDir dir;
  TableDef tasks = sqlite_testing::TasksTable();
  auto missing_file = ReadyLoader(dir.File("none.db"), true, {&tasks});
  CHECK_FALSE(FetchOk(*missing_file, tasks, {KeyOf(1)})[0]);
  CHECK_FALSE(std::filesystem::exists(dir.File("none.db")));

  std::string path = dir.File("t.db");
  { ReadyLoader(path, false, {}); }
  auto missing_table = ReadyLoader(path, true, {&tasks});
  CHECK_FALSE(FetchOk(*missing_table, tasks, {KeyOf(1)})[0]);
}

TEST_CASE("SqliteLoader: FetchRows on a table named like its key list is not confused",
          "[loaders][sqlite][fetch][hostile]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef odd = sqlite_testing::TasksTable();
  odd.name = "k\"; DROP TABLE x; --";
  odd.columns[0].name = "n";
  odd.primary_key = {"n"};
  auto loader = ReadyLoader(path, false, {&odd});
  WriteBatch batch = TaskBatch(&odd, 1, 2, ConflictPolicy::kSkip);
  REQUIRE(loader->Write(batch).ok());
  auto rows = FetchOk(*loader, odd, {KeyOf(2)});
  REQUIRE(rows[0]);
  CHECK(rows[0]->cells == TaskRow(2).cells);
}

TEST_CASE("SqliteLoader: FetchRows refuses stored values its column type cannot hold",
          "[loaders][sqlite][fetch][hostile]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  REQUIRE(loader->Write(TaskBatch(&tasks, 1, 1, ConflictPolicy::kSkip)).ok());
  std::vector<std::optional<Row>> rows;

  ExecSql(path, "UPDATE tasks SET done = 7");
  Status status = loader->FetchRows(tasks, {KeyOf(1)}, &rows);
  CHECK(status.IsInvalidArgument());
  CHECK(status.message().find("\"done\"") != std::string::npos);
  CHECK(status.message().find("\"tasks\"") != std::string::npos);

  ExecSql(path, "UPDATE tasks SET done = 1, created_at = 'last tuesday'");
  status = loader->FetchRows(tasks, {KeyOf(1)}, &rows);
  CHECK(status.IsInvalidArgument());
  CHECK(status.message().find("\"created_at\"") != std::string::npos);

  ExecSql(path, "UPDATE tasks SET created_at = NULL, priority = 'high'");
  CHECK(loader->FetchRows(tasks, {KeyOf(1)}, &rows).IsInvalidArgument());

  ExecSql(path, "UPDATE tasks SET priority = 2, meta = x'00ff'");
  CHECK(loader->FetchRows(tasks, {KeyOf(1)}, &rows).IsInvalidArgument());
}

TEST_CASE("SqliteLoader: FetchRows refuses keys of the wrong width", "[loaders][sqlite][fetch]") {
  TempDir dir;
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(dir.File("t.db"), false, {&tasks});
  std::vector<std::optional<Row>> rows;
  Row wide{{std::string("a"), std::string("b")}};
  CHECK(loader->FetchRows(tasks, {wide}, &rows).IsInvalidArgument());
  CHECK(loader->FetchRows(tasks, {Row{}}, &rows).IsInvalidArgument());
  CHECK(loader->FetchRows(tasks, {}, &rows).ok());
  CHECK(rows.empty());
}

TEST_CASE("SqliteLoader: FetchRows before Check is an internal error", "[loaders][sqlite][fetch]") {
  TempDir dir;
  auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(dir.File("t.db")));
  TableDef tasks = sqlite_testing::TasksTable();
  std::vector<std::optional<Row>> rows;
  CHECK(loader->FetchRows(tasks, {KeyOf(1)}, &rows).code() == Status::Code::kInternal);
  CHECK(rows.size() == 1);
}

}  // namespace
}  // namespace ferry::sqlite_loader_fetch_test
