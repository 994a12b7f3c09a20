#include "extractors/json/json_extractor.h"

#include <catch2/catch.hpp>
#include <string>

#include "tests/extractors/extractor_test_util.h"

namespace ferry::json_extractor_test {
namespace {

using testing::Drain;
using testing::Drained;
using testing::FirstFailure;
using testing::TempDir;

Drained DrainJson(const std::string& path) {
  return Drain(MakeJsonExtractor(SourceSpec{"json", path, {}}));
}

TEST_CASE("JsonExtractor: an array of records yields each element's text with its index",
          "[extractors][json]") {
  TempDir dir;
  std::string path = dir.Write("tasks.json",
                               "[\n  {\"id\": 1, \"t\": \"a\"},\n  {\"id\": 2, \"n\": [1, 2]} ,\n"
                               "  [3],\n  \"s\",\n  42 ,\n  null\n]\n");
  Drained got = DrainJson(path);
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.reports.empty());
  REQUIRE(got.entries.size() == 6);
  CHECK(got.entries[0].value == R"({"id": 1, "t": "a"})");
  CHECK(got.entries[1].value == R"({"id": 2, "n": [1, 2]})");
  CHECK(got.entries[2].value == "[3]");
  CHECK(got.entries[3].value == "\"s\"");
  CHECK(got.entries[4].value == "42");
  CHECK(got.entries[5].value == "null");
  for (size_t i = 0; i < got.entries.size(); ++i) {
    const Entry& entry = got.entries[i];
    CHECK(entry.key == "tasks");
    CHECK(entry.shape == EntryShape::kRecord);
    CHECK(entry.unit == path);
    CHECK(entry.origin.empty());
    CHECK(entry.where.index == static_cast<int64_t>(i));
    CHECK(entry.where.key == "tasks");
    CHECK(entry.where.line == static_cast<int64_t>(i) + 2);
    CHECK(entry.where.column == 3);
  }
  CHECK(got.entries[0].where.offset == 4);
  CHECK(got.size.units == 1);
}

TEST_CASE("JsonExtractor: an empty array yields nothing", "[extractors][json]") {
  TempDir dir;
  Drained got = DrainJson(dir.Write("e.json", " [ ] "));
  CHECK(FirstFailure(got).ok());
  CHECK(got.entries.empty());
}

TEST_CASE("JsonExtractor: a folder of array files is one unit per file in name order",
          "[extractors][json]") {
  TempDir dir;
  std::string folder = dir.Folder("exports");
  dir.Write("exports/b.json", "[{\"n\":2},{\"n\":3}]");
  dir.Write("exports/a.json", "[{\"n\":1}]");
  Drained got = DrainJson(folder);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 3);
  CHECK(got.entries[0].key == "a");
  CHECK(got.entries[0].where.index == 0);
  CHECK(got.entries[1].key == "b");
  CHECK(got.entries[1].where.index == 0);
  CHECK(got.entries[2].where.index == 1);
  CHECK(got.entries[2].unit == folder + "/b.json");
  CHECK(got.size.units == 2);
}

// --- hostile input -------------------------------------------------------------------------

TEST_CASE("JsonExtractor: a top-level object is Corruption naming the file",
          "[extractors][json][corrupt]") {
  TempDir dir;
  std::string path = dir.Write("obj.json", R"({"a": 1})");
  Status failure = FirstFailure(DrainJson(path));
  REQUIRE(failure.IsCorruption());
  CHECK_THAT(failure.message(), Catch::Contains(path));
  CHECK_THAT(failure.message(), Catch::Contains("array"));
}

TEST_CASE("JsonExtractor: an invalid element is reported with its index and skipped",
          "[extractors][json][corrupt]") {
  TempDir dir;
  std::string path = dir.Write("r.json", R"([{"a":1},{"a":1,,},{"s":"\ud800"},{"a":3}])");
  Drained got = DrainJson(path);
  REQUIRE(FirstFailure(got).ok());
  // The lone surrogate escape is read as migrate reads it (U+FFFD; json_records.h), not reported.
  REQUIRE(got.entries.size() == 3);
  CHECK(got.entries[0].where.index == 0);
  CHECK(got.entries[1].where.index == 2);
  CHECK(got.entries[2].where.index == 3);
  REQUIRE(got.reports.size() == 1);
  CHECK(got.reports[0].where.index == 1);
  CHECK(got.reports[0].where.offset == 9);
  CHECK(got.reports[0].problem.IsCorruption());
  CHECK_THAT(got.reports[0].problem.message(), Catch::Contains("record 1"));
}

TEST_CASE("JsonExtractor: a truncated array is Corruption", "[extractors][json][corrupt]") {
  TempDir dir;
  for (const char* text : {"[{\"a\":1},{\"b\":", "[{\"a\":1},", "[1, 2", "[\"abc"}) {
    INFO(text);
    Status failure = FirstFailure(DrainJson(dir.Write("t.json", text)));
    REQUIRE(failure.IsCorruption());
    CHECK_THAT(failure.message(), Catch::Contains("t.json: byte "));
  }
}

TEST_CASE("JsonExtractor: a missing comma between elements ends the file with Corruption",
          "[extractors][json][corrupt]") {
  TempDir dir;
  Drained got = DrainJson(dir.Write("c.json", "[{\"a\":1}\n{\"a\":2}]"));
  REQUIRE(FirstFailure(got).IsCorruption());
  CHECK_THAT(FirstFailure(got).message(), Catch::Contains("line 2"));
}

TEST_CASE("JsonExtractor: trailing content after the array is Corruption",
          "[extractors][json][corrupt]") {
  TempDir dir;
  CHECK(FirstFailure(DrainJson(dir.Write("a.json", "[1] [2]"))).IsCorruption());
  CHECK(FirstFailure(DrainJson(dir.Write("b.json", "[1] x"))).IsCorruption());
}

TEST_CASE("JsonExtractor: empty, blank and malformed UTF-8 files are Corruption",
          "[extractors][json][corrupt]") {
  TempDir dir;
  CHECK(FirstFailure(DrainJson(dir.Write("a.json", ""))).IsCorruption());
  CHECK(FirstFailure(DrainJson(dir.Write("b.json", "  \n"))).IsCorruption());
  Status utf8 = FirstFailure(DrainJson(dir.Write("c.json", "[\"\xFF\"]")));
  REQUIRE(utf8.IsCorruption());
  CHECK_THAT(utf8.message(), Catch::Contains("byte 2"));
}

TEST_CASE("JsonExtractor: a 100,000-deep element is reported (depth limit), not a crash",
          "[extractors][json][corrupt]") {
  TempDir dir;
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  Drained got = DrainJson(dir.Write("d.json", "[{\"ok\":1}," + deep + ",{\"ok\":2}]"));
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 2);
  REQUIRE(got.reports.size() == 1);
  CHECK(got.reports[0].where.index == 1);
  CHECK_THAT(got.reports[0].problem.message(), Catch::Contains("too deep"));
  // The whole file nested that deep: one element, itself too deep.
  Drained whole = DrainJson(dir.Write("e.json", deep));
  CHECK(FirstFailure(whole).ok());
  CHECK(whole.entries.empty());
  CHECK(whole.reports.size() == 1);
}

TEST_CASE("JsonExtractor: a missing file is NotFound", "[extractors][json][corrupt]") {
  TempDir dir;
  Status failure = FirstFailure(DrainJson(dir.path() + "/missing.json"));
  REQUIRE(failure.IsNotFound());
  CHECK_THAT(failure.message(), Catch::Contains("missing.json"));
}

}  // namespace
}  // namespace ferry::json_extractor_test
