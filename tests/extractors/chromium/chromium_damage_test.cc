// The chromium source on damaged copies of the real fixtures: truncated, emptied and
// corrupted tables, a missing or empty CURRENT, a missing MANIFEST, torn and zeroed logs.
// Each gives a clear report naming the file (and offset where known) and the rest is read,
// or, when nothing can be known, a Corruption status (exit 1). Never a crash.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "extractors/chromium/chromium_extractor.h"
#include "tests/extractors/chromium/chromium_test_util.h"

namespace ferry::chromium_damage_test {
namespace {

using namespace testing;  // NOLINT: test helpers

Drained DrainChromium(const std::string& path) {
  return Drain(MakeChromiumExtractor(SourceSpec{"chromium", path, {}}));
}

// The reports whose file is `file` (a name inside the LevelDB folder).
std::vector<Reported> ReportsOn(const Drained& drained, const std::string& leveldb,
                                const std::string& file) {
  std::vector<Reported> found;
  for (const Reported& report : drained.reports) {
    if (report.where.file == leveldb + "/" + file) {
      found.push_back(report);
    }
  }
  return found;
}

// Checks that every entry read holds the expected value; returns how many were read.
// The expected keys are converted once into a lookup: converting all of an origin's keys for
// each entry read (3,000 × 3,000 in multi-origin) took minutes under AddressSanitizer.
size_t CheckEntriesExpected(const Drained& drained, const ExpectedStore& expected) {
  // (origin, key as UTF-8) -> value as UTF-8; a multimap, as two keys may read alike lossily.
  std::multimap<std::pair<std::string, std::string>, std::string> values;
  for (const auto& [origin, keys] : expected) {
    for (const auto& [key, value] : keys) {
      values.emplace(std::make_pair(origin, UnitsToUtf8Lossy(key)), UnitsToUtf8Lossy(value));
    }
  }
  for (const Entry& entry : drained.entries) {
    INFO(entry.origin << " " << entry.key);
    REQUIRE(expected.count(entry.origin) == 1);
    auto [first, last] = values.equal_range({entry.origin, entry.key});
    CHECK(first != last);
    for (auto it = first; it != last; ++it) {
      CHECK(entry.value == it->second);
    }
  }
  return drained.entries.size();
}

size_t CountEntries(const ExpectedStore& store) {
  size_t count = 0;
  for (const auto& [origin, keys] : store) {
    count += keys.size();
  }
  return count;
}

void Truncate(const std::string& path, uint64_t size) { std::filesystem::resize_file(path, size); }

struct Damage {
  std::optional<std::string> root;
  TempDir dir;
  std::string source;   // the user-data folder of the copy
  std::string leveldb;  // its LevelDB folder
  ExpectedStore expected;

  explicit Damage(const std::string& scenario) : root(BrowserFixtureRoot()) {
    if (root) {
      source = CopyScenario(*root, scenario, dir.path());
      leveldb = LevelDbOf(source);
      expected = ReadExpectedStore(*root + "/expected/" + scenario + ".json");
    }
  }
};

#define SKIP_WITHOUT_FIXTURES(damage)            \
  if (!(damage).root) {                          \
    WARN("browser fixtures not found; skipped"); \
    return;                                      \
  }

TEST_CASE("ChromiumExtractor: a truncated or empty table is reported, the log still read",
          "[extractors][chromium][corrupt]") {
  Damage damage("taskapp-clean");
  SKIP_WITHOUT_FIXTURES(damage);
  std::string table = damage.leveldb + "/000005.ldb";
  uint64_t size = std::filesystem::file_size(table);
  SECTION("cut in half") {
    Truncate(table, size / 2);
    Drained got = DrainChromium(damage.source);
    REQUIRE(FirstFailure(got).ok());
    auto reports = ReportsOn(got, damage.leveldb, "000005.ldb");
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].problem.IsCorruption());
    CHECK_THAT(reports[0].problem.message(), Catch::Contains("cut short"));
    CHECK_THAT(reports[0].problem.message(),
               Catch::Contains(std::to_string(size / 2) + " bytes, but " + std::to_string(size)));
    CHECK_THAT(reports[0].problem.message(), Catch::Contains("entries are lost"));
    // The keys the log rewrote are still there, with their newest values.
    size_t read = CheckEntriesExpected(got, damage.expected);
    CHECK(read > 0);
    CHECK(read < CountEntries(damage.expected));
  }
  SECTION("zero length") {
    Truncate(table, 0);
    Drained got = DrainChromium(damage.source);
    REQUIRE(FirstFailure(got).ok());
    auto reports = ReportsOn(got, damage.leveldb, "000005.ldb");
    REQUIRE(reports.size() == 1);
    CHECK_THAT(reports[0].problem.message(), Catch::Contains("it is empty"));
    CHECK(CheckEntriesExpected(got, damage.expected) > 0);
  }
  SECTION("missing altogether") {
    std::filesystem::remove(table);
    Drained got = DrainChromium(damage.source);
    REQUIRE(FirstFailure(got).ok());
    auto reports = ReportsOn(got, damage.leveldb, "000005.ldb");
    REQUIRE(reports.size() == 1);
    CHECK_THAT(reports[0].problem.message(), Catch::Contains("listed in MANIFEST-000001 is "
                                                             "missing"));
  }
  SECTION("junk appended: read as written, the extra reported") {
    std::ofstream(table, std::ios::app | std::ios::binary) << "trailing junk";
    Drained got = DrainChromium(damage.source);
    REQUIRE(FirstFailure(got).ok());
    auto reports = ReportsOn(got, damage.leveldb, "000005.ldb");
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].where.offset == static_cast<int64_t>(size));
    CHECK(CheckEntriesExpected(got, damage.expected) == CountEntries(damage.expected));
  }
}

