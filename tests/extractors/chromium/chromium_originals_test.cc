// The chromium source never changes the store it reads: every file's SHA-256, size, mode and
// mtime are the same after a read (of a read-only copy of the fixtures, and of the shared
// fixtures themselves), its private copy is gone afterwards, and a LOCK held by another
// process (as a running browser holds it) does not stop the read.
#include <fcntl.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "extractors/chromium/chromium_extractor.h"
#include "tests/extractors/chromium/chromium_test_util.h"

namespace ferry::chromium_originals_test {
namespace {

using namespace testing;  // NOLINT: test helpers

size_t CountExpected(const std::string& root, const std::string& scenario) {
  size_t count = 0;
  for (const auto& [origin, keys] : ReadExpectedStore(root + "/expected/" + scenario + ".json")) {
    count += keys.size();
  }
  return count;
}

// Points $TMPDIR at a folder of its own for the scope, so leftovers can be seen.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::string& path) {
    const char* old = std::getenv("TMPDIR");
    had_old_ = old != nullptr;
    old_ = had_old_ ? old : "";
    ::setenv("TMPDIR", path.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (had_old_) {
      ::setenv("TMPDIR", old_.c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }

 private:
  bool had_old_ = false;
  std::string old_;
};

bool IsEmptyFolder(const std::string& path) { return std::filesystem::is_empty(path); }

TEST_CASE("ChromiumExtractor: originals are untouched, byte for byte, and no copy is left",
          "[extractors][chromium][fixtures]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  TempDir dir;
  TempDir private_tmp;
  ScopedTmpdir tmpdir(private_tmp.path());
  std::string copies = dir.Folder("originals");
  for (const std::string& scenario : ChromiumScenarios(*root)) {
    CopyScenario(*root, scenario, copies);
  }
  SetWritable(copies, false);
  auto before = TreeFingerprint(copies);
  auto shared_before = TreeFingerprint(*root + "/chromium");
  REQUIRE(before.size() > 30);

  for (const std::string& scenario : ChromiumScenarios(*root)) {
    std::string user_data = copies + "/" + scenario;
    for (const std::string& path : {user_data, user_data + "/Default", LevelDbOf(user_data),
                                    *root + "/chromium/" + scenario}) {
      INFO(path);
      Drained got = Drain(MakeChromiumExtractor(SourceSpec{"chromium", path, {}}));
      REQUIRE(FirstFailure(got).ok());
      CHECK(got.entries.size() == CountExpected(*root, scenario));
      CHECK(IsEmptyFolder(private_tmp.path()));  // the private copy was removed
    }
  }
  CHECK(TreeFingerprint(copies) == before);
  CHECK(TreeFingerprint(*root + "/chromium") == shared_before);
  SetWritable(copies, true);
}

TEST_CASE("ChromiumExtractor: a failed read leaves no private copy behind",
          "[extractors][chromium][corrupt]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  TempDir dir;
  TempDir private_tmp;
  ScopedTmpdir tmpdir(private_tmp.path());
  std::string source = CopyScenario(*root, "unicode", dir.path());
  std::filesystem::remove(LevelDbOf(source) + "/MANIFEST-000001");
  {
    auto extractor = MakeChromiumExtractor(SourceSpec{"chromium", source, {}});
    CHECK(extractor->Open().IsCorruption());
    CHECK_FALSE(extractor->Valid());
  }
  CHECK(IsEmptyFolder(private_tmp.path()));
  // Abandoned in the middle of a read: the copy goes with the extractor.
  {
    auto extractor =
        MakeChromiumExtractor(SourceSpec{"chromium", *root + "/chromium/multi-origin", {}});
    REQUIRE(extractor->Open().ok());
    REQUIRE(extractor->Valid());
    CHECK_FALSE(IsEmptyFolder(private_tmp.path()));
  }
  CHECK(IsEmptyFolder(private_tmp.path()));
}

class NullLogger final : public leveldb::Logger {
 public:
  void Logv(const char*, va_list) override {}
};

// A child process that holds the LevelDB LOCK of `leveldb` (fcntl, as LevelDB takes it, and
// flock) until it is told to go.
class LockHolder {
 public:
  explicit LockHolder(const std::string& leveldb) {
    int ready[2];
    int go[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(go) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::close(ready[0]);
      ::close(go[1]);
      int fd = ::open((leveldb + "/LOCK").c_str(), O_RDWR);
      struct flock lock {};
      lock.l_type = F_WRLCK;
      lock.l_whence = SEEK_SET;
      char ok = fd >= 0 && ::fcntl(fd, F_SETLK, &lock) == 0 && ::flock(fd, LOCK_EX) == 0 ? 1 : 0;
      (void)!::write(ready[1], &ok, 1);
      char ignored;
      (void)!::read(go[0], &ignored, 1);  // until the parent closes its end
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(go[0]);
    go_ = go[1];
    char ok = 0;
    locked_ = ::read(ready[0], &ok, 1) == 1 && ok == 1;
    ::close(ready[0]);
  }
  ~LockHolder() {
    ::close(go_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  bool locked() const { return locked_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int go_ = -1;
  bool locked_ = false;
};

TEST_CASE("ChromiumExtractor: a store whose LOCK another process holds is still read",
          "[extractors][chromium][fixtures]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  TempDir dir;
  std::string source = CopyScenario(*root, "taskapp-clean", dir.path());
  std::string leveldb = LevelDbOf(source);
  auto before = TreeFingerprint(source);
  LockHolder holder(leveldb);
  REQUIRE(holder.locked());

  // The lock is really held: fcntl sees the holder, and LevelDB itself cannot open the store.
  int fd = ::open((leveldb + "/LOCK").c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  REQUIRE(::fcntl(fd, F_GETLK, &probe) == 0);
  ::close(fd);
  CHECK(probe.l_type == F_WRLCK);
  CHECK(probe.l_pid == holder.pid());
  // (Without an info_log of its own, DB::Open would rename LOG and write a new one before it
  // even tries the lock: the very reason ferry never opens an original with LevelDB.)
  NullLogger quiet;
  leveldb::Options options;
  options.info_log = &quiet;
  leveldb::DB* db = nullptr;
  leveldb::Status refused = leveldb::DB::Open(options, leveldb, &db);
  std::unique_ptr<leveldb::DB> owned(db);  // nullptr when refused
  CHECK_FALSE(refused.ok());
  CHECK_THAT(refused.ToString(), Catch::Contains("lock"));

  Drained got = Drain(MakeChromiumExtractor(SourceSpec{"chromium", source, {}}));
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.reports.empty());
  CHECK(got.entries.size() == CountExpected(*root, "taskapp-clean"));
  CHECK(TreeFingerprint(source) == before);
}

}  // namespace
}  // namespace ferry::chromium_originals_test
