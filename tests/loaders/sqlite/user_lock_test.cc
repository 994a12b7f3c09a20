// SqliteLoader's per-user locks (loaders/sqlite/user_lock.h): two loaders on one file, stale
// rows of dead processes and of other hosts, dry-run checks, ListLocks and ForceUnlock.
#include "loaders/sqlite/user_lock.h"

#include <catch2/catch.hpp>

#include "loaders/process_identity.h"
#include "loaders/sqlite/sqlite_loader.h"
#include "tests/loaders/lock_test_util.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::user_lock_test {
namespace {

using lock_testing::DeadPid;
using sqlite_testing::ExecSql;
using sqlite_testing::Query;
using sqlite_testing::QueryInt;
using sqlite_testing::SqliteSpec;
using sqlite_testing::TempDir;

// A loader on `path` past Check(dry_run) and BeginRun(run_id).
std::unique_ptr<Loader> RunLoader(const std::string& path, const std::string& run_id,
                                  bool dry_run = false) {
  std::unique_ptr<Loader> loader = MakeSqliteLoader(SqliteSpec(path));
  Status status = loader->Check(dry_run);
  INFO(status.ToString());
  REQUIRE(status.ok());
  status = loader->BeginRun({run_id, "ferry migrate x.json", dry_run, ""});
  INFO(status.ToString());
  REQUIRE(status.ok());
  return loader;
}

void InsertLockRow(const std::string& path, const std::string& user, const std::string& run,
                   const std::string& host, int64_t pid) {
  ExecSql(path, "INSERT INTO ferry_locks (user_id, run_id, host, pid, since) VALUES ('" + user +
                    "', '" + run + "', '" + host + "', " + std::to_string(pid) +
                    ", '2024-01-02T03:04:05.000Z')");
}

}  // namespace

TEST_CASE("SqliteLoader locks: a second loader for the same user is Locked, naming the holder",
          "[loaders][sqlite][locks]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto first = RunLoader(path, "RUN_A");
  auto second = RunLoader(path, "RUN_B");
  lock_testing::CheckSecondLoaderLocked(*first, *second, "t.db");
  CHECK(Query(path, "SELECT run_id, host, pid FROM ferry_locks WHERE user_id = 'u1'") ==
        std::vector<std::vector<std::string>>{{"RUN_A", ThisHost(), std::to_string(ThisPid())}});
}

TEST_CASE("SqliteLoader locks: different users proceed at the same time",
          "[loaders][sqlite][locks]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto first = RunLoader(path, "RUN_A");
  auto second = RunLoader(path, "RUN_B");
  REQUIRE(first->LockUser("u1").ok());
  Status other = second->LockUser("u2");
  INFO(other.ToString());
  CHECK(other.ok());
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_locks") == 2);
}

TEST_CASE("SqliteLoader locks: after UnlockUser another run takes the lock",
          "[loaders][sqlite][locks]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto first = RunLoader(path, "RUN_A");
  auto second = RunLoader(path, "RUN_B");
  REQUIRE(first->LockUser("u1").ok());
  REQUIRE(second->LockUser("u1").IsLocked());
  REQUIRE(first->UnlockUser("u1").ok());
  CHECK(first->UnlockUser("u1").ok());  // not held: fine
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_locks") == 0);
  REQUIRE(second->LockUser("u1").ok());
  CHECK(first->LockUser("u1").IsLocked());
  CHECK(Query(path, "SELECT run_id FROM ferry_locks")[0][0] == "RUN_B");
}

TEST_CASE("SqliteLoader locks: a destroyed loader's locks are released",
          "[loaders][sqlite][locks]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto first = RunLoader(path, "RUN_A");
  REQUIRE(first->LockUser("u1").ok());
  first.reset();
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_locks") == 0);
  auto second = RunLoader(path, "RUN_B");
  CHECK(second->LockUser("u1").ok());
}

TEST_CASE("SqliteLoader locks: the stale lock of a dead process is taken over and audited",
          "[loaders][sqlite][locks]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto loader = RunLoader(path, "RUN_NEW");
  int64_t dead = DeadPid();
  InsertLockRow(path, "u1", "RUN_DEAD", ThisHost(), dead);

  Status taken = loader->LockUser("u1");
  INFO(taken.ToString());
  REQUIRE(taken.ok());
  CHECK(Query(path, "SELECT run_id, pid FROM ferry_locks WHERE user_id = 'u1'") ==
        std::vector<std::vector<std::string>>{{"RUN_NEW", std::to_string(ThisPid())}});
  auto audit = Query(path, "SELECT run_id, action, detail, host FROM ferry_audit_log");
  REQUIRE(audit.size() == 1);
  CHECK(audit[0][0] == "RUN_NEW");
  CHECK(audit[0][1] == "lock taken over");
  CHECK_THAT(audit[0][2], Catch::Contains("RUN_DEAD") &&
                              Catch::Contains("pid " + std::to_string(dead)) &&
                              Catch::Contains("user u1"));
  CHECK(audit[0][3] == ThisHost());
}

TEST_CASE("SqliteLoader locks: another host's lock counts as alive", "[loaders][sqlite][locks]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto loader = RunLoader(path, "RUN_NEW");
  InsertLockRow(path, "u1", "RUN_FAR", "another-host.example", DeadPid());
  Status refused = loader->LockUser("u1");
  REQUIRE(refused.IsLocked());
  CHECK_THAT(refused.message(), Catch::Contains("host another-host.example"));
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_audit_log") == 0);
}