TEST_CASE("ChromiumExtractor: a flipped byte in a data block loses that block only",
          "[extractors][chromium][corrupt]") {
  Damage damage("multi-origin");
  SKIP_WITHOUT_FIXTURES(damage);
  std::string table = damage.leveldb + "/000005.ldb";
  std::string bytes = ReadFileBytes(table);
  const size_t flipped = 300000;
  bytes[flipped] ^= 0x40;
  WriteFileBytes(table, bytes);
  Drained got = DrainChromium(damage.source);
  REQUIRE(FirstFailure(got).ok());
  auto reports = ReportsOn(got, damage.leveldb, "000005.ldb");
  REQUIRE(reports.size() == 1);
  CHECK_THAT(reports[0].problem.message(), Catch::Contains("block checksum mismatch"));
  int64_t block = reports[0].where.offset;
  CHECK(block >= 0);
  CHECK(block <= static_cast<int64_t>(flipped));
  CHECK(flipped - block < 70000);  // the block holding the byte, not some other one
  size_t read = CheckEntriesExpected(got, damage.expected);
  size_t all = CountEntries(damage.expected);
  CHECK(read < all);
  CHECK(read > all - 100);  // a block of a few KiB holds a few dozen notes at most
}

TEST_CASE("ChromiumExtractor: a damaged 1.4 MB uncompressed block of large is named",
          "[extractors][chromium][corrupt]") {
  Damage damage("large");
  SKIP_WITHOUT_FIXTURES(damage);
  std::string table = damage.leveldb + "/000005.ldb";
  std::string bytes = ReadFileBytes(table);
  // The largest run of base64 text is inside the big random value's block.
  size_t at =
      bytes.find(std::string(64, 'A')) == std::string::npos ? bytes.size() / 2 : bytes.size() / 2;
  bytes[at] ^= 0x01;
  WriteFileBytes(table, bytes);
  Drained got = DrainChromium(damage.source);
  REQUIRE(FirstFailure(got).ok());
  auto reports = ReportsOn(got, damage.leveldb, "000005.ldb");
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].where.offset <= static_cast<int64_t>(at));
  CHECK_THAT(reports[0].problem.message(), Catch::Contains("block checksum mismatch"));
  CHECK(CheckEntriesExpected(got, damage.expected) < CountEntries(damage.expected));
}

TEST_CASE("ChromiumExtractor: a damaged table index or footer loses that table only",
          "[extractors][chromium][corrupt]") {
  Damage damage("taskapp-clean");
  SKIP_WITHOUT_FIXTURES(damage);
  std::string table = damage.leveldb + "/000005.ldb";
  std::string bytes = ReadFileBytes(table);
  std::string expected_text;
  SECTION("footer magic") {
    bytes[bytes.size() - 1] ^= 0xff;
    expected_text = "bad magic number";
  }
  SECTION("index block") {
    bytes[bytes.size() - 48 - 5 - 3] ^= 0x01;  // just before the index's trailer
    expected_text = "index cannot be read";
  }
  SECTION("footer handle pointing past the end") {
    bytes.replace(bytes.size() - 48, 10, std::string("\xff\xff\xff\xff\x0f\xff\xff\xff\xff\x0f"));
    expected_text = "block handle is malformed";
  }
  WriteFileBytes(table, bytes);
  Drained got = DrainChromium(damage.source);
  REQUIRE(FirstFailure(got).ok());
  auto reports = ReportsOn(got, damage.leveldb, "000005.ldb");
  REQUIRE(reports.size() == 1);
  CHECK_THAT(reports[0].problem.message(), Catch::Contains(expected_text));
  CHECK(CheckEntriesExpected(got, damage.expected) > 0);
}

