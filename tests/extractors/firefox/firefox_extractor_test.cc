// The firefox source on hand-made profiles: which store an origin is read from (data.sqlite,
// ls-archive.sqlite, webappsstore.sqlite), origin attributes, --origin, several profiles.
#include "extractors/firefox/firefox_extractor.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "tests/extractors/firefox/firefox_test_util.h"

namespace ferry::firefox_extractor_test {
namespace {

using namespace testing;  // NOLINT: test helpers

using Dump = std::map<std::string, std::map<std::string, std::string>>;

Dump DumpOf(const Drained& got) {
  Dump dump;
  for (const Entry& entry : got.entries) {
    dump[entry.origin][entry.key] = entry.value;
  }
  return dump;
}

std::vector<std::string> OriginOrder(const Drained& got) {
  std::vector<std::string> origins;
  for (const Entry& entry : got.entries) {
    if (origins.empty() || origins.back() != entry.origin) {
      origins.push_back(entry.origin);
    }
  }
  return origins;
}

TEST_CASE("FirefoxExtractor: an old webappsstore.sqlite alone is read, originKeys decoded",
          "[extractors][firefox]") {
  TempDir temp;
  std::string file = temp.path() + "/profile/webappsstore.sqlite";
  MakeLegacyStore(file, {{"", "moc.elpmaxe.:https:443", "b", "2"},
                         {"", "moc.elpmaxe.:https:443", "a", "1"},
                         {"^userContextId=1", "moc.elpmaxe.:https:443", "a", "container"},
                         {"", "1.0.0.721.:http:8000", "tasks", "[]"}});
  for (std::string path : {file, temp.path() + "/profile"}) {
    INFO(path);
    Drained got = DrainFirefox(path);
    REQUIRE(FirstFailure(got).ok());
    CHECK(DumpOf(got) == Dump{{"http://127.0.0.1:8000", {{"tasks", "[]"}}},
                              {"https://example.com", {{"a", "1"}, {"b", "2"}}},
                              {"https://example.com^userContextId=1", {{"a", "container"}}}});
    CHECK(OriginOrder(got) == std::vector<std::string>{"http://127.0.0.1:8000",
                                                       "https://example.com",
                                                       "https://example.com^userContextId=1"});
    CHECK(got.entries[1].key == "a");  // keys in order within an origin
    CHECK(got.entries[0].unit == temp.path() + "/profile");
    CHECK(got.entries[0].where.file == file);
    CHECK(got.reports.empty());
  }
}

TEST_CASE("FirefoxExtractor: each origin comes from the newest store that holds it",
          "[extractors][firefox]") {
  TempDir temp;
  std::string profile = temp.path() + "/profile";
  MakeLsStore(profile, "https+++a.example", "https://a.example", {{"k", "from data.sqlite", 16}});
  MakeLegacyStore(profile + "/storage/ls-archive.sqlite",
                  {{"", "elpmaxe.a.:https:443", "k", "from the archive (stale)"},
                   {"", "elpmaxe.b.:https:443", "k", "from the archive"}});
  MakeLegacyStore(profile + "/webappsstore.sqlite",
                  {{"", "elpmaxe.a.:https:443", "k", "from webappsstore (stale)"},
                   {"", "elpmaxe.b.:https:443", "k", "from webappsstore (stale)"},
                   {"", "elpmaxe.c.:https:443", "k", "from webappsstore"}});
  Drained got = DrainFirefox(profile);
  REQUIRE(FirstFailure(got).ok());
  CHECK(DumpOf(got) == Dump{{"https://a.example", {{"k", "from data.sqlite"}}},
                            {"https://b.example", {{"k", "from the archive"}}},
                            {"https://c.example", {{"k", "from webappsstore"}}}});
  CHECK(OriginOrder(got) ==
        std::vector<std::string>{"https://a.example", "https://b.example", "https://c.example"});
  CHECK(got.entries[1].where.file == profile + "/storage/ls-archive.sqlite");
  CHECK(got.reports.empty());  // staleness is a warning, not damage
}

TEST_CASE("FirefoxExtractor: --origin picks origins, with or without their attributes",
          "[extractors][firefox]") {
  TempDir temp;
  std::string profile = temp.path() + "/profile";
  MakeLsStore(profile, "https+++a.example", "https://a.example", {{"k", "plain", 5}});
  MakeLsStore(profile, "https+++a.example^userContextId=4", "https://a.example^userContextId=4",
              {{"k", "container", 9}});
  MakeLsStore(profile, "https+++b.example", "https://b.example", {{"k", "other", 5}});
  Drained both = DrainFirefox(profile, {"https://a.example"});
  REQUIRE(FirstFailure(both).ok());
  CHECK(OriginOrder(both) ==
        std::vector<std::string>{"https://a.example", "https://a.example^userContextId=4"});
  Drained one = DrainFirefox(profile, {"https://a.example^userContextId=4"});
  CHECK(OriginOrder(one) == std::vector<std::string>{"https://a.example^userContextId=4"});
  Drained bare = DrainFirefox(profile, {"b.example"});
  CHECK(OriginOrder(bare) == std::vector<std::string>{"https://b.example"});
}

TEST_CASE("FirefoxExtractor: the database table's origin wins over an odd folder name",
          "[extractors][firefox][corrupt]") {
  TempDir temp;
  std::string profile = temp.path() + "/profile";
  MakeLsStore(profile, "not an origin", "https://real.example", {{"k", "v", 1}});
  Drained got = DrainFirefox(profile);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].origin == "https://real.example");
}

