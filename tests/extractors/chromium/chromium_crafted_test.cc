// The chromium source on LevelDB stores written here with the LevelDB library itself, holding
// entries Chromium would not write: an odd-length UTF-16 value, an unpaired surrogate in a
// key, unknown encoding bytes and keys. Each is reported with origin and key; none is dropped
// in silence and none stops the read.
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>

#include "extractors/chromium/chromium_extractor.h"
#include "tests/extractors/chromium/chromium_test_util.h"

namespace ferry::chromium_crafted_test {
namespace {

using namespace testing;  // NOLINT: test helpers

const std::string kOrigin = "http://x.test:8080";

std::string DataKey(const std::string& encoded_key) {
  return "_" + kOrigin + std::string(1, '\0') + encoded_key;
}

// Writes `entries` into a new LevelDB database at `path`; with `compact`, moves them from the
// log into a table.
void WriteStore(const std::string& path, const std::map<std::string, std::string>& entries,
                bool compact) {
  leveldb::Options options;
  options.create_if_missing = true;
  leveldb::DB* raw = nullptr;
  REQUIRE(leveldb::DB::Open(options, path, &raw).ok());
  std::unique_ptr<leveldb::DB> db(raw);
  leveldb::WriteBatch batch;
  for (const auto& [key, value] : entries) {
    batch.Put(key, value);
  }
  REQUIRE(db->Write(leveldb::WriteOptions(), &batch).ok());
  if (compact) {
    db->CompactRange(nullptr, nullptr);
  }
}

std::map<std::string, std::string> HostileEntries() {
  return {
      {"VERSION", "1"},
      {"META:" + kOrigin, "\x08\x01"},
      {"METAACCESS:" + kOrigin, "\x08\x01"},
      {DataKey("\x01good"), "\x01plain"},
      {DataKey("\x01odd"), std::string("\x00"
                                       "abc",
                                       4)},                        // 3 bytes of UTF-16
      {DataKey(std::string("\x00\x00\xdc", 3)), "\x01lone key"},   // key U+DC00
      {DataKey("\x01lone"), std::string("\x00\x00\xd8x\x00", 5)},  // "\ud800x"
      {DataKey("\x02weird-key"), "\x01value"},                     // unknown key encoding
      {DataKey("\x01weird-value"), "\x07value"},                   // unknown value encoding
      {DataKey("\x01no-encoding"), ""},                            // no encoding byte
      {DataKey(""), "\x01key has no encoding byte"},
      {"_http://no-terminator.test", "\x01x"},
      {"zzz-unknown", "?"},
  };
}

const Reported* FindReport(const Drained& drained, const std::string& key,
                           const std::string& text) {
  for (const Reported& report : drained.reports) {
    if (report.where.key == key && report.problem.message().find(text) != std::string::npos) {
      return &report;
    }
  }
  return nullptr;
}

TEST_CASE("ChromiumExtractor: hostile entries are reported with origin and key, not dropped",
          "[extractors][chromium][corrupt]") {
  bool compact = GENERATE(false, true);
  INFO((compact ? "in a table" : "in the log"));
  TempDir dir;
  std::string store = dir.path() + "/leveldb";
  WriteStore(store, HostileEntries(), compact);
  Drained got = Drain(MakeChromiumExtractor(SourceSpec{"chromium", store, {}}));
  REQUIRE(FirstFailure(got).ok());

  std::map<std::string, const Entry*> by_key;
  for (const Entry& entry : got.entries) {
    CHECK(entry.origin == kOrigin);
    CHECK(entry.unit == store);
    by_key[entry.key] = &entry;
  }
  CHECK(by_key.size() == 4);
  CHECK(by_key.at("good")->value == "plain");
  CHECK_FALSE(by_key.at("good")->lossy);
  // The odd-length value: U+6261 then U+FFFD for the dangling byte.
  CHECK(by_key.at("odd")->value == "\xE6\x89\xA1\xEF\xBF\xBD");
  CHECK(by_key.at("odd")->lossy);
  CHECK(by_key.at("lone")->value == "\xEF\xBF\xBDx");
  CHECK(by_key.at("lone")->lossy);
  CHECK(by_key.at("\xEF\xBF\xBD")->value == "lone key");
  CHECK(by_key.at("\xEF\xBF\xBD")->lossy);

  // Not well-formed text is the entry's flag (with what was wrong and every code unit kept
  // for export), not a report of damage.
  const Entry& odd = *by_key.at("odd");
  CHECK_THAT(odd.lossy_detail, Catch::Contains("value is not well-formed UTF-16"));
  CHECK_THAT(odd.lossy_detail, Catch::Contains("odd byte count"));
  CHECK(odd.exact_value_json == "\xE6\x89\xA1\\ufffd");
  CHECK(odd.where.file.rfind(store + "/", 0) == 0);
  CHECK(odd.where.offset >= 0);
  const Entry& lone = *by_key.at("lone");
  CHECK_THAT(lone.lossy_detail, Catch::Contains("unpaired surrogate U+D800 at code unit 0"));
  CHECK(lone.exact_value_json == "\\ud800x");
  CHECK(lone.exact_key_json == "lone");
  CHECK(lone.exact_origin_json == kOrigin);
  const Entry& lone_key = *by_key.at("\xEF\xBF\xBD");
  CHECK_THAT(lone_key.lossy_detail, Catch::Contains("key is not well-formed UTF-16"));
  CHECK(lone_key.exact_key_json == "\\udc00");
  CHECK(lone_key.exact_value_json == "lone key");
  CHECK(by_key.at("good")->exact_value_json.empty());
  CHECK(FindReport(got, "", "key \"\\x02weird-key\": unknown string encoding byte 0x02") !=
        nullptr);
  CHECK(FindReport(got, "weird-value", "unknown string encoding byte 0x07") != nullptr);
  CHECK(FindReport(got, "no-encoding", "no encoding byte") != nullptr);
  CHECK(FindReport(got, "", "unrecognised key \"_http://no-terminator.test\"") != nullptr);
  CHECK(FindReport(got, "", "unrecognised key \"zzz-unknown\"") != nullptr);
  CHECK(FindReport(got, "", "key \"\": empty string encoding") != nullptr);
  CHECK(got.reports.size() == 6);  // one per damaged entry above
}

TEST_CASE("ChromiumExtractor: an unknown VERSION is reported and the store still read",
          "[extractors][chromium][corrupt]") {
  TempDir dir;
  std::string store = dir.path() + "/leveldb";
  WriteStore(store, {{"VERSION", "2"}, {DataKey("\x01k"), "\x01v"}}, false);
  Drained got = Drain(MakeChromiumExtractor(SourceSpec{"chromium", store, {}}));
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].value == "v");
  REQUIRE(got.reports.size() == 1);
  CHECK_THAT(got.reports[0].problem.message(), Catch::Contains("VERSION is \"2\""));
}

