// The firefox source against every real Firefox store in the shared fixtures: each scenario
// folder found is read and must give exactly expected/<scenario>.json, code unit for code unit
// (unpaired surrogates included, through Entry::exact_value_json), so new fixtures are checked
// without code.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>

#include "extractors/common/utf16.h"
#include "extractors/firefox/text_codec.h"
#include "tests/extractors/firefox/firefox_test_util.h"

namespace ferry::firefox_fixtures_test {
namespace {

using namespace testing;  // NOLINT: test helpers

// The exact code units of an entry's field: from its exact JSON when lossy, else its UTF-8.
Units ExactUnits(const Entry& entry, const std::string& utf8, const std::string& exact_json) {
  if (!entry.lossy) {
    return firefox::Utf8Units(utf8);
  }
  std::string quoted = "\"" + exact_json + "\"";
  size_t pos = 0;
  Units units = ParseJsonUnits(quoted, &pos);
  CHECK(pos == quoted.size());
  return units;
}

TEST_CASE("FirefoxExtractor: every fixture scenario gives exactly its expected dump",
          "[extractors][firefox][fixtures]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::vector<std::string> scenarios = FirefoxScenarios(*root);
  REQUIRE(scenarios.size() >= 5);
  for (const std::string& scenario : scenarios) {
    DYNAMIC_SECTION(scenario) {
      std::string source = *root + "/firefox/" + scenario;
      ExpectedStore expected = ReadExpectedStore(*root + "/expected/" + scenario + ".json");
      Drained got = DrainFirefox(source);
      REQUIRE(FirstFailure(got).ok());

      size_t expected_entries = 0;
      std::set<std::pair<std::string, std::string>> expected_lossy;
      std::map<std::pair<std::string, std::string>, const Units*> expected_values;
      for (const auto& [origin, keys] : expected) {
        expected_entries += keys.size();
        for (const auto& [key, value] : keys) {
          expected_values[{origin, UnitsToUtf8Lossy(key)}] = &value;
          if (HasUnpairedSurrogate(value)) {
            expected_lossy.insert({origin, UnitsToUtf8Lossy(key)});
          }
        }
      }
      REQUIRE(got.entries.size() == expected_entries);
      CHECK(got.size.units == 1);
      CHECK(got.size.bytes > 0);

      std::string previous_origin;
      std::string previous_key;
      std::set<std::string> origins_done;
      for (const Entry& entry : got.entries) {
        INFO(entry.origin << " " << entry.key);
        CHECK(entry.unit == source);
        CHECK(entry.where.file.rfind(source + "/storage/default/", 0) == 0);
        CHECK(entry.where.origin == entry.origin);
        CHECK(entry.where.key == entry.key);
        if (entry.origin != previous_origin) {  // origins in order, each origin's keys together
          CHECK(origins_done.insert(entry.origin).second);
          CHECK(entry.origin > previous_origin);
          previous_origin = entry.origin;
        } else {
          CHECK(entry.key > previous_key);  // keys in code point (UTF-8 byte) order
        }
        previous_key = entry.key;
        auto found = expected_values.find({entry.origin, entry.key});
        REQUIRE(found != expected_values.end());
        CHECK(entry.value == UnitsToUtf8Lossy(*found->second));
        CHECK(entry.lossy == HasUnpairedSurrogate(*found->second));
        // Byte-exact: every code unit, unpaired surrogates included.
        CHECK(ExactUnits(entry, entry.value, entry.exact_value_json) == *found->second);
        if (entry.lossy) {
          CHECK(ExactUnits(entry, entry.key, entry.exact_key_json) ==
                firefox::Utf8Units(entry.key));
          CHECK(entry.exact_origin_json == entry.origin);
        } else {
          CHECK(entry.exact_value_json.empty());
        }
        expected_values.erase(found);  // each (origin, key) exactly once
      }

      // Lossy values are flagged on the entry (lossy_detail), never reported as damage.
      std::set<std::pair<std::string, std::string>> flagged;
      for (const Entry& entry : got.entries) {
        if (entry.lossy) {
          CHECK_THAT(entry.lossy_detail, Catch::Contains("not well-formed UTF-16"));
          flagged.insert({entry.origin, entry.key});
        } else {
          CHECK(entry.lossy_detail.empty());
        }
      }
      CHECK(got.reports.empty());
      CHECK(flagged == expected_lossy);
    }
  }
}

TEST_CASE("FirefoxExtractor: unicode fixture's values, as FORMAT.md shows them",
          "[extractors][firefox][fixtures][unicode]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  Drained got = DrainFirefox(*root + "/firefox/unicode");
  REQUIRE(FirstFailure(got).ok());
  std::map<std::string, const Entry*> by_key;
  for (const Entry& entry : got.entries) {
    by_key[entry.key] = &entry;
  }
  CHECK(by_key.at("lone-high")->value == "\xEF\xBF\xBDx");
  CHECK(by_key.at("lone-high")->exact_value_json == "\\ud800x");
  CHECK(by_key.at("lone-low")->exact_value_json == "x\\udc00");
  CHECK(by_key.at("lone-at-end")->exact_value_json == "abc\\ud83d");
  CHECK(by_key.at("lone-in-json")->exact_value_json ==
        "{\\\"title\\\":\\\"broken \\ud83d emoji\\\"}");
  CHECK(by_key.at("nul-in-value")->value == std::string("before\0after", 12));
  CHECK(by_key.count(std::string("key\0with-nul", 12)) == 1);
  CHECK(by_key.at("empty-value")->value.empty());  // stored as TEXT ''
  CHECK(by_key.at("")->value == "the key is the empty string");
  CHECK(by_key.at("long-latin1")->value.size() == 10000);  // snappy, 5,000 code units
  CHECK_FALSE(by_key.at("cjk:\xE4\xB8\xAD\xE6\x96\x87")->lossy);
}

TEST_CASE("FirefoxExtractor: --origin selects origins of a multi-origin profile",
          "[extractors][firefox][fixtures]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string source = *root + "/firefox/multi-origin";
  Drained some = DrainFirefox(source, {"127.0.0.1:8001", "http://localhost:8002/"});
  REQUIRE(FirstFailure(some).ok());
  std::map<std::string, int> per_origin;
  for (const Entry& entry : some.entries) {
    ++per_origin[entry.origin];
  }
  CHECK(per_origin ==
        std::map<std::string, int>{{"http://127.0.0.1:8001", 3029}, {"http://localhost:8002", 12}});
  Drained none = DrainFirefox(source, {"http://example.com"});
  REQUIRE(FirstFailure(none).ok());
  CHECK(none.entries.empty());
}

TEST_CASE(
    "FirefoxExtractor: an origin's data.sqlite, ls folder or origin folder reads that "
    "origin alone, as a unit of its profile",
    "[extractors][firefox][fixtures]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string profile = *root + "/firefox/multi-origin";
  std::string data = DataFileOf(profile, "http+++localhost+8002");
  for (std::string path : {data, fs::path(data).parent_path().string(),
                           fs::path(data).parent_path().parent_path().string() + "/"}) {
    INFO(path);
    Drained got = DrainFirefox(path);
    REQUIRE(FirstFailure(got).ok());
    REQUIRE(got.entries.size() == 12);
    for (const Entry& entry : got.entries) {
      CHECK(entry.origin == "http://localhost:8002");
      CHECK(entry.unit == profile);
      CHECK(entry.where.file == data);
    }
  }
}

}  // namespace
}  // namespace ferry::firefox_fixtures_test
