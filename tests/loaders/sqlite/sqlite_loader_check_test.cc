// SqliteLoader::Check and dry-runs: opening, refusing, and never writing a byte in dry-run.
#include <catch2/catch.hpp>

#include "loaders/sqlite/sqlite_loader.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::sqlite_loader_check_test {
namespace {

using sqlite_testing::FileBytes;
using sqlite_testing::Query;
using sqlite_testing::QueryInt;
using sqlite_testing::ReadyLoader;
using sqlite_testing::TaskBatch;
using sqlite_testing::TempDir;

// Everything a dry-run does, with the lookups it makes.
std::vector<std::optional<KnownIdentity>> DryRun(const std::string& path, const TableDef& table) {
  auto loader = ReadyLoader(path, true, {&table});
  std::vector<std::optional<KnownIdentity>> known;
  Status status = loader->LookupIdentities("tasks", "u1", {"L1", "L2", "L99"}, &known);
  INFO(status.ToString());
  REQUIRE(status.ok());
  CHECK_FALSE(loader->Write(TaskBatch(&table, 1, 1, ConflictPolicy::kSkip)).ok());
  REQUIRE(loader->FinishRun({"completed", 3, 0, 0, 0, 0}).ok());
  return known;
}

TEST_CASE("SqliteLoader: a dry-run on a missing file does not create it",
          "[loaders][sqlite][dry-run]") {
  TempDir dir;
  std::string path = dir.File("missing.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto known = DryRun(path, tasks);
  REQUIRE(known.size() == 3);
  CHECK_FALSE(known[0].has_value());
  CHECK_FALSE(known[2].has_value());
  CHECK(dir.Listing().empty());
}

TEST_CASE("SqliteLoader: a dry-run leaves an existing file and its folder byte-identical",
          "[loaders][sqlite][dry-run]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  {
    auto loader = ReadyLoader(path, false, {&tasks});
    REQUIRE(loader->Write(TaskBatch(&tasks, 1, 2, ConflictPolicy::kSkip)).ok());
  }
  std::string before = FileBytes(path);
  REQUIRE_FALSE(before.empty());
  std::set<std::string> listing = dir.Listing();
  CHECK(listing == std::set<std::string>{"t.db"});

  TableDef notes = sqlite_testing::TasksTable();
  notes.name = "notes";  // a table that would be created
  auto loader = ReadyLoader(path, true, {&tasks, &notes});
  std::vector<std::optional<KnownIdentity>> known;
  REQUIRE(loader->LookupIdentities("tasks", "u1", {"L1", "L2", "L99"}, &known).ok());
  REQUIRE(loader->FinishRun({"completed", 3, 0, 0, 0, 0}).ok());
  loader.reset();

  REQUIRE(known[0].has_value());
  CHECK(known[0]->content_hash == "h1");
  CHECK_FALSE(known[2].has_value());
  CHECK(FileBytes(path) == before);
  CHECK(dir.Listing() == listing);
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_runs") == 1);
}

TEST_CASE("SqliteLoader: a dry-run beside a live writer reads its data and writes nothing",
          "[loaders][sqlite][dry-run]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto writer = ReadyLoader(path, false, {&tasks});  // stays open: -wal and -shm exist
  REQUIRE(writer->Write(TaskBatch(&tasks, 1, 2, ConflictPolicy::kSkip)).ok());
  std::string before = FileBytes(path);
  std::set<std::string> listing = dir.Listing();
  CHECK(listing.count("t.db-wal") == 1);

  auto known = DryRun(path, tasks);
  CHECK(known[0].has_value());
  CHECK(known[1].has_value());
  CHECK(FileBytes(path) == before);
  CHECK(dir.Listing() == listing);
}

TEST_CASE("SqliteLoader: a dry-run on a file without ferry tables finds nothing known",
          "[loaders][sqlite][dry-run]") {
  TempDir dir;
  std::string path = dir.File("app.db");
  sqlite_testing::ExecSql(path, "CREATE TABLE other (x); INSERT INTO other VALUES (1)");
  std::string before = FileBytes(path);
  auto known = DryRun(path, sqlite_testing::TasksTable());
  CHECK_FALSE(known[0].has_value());
  CHECK(FileBytes(path) == before);
  CHECK(dir.Listing() == std::set<std::string>{"app.db"});
}

TEST_CASE("SqliteLoader: a target that cannot be opened names the path and why",
          "[loaders][sqlite][hostile]") {
  TempDir dir;
  sqlite_testing::ExecSql(dir.File("plain.db"), "CREATE TABLE x (y)");
  std::filesystem::create_directory(dir.File("folder.db"));
  // A target where none can be is a configuration error (exit 2), saying why.
  const std::pair<std::string, std::string> cases[] = {
      {"/proc/x/ferry.db", "the folder \"/proc/x\" does not exist"},
      {"/proc/self/ferry.db", "the folder \"/proc/self\" is not writable"},
      {dir.File("plain.db") + "/inner.db", "\"" + dir.File("plain.db") + "\" is not a folder"},
      {dir.File("folder.db"), "it is a folder"},
  };
  for (const auto& [path, reason] : cases) {
    auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(path));
    Status status = loader->Check(false);
    INFO(path << ": " << status.ToString());
    CHECK(status.IsInvalidArgument());
    CHECK(status.message().find(path) != std::string::npos);
    CHECK(status.message().find(reason) != std::string::npos);
  }
  // In a dry-run a folder is refused too; a missing parent is only a missing file.
  auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(dir.File("folder.db")));
  CHECK(loader->Check(true).IsIOError());
  loader = MakeSqliteLoader(sqlite_testing::SqliteSpec("/proc/x/ferry.db"));
  CHECK(loader->Check(true).ok());
}

