#include "agent/export/dump_writer.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "extractors/dump/dump_file.h"

namespace ferry::dump_writer_test {
namespace {

Entry Make(const std::string& unit, const std::string& origin, const std::string& key,
           const std::string& value) {
  Entry entry;
  entry.unit = unit;
  entry.origin = origin;
  entry.key = key;
  entry.value = value;
  entry.where.file = unit;
  entry.where.origin = origin;
  entry.where.key = key;
  return entry;
}

// "\ud800x" as a store holds it: decoded with U+FFFD, the exact text kept.
Entry Lossy(const std::string& key) {
  Entry entry = Make("u", "http://a", key, "\xEF\xBF\xBDx");
  entry.lossy = true;
  entry.exact_origin_json = "http://a";
  entry.exact_key_json = key;
  entry.exact_value_json = "\\ud800x";
  return entry;
}

std::string Write(const std::vector<Entry>& entries) {
  std::ostringstream out;
  DumpWriter writer(&out);
  for (const Entry& entry : entries) REQUIRE(writer.Add(entry).ok());
  REQUIRE(writer.Finish().ok());
  return out.str();
}

Status FirstFailure(const std::vector<Entry>& entries,
                    uint64_t key_memory_budget = kKeyIndexMemoryBudget) {
  std::ostringstream out;
  DumpWriter writer(&out, key_memory_budget);
  for (const Entry& entry : entries) {
    Status status = writer.Add(entry);
    if (!status.ok()) return status;
  }
  return writer.Finish();
}

TEST_CASE("DumpWriter: origins and keys laid out as expected/<scenario>.json", "[agent][export]") {
  std::string got = Write({Make("u", "http://a", "k1", "v1"), Make("u", "http://a", "k2", ""),
                           Make("u", "http://b:8001", "k", "{\"x\":[1]}")});
  CHECK(got ==
        "{\n"
        " \"http://a\": {\n"
        "  \"k1\": \"v1\",\n"
        "  \"k2\": \"\"\n"
        " },\n"
        " \"http://b:8001\": {\n"
        "  \"k\": \"{\\\"x\\\":[1]}\"\n"
        " }\n"
        "}\n");
}

TEST_CASE("DumpWriter: an empty store is an empty object", "[agent][export]") {
  CHECK(Write({}) == "{}\n");
}

TEST_CASE("DumpWriter: a lossy entry is written from its exact text", "[agent][export]") {
  std::string got = Write({Lossy("lone"), Make("u", "http://a", "plain", "\xEF\xBF\xBD")});
  CHECK(got.find("\"lone\": \"\\ud800x\"") != std::string::npos);
  // A real U+FFFD in a well-formed value stays a U+FFFD.
  CHECK(got.find("\"plain\": \"\xEF\xBF\xBD\"") != std::string::npos);
}

TEST_CASE("DumpWriter: hostile text is escaped, never breaks the JSON", "[agent][export]") {
  std::string got = Write({Make("u", "o\"rigin", std::string("k\x00\n", 3), "\\\"\x1b[31m")});
  CHECK(got == "{\n \"o\\\"rigin\": {\n  \"k\\u0000\\n\": \"\\\\\\\"\\u001b[31m\"\n }\n}\n");
}

TEST_CASE("DumpWriter: a key twice in one origin is refused naming it, past the key budget too",
          "[agent][export][memory]") {
  // The origin's key set held ~85 bytes a key in memory (issue 15 item 8); it spills now, and a
  // repeat is found when the origin ends.
  for (uint64_t budget : {kKeyIndexMemoryBudget, uint64_t{256}}) {
    INFO(budget);
    std::vector<Entry> entries;
    for (int i = 0; i < 3000; ++i)
      entries.push_back(Make("u", "http://a", "k" + std::to_string(i), "v"));
    entries.push_back(Make("u", "http://a", "k1234", "again"));
    entries.push_back(Make("u", "http://b", "k1234", "another origin: fine"));
    Status twice = FirstFailure(entries, budget);
    REQUIRE(twice.IsInvalidArgument());
    CHECK_THAT(twice.message(),
               Catch::Contains("key \"k1234\" comes twice in origin \"http://a\""));
    entries.pop_back();
    CHECK(FirstFailure(entries, budget).IsInvalidArgument());  // found by Finish
    entries.pop_back();
    CHECK(FirstFailure(entries, budget).ok());
  }
}

TEST_CASE("DumpWriter: what it writes, the dump source reads back exactly", "[agent][export]") {
  std::vector<Entry> entries = {Make("u", "http://a", "tasks", "[{\"id\":1}]"), Lossy("lone"),
                                Make("u", "http://a", "", "\t\xF0\x9F\x98\x80"),
                                Make("u", "", "flat", "x")};
  std::string text = Write(entries);
  simdjson::padded_string padded(text);
  std::vector<Entry> read;
  std::vector<DumpProblem> problems;
  REQUIRE(ReadDumpText("d.json", padded, {}, &read, &problems).ok());
  CHECK(problems.empty());
  REQUIRE(read.size() == entries.size());
  for (size_t i = 0; i < read.size(); ++i) {
    INFO(i);
    CHECK(read[i].origin == entries[i].origin);
    CHECK(read[i].key == entries[i].key);
    CHECK(read[i].value == entries[i].value);
    CHECK(read[i].lossy == entries[i].lossy);
    CHECK(read[i].exact_value_json == entries[i].exact_value_json);
  }
}

TEST_CASE("DumpWriter: an origin coming back after another is refused", "[agent][export]") {
  Status status = FirstFailure({Make("u", "http://a", "k", "v"), Make("u", "http://b", "k", "v"),
                                Make("u", "http://a", "k2", "v")});
  CHECK(status.IsInvalidArgument());
  CHECK_THAT(status.message(), Catch::Contains("http://a"));
}

TEST_CASE("DumpWriter: one origin in two units (profiles, files) is refused", "[agent][export]") {
  Status status = FirstFailure({Make("p1", "", "k", "v"), Make("p2", "", "j", "v")});
  CHECK(status.IsInvalidArgument());
  CHECK_THAT(status.message(), Catch::Contains("p1"));
  CHECK_THAT(status.message(), Catch::Contains("p2"));
}

TEST_CASE("DumpWriter: a key twice in one origin is Rejected, the dump goes on",
          "[agent][export]") {
  std::ostringstream out;
  DumpWriter writer(&out);
  REQUIRE(writer.Add(Make("u", "http://a", "k", "1")).ok());
  Status twice = writer.Add(Make("u", "http://a", "k", "2"));
  CHECK(twice.IsRejected());
  CHECK_THAT(twice.message(), Catch::Contains("twice"));
  REQUIRE(writer.Add(Make("u", "http://a", "l", "3")).ok());
  REQUIRE(writer.Finish().ok());
  CHECK(out.str() == "{\n \"http://a\": {\n  \"k\": \"1\",\n  \"l\": \"3\"\n }\n}\n");
}

TEST_CASE("DumpWriter: an empty key first in its origin is no repeat", "[agent][export]") {
  // Found when merging: the last key was kept as "" before any, so an origin's first key ""
  // (Firefox's unicode fixture holds one) read as a repeat and was left out.
  std::ostringstream out;
  DumpWriter writer(&out);
  REQUIRE(writer.Add(Make("u", "http://a", "", "1")).ok());
  REQUIRE(writer.Add(Make("u", "http://b", "", "2")).ok());
  REQUIRE(writer.Finish().ok());
  CHECK(out.str() ==
        "{\n \"http://a\": {\n  \"\": \"1\"\n },\n \"http://b\": {\n  \"\": \"2\"\n }\n}\n");
}

TEST_CASE("DumpWriter: a value that is not UTF-8 is Corruption naming the place",
          "[agent][export]") {
  Status status = FirstFailure({Make("store.json", "http://a", "k", "\xC3(")});
  CHECK(status.IsCorruption());
  CHECK_THAT(status.message(), Catch::Contains("store.json"));
  CHECK_THAT(status.message(), Catch::Contains("value"));
  CHECK(FirstFailure({Make("u", "http://a", "\xFF", "v")}).IsCorruption());
}

TEST_CASE("DumpWriter: a failing stream is an IOError", "[agent][export]") {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  DumpWriter writer(&out);
  CHECK(writer.Add(Make("u", "http://a", "k", "v")).IsIOError());
}

}  // namespace
}  // namespace ferry::dump_writer_test
