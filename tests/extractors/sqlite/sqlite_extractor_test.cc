#include "extractors/sqlite/sqlite_extractor.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "extractors/registry.h"
#include "tests/extractors/sqlite/sqlite_test_db.h"

namespace ferry::sqlite_extractor_test {
namespace {

using testing::Drain;
using testing::Drained;
using testing::MakeSqliteDb;
using testing::TempDir;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Drained DrainDb(const std::string& path) {
  SourceSpec spec{"sqlite", path, {}};
  return Drain(MakeSqliteExtractor(spec));
}

// tasks (3 rows) comes before tags (2), both children of users: the heaviest first (LoadOrder).
TEST_CASE("SqliteExtractor: tables parents first, the larger first, rows in key order, as JSON",
          "[extractors][sqlite]") {
  TempDir dir;
  std::string path = MakeSqliteDb(dir, "app.db", testing::kSmallAppSql);
  Drained out = DrainDb(path);
  REQUIRE(out.open.ok());
  REQUIRE(out.status.ok());
  CHECK(out.reports.empty());
  std::vector<std::string> seen;
  for (const Entry& entry : out.entries) {
    seen.push_back(entry.key + " " + entry.value);
    CHECK(entry.shape == EntryShape::kRecord);
    CHECK(entry.unit == path + "#" + entry.key);
  }
  CHECK(
      seen ==
      std::vector<std::string>{
          R"(users {"id":1,"email":"a@x","created_at":"2024-01-01T00:00:00Z"})",
          R"(users {"id":2,"email":"b@x","created_at":"2024-01-02T00:00:00Z"})",
          R"(tasks {"id":1,"user_id":1,"parent_id":2,"title":"first","createdAt":"2024-02-01T00:00:00Z"})",
          R"(tasks {"id":2,"user_id":1,"parent_id":null,"title":"second","createdAt":"2024-02-02T00:00:00Z"})",
          R"(tasks {"id":3,"user_id":9,"parent_id":null,"title":"orphan","createdAt":null})",
          R"(tags {"user_id":1,"label":"home"})",
          R"(tags {"user_id":2,"label":"work"})",
      });
  CHECK(out.entries[1].where.index == 1);
  CHECK(out.entries[1].where.file == path);
}

TEST_CASE("SqliteExtractor: the source file is never written, its view never run",
          "[extractors][sqlite][corrupt]") {
  TempDir dir;
  std::string path = MakeSqliteDb(dir, "app.db",
                                  std::string(testing::kSmallAppSql) +
                                      "PRAGMA journal_mode = WAL;"
                                      "INSERT INTO users VALUES (3, 'c', 'x');");
  std::string before = Slurp(path);
  ::chmod(path.c_str(), 0444);
  Drained out = DrainDb(path);
  REQUIRE(out.status.ok());
  CHECK(out.entries.size() == 8);  // the row in the -wal is read too, from the copy
  CHECK(Slurp(path) == before);
}

TEST_CASE("SqliteExtractor: real, blob and non-UTF-8 values", "[extractors][sqlite][corrupt]") {
  TempDir dir;
  std::string path = MakeSqliteDb(dir, "v.db", R"sql(
    CREATE TABLE v (id INTEGER PRIMARY KEY, r REAL, b BLOB, t TEXT);
    INSERT INTO v VALUES (1, 1.5, x'00ff', 'ok'), (2, NULL, NULL, CAST(x'ff41' AS TEXT)),
      (3, 9e999, NULL, 'a"b');)sql");
  Drained out = DrainDb(path);
  REQUIRE(out.status.ok());
  REQUIRE(out.entries.size() == 2);
  CHECK(out.entries[0].value == R"({"id":1,"r":1.5,"b":"00ff","t":"ok"})");
  CHECK(out.entries[1].value == R"({"id":3,"r":null,"b":null,"t":"a\"b"})");
  REQUIRE(out.reports.size() == 1);  // the row whose text is not UTF-8: reported, not guessed
  CHECK(out.reports[0].where.key == "v");
  CHECK(out.reports[0].where.index == 1);
  CHECK_THAT(out.reports[0].problem.message(), Catch::Contains("column t"));
}

TEST_CASE("SqliteExtractor: a file that is not SQLite fails Open, naming it",
          "[extractors][sqlite][corrupt]") {
  TempDir dir;
  std::string path = dir.Write("junk.db", std::string(200, 'x'));
  Drained out = DrainDb(path);
  CHECK(out.open.IsCorruption());
  CHECK_THAT(out.open.message(), Catch::Contains(path));
  CHECK_FALSE(DetectSqlite(path));
}

TEST_CASE("ResolveSource: sqlite:PATH and a bare SQLite file are the sqlite kind",
          "[extractors][sqlite]") {
  TempDir dir;
  std::string path = MakeSqliteDb(dir, "app.db", testing::kSmallAppSql);
  CHECK(DetectSqlite(path));
  Result<SourceSpec> bare = ResolveSource(path);
  REQUIRE(bare.ok());
  CHECK(bare->kind == "sqlite");
  Result<SourceSpec> named = ResolveSource("sqlite:" + path);
  REQUIRE(named.ok());
  CHECK(named->kind == "sqlite");
  CHECK(named->path == path);
}

}  // namespace
}  // namespace ferry::sqlite_extractor_test