TEST_CASE("FirefoxExtractor: a store that names no origin anywhere is reported and skipped",
          "[extractors][firefox][corrupt]") {
  TempDir temp;
  std::string profile = temp.path() + "/profile";
  std::string bad = MakeLsStore(profile, "junk", "", {{"k", "v", 1}});
  MakeLsStore(profile, "https+++ok.example", "https://ok.example", {{"k", "v", 1}});
  Drained got = DrainFirefox(profile);
  REQUIRE(FirstFailure(got).ok());
  CHECK(OriginOrder(got) == std::vector<std::string>{"https://ok.example"});
  REQUIRE(got.reports.size() == 1);
  CHECK(got.reports[0].where.file == bad);
  CHECK_THAT(got.reports[0].problem.message(), Catch::Contains("cannot tell the origin"));
}

TEST_CASE(
    "FirefoxExtractor: a webappsstore row with a hostile originKey is reported, the rest read",
    "[extractors][firefox][corrupt]") {
  TempDir temp;
  std::string file = temp.path() + "/webappsstore.sqlite";
  MakeLegacyStore(file, {{"", "../../etc:http:80", "k", "v"}, {"", "moc.x.:https:443", "k", "ok"}});
  Drained got = DrainFirefox(file);
  REQUIRE(FirstFailure(got).ok());
  CHECK(DumpOf(got) == Dump{{"https://x.com", {{"k", "ok"}}}});
  REQUIRE(got.reports.size() == 1);
  CHECK(got.reports[0].where.file == file);
  CHECK_THAT(got.reports[0].problem.message(), Catch::Contains("its rows are skipped"));
}

TEST_CASE("FirefoxExtractor: a folder with profiles.ini reads every profile as its own unit",
          "[extractors][firefox]") {
  TempDir temp;
  temp.Write("profiles.ini", "[Profile0]\nPath=b.default\n");
  MakeLsStore(temp.path() + "/b.default", "https+++b.example", "https://b.example",
              {{"k", "b", 1}});
  MakeLsStore(temp.path() + "/a.other", "https+++a.example", "https://a.example", {{"k", "a", 1}});
  temp.Folder("Crash Reports");
  Drained got = DrainFirefox(temp.path());
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 2);
  CHECK(got.entries[0].unit == temp.path() + "/a.other");
  CHECK(got.entries[1].unit == temp.path() + "/b.default");
  CHECK(got.size.units == 2);
}

}  // namespace
}  // namespace ferry::firefox_extractor_test
