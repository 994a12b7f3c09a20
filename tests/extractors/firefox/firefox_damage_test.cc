// The firefox source on damaged stores, each made from a fixture copy or by hand: never a
// crash or a hang; damage reported with its file (and origin and key where known) and the rest
// read, or Corruption naming the file when nothing can be known.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>

#include "tests/extractors/firefox/firefox_test_util.h"

namespace ferry::firefox_damage_test {
namespace {

using namespace testing;  // NOLINT: test helpers

const std::string kFolder = "http+++127.0.0.1+8000";
const std::string kOrigin = "http://127.0.0.1:8000";

// A profile with one origin store holding `bytes` as its data.sqlite.
std::string ProfileWithDataFile(const TempDir& temp, const std::string& bytes,
                                const std::string& folder = kFolder) {
  return temp.Write("profile/storage/default/" + folder + "/ls/data.sqlite", bytes);
}

const std::string kNotesFolder = "http+++127.0.0.1+8001";  // multi-origin's 3,029 keys

bool Mentions(const Drained& got, const std::string& text) {
  for (const Reported& report : got.reports) {
    if (report.problem.message().find(text) != std::string::npos ||
        report.where.ToString().find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST_CASE("FirefoxExtractor: a zero-length data.sqlite alone is corruption naming the file",
          "[extractors][firefox][corrupt]") {
  TempDir temp;
  std::string file = ProfileWithDataFile(temp, "");
  Drained got = DrainFirefox(temp.path() + "/profile");
  Status failure = FirstFailure(got);
  REQUIRE(failure.IsCorruption());
  CHECK_THAT(failure.message(), Catch::Contains(file));
  CHECK_THAT(failure.message(), Catch::Contains("zero-length"));
  CHECK(got.entries.empty());
  CHECK(fs::file_size(file) == 0);  // SQLite never created a database in the original
}

TEST_CASE("FirefoxExtractor: random bytes as data.sqlite are no database",
          "[extractors][firefox][corrupt]") {
  TempDir temp;
  std::string noise;
  uint32_t state = 12345;
  for (int i = 0; i < 8192; ++i) {
    state = state * 1103515245 + 12345;
    noise += static_cast<char>(state >> 24);
  }
  std::string file = ProfileWithDataFile(temp, noise);
  Drained got = DrainFirefox(file);
  Status failure = FirstFailure(got);
  REQUIRE(failure.IsCorruption());
  CHECK_THAT(failure.message(), Catch::Contains(file));
  CHECK_THAT(failure.message(), Catch::Contains("not an SQLite database"));
  CHECK(ReadFileBytes(file) == noise);
}

TEST_CASE("FirefoxExtractor: an SQLite header over garbage pages is corruption, not a crash",
          "[extractors][firefox][corrupt]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  TempDir temp;
  std::string bytes = ReadFileBytes(DataFileOf(*root + "/firefox/unicode", kFolder));
  for (size_t i = 100; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(i * 7);
  }
  std::string file = ProfileWithDataFile(temp, bytes);
  Drained got = DrainFirefox(temp.path() + "/profile");
  Status failure = FirstFailure(got);
  REQUIRE(failure.IsCorruption());
  CHECK_THAT(failure.message(), Catch::Contains(file));
}

TEST_CASE("FirefoxExtractor: a zero-length store beside a good one is reported, the good read",
          "[extractors][firefox][corrupt]") {
  TempDir temp;
  std::string bad = ProfileWithDataFile(temp, "");
  MakeLsStore(temp.path() + "/profile", "http+++127.0.0.1+9000", "http://127.0.0.1:9000",
              {{"k", "v", 1}});
  Drained got = DrainFirefox(temp.path() + "/profile");
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].origin == "http://127.0.0.1:9000");
  REQUIRE(got.reports.size() == 1);
  CHECK(got.reports[0].where.file == bad);
  CHECK(got.reports[0].problem.IsCorruption());
}

TEST_CASE("FirefoxExtractor: a truncated data.sqlite is reported with both sizes, never a crash",
          "[extractors][firefox][corrupt]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string bytes =
      ReadFileBytes(DataFileOf(*root + "/firefox/multi-origin", "http+++127.0.0.1+8001"));
  // The fixture file is one page longer than its header says: cut more than that.
  for (size_t keep : {bytes.size() / 2, bytes.size() - 4096, size_t{1024}, size_t{99}}) {
    DYNAMIC_SECTION("kept " << keep) {
      TempDir temp;
      std::string file = ProfileWithDataFile(temp, bytes.substr(0, keep), kNotesFolder);
      Drained got = DrainFirefox(temp.path() + "/profile");
      INFO(FirstFailure(got).ToString());
      if (FirstFailure(got).ok()) {
        CHECK(got.entries.size() < 3029);
        CHECK(Mentions(got, "truncated"));
        CHECK(Mentions(got, file));
      } else {
        CHECK(FirstFailure(got).IsCorruption());
        CHECK_THAT(FirstFailure(got).message(), Catch::Contains(file));
      }
      CHECK(fs::file_size(file) == keep);
    }
  }
}

TEST_CASE("FirefoxExtractor: a store missing its last pages still gives the rows before them",
          "[extractors][firefox][corrupt]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string bytes = ReadFileBytes(DataFileOf(*root + "/firefox/multi-origin", kNotesFolder));
  TempDir temp;
  std::string file = ProfileWithDataFile(temp, bytes.substr(0, bytes.size() - 4096), kNotesFolder);
  Drained got = DrainFirefox(temp.path() + "/profile");
  REQUIRE(FirstFailure(got).ok());
  // The index's last pages are gone: the table is read again, in storage order.
  CHECK(got.entries.size() > 3000);
  CHECK(got.entries.size() < 3029);
  CHECK(Mentions(got, "reading the rest of the table in storage order"));
  std::set<std::string> keys;
  for (const Entry& entry : got.entries) {
    CHECK(keys.insert(entry.key).second);  // never a key twice
    CHECK(entry.origin == "http://127.0.0.1:8001");
  }
}

TEST_CASE("FirefoxExtractor: a damaged page loses its rows only, reported with the file",
          "[extractors][firefox][corrupt]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string bytes =
      ReadFileBytes(DataFileOf(*root + "/firefox/multi-origin", "http+++127.0.0.1+8001"));
  // Pages are 1 KiB; scribble over one far from the schema page.
  for (size_t i = 700 * 1024; i < 701 * 1024; ++i) {
    bytes[i] = static_cast<char>(0xA5);
  }
  TempDir temp;
  std::string file = ProfileWithDataFile(temp, bytes, kNotesFolder);
  Drained got = DrainFirefox(temp.path() + "/profile");
  INFO(FirstFailure(got).ToString());
  REQUIRE(FirstFailure(got).ok());
  CHECK(Mentions(got, file));
  CHECK(got.entries.size() > 1000);
  CHECK(got.entries.size() < 3029);
}

TEST_CASE("FirefoxExtractor: a value whose snappy is corrupt is reported by key, the rest read",
          "[extractors][firefox][corrupt]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  TempDir temp;
  std::string profile = CopyFirefoxScenario(*root, "unicode", temp.path());
  std::string file = DataFileOf(profile, kFolder);
  {
    TestDb db(file);
    // long-latin1 is snappy: keep its length header (90 4e = 10,000), then ops that make
    // far fewer bytes.
    db.Exec("UPDATE data SET value = X'904E' || zeroblob(470) WHERE key = 'long-latin1'");
    // emoji is snappy too: a length header that lies about the size.
    db.Exec("UPDATE data SET value = X'FFFFFFFF0F00' WHERE key = 'emoji'");
    db.Exec("UPDATE data SET compression_type = 9 WHERE key = 'ascii'");
    db.Exec("UPDATE data SET conversion_type = 4 WHERE key = 'bom'");
  }
  Drained got = DrainFirefox(profile);
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.entries.size() == 78 - 4);
  std::map<std::string, std::string> problems;
  for (const Reported& report : got.reports) {
    CHECK(report.where.file == file);
    CHECK(report.where.origin == kOrigin);
    problems[report.where.key] += report.problem.message();
  }
  CHECK_THAT(problems["long-latin1"], Catch::Contains("does not decompress"));
  CHECK_THAT(problems["emoji"], Catch::Contains("snappy length header says"));
  CHECK_THAT(problems["ascii"], Catch::Contains("unknown compression_type 9"));
  CHECK_THAT(problems["bom"], Catch::Contains("unknown conversion_type 4"));
  for (const Entry& entry : got.entries) {
    CHECK(entry.key != "long-latin1");
    CHECK(entry.key != "ascii");
  }
}

TEST_CASE("FirefoxExtractor: a utf16_length that disagrees with the value is reported, value kept",
          "[extractors][firefox][corrupt]") {
  TempDir temp;
  MakeLsStore(temp.path() + "/profile", kFolder, kOrigin, {{"k", "four", 7}});
  Drained got = DrainFirefox(temp.path() + "/profile");
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].value == "four");
  REQUIRE(got.reports.size() == 1);
  CHECK_THAT(got.reports[0].problem.message(),
             Catch::Contains("utf16_length is 7 but the value has 4 code units"));
  CHECK(got.reports[0].where.key == "k");
}

