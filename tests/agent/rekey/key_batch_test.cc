#include "agent/rekey/key_batch.h"

#include <catch2/catch.hpp>

#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::key_batch_test {
namespace {

using sqlite_testing::TempDir;

std::unique_ptr<RekeySql> SqliteWithItems(const TempDir& dir) {
  std::string path = dir.File("app.db");
  REQUIRE(sqlite_testing::Query(path, "CREATE TABLE items (id INTEGER PRIMARY KEY, mark TEXT)")
              .empty());
  REQUIRE(sqlite_testing::Query(path,
                                "INSERT INTO items VALUES (1, 'a'), (2, NULL), (3, 'a'), "
                                "(10, NULL), (11, 'a')")
              .empty());
  Result<std::unique_ptr<RekeySql>> sql = OpenRekeySql({"sqlite", "sqlite:" + path, path});
  REQUIRE(sql.ok());
  return std::move(*sql);
}

std::vector<std::string> Keys(const TextRows& rows) {
  std::vector<std::string> keys;
  for (const auto& row : rows) keys.push_back(row[0].value_or("NULL"));
  return keys;
}

TEST_CASE("NextKeyBatch pages a table in the key's order, from where the last page ended",
          "[rekey]") {
  TempDir dir;
  auto sql = SqliteWithItems(dir);
  RekeyTable items{"items", "id", "", "iso8601", {}};
  KeyBatchQuery query{&items, "mark", "", 2};
  TextRows rows;
  REQUIRE(NextKeyBatch(*sql, query, std::nullopt, &rows).ok());
  CHECK(Keys(rows) == std::vector<std::string>{"1", "2"});
  CHECK(rows[1][1] == std::nullopt);
  // Compared as the key's type, not as text: "10" comes after "3".
  REQUIRE(NextKeyBatch(*sql, query, "3", &rows).ok());
  CHECK(Keys(rows) == std::vector<std::string>{"10", "11"});
  REQUIRE(NextKeyBatch(*sql, query, "11", &rows).ok());
  CHECK(rows.empty());

  query.where = "mark IS NULL";
  REQUIRE(NextKeyBatch(*sql, query, "2", &rows).ok());
  CHECK(Keys(rows) == std::vector<std::string>{"10"});
}

TEST_CASE("RekeySql::SetByKey sets one column of the rows named by their keys", "[rekey]") {
  TempDir dir;
  auto sql = SqliteWithItems(dir);
  REQUIRE(sql->SetByKey("items", "id", "mark", {{"2", "two"}, {"10", "it's ten"}}).ok());
  REQUIRE(sql->SetByKey("items", "id", "mark", {}).ok());
  CHECK(sqlite_testing::Query(dir.File("app.db"), "SELECT id, mark FROM items ORDER BY id") ==
        std::vector<std::vector<std::string>>{
            {"1", "a"}, {"2", "two"}, {"3", "a"}, {"10", "it's ten"}, {"11", "a"}});
}

}  // namespace
}  // namespace ferry::key_batch_test
