#include "extractors/chromium/manifest.h"

#include <catch2/catch.hpp>
#include <string>

#include "tests/extractors/chromium/chromium_test_util.h"
#include "tests/extractors/chromium/log_builder.h"

namespace ferry::chromium::manifest_test {
namespace {

using testing::PutLengthPrefixed;
using testing::PutVarint;

std::string NewFile(uint32_t level, uint64_t number, uint64_t size) {
  std::string edit;
  PutVarint(&edit, kNewFileTag);
  PutVarint(&edit, level);
  PutVarint(&edit, number);
  PutVarint(&edit, size);
  PutLengthPrefixed(&edit, "smallest");
  PutLengthPrefixed(&edit, "largest");
  return edit;
}

TEST_CASE("ApplyVersionEdit: new and deleted files, log numbers, comparator",
          "[extractors][chromium][leveldb]") {
  ManifestState state;
  std::string first;
  PutVarint(&first, kComparatorTag);
  PutLengthPrefixed(&first, "leveldb.BytewiseComparator");
  PutVarint(&first, kLogNumberTag);
  PutVarint(&first, 3);
  PutVarint(&first, kNextFileNumberTag);
  PutVarint(&first, 9);
  PutVarint(&first, kLastSequenceTag);
  PutVarint(&first, 1000);
  first += NewFile(0, 5, 1234) + NewFile(2, 7, 99);
  REQUIRE(ApplyVersionEdit(first, &state).ok());
  std::string second;
  PutVarint(&second, kDeletedFileTag);
  PutVarint(&second, 0);
  PutVarint(&second, 5);
  PutVarint(&second, kLogNumberTag);
  PutVarint(&second, 8);
  PutVarint(&second, kPrevLogNumberTag);
  PutVarint(&second, 6);
  PutVarint(&second, kCompactPointerTag);
  PutVarint(&second, 1);
  PutLengthPrefixed(&second, "key");
  REQUIRE(ApplyVersionEdit(second, &state).ok());
  CHECK(state.comparator == "leveldb.BytewiseComparator");
  CHECK(state.log_number == 8);
  CHECK(state.prev_log_number == 6);
  REQUIRE(state.tables.size() == 1);
  CHECK(state.tables.at(7).level == 2);
  CHECK(state.tables.at(7).size == 99);
  CHECK(state.edits == 2);
}

TEST_CASE("ApplyVersionEdit: unknown tags, bad levels and cut fields are Corruption",
          "[extractors][chromium][leveldb][corrupt]") {
  ManifestState state;
  std::string unknown;
  PutVarint(&unknown, 8);  // "large value ref", never written by LevelDB 1.x
  CHECK_THAT(ApplyVersionEdit(unknown, &state).message(), Catch::Contains("unknown tag 8"));
  CHECK_THAT(ApplyVersionEdit(NewFile(9, 1, 1), &state).message(), Catch::Contains("new file"));
  std::string cut = NewFile(1, 5, 100);
  cut.resize(cut.size() - 3);
  CHECK(ApplyVersionEdit(cut, &state).IsCorruption());
  CHECK(ApplyVersionEdit("\xff\xff\xff\xff\xff\xff", &state).IsCorruption());
  std::string comparator;
  PutVarint(&comparator, kComparatorTag);
  PutVarint(&comparator, 100);  // says 100 bytes, holds none
  CHECK_THAT(ApplyVersionEdit(comparator, &state).message(), Catch::Contains("comparator"));
  CHECK(state.edits == 0);
  CHECK(ApplyVersionEdit("", &state).ok());  // an empty edit is allowed
}

TEST_CASE("ReadManifest: the fixtures' MANIFEST lists the live table and log",
          "[extractors][chromium][leveldb][fixtures]") {
  std::optional<std::string> root = testing::BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string path = testing::LevelDbOf(*root + "/chromium/taskapp-clean") + "/MANIFEST-000001";
  std::vector<testing::Reported> reports;
  auto state = ReadManifest(path, "shown/MANIFEST-000001",
                            [&](const Location& where, const Status& problem) {
                              reports.push_back({where, problem});
                            });
  REQUIRE(state.ok());
  CHECK(reports.empty());
  CHECK(state->comparator == "leveldb.BytewiseComparator");
  CHECK(state->log_number == 4);
  REQUIRE(state->tables.size() == 1);
  CHECK(state->tables.begin()->first == 5);
  CHECK(state->tables.begin()->second.level == 2);
}

TEST_CASE("ReadManifest: an empty or missing MANIFEST fails naming it",
          "[extractors][chromium][leveldb][corrupt]") {
  testing::TempDir dir;
  auto ignore = [](const Location&, const Status&) {};
  auto empty = ReadManifest(dir.Write("MANIFEST-000001", ""), "shown/MANIFEST-000001", ignore);
  CHECK(empty.status().IsCorruption());
  CHECK_THAT(empty.status().message(), Catch::Contains("shown/MANIFEST-000001"));
  auto missing = ReadManifest(dir.path() + "/MANIFEST-000009", "shown/MANIFEST-000009", ignore);
  CHECK(missing.status().IsNotFound());
  // A good edit followed by a malformed one: the first is kept, the second reported.
  std::string bad;
  PutVarint(&bad, 8);
  std::vector<testing::Reported> reports;
  auto partial =
      ReadManifest(dir.Write("MANIFEST-000002", testing::BuildLog({NewFile(2, 5, 10), bad})),
                   "shown/MANIFEST-000002", [&](const Location& where, const Status& problem) {
                     reports.push_back({where, problem});
                   });
  REQUIRE(partial.ok());
  CHECK(partial->tables.count(5) == 1);
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].where.offset == static_cast<int64_t>(kLogHeaderSize + NewFile(2, 5, 10).size()));
  CHECK_THAT(reports[0].problem.message(), Catch::Contains("read only up to here"));
}

}  // namespace
}  // namespace ferry::chromium::manifest_test