TEST_CASE("ChromiumExtractor: a missing, empty or garbled CURRENT is reported and read past",
          "[extractors][chromium][corrupt]") {
  Damage damage("multi-origin");
  SKIP_WITHOUT_FIXTURES(damage);
  std::string current = damage.leveldb + "/CURRENT";
  std::string expected_text;
  SECTION("missing") {
    std::filesystem::remove(current);
    expected_text = "CURRENT is missing; read MANIFEST-000001, the newest readable MANIFEST";
  }
  SECTION("empty") {
    Truncate(current, 0);
    expected_text = "CURRENT is empty; read MANIFEST-000001";
  }
  SECTION("garbled") {
    WriteFileBytes(current, "../../../etc/passwd\n");
    expected_text = "CURRENT does not name a MANIFEST: \"../../../etc/passwd\\x0a\"";
  }
  SECTION("without its newline") {
    WriteFileBytes(current, "MANIFEST-000001");
    expected_text = "does not end with a newline";
  }
  Drained got = DrainChromium(damage.source);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.reports.size() == 1);
  CHECK(got.reports[0].where.file == current);
  CHECK_THAT(got.reports[0].problem.message(), Catch::Contains(expected_text));
  CHECK(CheckEntriesExpected(got, damage.expected) == CountEntries(damage.expected));
}

TEST_CASE("ChromiumExtractor: without a readable MANIFEST the store is Corruption (exit 1)",
          "[extractors][chromium][corrupt]") {
  Damage damage("taskapp-clean");
  SKIP_WITHOUT_FIXTURES(damage);
  std::string manifest = damage.leveldb + "/MANIFEST-000001";
  std::string expected_text;
  SECTION("missing MANIFEST") {
    std::filesystem::remove(manifest);
    expected_text = "CURRENT names MANIFEST-000001, which is missing and no readable MANIFEST";
  }
  SECTION("missing CURRENT and MANIFEST") {
    std::filesystem::remove(manifest);
    std::filesystem::remove(damage.leveldb + "/CURRENT");
    expected_text = "CURRENT is missing and no readable MANIFEST (none in the folder)";
  }
  SECTION("zeroed MANIFEST") {
    WriteFileBytes(manifest, std::string(std::filesystem::file_size(manifest), '\0'));
    expected_text = "every MANIFEST-* is damaged";
  }
  SECTION("garbage MANIFEST") {
    WriteFileBytes(manifest, "this is not a log at all, just text that goes on and on");
    expected_text = "every MANIFEST-* is damaged";
  }
  Drained got = DrainChromium(damage.source);
  CHECK(got.entries.empty());
  REQUIRE(got.open.IsCorruption());
  CHECK(ExitCodeFor(got.open) == 1);
  CHECK_THAT(got.open.message(), Catch::Contains(damage.leveldb + ": "));
  CHECK_THAT(got.open.message(), Catch::Contains(expected_text));
  CHECK(got.status.IsCorruption());
}

