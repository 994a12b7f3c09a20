// The chromium source against every real Chromium store in the shared fixtures: each
// scenario folder found is read and must give exactly expected/<scenario>.json, code unit
// for code unit (unpaired surrogates included), so new fixtures are checked without code.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>

#include "extractors/chromium/chromium_extractor.h"
#include "extractors/chromium/chromium_format.h"
#include "extractors/chromium/key_codec.h"
#include "extractors/chromium/leveldb_reader.h"
#include "extractors/chromium/value_codec.h"
#include "extractors/common/store_copy.h"
#include "extractors/common/utf16.h"
#include "tests/extractors/chromium/chromium_test_util.h"

namespace ferry::chromium_fixtures_test {
namespace {

using namespace testing;  // NOLINT: test helpers

Drained DrainChromium(const std::string& path, std::vector<std::string> origins = {}) {
  return Drain(MakeChromiumExtractor(SourceSpec{"chromium", path, std::move(origins)}));
}

// The store's data entries as exact code units, read below the extractor (copy, reader,
// codecs), the way `ferry export` will read them.
ExpectedStore ReadRawStore(const std::string& leveldb_dir, std::vector<Reported>* reports) {
  auto copy = StoreCopy::Make(leveldb_dir, "chromium", chromium::IsCopiedStoreFile);
  REQUIRE(copy.ok());
  auto reader = chromium::LevelDbReader::Open(
      (*copy)->path(), leveldb_dir, [reports](const Location& where, const Status& problem) {
        reports->push_back({where, problem});
      });
  REQUIRE(reader.ok());
  ExpectedStore store;
  for (; (*reader)->Valid(); (*reader)->Next()) {
    chromium::StoreKey key = chromium::ParseStoreKey((*reader)->key());
    if (key.kind != chromium::StoreKeyKind::kData) {
      continue;
    }
    auto key_units = chromium::StoredStringUnits(key.encoded_key);
    auto value_units = chromium::StoredStringUnits((*reader)->value());
    REQUIRE(key_units.ok());
    REQUIRE(value_units.ok());
    store[std::string(key.origin)][*key_units] = *value_units;
  }
  return store;
}

TEST_CASE("ChromiumExtractor: every fixture scenario gives exactly its expected dump",
          "[extractors][chromium][fixtures]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::vector<std::string> scenarios = ChromiumScenarios(*root);
  REQUIRE(scenarios.size() >= 5);
  for (const std::string& scenario : scenarios) {
    DYNAMIC_SECTION(scenario) {
      std::string source = *root + "/chromium/" + scenario;
      ExpectedStore expected = ReadExpectedStore(*root + "/expected/" + scenario + ".json");
      Drained got = DrainChromium(source);
      REQUIRE(FirstFailure(got).ok());

      size_t expected_entries = 0;
      std::set<std::pair<std::string, std::string>> expected_lossy;
      for (const auto& [origin, keys] : expected) {
        expected_entries += keys.size();
        for (const auto& [key, value] : keys) {
          if (HasUnpairedSurrogate(value)) {
            expected_lossy.insert({origin, UnitsToUtf8Lossy(key)});
          }
        }
      }
      REQUIRE(got.entries.size() == expected_entries);

      // Every entry: the value as UTF-8 (U+FFFD for unpaired surrogates), lossy exactly then.
      std::map<std::pair<std::string, std::string>, const Units*> expected_values;
      for (const auto& [origin, keys] : expected) {
        for (const auto& [key, value] : keys) {
          expected_values[{origin, UnitsToUtf8Lossy(key)}] = &value;
        }
      }
      std::string previous_origin;
      std::set<std::string> origins_done;
      std::set<std::pair<std::string, std::string>> lossy;
      for (const Entry& entry : got.entries) {
        INFO(entry.origin << " " << entry.key);
        CHECK(entry.unit == source + "/Default");
        CHECK(entry.where.file.rfind(LevelDbOf(source) + "/", 0) == 0);
        CHECK(entry.where.offset >= 0);
        CHECK(entry.where.origin == entry.origin);
        CHECK(entry.where.key == entry.key);
        if (entry.origin != previous_origin) {  // each origin's keys come together
          CHECK(origins_done.insert(entry.origin).second);
          previous_origin = entry.origin;
        }
        auto found = expected_values.find({entry.origin, entry.key});
        REQUIRE(found != expected_values.end());
        CHECK(entry.value == UnitsToUtf8Lossy(*found->second));
        CHECK(entry.lossy == HasUnpairedSurrogate(*found->second));
        if (entry.lossy) {  // flagged with what was wrong, every code unit kept for export
          lossy.insert({entry.origin, entry.key});
          CHECK_THAT(entry.lossy_detail, Catch::Contains("value is not well-formed UTF-16"));
          CHECK(entry.exact_value_json == Utf16ToJsonEscapedUtf8(*found->second));
          CHECK(entry.exact_origin_json == entry.origin);
        } else {
          CHECK(entry.lossy_detail.empty());
          CHECK(entry.exact_value_json.empty());
        }
        expected_values.erase(found);  // each (origin, key) exactly once
      }

      // A lossy value is an entry's flag, not damage: nothing is reported.
      for (const Reported& report : got.reports) {
        FAIL_CHECK(report.where.ToString() << " " << report.problem.ToString());
      }
      CHECK(lossy == expected_lossy);

      // Exact code units below the extractor, and the JSON escaping keeps them all.
      std::vector<Reported> raw_reports;
      ExpectedStore raw = ReadRawStore(LevelDbOf(source), &raw_reports);
      CHECK(raw_reports.empty());
      CHECK(raw == expected);
      for (const auto& [origin, keys] : raw) {
        for (const auto& [key, value] : keys) {
          std::string quoted = "\"" + Utf16ToJsonEscapedUtf8(value) + "\"";
          size_t pos = 0;
          CHECK(ParseJsonUnits(quoted, &pos) == value);
          CHECK(pos == quoted.size());
        }
      }
    }
  }
}

TEST_CASE("ChromiumExtractor: unicode fixture keeps unpaired surrogates as JSON escapes",
          "[extractors][chromium][fixtures][unicode]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::vector<Reported> reports;
  ExpectedStore raw = ReadRawStore(LevelDbOf(*root + "/chromium/unicode"), &reports);
  const auto& keys = raw.at("http://127.0.0.1:8000");
  auto escaped = [&keys](const char16_t* key) { return Utf16ToJsonEscapedUtf8(keys.at(key)); };
  // The same text as in expected/unicode.json.
  CHECK(escaped(u"lone-high") == "\\ud800x");
  CHECK(escaped(u"lone-low") == "x\\udc00");
  CHECK(escaped(u"lone-at-end") == "abc\\ud83d");
  CHECK(escaped(u"lone-in-json") == "{\\\"title\\\":\\\"broken \\ud83d emoji\\\"}");
  CHECK(escaped(u"emoji-key:\U0001F511") == "the key holds a surrogate pair");
  CHECK(keys.count(Units(u"key\0with-nul", 12)) == 1);
  CHECK(keys.at(u"nul-in-value") == Units(u"before\0after", 12));
  CHECK(keys.at(u"empty-value").empty());
  CHECK(keys.at(u"").size() > 0);

  Drained got = DrainChromium(*root + "/chromium/unicode");
  REQUIRE(FirstFailure(got).ok());
  std::map<std::string, const Entry*> by_key;
  for (const Entry& entry : got.entries) {
    by_key[entry.key] = &entry;
  }
  CHECK(by_key.at("lone-high")->value == "\xEF\xBF\xBDx");
  CHECK(by_key.at("lone-high")->lossy);
  CHECK(by_key.at("cjk:\xE4\xB8\xAD\xE6\x96\x87")->lossy == false);
  CHECK(by_key.at("latin1-key:\xC3\xA4\xC3\xB6\xC3\xBC \xC3\xB1 \xC3\xBF")->value ==
        "the key is Latin-1, the value ASCII");
}

TEST_CASE("ChromiumExtractor: --origin selects origins of a multi-origin store",
          "[extractors][chromium][fixtures]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string source = *root + "/chromium/multi-origin";
  Drained some = DrainChromium(source, {"127.0.0.1:8001", "http://localhost:8002/"});
  REQUIRE(FirstFailure(some).ok());
  std::map<std::string, int> per_origin;
  for (const Entry& entry : some.entries) {
    ++per_origin[entry.origin];
  }
  CHECK(per_origin ==
        std::map<std::string, int>{{"http://127.0.0.1:8001", 3029}, {"http://localhost:8002", 12}});
  Drained none = DrainChromium(source, {"http://example.com"});
  REQUIRE(FirstFailure(none).ok());
  CHECK(none.entries.empty());
}

}  // namespace
}  // namespace ferry::chromium_fixtures_test
