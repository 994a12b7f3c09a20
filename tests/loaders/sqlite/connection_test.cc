// Opening an SQLite target: a hot journal left by a crashed writer, a folder SQLite cannot
// write its journal into (issue 16 item 10).
#include "loaders/sqlite/connection.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::connection_test {
namespace {

using sqlite_testing::FileBytes;
using sqlite_testing::MakeHotJournal;
using sqlite_testing::QueryInt;
using sqlite_testing::TempDir;

TEST_CASE("OpenForDryRun: a hot journal is rolled back and the file read at its last commit",
          "[loaders][sqlite][dry-run][issue16]") {
  TempDir dir;
  std::string path = dir.File("app.db");
  MakeHotJournal(path);

  Result<sqlite::Database> db = sqlite::OpenForDryRun(path, 100);
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  REQUIRE(*db != nullptr);
  sqlite3_stmt* raw = nullptr;
  REQUIRE(sqlite3_prepare_v2(db->get(), "SELECT count(*) FROM a", -1, &raw, nullptr) == SQLITE_OK);
  sqlite::Statement count(raw);
  REQUIRE(sqlite3_step(count.get()) == SQLITE_ROW);
  CHECK(sqlite3_column_int(count.get(), 0) == 1);  // the dead writer's rows are gone
  count.reset();
  db->reset();
  CHECK_FALSE(std::filesystem::exists(path + "-journal"));
  CHECK(QueryInt(path, "SELECT count(*) FROM a") == 1);
}

TEST_CASE("OpenForDryRun: a hot journal in a folder it may not write is refused, naming it",
          "[loaders][sqlite][dry-run][issue16]") {
  if (::geteuid() == 0) {
    WARN("running as root: permission bits do not stop writes; tests/e2e covers it as nobody");
    return;
  }
  TempDir dir;
  std::string path = dir.File("app.db");
  MakeHotJournal(path);
  std::string before = FileBytes(path);
  REQUIRE(::chmod(dir.path().c_str(), 0555) == 0);
  Result<sqlite::Database> db = sqlite::OpenForDryRun(path, 100);
  ::chmod(dir.path().c_str(), 0755);
  REQUIRE_FALSE(db.ok());
  std::string message = db.status().ToString();
  CHECK_THAT(message, Catch::Contains(path + "-journal"));
  CHECK_THAT(message, Catch::Contains("not writable"));
  CHECK_THAT(message, Catch::Contains("ferry migrate"));
  CHECK(FileBytes(path) == before);
}

}  // namespace
}  // namespace ferry::connection_test
