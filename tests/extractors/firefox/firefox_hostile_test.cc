// A hostile Firefox data.sqlite: `data` replaced by a view that never ends (or recurses), a
// `database` view, a webappsstore2 view. Each is refused as damage at once instead of running
// forever or filling the disk (docs/security.md).
#include <catch2/catch.hpp>
#include <chrono>
#include <future>

#include "tests/extractors/firefox/firefox_test_util.h"

namespace ferry::testing::firefox_hostile_test {
namespace {

// Drains the store at `path` on another thread; fails the test if it takes over 20 s.
Drained DrainWithin(const std::string& path) {
  auto drained = std::async(std::launch::async, [path] { return DrainFirefox(path); });
  REQUIRE(drained.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  return drained.get();
}

bool Mentions(const Drained& drained, const std::string& text) {
  if (FirstFailure(drained).message().find(text) != std::string::npos) return true;
  for (const Reported& report : drained.reports) {
    if (report.problem.message().find(text) != std::string::npos) return true;
  }
  return false;
}

constexpr const char* kEndlessView =
    "CREATE VIEW data AS WITH RECURSIVE r(key, utf16_length, conversion_type, compression_type, "
    "last_access_time, value) AS (SELECT 'a', 1, 1, 0, 0, x'61' UNION ALL SELECT key || 'a', 1, "
    "1, 0, 0, value FROM r) SELECT * FROM r";

TEST_CASE("FirefoxExtractor: a data view that never ends is refused, not run",
          "[extractors][firefox][security]") {
  TempDir temp;
  std::string file = temp.path() + "/p/storage/default/https+++a.test/ls/data.sqlite";
  {
    TestDb db(file);
    db.Exec("CREATE TABLE database(origin TEXT NOT NULL)");
    db.Insert("INSERT INTO database(origin) VALUES (?1)", {"https://a.test"});
    db.Exec(kEndlessView);
  }
  Drained drained = DrainWithin(temp.path() + "/p");
  CHECK(drained.entries.empty());
  CHECK(Mentions(drained, "not a plain table"));
}

TEST_CASE("FirefoxExtractor: a database view is not run; the folder name gives the origin",
          "[extractors][firefox][security]") {
  TempDir temp;
  std::string file = temp.path() + "/p/storage/default/https+++a.test/ls/data.sqlite";
  {
    TestDb db(file);
    CreateLsSchema(db, "https://a.test");
    InsertLsRow(db, {"k", "v", 1});
    db.Exec("DROP TABLE database");
    db.Exec(
        "CREATE VIEW database AS WITH RECURSIVE r(origin) AS (SELECT 'x' UNION ALL SELECT "
        "origin || 'x' FROM r) SELECT origin FROM r ORDER BY origin DESC");
  }
  Drained drained = DrainWithin(temp.path() + "/p");
  REQUIRE(drained.entries.size() == 1);
  CHECK(drained.entries[0].origin == "https://a.test");
}

TEST_CASE("FirefoxExtractor: a webappsstore2 view is refused", "[extractors][firefox][security]") {
  TempDir temp;
  std::string file = temp.path() + "/p/webappsstore.sqlite";
  {
    TestDb db(file);
    db.Exec(
        "CREATE VIEW webappsstore2 AS WITH RECURSIVE r(originAttributes, originKey, scope, key, "
        "value) AS (SELECT '', 'tset.a.:https:443', '', 'k', 'v' UNION ALL SELECT "
        "originAttributes, originKey, scope, key || 'k', value FROM r) SELECT * FROM r");
  }
  Drained drained = DrainWithin(temp.path() + "/p");
  CHECK(drained.entries.empty());
  CHECK(Mentions(drained, "not a plain table"));
}

}  // namespace
}  // namespace ferry::testing::firefox_hostile_test
