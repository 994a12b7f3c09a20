// A migrate run on SQLite (docs/design.md, "Asynchronous commits"): on a WAL file its batches
// commit with synchronous=NORMAL and its end with FULL, which syncs the WAL with every batch
// before it (SqliteBackend::BeginRun and FinishRun call SetRunDurability); a rollback-journal
// file keeps FULL throughout.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "loaders/sqlite/connection.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::run_durability_test {
namespace {

using sqlite_testing::TempDir;

// PRAGMA synchronous on `db`: 1 NORMAL, 2 FULL.
int Synchronous(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA synchronous", -1, &raw, nullptr) == SQLITE_OK);
  sqlite::Statement stmt(raw);
  REQUIRE(sqlite3_step(stmt.get()) == SQLITE_ROW);
  return sqlite3_column_int(stmt.get(), 0);
}

// PRAGMA wal_autocheckpoint on `db`: the WAL's pages at which a commit checkpoints.
int WalAutocheckpoint(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA wal_autocheckpoint", -1, &raw, nullptr) == SQLITE_OK);
  sqlite::Statement stmt(raw);
  REQUIRE(sqlite3_step(stmt.get()) == SQLITE_ROW);
  return sqlite3_column_int(stmt.get(), 0);
}

sqlite::Database OpenOk(const std::string& path) {
  Result<sqlite::Database> db = sqlite::OpenForWriting(path, 1000);
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return std::move(*db);
}

TEST_CASE("SQLite run durability: a WAL file's batches are NORMAL, the run's end FULL",
          "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  sqlite::Database db = OpenOk(path);  // a file ferry creates: WAL
  REQUIRE(sqlite_testing::Query(path, "PRAGMA journal_mode")[0][0] == "wal");
  CHECK(Synchronous(db.get()) == 2);
  REQUIRE(sqlite::SetRunDurability(db.get(), true).ok());
  CHECK(Synchronous(db.get()) == 1);
  REQUIRE(sqlite::SetRunDurability(db.get(), false).ok());
  CHECK(Synchronous(db.get()) == 2);
}

TEST_CASE("SQLite run durability: a run checkpoints its WAL every 16384 pages, not 1000",
          "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  sqlite::Database db = OpenOk(path);
  CHECK(WalAutocheckpoint(db.get()) == 1000);  // SQLite's default
  REQUIRE(sqlite::SetRunDurability(db.get(), true).ok());
  CHECK(WalAutocheckpoint(db.get()) == 16384);
  // Commits of more than 1000 pages in all stay in the WAL until then (SQLite would have
  // copied them into the file at the commit that passed 1000 and begun the WAL again).
  REQUIRE(sqlite3_exec(db.get(), "CREATE TABLE big (x BLOB)", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  // 25 commits of ~100 pages each: with the default the WAL restarts after ~1000 pages.
  for (int i = 0; i < 25; ++i) {
    REQUIRE(sqlite3_exec(db.get(),
                         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                         "WHERE i < 100) INSERT INTO big SELECT zeroblob(4000) FROM n",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  CHECK(std::filesystem::file_size(path + "-wal") > 2000 * 4096);
  // The run's end: the default again, and its commit checkpoints the WAL.
  REQUIRE(sqlite::SetRunDurability(db.get(), false).ok());
  CHECK(WalAutocheckpoint(db.get()) == 1000);
}

TEST_CASE("SQLite run durability: a rollback-journal file keeps the default checkpoint",
          "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("app.db");
  sqlite_testing::ExecSql(path, "CREATE TABLE app_own (x INTEGER)");
  sqlite::Database db = OpenOk(path);
  REQUIRE(sqlite::SetRunDurability(db.get(), true).ok());
  CHECK(WalAutocheckpoint(db.get()) == 1000);
}

TEST_CASE("SQLite run durability: a rollback-journal file stays FULL", "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("app.db");
  sqlite_testing::ExecSql(path, "CREATE TABLE app_own (x INTEGER)");  // the application's file
  sqlite::Database db = OpenOk(path);
  REQUIRE(sqlite_testing::Query(path, "PRAGMA journal_mode")[0][0] == "delete");
  REQUIRE(sqlite::SetRunDurability(db.get(), true).ok());
  CHECK(Synchronous(db.get()) == 2);
}

}  // namespace
}  // namespace ferry::run_durability_test
