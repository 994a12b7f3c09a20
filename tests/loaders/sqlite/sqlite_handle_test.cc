// SqliteError on a busy file: which process holds the write lock, and how long the call waited
// (issue 16 item 10).
#include "loaders/sqlite/sqlite_handle.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::sqlite_handle_test {
namespace {

using sqlite_testing::TempDir;

// Opens `path` with SetBusyTimeout(`timeout_ms`) and tries to take its write lock.
Status TryWrite(const std::string& path, int timeout_ms, double* seconds) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  sqlite::Database db(raw);
  sqlite::SetBusyTimeout(db.get(), timeout_ms);
  auto start = std::chrono::steady_clock::now();
  Status status = sqlite::Exec(db.get(), "BEGIN IMMEDIATE", "taking the lock");
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return status;
}

TEST_CASE("SqliteError: busy names the process holding the write lock and the wait",
          "[loaders][sqlite][issue16]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  sqlite_testing::ExecSql(path, "CREATE TABLE a(x)");
  sqlite_testing::WriteLockHolder holder(path);

  double seconds = 0;
  Status status = TryWrite(path, 300, &seconds);
  INFO(status.ToString());
  CHECK(status.IsUnavailable());
  CHECK(seconds >= 0.3);
  CHECK(seconds < 3);
  CHECK_THAT(status.message(), Catch::StartsWith("taking the lock: another process (pid " +
                                                 std::to_string(holder.pid())));
  CHECK_THAT(status.message(), Catch::Contains("holds a write lock on \"" + path + "\""));
  CHECK_THAT(status.message(), Catch::EndsWith("; waited 0.3 s for it (--busy-timeout)"));
}

TEST_CASE("SqliteError: busy behind a connection of this process, in WAL mode",
          "[loaders][sqlite][issue16]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  sqlite_testing::ExecSql(path, "PRAGMA journal_mode=WAL; CREATE TABLE a(x)");
  sqlite_testing::Connection other(path);
  REQUIRE(sqlite3_exec(other.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);

  double seconds = 0;
  Status status = TryWrite(path, 100, &seconds);
  INFO(status.ToString());
  CHECK(status.IsUnavailable());
  CHECK_THAT(status.message(),
             Catch::Contains("another connection of this process holds a write lock"));
  CHECK_THAT(status.message(), Catch::Contains("waited 0.1 s"));

  // No busy timeout: SQLITE_BUSY at once, and no wait is claimed.
  status = TryWrite(path, 0, &seconds);
  CHECK(status.IsUnavailable());
  CHECK_THAT(status.message(), !Catch::Contains("waited"));
  sqlite3_exec(other.db, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace
}  // namespace ferry::sqlite_handle_test
