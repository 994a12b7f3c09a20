// The chromium extractor over several profiles, and its contract as an Extractor.
#include "extractors/chromium/chromium_extractor.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>

#include "extractors/registry.h"
#include "tests/extractors/chromium/chromium_test_util.h"

namespace ferry::chromium_extractor_test {
namespace {

using namespace testing;  // NOLINT: test helpers

Drained DrainChromium(const std::string& path) {
  return Drain(MakeChromiumExtractor(SourceSpec{"chromium", path, {}}));
}

// A user-data folder with the taskapp-clean profile as Default and unicode's as Profile 1.
std::string TwoProfiles(const std::string& root, const TempDir& dir) {
  std::string user_data = CopyScenario(root, "taskapp-clean", dir.path());
  std::string unicode = CopyScenario(root, "unicode", dir.path());
  std::filesystem::rename(unicode + "/Default", user_data + "/Profile 1");
  return user_data;
}

TEST_CASE("ChromiumExtractor: every profile of a user-data folder is its own unit",
          "[extractors][chromium]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  TempDir dir;
  std::string user_data = TwoProfiles(*root, dir);
  Drained got = DrainChromium(user_data);
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.size.units == 2);
  CHECK(got.size.bytes > 100000);
  std::vector<std::string> units;
  std::map<std::string, int> per_unit;
  for (const Entry& entry : got.entries) {
    if (units.empty() || units.back() != entry.unit) {
      units.push_back(entry.unit);
    }
    ++per_unit[entry.unit];
  }
  // Consecutive per unit, in name order.
  CHECK(units == std::vector<std::string>{user_data + "/Default", user_data + "/Profile 1"});
  CHECK(per_unit[user_data + "/Default"] == 16);
  CHECK(per_unit[user_data + "/Profile 1"] == 78);
  // unicode's values with unpaired surrogates: flagged on the entry, not reported as damage.
  CHECK(got.reports.empty());
  int lossy = 0;
  for (const Entry& entry : got.entries) {
    if (!entry.lossy) continue;
    ++lossy;
    CHECK(entry.unit == user_data + "/Profile 1");
    CHECK(entry.where.file.rfind(user_data + "/Profile 1/Local Storage/leveldb/", 0) == 0);
  }
  CHECK(lossy == 28);
}

TEST_CASE("ChromiumExtractor: an unreadable profile among several is reported and skipped",
          "[extractors][chromium][corrupt]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  TempDir dir;
  std::string user_data = TwoProfiles(*root, dir);
  std::string broken = user_data + "/Default/Local Storage/leveldb";
  std::filesystem::remove(broken + "/MANIFEST-000001");
  Drained got = DrainChromium(user_data);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 78);
  CHECK(got.entries.front().unit == user_data + "/Profile 1");
  size_t about_broken = 0;
  for (const Reported& report : got.reports) {
    if (report.where.file == broken) {
      ++about_broken;
      CHECK(report.problem.IsCorruption());
      CHECK_THAT(report.problem.message(), Catch::Contains("no readable MANIFEST"));
    }
  }
  CHECK(about_broken == 1);
}

TEST_CASE("ChromiumExtractor: a missing source fails Open naming it, and stays invalid",
          "[extractors][chromium][corrupt]") {
  TempDir dir;
  auto extractor = MakeChromiumExtractor(SourceSpec{"chromium", dir.path() + "/gone", {}});
  Status open = extractor->Open();
  CHECK(open.IsNotFound());
  CHECK_THAT(open.message(), Catch::Contains("gone"));
  CHECK_FALSE(extractor->Valid());
  CHECK(extractor->status().IsNotFound());
  extractor->Next();  // harmless when not valid
  CHECK_FALSE(extractor->Valid());
}

TEST_CASE("ChromiumExtractor: a store with only VERSION yields nothing, cleanly",
          "[extractors][chromium]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  // taskapp-killed before its first commit would look so: keep only the VERSION batch.
  TempDir dir;
  std::string source = CopyScenario(*root, "taskapp-killed", dir.path());
  std::filesystem::resize_file(LevelDbOf(source) + "/000003.log", 30);
  Drained got = DrainChromium(source);
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.entries.empty());
  CHECK(got.reports.empty());
}

TEST_CASE("MakeExtractor: chromium is registered and chromium: names it",
          "[extractors][chromium][detect]") {
  Result<SourceSpec> spec = ResolveSource("chromium:/some/profile");
  REQUIRE(spec.ok());
  CHECK(spec->kind == "chromium");
  CHECK(spec->path == "/some/profile");
  auto extractor = MakeExtractor(*spec);
  REQUIRE(extractor.ok());
  CHECK((*extractor)->Open().IsNotFound());
}

}  // namespace
}  // namespace ferry::chromium_extractor_test
