#include "extractors/dump/dump_extractor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/extractors/extractor_test_util.h"

namespace ferry::dump_extractor_test {
namespace {

using testing::Drain;
using testing::Drained;
using testing::FirstFailure;
using testing::TempDir;

Drained DrainDump(const std::string& path, std::vector<std::string> origins = {}) {
  return Drain(MakeDumpExtractor(SourceSpec{"dump", path, std::move(origins)}));
}

TEST_CASE("DumpExtractor: flat dump yields every key in file order with origin empty",
          "[extractors][dump]") {
  TempDir dir;
  std::string path = dir.Write("user-7.json", R"({"tasks":"[1,2]","theme":"dark","z":""})");
  Drained got = DrainDump(path);
  REQUIRE(got.open.ok());
  REQUIRE(got.status.ok());
  REQUIRE(got.reports.empty());
  REQUIRE(got.entries.size() == 3);
  CHECK(got.entries[0].key == "tasks");
  CHECK(got.entries[0].value == "[1,2]");
  CHECK(got.entries[1].key == "theme");
  CHECK(got.entries[1].value == "dark");
  CHECK(got.entries[2].key == "z");
  CHECK(got.entries[2].value == "");
  for (const Entry& entry : got.entries) {
    CHECK(entry.origin.empty());
    CHECK(entry.unit == path);
    CHECK(entry.user_hint == "user-7");
    CHECK(entry.shape == EntryShape::kStorageValue);
    CHECK_FALSE(entry.lossy);
    CHECK(entry.where.file == path);
    CHECK(entry.where.key == entry.key);
  }
  // Offsets point at the opening quote of each value.
  CHECK(got.entries[0].where.offset == 9);
  CHECK(got.entries[0].where.line == 1);
  CHECK(got.entries[0].where.column == 10);
  CHECK(got.size.units == 1);
  CHECK(got.size.bytes == 39);
}

TEST_CASE("DumpExtractor: origin dump yields origin and key, lines located", "[extractors][dump]") {
  TempDir dir;
  std::string path = dir.Write("d.json",
                               "{\n \"http://a\": {\"k1\": \"v1\", \"k2\": \"v2\"},\n"
                               " \"http://b:8001\": {\"k1\": \"\\u00e9\\n\"}\n}\n");
  Drained got = DrainDump(path);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 3);
  CHECK(got.entries[0].origin == "http://a");
  CHECK(got.entries[1].origin == "http://a");
  CHECK(got.entries[1].key == "k2");
  CHECK(got.entries[2].origin == "http://b:8001");
  CHECK(got.entries[2].value == "\xC3\xA9\n");
  CHECK(got.entries[2].where.line == 3);
  CHECK(got.entries[2].where.origin == "http://b:8001");
}

TEST_CASE("DumpExtractor: --origin filters an origin dump, with or without scheme",
          "[extractors][dump]") {
  TempDir dir;
  std::string path = dir.Write("d.json", R"({"http://a:1": {"k": "1"}, "http://b:2": {"k": "2"}})");
  Drained exact = DrainDump(path, {"http://b:2"});
  REQUIRE(exact.entries.size() == 1);
  CHECK(exact.entries[0].value == "2");
  Drained bare = DrainDump(path, {"a:1"});
  REQUIRE(bare.entries.size() == 1);
  CHECK(bare.entries[0].value == "1");
  CHECK(DrainDump(path, {"http://c:3"}).entries.empty());
}

TEST_CASE("DumpExtractor: empty object is a dump with no entries", "[extractors][dump]") {
  TempDir dir;
  Drained got = DrainDump(dir.Write("d.json", " { } \n"));
  CHECK(FirstFailure(got).ok());
  CHECK(got.entries.empty());
}

TEST_CASE("DumpExtractor: a UTF-8 byte order mark is skipped", "[extractors][dump]") {
  TempDir dir;
  Drained got = DrainDump(dir.Write("d.json", "\xEF\xBB\xBF{\"k\":\"v\"}"));
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].where.offset == 8);
}

TEST_CASE("DumpExtractor: lone surrogates decode to U+FFFD and mark the entry lossy",
          "[extractors][dump][unicode]") {
  TempDir dir;
  std::string path = dir.Write(
      "d.json", R"({"ok":"\ud83d\ude80","high":"\ud800x","low":"x\udc00","k\udbff":"v"})");
  Drained got = DrainDump(path);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 4);
  CHECK(got.entries[0].value == "\xF0\x9F\x9A\x80");
  CHECK_FALSE(got.entries[0].lossy);
  CHECK(got.entries[1].value == "\xEF\xBF\xBDx");
  CHECK(got.entries[1].lossy);
  CHECK(got.entries[2].value == "x\xEF\xBF\xBD");
  CHECK(got.entries[2].lossy);
  CHECK(got.entries[3].key == "k\xEF\xBF\xBD");  // a lossy key marks its entry too
  CHECK(got.entries[3].lossy);
}

