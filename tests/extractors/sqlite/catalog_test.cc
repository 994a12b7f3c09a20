#include "extractors/sqlite/catalog.h"

#include <catch2/catch.hpp>

#include "extractors/sqlite/table_order.h"
#include "tests/extractors/sqlite/sqlite_test_db.h"

namespace ferry::sqlite_source::catalog_test {
namespace {

using testing::MakeSqliteDb;
using testing::TempDir;

Catalog ReadOf(const std::string& path) {
  auto db = firefox::CopiedDatabase::Open(path);
  REQUIRE(db.ok());
  Result<Catalog> catalog = ReadCatalog(**db);
  REQUIRE(catalog.ok());
  return *catalog;
}

TEST_CASE("ReadCatalog: tables, primary keys, foreign keys and creation columns",
          "[extractors][sqlite]") {
  TempDir dir;
  Catalog catalog = ReadOf(MakeSqliteDb(dir, "app.db", testing::kSmallAppSql));
  REQUIRE(catalog.tables.size() == 3);
  CHECK(catalog.tables[0].name == "tags");  // name order
  CHECK(catalog.skipped == std::vector<std::string>{"view user_tasks"});

  const CatalogTable* users = catalog.Find("USERS");  // SQLite ignores ASCII case
  REQUIRE(users != nullptr);
  CHECK(users->primary_key == std::vector<std::string>{"id"});
  CHECK(users->creation_column == "created_at");
  CHECK(users->foreign_keys.empty());
  CHECK(users->columns[1].not_null);

  const CatalogTable* tasks = catalog.Find("tasks");
  REQUIRE(tasks->foreign_keys.size() == 2);
  CHECK(tasks->creation_column == "createdAt");
  for (const ForeignKey& key : tasks->foreign_keys) {
    // "REFERENCES users" without a column names the parent's primary key.
    CHECK(key.parent_columns == std::vector<std::string>{"id"});
  }

  const CatalogTable* tags = catalog.Find("tags");
  CHECK(tags->primary_key == std::vector<std::string>{"label", "user_id"});
  CHECK(tags->creation_column.empty());
  CHECK(tags->without_rowid);
}

TEST_CASE("ReadCatalog: a composite foreign key keeps its columns in order",
          "[extractors][sqlite]") {
  TempDir dir;
  Catalog catalog = ReadOf(MakeSqliteDb(dir, "c.db", R"sql(
    CREATE TABLE a (x INTEGER, y TEXT, PRIMARY KEY (x, y));
    CREATE TABLE b (id INTEGER PRIMARY KEY, ax INTEGER, ay TEXT,
      FOREIGN KEY (ay, ax) REFERENCES a (y, x));)sql"));
  const ForeignKey& key = catalog.Find("b")->foreign_keys.at(0);
  CHECK(key.columns == std::vector<std::string>{"ay", "ax"});
  CHECK(key.parent_columns == std::vector<std::string>{"y", "x"});
}

TEST_CASE("Catalog::Find: the exact name first (PostgreSQL's \"Users\" is not users)",
          "[extractors][sqlite][postgresql]") {
  Catalog catalog;
  catalog.tables.push_back(CatalogTable{"Users", {}, {"id"}, {}, "", false});
  catalog.tables.push_back(CatalogTable{"users", {}, {"key"}, {}, "", false});
  REQUIRE(catalog.Find("users") != nullptr);
  CHECK(catalog.Find("users")->primary_key[0] == "key");
  CHECK(catalog.Find("Users")->primary_key[0] == "id");
  CHECK(catalog.Find("uSERS") != nullptr);  // no exact name: as SQLite, without ASCII case
  CHECK(catalog.Find("user") == nullptr);
}

TEST_CASE("FindCreationColumn: recognised names, without case, '_' or '-'",
          "[extractors][sqlite]") {
  auto columns = [](std::vector<std::string> names) {
    std::vector<CatalogColumn> out;
    for (std::string& name : names) {
      out.push_back(CatalogColumn{std::move(name), "", false, 0});
    }
    return out;
  };
  CHECK(FindCreationColumn(columns({"id", "CREATED_AT"})) == "CREATED_AT");
  CHECK(FindCreationColumn(columns({"inserted-at", "created"})) == "created");
  CHECK(FindCreationColumn(columns({"id", "updated_at", "created_by"})).empty());
}

TEST_CASE("QuoteIdentifier doubles a quote inside the name", "[extractors][sqlite]") {
  CHECK(QuoteIdentifier("users") == "\"users\"");
  CHECK(QuoteIdentifier("a\"b") == "\"a\"\"b\"");
}

}  // namespace
}  // namespace ferry::sqlite_source::catalog_test