TEST_CASE("SqliteLoader: a file that is not a database is Corruption and stays untouched",
          "[loaders][sqlite][hostile]") {
  TempDir dir;
  std::string path = dir.File("notes.db");
  std::string text(5000, 'x');
  { std::ofstream(path, std::ios::binary) << text; }
  for (bool dry_run : {false, true}) {
    auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(path));
    Status status = loader->Check(dry_run);
    INFO(status.ToString());
    CHECK(status.IsCorruption());
    CHECK(status.message().find(path) != std::string::npos);
    CHECK(FileBytes(path) == text);
  }
}

TEST_CASE("SqliteLoader: an empty path is refused", "[loaders][sqlite][hostile]") {
  auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(""));
  CHECK(loader->Check(false).IsInvalidArgument());
  CHECK(loader->Check(true).IsInvalidArgument());
}

TEST_CASE("SqliteLoader: a path that looks like a URI is a plain file name",
          "[loaders][sqlite][hostile]") {
  TempDir dir;
  std::string path = dir.File("a?mode=memory&vfs=none#x%20.db");
  TableDef tasks = sqlite_testing::TasksTable();
  {
    auto loader = ReadyLoader(path, false, {&tasks});
    REQUIRE(loader->Write(TaskBatch(&tasks, 1, 1, ConflictPolicy::kSkip)).ok());
  }
  CHECK(dir.Listing() == std::set<std::string>{"a?mode=memory&vfs=none#x%20.db"});
  auto known = DryRun(path, tasks);
  CHECK(known[0].has_value());

  std::string relative_uri = "file:" + dir.File("b.db");
  auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(relative_uri));
  // "file:/tmp/.../b.db" names a file in a folder called "file:", which does not exist.
  Status status = loader->Check(false);
  CHECK(status.IsInvalidArgument());
  CHECK(status.message().find("does not exist") != std::string::npos);
}

TEST_CASE("SqliteLoader: Check again after a failure opens afresh", "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(path));
  REQUIRE(loader->Check(true).ok());  // dry-run: nothing there yet
  CHECK(dir.Listing().empty());
  REQUIRE(loader->Check(false).ok());
  CHECK(dir.Listing().count("t.db") == 1);
}

// Runs a whole (non-dry) load against `path`; the first failure, or OK.
Status LoadInto(const std::string& path, const TableDef& table) {
  auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(path));
  FERRY_RETURN_IF_ERROR(loader->Check(false));
  FERRY_RETURN_IF_ERROR(loader->EnsureSchema({&table}));
  FERRY_RETURN_IF_ERROR(loader->BeginRun({"RUN2", "", false, ""}));
  std::vector<std::optional<KnownIdentity>> known;
  FERRY_RETURN_IF_ERROR(loader->LookupIdentities("tasks", "u1", {"L1", "L500"}, &known));
  Result<BatchOutcome> outcome = loader->Write(
      sqlite_testing::TaskBatch(&table, 1, 600, ConflictPolicy::kOverwrite, "t", "x"));
  return outcome.ok() ? Status::OK() : outcome.status();
}

TEST_CASE("SqliteLoader: a damaged database file is Corruption, never a crash",
          "[loaders][sqlite][hostile]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  {
    auto loader = ReadyLoader(path, false, {&tasks});
    REQUIRE(loader->Write(TaskBatch(&tasks, 1, 2000, ConflictPolicy::kSkip)).ok());
  }
  std::string bytes = FileBytes(path);
  REQUIRE(bytes.size() > 16 * 4096);

  SECTION("pages overwritten with garbage") {
    for (size_t i = 4096; i < bytes.size(); i += 7) {
      bytes[i] = static_cast<char>(i * 31);
    }
  }
  SECTION("truncated to a third") { bytes.resize(bytes.size() / 3); }
  { std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes; }

  Status status = LoadInto(path, tasks);
  INFO(status.ToString());
  REQUIRE_FALSE(status.ok());
  CHECK(status.IsCorruption());
}

}  // namespace
}  // namespace ferry::sqlite_loader_check_test