// --- hostile input -------------------------------------------------------------------------

TEST_CASE("DumpExtractor: a mix of string and object members is Corruption naming the member",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  std::string path = dir.Write("mixed.json", R"({"theme":"dark","http://a":{"k":"v"}})");
  Drained got = DrainDump(path);
  Status failure = FirstFailure(got);
  REQUIRE(failure.IsCorruption());
  CHECK_THAT(failure.message(), Catch::Contains("mixed.json"));
  CHECK_THAT(failure.message(), Catch::Contains("\"http://a\""));
  CHECK_THAT(failure.message(), Catch::Contains("byte 16"));
  CHECK(got.entries.empty());
}

TEST_CASE("DumpExtractor: an object after origins then a string is Corruption",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  Drained got = DrainDump(dir.Write("m.json", R"({"http://a":{"k":"v"},"theme":"dark"})"));
  REQUIRE(FirstFailure(got).IsCorruption());
  CHECK_THAT(FirstFailure(got).message(), Catch::Contains("\"theme\""));
}

TEST_CASE("DumpExtractor: non-string values are reported with file, origin and key, and skipped",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  std::string path =
      dir.Write("d.json", R"({"http://a":{"n":1,"ok":"yes","z":null,"arr":[1,{"x":2}],"o":{}}})");
  Drained got = DrainDump(path);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].key == "ok");
  REQUIRE(got.reports.size() == 4);
  CHECK(got.reports[0].where.file == path);
  CHECK(got.reports[0].where.origin == "http://a");
  CHECK(got.reports[0].where.key == "n");
  CHECK(got.reports[0].where.offset == 17);
  CHECK(got.reports[0].problem.IsCorruption());
  CHECK_THAT(got.reports[0].problem.message(), Catch::Contains("a number, not a string"));
  CHECK_THAT(got.reports[0].problem.message(), Catch::Contains("\"http://a\""));
  CHECK(got.reports[1].where.key == "z");
  CHECK_THAT(got.reports[1].problem.message(), Catch::Contains("null"));
  CHECK(got.reports[2].where.key == "arr");
  CHECK(got.reports[3].where.key == "o");
}

TEST_CASE("DumpExtractor: a flat dump's number value is reported, other keys kept",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  Drained got = DrainDump(dir.Write("d.json", R"({"a":"1","b":2,"c":"3"})"));
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 2);
  REQUIRE(got.reports.size() == 1);
  CHECK(got.reports[0].where.key == "b");
  CHECK(got.reports[0].where.origin.empty());
}

TEST_CASE("DumpExtractor: an origin holding a scalar is reported, other origins kept",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  Drained got = DrainDump(dir.Write("d.json", R"({"http://a":{"k":"v"},"http://b":7})"));
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 1);
  REQUIRE(got.reports.size() == 1);
  CHECK(got.reports[0].where.origin == "http://b");
  CHECK_THAT(got.reports[0].problem.message(), Catch::Contains("not an object of keys"));
}

TEST_CASE("DumpExtractor: a truncated file is Corruption with byte, line and column",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  std::string path = dir.Write("t.json", "{\"a\":\"1\",\n\"b\":\"tru");
  Drained got = DrainDump(path);
  Status failure = FirstFailure(got);
  REQUIRE(failure.IsCorruption());
  CHECK_THAT(failure.message(), Catch::StartsWith(path + ": byte 14 (line 2, column 5): "));
  CHECK(got.entries.empty());
}

TEST_CASE("DumpExtractor: a file cut after a value is Corruption", "[extractors][dump][corrupt]") {
  TempDir dir;
  Drained got = DrainDump(dir.Write("t.json", R"({"a":"1","b":"2")"));
  REQUIRE(FirstFailure(got).IsCorruption());
  CHECK(got.entries.empty());
}

TEST_CASE("DumpExtractor: an empty file is Corruption naming it", "[extractors][dump][corrupt]") {
  TempDir dir;
  std::string path = dir.Write("empty.json", "");
  Status failure = FirstFailure(DrainDump(path));
  REQUIRE(failure.IsCorruption());
  CHECK_THAT(failure.message(), Catch::Contains(path));
}

TEST_CASE("DumpExtractor: a file holding null, an array or a string is Corruption",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  for (const char* text : {"null", "[{\"k\":\"v\"}]", "\"text\"", "42"}) {
    Status failure = FirstFailure(DrainDump(dir.Write("x.json", text)));
    INFO(text);
    REQUIRE(failure.IsCorruption());
    CHECK_THAT(failure.message(), Catch::Contains("a dump is a JSON object"));
  }
}

TEST_CASE("DumpExtractor: malformed UTF-8 is Corruption at the bad byte",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  std::string path = dir.Write("u.json", "{\"k\":\"ab\xC3\x28\"}");
  Status failure = FirstFailure(DrainDump(path));
  REQUIRE(failure.IsCorruption());
  CHECK_THAT(failure.message(), Catch::Contains("byte 8 (line 1, column 9)"));
  CHECK_THAT(failure.message(), Catch::Contains("UTF-8"));
}

TEST_CASE("DumpExtractor: trailing content after the object is Corruption",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  Drained got = DrainDump(dir.Write("d.json", R"({"a":"1"} {"b":"2"})"));
  REQUIRE(FirstFailure(got).IsCorruption());
}

TEST_CASE("DumpExtractor: missing comma and bad escapes are caught",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  CHECK(FirstFailure(DrainDump(dir.Write("a.json", R"({"a":"1" "b":"2"})"))).IsCorruption());
  Drained escape = DrainDump(dir.Write("b.json", R"({"a":"\x41","b":"ok"})"));
  REQUIRE(FirstFailure(escape).ok());
  REQUIRE(escape.entries.size() == 1);
  REQUIRE(escape.reports.size() == 1);
  CHECK_THAT(escape.reports[0].problem.message(), Catch::Contains("invalid escape"));
}

TEST_CASE("DumpExtractor: 100,000 levels of nesting do not crash", "[extractors][dump][corrupt]") {
  TempDir dir;
  std::string deep_array = std::string(100000, '[') + std::string(100000, ']');
  CHECK(FirstFailure(DrainDump(dir.Write("a.json", deep_array))).IsCorruption());
  std::string deep_value = "{\"k\":" + deep_array + ",\"ok\":\"v\"}";
  Drained value = DrainDump(dir.Write("b.json", deep_value));
  REQUIRE(FirstFailure(value).ok());
  REQUIRE(value.entries.size() == 1);
  CHECK(value.reports.size() == 1);
  std::string deep_object;
  for (int i = 0; i < 100000; ++i) {
    deep_object += "{\"a\":";
  }
  deep_object += "\"x\"" + std::string(100000, '}');
  Drained object = DrainDump(dir.Write("c.json", deep_object));
  CHECK(FirstFailure(object).ok());
  CHECK(object.entries.empty());
  CHECK(object.reports.size() == 1);
}

TEST_CASE("DumpExtractor: a missing file is NotFound naming it", "[extractors][dump][corrupt]") {
  TempDir dir;
  Status failure = FirstFailure(DrainDump(dir.path() + "/nope.json"));
  REQUIRE(failure.IsNotFound());
  CHECK_THAT(failure.message(), Catch::Contains("nope.json"));
}

TEST_CASE("DumpExtractor: an unreadable file is IOError", "[extractors][dump][corrupt]") {
  if (::geteuid() == 0) {
    WARN("running as root: chmod 000 does not stop reads; permission check skipped");
    return;
  }
  TempDir dir;
  std::string path = dir.Write("locked.json", R"({"a":"1"})");
  REQUIRE(::chmod(path.c_str(), 0) == 0);
  Status failure = FirstFailure(DrainDump(path));
  CHECK(failure.IsIOError());
  CHECK_THAT(failure.message(), Catch::Contains("locked.json"));
}

}  // namespace
}  // namespace ferry::dump_extractor_test