TEST_CASE("FirefoxExtractor: a data.sqlite without the data table is corruption naming the file",
          "[extractors][firefox][corrupt]") {
  TempDir temp;
  std::string file = DataFileOf(temp.path() + "/profile", kFolder);
  {
    TestDb db(file);
    db.Exec("CREATE TABLE other(x)");
  }
  Drained got = DrainFirefox(temp.path() + "/profile");
  Status failure = FirstFailure(got);
  REQUIRE(failure.IsCorruption());
  CHECK_THAT(failure.message(), Catch::Contains(file));
  CHECK_THAT(failure.message(), Catch::Contains("no \"data\" table"));
}

TEST_CASE("FirefoxExtractor: keys that are not well-formed UTF-8 are decoded lossy and flagged",
          "[extractors][firefox][corrupt]") {
  TempDir temp;
  std::string profile = temp.path() + "/profile";
  MakeLsStore(profile, kFolder, kOrigin,
              {{"ok", "1", 1}, {"bad\xFFkey", "2", 1}, {"lone\xED\xA0\x80", "3", 1}});
  Drained got = DrainFirefox(profile);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 3);
  std::map<std::string, const Entry*> by_value;
  for (const Entry& entry : got.entries) {
    by_value[entry.value] = &entry;
  }
  CHECK(by_value.at("2")->key == "bad\xEF\xBF\xBDkey");
  CHECK(by_value.at("2")->lossy);
  CHECK(by_value.at("3")->exact_key_json == "lone\\ud800");
  CHECK(by_value.at("3")->exact_value_json == "3");
  CHECK(by_value.at("3")->exact_origin_json == kOrigin);
  CHECK_FALSE(by_value.at("1")->lossy);
  CHECK(got.reports.empty());  // flagged on the entry, not reported as damage
  CHECK_THAT(by_value.at("2")->lossy_detail, Catch::Contains("key is not well-formed UTF-8"));
  CHECK_THAT(by_value.at("3")->lossy_detail, Catch::Contains("key is not well-formed UTF-16"));
  CHECK(by_value.at("1")->lossy_detail.empty());
}

