// Differential check of LevelDbReader (ferry's own log, table and MANIFEST readers) against
// libleveldb itself, on every Chromium fixture and on copies with one byte flipped: where
// libleveldb (paranoid checks, verified checksums) reads a store, ferry reads exactly the same
// keys and values; where libleveldb reports corruption, ferry reports damage or refuses the
// store. Never a crash (docs/reliability.md, "Differential checks").
#include "extractors/chromium/leveldb_reader.h"

#include <leveldb/db.h>
#include <leveldb/env.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdarg>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/extractors/chromium/chromium_test_util.h"
#include "tests/under_sanitizer.h"

namespace ferry::leveldb_reader_test {
namespace {

using namespace testing;  // NOLINT: test helpers

namespace fs = std::filesystem;
using KeyValues = std::map<std::string, std::string>;

class QuietLogger final : public leveldb::Logger {
  void Logv(const char*, std::va_list) override {}
};

// What one reader made of a store: its live keys, or that it found damage.
struct Read {
  bool damaged = false;  // a report, a refused open or a failed iteration
  KeyValues entries;
  std::string why;  // the first problem, for the failure message
};

// libleveldb on `dir` (it writes there: Open turns logs into tables, so pass a copy).
Read ReadWithLevelDb(const std::string& dir) {
  QuietLogger quiet;
  leveldb::Options options;
  options.info_log = &quiet;
  options.paranoid_checks = true;  // a damaged log record fails Open instead of being skipped
  leveldb::DB* raw = nullptr;
  leveldb::Status opened = leveldb::DB::Open(options, dir, &raw);
  std::unique_ptr<leveldb::DB> db(raw);
  Read read;
  if (!opened.ok()) {
    read.damaged = true;
    read.why = opened.ToString();
    return read;
  }
  leveldb::ReadOptions verify;
  verify.verify_checksums = true;
  verify.fill_cache = false;
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(verify));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    read.entries[it->key().ToString()] = it->value().ToString();
  }
  if (!it->status().ok()) {
    read.damaged = true;
    read.why = it->status().ToString();
  }
  return read;
}

// ferry's LevelDbReader on `dir` (it only reads).
Read ReadWithFerry(const std::string& dir) {
  Read read;
  auto reporter = [&read](const Location&, const Status& problem) {
    if (!read.damaged) read.why = problem.ToString();
    read.damaged = true;
  };
  Result<std::unique_ptr<chromium::LevelDbReader>> reader =
      chromium::LevelDbReader::Open(dir, dir, reporter);
  if (!reader.ok()) {
    read.damaged = true;
    read.why = reader.status().ToString();
    return read;
  }
  for (; (*reader)->Valid(); (*reader)->Next()) {
    read.entries[std::string((*reader)->key())] = std::string((*reader)->value());
  }
  return read;
}

// The files LevelDB reads on Open and iteration: CURRENT, MANIFEST-*, *.log, *.ldb, *.sst.
std::vector<std::string> StoreFiles(const std::string& leveldb) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(leveldb)) {
    std::string name = entry.path().filename().string();
    if (name == "CURRENT" || name.rfind("MANIFEST-", 0) == 0 ||
        entry.path().extension() == ".log" || entry.path().extension() == ".ldb" ||
        entry.path().extension() == ".sst") {
      if (fs::file_size(entry.path()) > 0) files.push_back(name);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Compares both readers on the store in `leveldb` (ferry first: libleveldb rewrites it);
// returns whether libleveldb found it damaged.
bool CompareReaders(const std::string& leveldb, const std::string& copy_for_leveldb) {
  fs::copy(leveldb, copy_for_leveldb, fs::copy_options::recursive);
  Read ferry = ReadWithFerry(leveldb);
  Read reference = ReadWithLevelDb(copy_for_leveldb);
  INFO("libleveldb: " << (reference.damaged ? reference.why : "clean")
                      << "; ferry: " << (ferry.damaged ? ferry.why : "clean"));
  if (reference.damaged) {
    CHECK(ferry.damaged);  // corruption libleveldb sees, ferry reports
  } else {
    CHECK(ferry.entries.size() == reference.entries.size());
    CHECK(ferry.entries == reference.entries);
  }
  return reference.damaged;
}

TEST_CASE("LevelDbReader: every Chromium fixture reads as libleveldb reads it",
          "[extractors][chromium][differential]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  for (const std::string& scenario : ChromiumScenarios(*root)) {
    INFO(scenario);
    TempDir dir;
    std::string leveldb = LevelDbOf(CopyScenario(*root, scenario, dir.path()));
    Read reference = [&] {
      fs::copy(leveldb, dir.path() + "/reference", fs::copy_options::recursive);
      return ReadWithLevelDb(dir.path() + "/reference");
    }();
    Read ferry = ReadWithFerry(leveldb);
    INFO("libleveldb: " << reference.why << "; ferry: " << ferry.why);
    // The fixtures are whole stores as the browser left them (taskapp-killed too: a killed
    // browser's log ends on a whole record).
    CHECK_FALSE(reference.damaged);
    CHECK(ferry.damaged == reference.damaged);
    CHECK(ferry.entries.size() == reference.entries.size());
    CHECK(ferry.entries == reference.entries);
  }
}

TEST_CASE(
    "LevelDbReader: on a flipped byte it reports damage where libleveldb does, "
    "and reads what libleveldb reads",
    "[extractors][chromium][differential]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  // Per scenario, this many copies each with one byte of one store file flipped.
  const int kMutations = PlainOrSanitized(24, 8);
  std::mt19937 random(20261206);
  int damaged = 0;  // copies libleveldb refused or failed to read
  for (const std::string& scenario : ChromiumScenarios(*root)) {
    if (scenario == "large") continue;  // 6 MB: the same code, a hundred times the copying
    std::vector<std::string> files;
    {
      TempDir probe;
      files = StoreFiles(LevelDbOf(CopyScenario(*root, scenario, probe.path())));
    }
    REQUIRE_FALSE(files.empty());
    for (int i = 0; i < kMutations; ++i) {
      TempDir dir;
      std::string leveldb = LevelDbOf(CopyScenario(*root, scenario, dir.path()));
      std::string file = leveldb + "/" + files[random() % files.size()];
      std::string bytes = ReadFileBytes(file);
      size_t at = random() % bytes.size();
      bytes[at] = static_cast<char>(bytes[at] ^ (1 + random() % 255));
      WriteFileBytes(file, bytes);
      INFO(scenario << ": " << fs::path(file).filename().string() << " byte " << at);
      damaged += CompareReaders(leveldb, dir.path() + "/reference") ? 1 : 0;
    }
  }
  CHECK(damaged > 0);  // the damage branch was taken (most flips hit a checksummed byte)
}

}  // namespace
}  // namespace ferry::leveldb_reader_test