namespace ferry::dump_extractor_test {
namespace {

TEST_CASE("DumpExtractor: a repeated key or origin keeps the last, as JSON.parse does",
          "[extractors][dump]") {
  TempDir dir;
  std::string flat = dir.Write("flat.json", R"({"tasks":"[1]","theme":"dark","tasks":"[2]"})");
  Drained got = DrainDump(flat);
  REQUIRE(got.status.ok());
  REQUIRE(got.entries.size() == 2);
  CHECK(got.entries[0].key == "theme");
  CHECK(got.entries[1].key == "tasks");
  CHECK(got.entries[1].value == "[2]");
  CHECK(got.entries[1].overridden == 1);
  CHECK(got.entries[0].overridden == 0);

  // The last object of an origin replaces the earlier one whole (its "old" key included).
  std::string origins = dir.Write(
      "origins.json",
      R"({"http://a":{"old":"1","k":"1"},"http://b":{"k":"b"},"http://a":{"k":"2","k":"3"}})");
  got = DrainDump(origins);
  REQUIRE(got.status.ok());
  REQUIRE(got.entries.size() == 2);
  CHECK(got.entries[0].origin == "http://b");
  CHECK(got.entries[1].origin == "http://a");
  CHECK(got.entries[1].key == "k");
  CHECK(got.entries[1].value == "3");
  CHECK(got.entries[1].overridden == 2);  // one origin object and one key
}

}  // namespace
}  // namespace ferry::dump_extractor_test
