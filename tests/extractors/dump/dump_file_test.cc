#include "extractors/dump/dump_file.h"

#include <catch2/catch.hpp>
#include <string>

#include "extractors/dump/dump_extractor.h"
#include "tests/extractors/extractor_test_util.h"

namespace ferry::dump_file_test {
namespace {

using testing::Drain;
using testing::Drained;
using testing::TempDir;

TEST_CASE("DumpIndex: a value over --max-value-bytes is reported with its place and skipped",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  std::string path = dir.Write("d.json", R"({"http://a":{"small":"12345678","big":"123456789"}})");
  SourceSpec spec{"dump", path, {}};
  spec.max_value_bytes = 8;
  Drained got = Drain(MakeDumpExtractor(spec));
  REQUIRE(got.status.ok());
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].key == "small");
  REQUIRE(got.reports.size() == 1);
  CHECK(got.reports[0].where.file == path);
  CHECK(got.reports[0].where.origin == "http://a");
  CHECK(got.reports[0].where.key == "big");
  CHECK(got.reports[0].where.offset == 38);
  CHECK(got.reports[0].problem.IsCorruption());
  CHECK_THAT(got.reports[0].problem.message(),
             Catch::Contains("9 bytes, over --max-value-bytes (8)"));
}

TEST_CASE("DumpIndex: the cap counts decoded bytes, not escapes", "[extractors][dump]") {
  TempDir dir;
  // Six bytes of escapes decode to one byte each.
  std::string path = dir.Write("d.json", R"({"k":"\u0041\u0042\u0043"})");
  SourceSpec spec{"dump", path, {}};
  spec.max_value_bytes = 3;
  Drained got = Drain(MakeDumpExtractor(spec));
  REQUIRE(got.status.ok());
  REQUIRE(got.reports.empty());
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].value == "ABC");
}

TEST_CASE("DumpIndex: repeated names among many keys keep the last of each, exactly",
          "[extractors][dump]") {
  // Names are matched by hash first; every repeat must still be found and nothing else merged.
  std::string text = R"({"http://a":{)";
  constexpr int kKeys = 20000;
  for (int i = 0; i < kKeys; ++i) {
    text += (i ? "," : "") + ("\"k" + std::to_string(i) + "\":\"" + std::to_string(i) + "\"");
  }
  for (int i = 0; i < kKeys; i += 1000) {
    text += ",\"k" + std::to_string(i) + "\":\"again\"";
  }
  text += "}}";
  simdjson::padded_string padded(text);
  std::vector<Entry> entries;
  std::vector<DumpProblem> problems;
  REQUIRE(ReadDumpText("d.json", padded, {}, &entries, &problems).ok());
  CHECK(problems.empty());
  REQUIRE(entries.size() == kKeys);
  // The kept ones are in file order: the unrepeated keys, then the 20 repeats' last values.
  CHECK(entries[0].key == "k1");
  CHECK(entries[0].overridden == 0);
  for (size_t i = kKeys - 20; i < entries.size(); ++i) {
    CHECK(entries[i].value == "again");
    CHECK(entries[i].overridden == 1);
  }
  CHECK(entries[kKeys - 20].key == "k0");
  CHECK(entries[kKeys - 1].key == "k19000");
}

// Every entry of `text` read through a DumpIndex of `memory_budget`, as comparable text.
std::vector<std::string> IndexedEntries(const std::string& text, uint64_t memory_budget) {
  simdjson::padded_string padded(text);
  DumpIndex index("d.json", padded);
  REQUIRE(index
              .Build(
                  {}, UINT64_MAX, [](DumpProblem) {}, memory_budget)
              .ok());
  std::vector<std::string> out;
  for (size_t i = 0; i < index.size(); ++i) {
    Entry entry;
    REQUIRE(index.Read(i, &entry).ok());
    out.push_back(entry.origin + "|" + entry.key + "|" + entry.value + "|" +
                  std::to_string(entry.overridden) + "|" + entry.where.ToString());
  }
  return out;
}

TEST_CASE("DumpIndex: past its memory budget, the same entries, repeats and order",
          "[extractors][dump][memory]") {
  // Origin form: a repeated origin object (the last replaces the earlier whole), keys repeated
  // within an object and across the spill boundary; then the flat form.
  std::string origins = R"({"http://a":{"x":"early object"},"http://b":{)";
  for (int i = 0; i < 3000; ++i) {
    origins +=
        (i ? "," : "") + ("\"k" + std::to_string(i % 1700) + "\":\"" + std::to_string(i) + "\"");
  }
  origins += R"(},"http://a":{"y":"1","x":"2","y":"3"}})";
  std::string flat = "{";
  for (int i = 0; i < 3000; ++i) {
    flat += (i ? "," : "") +
            ("\"k" + std::to_string((i * 11) % 2100) + "\":\"" + std::to_string(i) + "\"");
  }
  flat += "}";
  for (const std::string& text : {origins, flat}) {
    std::vector<std::string> in_memory = IndexedEntries(text, kKeyIndexMemoryBudget);
    std::vector<std::string> spilled = IndexedEntries(text, 1024);
    INFO(in_memory.back());
    CHECK(spilled == in_memory);
    CHECK(in_memory.size() >= 1700);
  }
  std::vector<std::string> got = IndexedEntries(origins, 1024);
  CHECK(got.back().rfind("http://a|y|3|1|", 0) == 0);           // one repeat of y
  CHECK(got[got.size() - 2].rfind("http://a|x|2|1|", 0) == 0);  // first of the last object
}

}  // namespace
}  // namespace ferry::dump_file_test
