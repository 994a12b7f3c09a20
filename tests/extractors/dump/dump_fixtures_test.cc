// The dump extractor against the real browser fixtures' expected dumps, checked against an
// independent parse with nlohmann::json (which, like simdjson, cannot read unicode.json).
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "extractors/dump/dump_extractor.h"
#include "tests/extractors/extractor_test_util.h"

namespace ferry::dump_fixtures_test {
namespace {

using testing::BrowserExpectedDir;
using testing::Drain;
using testing::Drained;
using testing::FirstFailure;

Drained DrainFixture(const std::string& path) {
  return Drain(MakeDumpExtractor(SourceSpec{"dump", path, {}}));
}

// Every (origin, key) -> value of the dump, as nlohmann reads it.
std::map<std::pair<std::string, std::string>, std::string> IndependentParse(
    const std::string& path) {
  std::ifstream in(path);
  nlohmann::json dump = nlohmann::json::parse(in);
  std::map<std::pair<std::string, std::string>, std::string> values;
  for (auto& [origin, keys] : dump.items()) {
    for (auto& [key, value] : keys.items()) {
      values[{origin, key}] = value.get<std::string>();
    }
  }
  return values;
}

void CheckAgainstIndependentParse(const std::string& name, size_t expected_entries) {
  std::optional<std::string> dir = BrowserExpectedDir();
  if (!dir) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string path = *dir + "/" + name;
  Drained got = DrainFixture(path);
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.reports.empty());
  auto expected = IndependentParse(path);
  REQUIRE(got.entries.size() == expected_entries);
  REQUIRE(expected.size() == expected_entries);
  for (const Entry& entry : got.entries) {
    auto found = expected.find({entry.origin, entry.key});
    REQUIRE(found != expected.end());
    CHECK(entry.value == found->second);
    CHECK_FALSE(entry.lossy);
    CHECK(entry.where.line > 0);
  }
}

TEST_CASE("DumpExtractor: taskapp-clean.json matches an independent parse",
          "[extractors][dump][fixtures]") {
  CheckAgainstIndependentParse("taskapp-clean.json", 16);
}

TEST_CASE("DumpExtractor: multi-origin.json matches an independent parse, per origin",
          "[extractors][dump][fixtures]") {
  CheckAgainstIndependentParse("multi-origin.json", 17 + 3029 + 12);
  std::optional<std::string> dir = BrowserExpectedDir();
  if (!dir) {
    return;
  }
  std::map<std::string, int> per_origin;
  for (const Entry& entry : DrainFixture(*dir + "/multi-origin.json").entries) {
    ++per_origin[entry.origin];
  }
  CHECK(per_origin == std::map<std::string, int>{{"http://127.0.0.1:8000", 17},
                                                 {"http://127.0.0.1:8001", 3029},
                                                 {"http://localhost:8002", 12}});
}

TEST_CASE("DumpExtractor: large.json reads its multi-megabyte values",
          "[extractors][dump][fixtures]") {
  CheckAgainstIndependentParse("large.json", 203 + 11);
}

TEST_CASE("DumpExtractor: unicode.json reads, lone surrogates lossy, the rest exact",
          "[extractors][dump][fixtures][unicode]") {
  std::optional<std::string> dir = BrowserExpectedDir();
  if (!dir) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  Drained got = DrainFixture(*dir + "/unicode.json");
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.reports.empty());
  REQUIRE(got.entries.size() == 78);
  // Computed with Python's json module: the values holding an unpaired surrogate.
  const std::set<std::string> expected_lossy_fixed = {"lone-at-end", "lone-high", "lone-in-json",
                                                      "lone-low", "reversed-pair"};
  std::set<std::string> lossy_fixed;
  int lossy = 0;
  std::map<std::string, const Entry*> by_key;
  for (const Entry& entry : got.entries) {
    by_key[entry.key] = &entry;
    if (entry.lossy) {
      ++lossy;
      if (entry.key.rfind("rnd:", 0) != 0) {
        lossy_fixed.insert(entry.key);
      }
    }
  }
  CHECK(lossy == 28);
  CHECK(lossy_fixed == expected_lossy_fixed);
  CHECK(by_key.at("lone-high")->value == "\xEF\xBF\xBDx");
  CHECK(by_key.at("lone-low")->value == "x\xEF\xBF\xBD");
  CHECK(by_key.at("reversed-pair")->value == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(by_key.at("lone-in-json")->value == "{\"title\":\"broken \xEF\xBF\xBD emoji\"}");
  CHECK(by_key.at("nul-in-value")->value == std::string("before\0after", 12));
  CHECK(by_key.at("")->value == "the key is the empty string");
  CHECK(by_key.count(std::string("key\0with-nul", 12)) == 1);
  CHECK(by_key.at("emoji-key:\xF0\x9F\x94\x91")->value == "the key holds a surrogate pair");
  CHECK_FALSE(by_key.at("emoji")->lossy);
}

}  // namespace
}  // namespace ferry::dump_fixtures_test