TEST_CASE("ChromiumExtractor: a torn last record in the log is reported with its offset",
          "[extractors][chromium][corrupt]") {
  SECTION("the only data batch torn: nothing read, the tear reported") {
    Damage damage("unicode");
    SKIP_WITHOUT_FIXTURES(damage);
    Truncate(damage.leveldb + "/000003.log", 30 + 7 + 1000);
    Drained got = DrainChromium(damage.source);
    REQUIRE(FirstFailure(got).ok());
    CHECK(got.entries.empty());
    auto reports = ReportsOn(got, damage.leveldb, "000003.log");
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].where.offset == 30);
    CHECK_THAT(reports[0].problem.message(), Catch::Contains("torn write"));
  }
  SECTION("the newest batch torn: the table's older state is read") {
    Damage damage("taskapp-clean");
    SKIP_WITHOUT_FIXTURES(damage);
    Truncate(damage.leveldb + "/000004.log", 19 + 500);
    Drained got = DrainChromium(damage.source);
    REQUIRE(FirstFailure(got).ok());
    auto reports = ReportsOn(got, damage.leveldb, "000004.log");
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].where.offset == 19);
    CHECK_FALSE(got.entries.empty());
    for (const Entry& entry : got.entries) {
      CHECK(entry.where.file == damage.leveldb + "/000005.ldb");
    }
  }
  SECTION("a zeroed tail") {
    Damage damage("unicode");
    SKIP_WITHOUT_FIXTURES(damage);
    std::string log = damage.leveldb + "/000003.log";
    std::string bytes = ReadFileBytes(log);
    bytes.replace(bytes.size() - 4000, 4000, std::string(4000, '\0'));
    WriteFileBytes(log, bytes);
    Drained got = DrainChromium(damage.source);
    REQUIRE(FirstFailure(got).ok());
    auto reports = ReportsOn(got, damage.leveldb, "000003.log");
    REQUIRE_FALSE(reports.empty());
    CHECK_THAT(reports[0].problem.message(), Catch::Contains("checksum mismatch"));
    CHECK(reports[0].where.offset == 30);
  }
}

TEST_CASE("ChromiumExtractor: stray files the MANIFEST does not list are left alone",
          "[extractors][chromium][corrupt]") {
  Damage damage("taskapp-clean");
  SKIP_WITHOUT_FIXTURES(damage);
  // A half-written table (a browser stopped while writing it) and an obsolete log.
  WriteFileBytes(damage.leveldb + "/000006.ldb", "half a table");
  WriteFileBytes(damage.leveldb + "/000002.log", std::string(100, '\x7f'));
  Drained got = DrainChromium(damage.source);
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.reports.empty());
  CHECK(CheckEntriesExpected(got, damage.expected) == CountEntries(damage.expected));
}

TEST_CASE("ChromiumExtractor: random damage to any file never crashes or hangs",
          "[extractors][chromium][corrupt][fuzz]") {
  for (const char* scenario : {"taskapp-clean", "multi-origin"}) {
    Damage damage(scenario);
    SKIP_WITHOUT_FIXTURES(damage);
    std::vector<std::string> names;
    std::map<std::string, std::string> pristine;
    for (const auto& entry : std::filesystem::directory_iterator(damage.leveldb)) {
      std::string name = entry.path().filename().string();
      if (name != "LOCK" && name.rfind("LOG", 0) != 0) {
        names.push_back(name);
        pristine[name] = ReadFileBytes(entry.path().string());
      }
    }
    std::sort(names.begin(), names.end());
    std::mt19937 random(20240601);
    for (int round = 0; round < 60; ++round) {
      const std::string& name = names[random() % names.size()];
      std::string bytes = pristine[name];
      std::string what;
      switch (random() % 4) {
        case 0:  // flip a few bytes
          for (int i = 0, n = 1 + static_cast<int>(random() % 8); i < n && !bytes.empty(); ++i) {
            bytes[random() % bytes.size()] ^= static_cast<char>(1 + random() % 255);
          }
          what = "flipped";
          break;
        case 1:  // cut anywhere
          bytes.resize(bytes.empty() ? 0 : random() % bytes.size());
          what = "cut to " + std::to_string(bytes.size());
          break;
        case 2: {  // zero a range
          size_t from = bytes.empty() ? 0 : random() % bytes.size();
          size_t length = std::min<size_t>(bytes.size() - from, random() % 70000);
          std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(from), length, '\0');
          what = "zeroed";
          break;
        }
        default:  // junk appended
          bytes.append(static_cast<size_t>(random() % 100000), static_cast<char>(random()));
          what = "appended";
      }
      INFO(scenario << " round " << round << ": " << name << " " << what);
      WriteFileBytes(damage.leveldb + "/" + name, bytes);
      Drained got = DrainChromium(damage.source);
      Status failure = FirstFailure(got);
      CHECK((failure.ok() || failure.IsCorruption()));
      for (const Reported& report : got.reports) {
        CHECK(report.where.file.rfind(damage.leveldb, 0) == 0);
        CHECK_FALSE(report.problem.message().empty());
      }
      CHECK(got.entries.size() <= CountEntries(damage.expected) + 1);  // + a delete undone
      WriteFileBytes(damage.leveldb + "/" + name, pristine[name]);
    }
  }
}

}  // namespace
}  // namespace ferry::chromium_damage_test

// File-local: a unity batch (cmake/unity.cmake) compiles the next file after this one.
#undef SKIP_WITHOUT_FIXTURES