TEST_CASE("ChromiumExtractor: deletes and overwrites across log and table, newest wins",
          "[extractors][chromium]") {
  TempDir dir;
  std::string store = dir.path() + "/leveldb";
  {
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* raw = nullptr;
    REQUIRE(leveldb::DB::Open(options, store, &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    leveldb::WriteOptions write;
    REQUIRE(db->Put(write,
                    DataKey("\x01"
                            "a"),
                    "\x01old a")
                .ok());
    REQUIRE(db->Put(write,
                    DataKey("\x01"
                            "b"),
                    "\x01"
                    "b")
                .ok());
    REQUIRE(db->Put(write,
                    DataKey("\x01"
                            "c"),
                    "\x01"
                    "c")
                .ok());
    db->CompactRange(nullptr, nullptr);  // into a table
    REQUIRE(db->Put(write,
                    DataKey("\x01"
                            "a"),
                    "\x01new a")
                .ok());
    REQUIRE(db->Delete(write, DataKey("\x01"
                                      "b"))
                .ok());
    REQUIRE(db->Put(write,
                    DataKey("\x01"
                            "d"),
                    "\x01"
                    "d")
                .ok());
    REQUIRE(db->Delete(write, DataKey("\x01"
                                      "d"))
                .ok());
    REQUIRE(db->Put(write,
                    DataKey("\x01"
                            "e"),
                    "\x01"
                    "e")
                .ok());
  }
  Drained got = Drain(MakeChromiumExtractor(SourceSpec{"chromium", store, {}}));
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.reports.empty());
  std::vector<std::pair<std::string, std::string>> read;
  for (const Entry& entry : got.entries) {
    read.emplace_back(entry.key, entry.value);
  }
  CHECK(read ==
        std::vector<std::pair<std::string, std::string>>{{"a", "new a"}, {"c", "c"}, {"e", "e"}});
  // "a" was rewritten after the compaction: it comes from the log, "c" from the table.
  CHECK_THAT(got.entries[0].where.file, Catch::EndsWith(".log"));
  CHECK_THAT(got.entries[1].where.file, Catch::EndsWith(".ldb"));
}

}  // namespace
}  // namespace ferry::chromium_crafted_test