TEST_CASE("SqliteLoader locks: a dry run checks and takes nothing", "[loaders][sqlite][locks]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  {
    auto missing = RunLoader(path, "RUN_DRY", /*dry_run=*/true);
    CHECK(missing->LockUser("u1").ok());  // no file: nothing holds anything
  }
  CHECK(dir.Listing().empty());
  auto holder = RunLoader(path, "RUN_A");
  REQUIRE(holder->LockUser("u1").ok());
  auto dry = RunLoader(path, "RUN_DRY", /*dry_run=*/true);
  CHECK(dry->LockUser("u1").IsLocked());
  CHECK(dry->LockUser("u2").ok());
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_locks") == 1);
}

TEST_CASE("SqliteLoader locks: LockUser before BeginRun is an internal error",
          "[loaders][sqlite][locks]") {
  TempDir dir;
  std::unique_ptr<Loader> loader = MakeSqliteLoader(SqliteSpec(dir.File("t.db")));
  REQUIRE(loader->Check(false).ok());
  CHECK(loader->LockUser("u1").code() == Status::Code::kInternal);
}

TEST_CASE("SqliteLoader locks: ListLocks tells live holders from stale ones",
          "[loaders][sqlite][locks]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto loader = RunLoader(path, "RUN_A");
  REQUIRE(loader->LockUser("u1").ok());
  InsertLockRow(path, "u2", "RUN_DEAD", ThisHost(), DeadPid());
  std::vector<LockHolder> locks;
  REQUIRE(loader->ListLocks(&locks).ok());
  REQUIRE(locks.size() == 2);
  CHECK(locks[0].user_id == "u1");
  CHECK(locks[0].run_id == "RUN_A");
  CHECK(locks[0].alive);
  CHECK(locks[1].user_id == "u2");
  CHECK(locks[1].since == "2024-01-02T03:04:05.000Z");
  CHECK_FALSE(locks[1].alive);
}

TEST_CASE("SqliteLoader locks: ForceUnlock clears dead holders only, unless even_alive",
          "[loaders][sqlite][locks]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto holder = RunLoader(path, "RUN_A");
  REQUIRE(holder->LockUser("u1").ok());
  InsertLockRow(path, "u2", "RUN_DEAD", ThisHost(), DeadPid());
  InsertLockRow(path, "u3", "RUN_DEAD", ThisHost(), DeadPid());

  std::unique_ptr<Loader> admin = MakeSqliteLoader(SqliteSpec(path));
  REQUIRE(admin->Check(false).ok());
  std::vector<LockHolder> cleared;
  REQUIRE(admin->ForceUnlock("u2", false, &cleared).ok());
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].user_id == "u2");
  REQUIRE(admin->ForceUnlock("", false, &cleared).ok());
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].user_id == "u3");
  CHECK(Query(path, "SELECT user_id FROM ferry_locks") ==
        std::vector<std::vector<std::string>>{{"u1"}});
  // Two entries of one run in (likely) one millisecond: both are kept.
  CHECK(QueryInt(path,
                 "SELECT count(*) FROM ferry_audit_log WHERE action = 'forced unlock' "
                 "AND run_id = 'RUN_DEAD'") == 2);

  REQUIRE(admin->ForceUnlock("", true, &cleared).ok());
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].user_id == "u1");
  CHECK(cleared[0].alive);
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_locks") == 0);
  CHECK_THAT(Query(path, "SELECT detail FROM ferry_audit_log WHERE run_id = 'RUN_A'")[0][0],
             Catch::Contains("--even-alive"));
}

TEST_CASE("SqliteLoader locks: ForceUnlock after a dry-run Check is refused",
          "[loaders][sqlite][locks]") {
  TempDir dir;
  std::unique_ptr<Loader> loader = MakeSqliteLoader(SqliteSpec(dir.File("t.db")));
  REQUIRE(loader->Check(true).ok());
  std::vector<LockHolder> cleared;
  CHECK(loader->ForceUnlock("", false, &cleared).code() == Status::Code::kInternal);
  std::vector<LockHolder> locks;
  CHECK(loader->ListLocks(&locks).ok());
  CHECK(locks.empty());
}

TEST_CASE("SQLite audit log: entries of one run in one millisecond all land",
          "[loaders][sqlite][locks]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto loader = RunLoader(path, "RUN_A");  // creates the tables
  sqlite_testing::Connection connection(path);
  for (int i = 0; i < 20; ++i) {
    REQUIRE(sqlite::Audit(connection.db, "RUN_A", "same", "entry " + std::to_string(i)).ok());
  }
  CHECK(QueryInt(path, "SELECT count(DISTINCT at) FROM ferry_audit_log") == 20);
}

TEST_CASE("SqliteLoader locks: an UnlockUser that met a busy file deletes the row when retried",
          "[loaders][sqlite][locks]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  SqliteLoaderOptions options;
  options.busy_timeout_ms = 50;
  std::unique_ptr<Loader> loader = MakeSqliteLoaderWithOptions(SqliteSpec(path), options);
  REQUIRE(loader->Check(false).ok());
  REQUIRE(loader->BeginRun({"RUN_A", "ferry migrate x.json", false, ""}).ok());
  REQUIRE(loader->LockUser("u1").ok());
  {
    // Another connection holds the file's write lock: the DELETE meets SQLITE_BUSY.
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    Status busy = loader->UnlockUser("u1");
    INFO(busy.ToString());
    CHECK(busy.IsUnavailable());
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
  }
  // The retry (the retrying loader's) must delete the row, not find the user forgotten.
  REQUIRE(loader->UnlockUser("u1").ok());
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_locks") == 0);
}

}  // namespace ferry::user_lock_test
