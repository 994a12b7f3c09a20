#include "agent/mapping/from_catalog.h"

#include <catch2/catch.hpp>

#include "agent/mapping/loader.h"
#include "tests/extractors/sqlite/sqlite_test_db.h"

namespace ferry::from_catalog_test {
namespace {

using testing::MakeSqliteDb;
using testing::TempDir;

std::string ProposalFor(const std::string& sql) {
  TempDir dir;
  auto db = firefox::CopiedDatabase::Open(MakeSqliteDb(dir, "app.db", sql));
  REQUIRE(db.ok());
  Result<sqlite_source::Catalog> catalog = sqlite_source::ReadCatalog(**db);
  REQUIRE(catalog.ok());
  return ProposeMappingFromCatalog(*catalog, "app");
}

Mapping Loaded(const std::string& yaml) {
  Result<Mapping> mapping = LoadMappingText(yaml, "proposed.yaml", "");
  INFO(yaml);
  INFO(mapping.status().ToString());
  REQUIRE(mapping.ok());
  return *mapping;
}

TEST_CASE("ProposeMappingFromCatalog: parents first, ULID keys, legacy ids, references",
          "[agent][mapping][sqlite]") {
  std::string yaml = ProposalFor(testing::kSmallAppSql);
  Mapping mapping = Loaded(yaml);
  REQUIRE(mapping.entities.size() == 2);  // tags has a composite key: not proposed
  CHECK_THAT(yaml, Catch::Contains("# table \"tags\": a composite primary key; not proposed"));
  const EntityMapping& users = mapping.entities[0];
  CHECK(users.name == "users");
  CHECK(users.id_field == "id");
  CHECK(users.time_field == "created_at");
  CHECK(users.columns[0].source == ColumnSource::kUlid);
  CHECK(users.columns[1].def.name == "legacy_id");
  CHECK(users.columns[1].source == ColumnSource::kLegacyId);

  const EntityMapping& tasks = mapping.entities[1];
  CHECK(tasks.time_field == "createdAt");
  const ColumnMapping* user_id = nullptr;
  const ColumnMapping* parent_id = nullptr;
  for (const ColumnMapping& column : tasks.columns) {
    if (column.def.name == "user_id") user_id = &column;
    if (column.def.name == "parent_id") parent_id = &column;
  }
  REQUIRE(user_id != nullptr);
  CHECK(user_id->references == "users");
  CHECK(user_id->on_missing == OnMissingReference::kReject);
  REQUIRE(parent_id != nullptr);  // a self-reference: rewritten too, in a second pass
  CHECK(parent_id->references == "tasks");
  CHECK(parent_id->def.type == ColumnType::kUlid);
  CHECK(tasks.parents == std::vector<std::string>{"users"});
}

TEST_CASE("ProposeMappingFromCatalog: hostile names stay names, never YAML or paths",
          "[agent][mapping][sqlite][corrupt]") {
  std::string yaml = ProposalFor(R"sql(
    CREATE TABLE "we""ird: {t}" (id INTEGER PRIMARY KEY, "a.b" TEXT, "$x" INTEGER,
      legacy_id TEXT, "when" DATETIME, "n
l" TEXT);
    INSERT INTO "we""ird: {t}" VALUES (1, 'v', 2, 'old', '2024-01-01T00:00:00Z', 'z');)sql");
  Mapping mapping = Loaded(yaml);
  REQUIRE(mapping.entities.size() == 1);
  const EntityMapping& entity = mapping.entities[0];
  CHECK(entity.name == "we\"ird: {t}");
  CHECK(entity.time_field.empty());  // "when" is no creation column
  std::vector<std::string> names;
  for (const ColumnMapping& column : entity.columns) names.push_back(column.def.name);
  // A column already named legacy_id keeps its name; the old key goes to _legacy_id.
  CHECK(names == std::vector<std::string>{"id", "_legacy_id", "a.b", "$x", "legacy_id", "when"});
  CHECK_THAT(yaml, Catch::Contains("# column \"n\\x0al\" left out: its name"));
  CHECK(entity.columns[2].field == "a\\.b");  // the member "a.b", not b inside a
  CHECK(entity.columns[3].field == "$x");
  CHECK(entity.columns[5].def.type == ColumnType::kTimestamp);
}

TEST_CASE("ProposeMappingFromCatalog: a reference to a column other than the parent's key",
          "[agent][mapping][sqlite][corrupt]") {
  std::string yaml = ProposalFor(R"sql(
    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);
    CREATE TABLE notes (id INTEGER PRIMARY KEY, author TEXT REFERENCES users(email));)sql");
  Mapping mapping = Loaded(yaml);
  CHECK_THAT(yaml, Catch::Contains("it names a column other than its parent's key"));
  REQUIRE(mapping.entities.size() == 2);
  CHECK(mapping.entities[1].columns.back().references.empty());
  CHECK(mapping.entities[1].columns.back().def.type == ColumnType::kText);
}

}  // namespace
}  // namespace ferry::from_catalog_test
