// The firefox source never changes a byte of what it reads: every file's SHA-256, size, mtime
// and mode (and every folder) before and after, on read-only fixture copies and on the shared
// fixtures themselves; and its private copies are gone afterwards.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "tests/extractors/firefox/firefox_test_util.h"

namespace ferry::firefox_originals_test {
namespace {

using namespace testing;  // NOLINT: test helpers

// Points TMPDIR (where StoreCopy makes its copies) at a folder of its own while alive.
class PrivateTmpDir {
 public:
  PrivateTmpDir() {
    const char* old = std::getenv("TMPDIR");
    if (old != nullptr) {
      old_ = old;
    }
    ::setenv("TMPDIR", temp_.path().c_str(), 1);
  }
  ~PrivateTmpDir() {
    if (old_) {
      ::setenv("TMPDIR", old_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }
  bool Empty() const { return fs::is_empty(temp_.path()); }

 private:
  TempDir temp_;
  std::optional<std::string> old_;
};

TEST_CASE("FirefoxExtractor: read-only fixture copies are byte for byte unchanged after reading",
          "[extractors][firefox][fixtures][originals]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  for (const std::string& scenario : FirefoxScenarios(*root)) {
    DYNAMIC_SECTION(scenario) {
      TempDir temp;
      std::string profile = CopyFirefoxScenario(*root, scenario, temp.path());
      SetWritable(profile, false);
      auto before = TreeFingerprint(profile);
      {
        PrivateTmpDir tmp;
        Drained got = DrainFirefox(profile);
        CHECK(FirstFailure(got).ok());
        CHECK_FALSE(got.entries.empty());
        CHECK(tmp.Empty());  // the private copies are removed
      }
      CHECK(TreeFingerprint(profile) == before);
      SetWritable(profile, true);
    }
  }
}

TEST_CASE("FirefoxExtractor: the shared fixtures themselves are unchanged after reading",
          "[extractors][firefox][fixtures][originals]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string firefox = *root + "/firefox";
  auto before = TreeFingerprint(firefox);
  for (const std::string& scenario : FirefoxScenarios(*root)) {
    Drained got = DrainFirefox(firefox + "/" + scenario);
    CHECK(FirstFailure(got).ok());
  }
  CHECK(TreeFingerprint(firefox) == before);
}

TEST_CASE("FirefoxExtractor: a -wal beside the store is read from the copy, the original kept",
          "[extractors][firefox][originals]") {
  TempDir temp;
  std::string profile = temp.path() + "/profile";
  std::string data = DataFileOf(profile, "http+++127.0.0.1+8000");
  std::string live = temp.path() + "/live.sqlite";
  {
    // A "browser" that has committed to its -wal and not checkpointed yet: its files are
    // copied while it still has the database open.
    TestDb db(live);
    db.Exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;");
    CreateLsSchema(db, "http://127.0.0.1:8000");
    InsertLsRow(db, {"in-wal", "yes", 3});
    fs::create_directories(fs::path(data).parent_path());
    fs::copy_file(live, data);
    fs::copy_file(live + "-wal", data + "-wal");
  }
  REQUIRE(fs::file_size(data + "-wal") > 0);
  SetWritable(profile, false);
  auto before = TreeFingerprint(profile);
  Drained got = DrainFirefox(profile);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].key == "in-wal");
  CHECK(got.entries[0].value == "yes");
  CHECK(TreeFingerprint(profile) == before);
  CHECK_FALSE(fs::exists(data + "-shm"));
  SetWritable(profile, true);
}

}  // namespace
}  // namespace ferry::firefox_originals_test