TEST_CASE("FirefoxExtractor: a key is read from its row, not from a damaged index's copy",
          "[extractors][firefox][corrupt]") {
  TempDir temp;
  std::string profile = temp.path() + "/profile";
  std::string file =
      MakeLsStore(profile, kFolder, kOrigin, {{"alpha-key", "1", 1}, {"bravo-key", "2", 1}});
  // The primary key's index page holds a copy of each key: make "bravo" "brawo" there only
  // (one flipped byte, as the differential check's mutated copies do).
  int64_t root = 0;
  int64_t page_size = 0;
  {
    TestDb db(file);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.get(),
                               "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM "
                               "sqlite_master WHERE name = 'sqlite_autoindex_data_1'",
                               -1, &statement, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    root = sqlite3_column_int64(statement, 0);
    page_size = sqlite3_column_int64(statement, 1);
    sqlite3_finalize(statement);
  }
  std::string bytes = ReadFileBytes(file);
  size_t page = static_cast<size_t>((root - 1) * page_size);
  size_t at = bytes.find("bravo-key", page);
  REQUIRE(at != std::string::npos);
  REQUIRE(at < page + static_cast<size_t>(page_size));
  bytes[at + 3] = 'w';
  WriteFileBytes(file, bytes);

  Drained got = DrainFirefox(profile);
  REQUIRE(got.entries.size() == 2);
  CHECK(got.entries[0].key == "alpha-key");
  CHECK(got.entries[1].key == "bravo-key");  // the row's key; was "brawo-key", the index's
  CHECK(got.entries[1].value == "2");
}

TEST_CASE("FirefoxExtractor: a source that does not exist or is no Firefox store fails clearly",
          "[extractors][firefox][corrupt]") {
  TempDir temp;
  Drained missing = DrainFirefox(temp.path() + "/nope");
  CHECK(FirstFailure(missing).IsNotFound());
  CHECK_THAT(FirstFailure(missing).message(), Catch::Contains(temp.path() + "/nope"));
  temp.Folder("empty");
  Drained empty = DrainFirefox(temp.path() + "/empty");
  CHECK(FirstFailure(empty).IsInvalidArgument());
  CHECK_THAT(FirstFailure(empty).message(), Catch::Contains("not a Firefox localStorage store"));
}

}  // namespace
}  // namespace ferry::firefox_damage_test
