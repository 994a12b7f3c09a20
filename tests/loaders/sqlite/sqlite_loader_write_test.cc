// SqliteLoader::Write: conflict policies, id map, checkpoints, and all-or-nothing batches.
#include <catch2/catch.hpp>

#include "loaders/sqlite/sqlite_loader.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::sqlite_loader_write_test {
namespace {

using sqlite_testing::Query;
using sqlite_testing::QueryInt;
using sqlite_testing::ReadyLoader;
using sqlite_testing::TaskBatch;
using sqlite_testing::TempDir;

BatchOutcome WriteOk(Loader& loader, const WriteBatch& batch) {
  Result<BatchOutcome> outcome = loader.Write(batch);
  INFO(outcome.status().ToString());
  REQUIRE(outcome.ok());
  return *outcome;
}

TEST_CASE("SqliteLoader: a batch is inserted in the target's storage forms", "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  WriteBatch batch = TaskBatch(&tasks, 1, 10, ConflictPolicy::kSkip);
  batch.rows[0].cells[3] = std::monostate();  // a NULL in a nullable column

  BatchOutcome outcome = WriteOk(*loader, batch);
  CHECK(outcome.inserted == 10);
  CHECK(outcome.updated == 0);
  CHECK(outcome.skipped == 0);

  CHECK(QueryInt(path, "SELECT count(*) FROM tasks") == 10);
  auto rows = Query(path,
                    "SELECT id, user_id, title, done, typeof(done), priority, score, created_at, "
                    "meta FROM tasks WHERE title = 'task 2'");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == std::vector<std::string>{"01ARZ3NDEKTSV4RRFFQ69G0002", "u1", "task 2", "1",
                                            "integer", "2", "2.5", "2023-02-24T10:21:45.456Z",
                                            "{\"n\":2}"});
  CHECK(Query(path, "SELECT done FROM tasks WHERE priority = 1")[0][0] == "NULL");
  CHECK(Query(path, "SELECT done FROM tasks WHERE priority = 3")[0][0] == "0");
}

TEST_CASE("SqliteLoader: a second write with skip skips every row and changes none",
          "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  WriteOk(*loader, TaskBatch(&tasks, 1, 5, ConflictPolicy::kSkip));

  BatchOutcome again =
      WriteOk(*loader, TaskBatch(&tasks, 1, 5, ConflictPolicy::kSkip, "changed", "other"));
  CHECK(again.skipped == 5);
  CHECK(again.inserted == 0);
  CHECK(again.updated == 0);
  CHECK(QueryInt(path, "SELECT count(*) FROM tasks WHERE title LIKE 'task %'") == 5);
  CHECK(QueryInt(path, "SELECT count(*) FROM tasks WHERE title LIKE 'changed%'") == 0);
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_id_map") == 5);
}

TEST_CASE("SqliteLoader: overwrite updates rows whose content changed", "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  WriteOk(*loader, TaskBatch(&tasks, 1, 5, ConflictPolicy::kSkip));

  // Rows 3..7: 3 known with new content, 2 new.
  BatchOutcome outcome =
      WriteOk(*loader, TaskBatch(&tasks, 3, 5, ConflictPolicy::kOverwrite, "changed", "new"));
  CHECK(outcome.updated == 3);
  CHECK(outcome.inserted == 2);
  CHECK(outcome.skipped == 0);
  CHECK(QueryInt(path, "SELECT count(*) FROM tasks") == 7);
  CHECK(Query(path, "SELECT title FROM tasks WHERE priority = 4")[0][0] == "changed 4");
  CHECK(Query(path, "SELECT title FROM tasks WHERE priority = 2")[0][0] == "task 2");
  CHECK(Query(path, "SELECT content_hash FROM ferry_id_map WHERE legacy_id = 'L4'")[0][0] ==
        "new4");
}

TEST_CASE("SqliteLoader: overwrite rewrites every row it is given, whatever the id map holds",
          "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  WriteOk(*loader, TaskBatch(&tasks, 1, 4, ConflictPolicy::kSkip));

  // Same hashes, other titles: the client compared the rows and decided they differ.
  BatchOutcome outcome =
      WriteOk(*loader, TaskBatch(&tasks, 1, 4, ConflictPolicy::kOverwrite, "changed", "h"));
  CHECK(outcome.updated == 4);
  CHECK(QueryInt(path, "SELECT count(*) FROM tasks WHERE title LIKE 'changed%'") == 4);
}

TEST_CASE("SqliteLoader: id map rows and the checkpoint commit with the batch",
          "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  WriteOk(*loader, TaskBatch(&tasks, 1, 3, ConflictPolicy::kSkip));
  WriteOk(*loader, TaskBatch(&tasks, 4, 3, ConflictPolicy::kSkip));

  auto ids = Query(path,
                   "SELECT entity, user_id, legacy_id, ulid, content_hash, run_id "
                   "FROM ferry_id_map ORDER BY legacy_id");
  REQUIRE(ids.size() == 6);
  CHECK(ids[0] ==
        std::vector<std::string>{"tasks", "u1", "L1", "01ARZ3NDEKTSV4RRFFQ69G0001", "h1", "RUN1"});
  auto checkpoints =
      Query(path, "SELECT user_id, entity, unit, position, run_id FROM ferry_checkpoints");
  REQUIRE(checkpoints.size() == 1);
  CHECK(checkpoints[0] == std::vector<std::string>{"u1", "tasks", "dump.json", "6", "RUN1"});

  std::vector<std::optional<KnownIdentity>> known;
  REQUIRE(loader->LookupIdentities("tasks", "u1", {"L2", "L9", "L6"}, &known).ok());
  REQUIRE(known.size() == 3);
  REQUIRE(known[0].has_value());
  CHECK(known[0]->ulid == "01ARZ3NDEKTSV4RRFFQ69G0002");
  CHECK(known[0]->content_hash == "h2");
  CHECK_FALSE(known[1].has_value());
  CHECK(known[2].has_value());
  // Identity is per entity and per user.
  REQUIRE(loader->LookupIdentities("tasks", "u2", {"L2"}, &known).ok());
  CHECK_FALSE(known[0].has_value());
  REQUIRE(loader->LookupIdentities("notes", "u1", {"L2"}, &known).ok());
  CHECK_FALSE(known[0].has_value());
}

TEST_CASE("SqliteLoader: a failing row mid-batch rolls back the whole batch", "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  WriteOk(*loader, TaskBatch(&tasks, 1, 3, ConflictPolicy::kSkip));

  WriteBatch batch = TaskBatch(&tasks, 10, 10, ConflictPolicy::kOverwrite, "x", "y");
  batch.rows[5].cells[2] = std::monostate();                      // title is NOT NULL
  batch.rows[0] = sqlite_testing::TaskRow(1, "would overwrite");  // an update before the failure
  batch.identities[0] = {"L1", "01ARZ3NDEKTSV4RRFFQ69G0001", "changed"};
  Result<BatchOutcome> outcome = loader->Write(batch);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().IsRejected());
  CHECK(outcome.status().message().find("\"tasks\"") != std::string::npos);
  CHECK(outcome.status().message().find("\"L15\"") != std::string::npos);
  CHECK(outcome.status().message().find("NOT NULL") != std::string::npos);

  CHECK(QueryInt(path, "SELECT count(*) FROM tasks") == 3);
  CHECK(Query(path, "SELECT title FROM tasks WHERE priority = 1")[0][0] == "task 1");
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_id_map") == 3);
  CHECK(QueryInt(path, "SELECT position FROM ferry_checkpoints") == 3);

  // The loader stays usable after a failed batch.
  CHECK(WriteOk(*loader, TaskBatch(&tasks, 10, 2, ConflictPolicy::kSkip)).inserted == 2);
}

TEST_CASE("SqliteLoader: a cell of the wrong kind fails naming column and legacy id",
          "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});

  WriteBatch batch = TaskBatch(&tasks, 1, 3, ConflictPolicy::kSkip);
  batch.rows[1].cells[6] = std::string("2023-02-24");  // a timestamp must be milliseconds
  Result<BatchOutcome> outcome = loader->Write(batch);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().IsInvalidArgument());
  CHECK(outcome.status().message().find("\"created_at\"") != std::string::npos);
  CHECK(outcome.status().message().find("\"L2\"") != std::string::npos);
  CHECK(QueryInt(path, "SELECT count(*) FROM tasks") == 0);

  batch = TaskBatch(&tasks, 1, 1, ConflictPolicy::kSkip);
  batch.rows[0].cells[5] = std::nan("");
  outcome = loader->Write(batch);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().message().find("NaN") != std::string::npos);

  batch.rows[0] = sqlite_testing::TaskRow(1);
  batch.rows[0].cells[3] = int64_t{2};  // a boolean of 2
  CHECK_FALSE(loader->Write(batch).ok());

  batch.rows[0] = sqlite_testing::TaskRow(1);
  batch.rows[0].cells[6] = int64_t{253402300800000};  // year 10000
  CHECK_FALSE(loader->Write(batch).ok());

  batch.rows[0] = sqlite_testing::TaskRow(1);
  batch.rows[0].cells.pop_back();  // too few cells
  CHECK_FALSE(loader->Write(batch).ok());
  CHECK(QueryInt(path, "SELECT count(*) FROM tasks") == 0);
}

TEST_CASE("SqliteLoader: a row under an existing key unknown to the id map", "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  sqlite_testing::ExecSql(path,
                          "INSERT INTO tasks (id, user_id, title) "
                          "VALUES ('01ARZ3NDEKTSV4RRFFQ69G0001', 'u1', 'written by the app')");

  SECTION("skip keeps it; the row is under the identity's key, so the id map records it") {
    BatchOutcome outcome = WriteOk(*loader, TaskBatch(&tasks, 1, 2, ConflictPolicy::kSkip));
    CHECK(outcome.skipped == 1);
    CHECK(outcome.inserted == 1);
    CHECK(Query(path, "SELECT title FROM tasks WHERE id LIKE '%0001'")[0][0] ==
          "written by the app");
    CHECK(QueryInt(path, "SELECT count(*) FROM ferry_id_map WHERE legacy_id = 'L1'") == 1);
  }
  SECTION("overwrite replaces it and records the identity") {
    BatchOutcome outcome = WriteOk(*loader, TaskBatch(&tasks, 1, 2, ConflictPolicy::kOverwrite));
    CHECK(outcome.updated == 1);
    CHECK(outcome.inserted == 1);
    CHECK(Query(path, "SELECT title FROM tasks WHERE id LIKE '%0001'")[0][0] == "task 1");
    CHECK(QueryInt(path, "SELECT count(*) FROM ferry_id_map WHERE legacy_id = 'L1'") == 1);
  }
}

TEST_CASE("SqliteLoader: a merge batch is written as overwrite, its updates counted merged",
          "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  WriteOk(*loader, TaskBatch(&tasks, 1, 2, ConflictPolicy::kSkip));
  // Rows 1-2 known (merged by the caller), row 3 new.
  BatchOutcome outcome =
      WriteOk(*loader, TaskBatch(&tasks, 1, 3, ConflictPolicy::kMerge, "merged", "m"));
  CHECK(outcome.merged == 2);
  CHECK(outcome.inserted == 1);
  CHECK(outcome.updated == 0);
  CHECK(Query(path, "SELECT title FROM tasks ORDER BY id") ==
        std::vector<std::vector<std::string>>{{"merged 1"}, {"merged 2"}, {"merged 3"}});
  CHECK(QueryInt(path, "SELECT count(*) FROM ferry_id_map WHERE content_hash LIKE 'm%'") == 3);
}

TEST_CASE("SqliteLoader: a target locked by another writer is Unavailable", "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  { auto setup = ReadyLoader(path, false, {&tasks}); }
  auto loader =
      MakeSqliteLoaderWithOptions(sqlite_testing::SqliteSpec(path), {/*busy_timeout_ms=*/50});
  REQUIRE(loader->Check(false).ok());
  REQUIRE(loader->BeginRun({"RUN2", "", false, ""}).ok());
  REQUIRE(loader->EnsureSchema({&tasks}).ok());

  sqlite_testing::Connection other(path);
  REQUIRE(sqlite3_exec(other.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  Result<BatchOutcome> outcome = loader->Write(TaskBatch(&tasks, 1, 3, ConflictPolicy::kSkip));
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().IsUnavailable());
  REQUIRE(sqlite3_exec(other.db, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);

  // A retry succeeds once the other writer is gone.
  CHECK(WriteOk(*loader, TaskBatch(&tasks, 1, 3, ConflictPolicy::kSkip)).inserted == 3);
}

TEST_CASE("SqliteLoader: runs are recorded from begin to finish", "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, false, {&tasks});
  auto run = Query(path, "SELECT run_id, status, arguments, finished_at FROM ferry_runs");
  REQUIRE(run.size() == 1);
  CHECK(run[0] == std::vector<std::string>{"RUN1", "running", "ferry migrate dump.json", "NULL"});

  REQUIRE(loader->FinishRun({"completed_with_rejects", 10, 7, 1, 1, 1}).ok());
  run = Query(path,
              "SELECT status, records_read, inserted, updated, skipped, rejected, "
              "finished_at >= started_at FROM ferry_runs");
  CHECK(run[0] ==
        std::vector<std::string>{"completed_with_rejects", "10", "7", "1", "1", "1", "1"});
}

TEST_CASE("SqliteLoader: calls out of order are refused, not crashes", "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  TableDef other = sqlite_testing::TasksTable();
  other.name = "other";
  auto loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(path));
  CHECK_FALSE(loader->BeginRun({"R", "", false, ""}).ok());
  CHECK_FALSE(loader->EnsureSchema({&tasks}).ok());
  CHECK_FALSE(loader->Write(TaskBatch(&tasks, 1, 1, ConflictPolicy::kSkip)).ok());
  CHECK_FALSE(loader->FinishRun({"completed", 0, 0, 0, 0, 0}).ok());

  REQUIRE(loader->Check(false).ok());
  REQUIRE(loader->EnsureSchema({&tasks}).ok());
  CHECK_FALSE(loader->BeginRun({"", "", false, ""}).ok());
  // No BeginRun yet.
  CHECK_FALSE(loader->Write(TaskBatch(&tasks, 1, 1, ConflictPolicy::kSkip)).ok());
  REQUIRE(loader->BeginRun({"R", "", false, ""}).ok());
  // A table never given to EnsureSchema.
  CHECK_FALSE(loader->Write(TaskBatch(&other, 1, 1, ConflictPolicy::kSkip)).ok());
  WriteBatch mismatched = TaskBatch(&tasks, 1, 2, ConflictPolicy::kSkip);
  mismatched.identities.pop_back();
  CHECK_FALSE(loader->Write(mismatched).ok());
  CHECK(QueryInt(path, "SELECT count(*) FROM tasks") == 0);
}

TEST_CASE("SqliteLoader: ProbeUser is fresh only when neither id map nor table holds the user",
          "[loaders][sqlite]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  TableDef tasks = sqlite_testing::TasksTable();
  tasks.unique = {{"user_id", "title"}};  // a key leading with the user's column
  auto loader = ReadyLoader(path, false, {&tasks});
  const std::vector<UserColumn> tables = {{&tasks, "user_id"}};
  auto probe = [&](const std::string& user, const std::vector<std::string>& entities) {
    bool fresh = false;
    Status probed = loader->ProbeUser(user, entities, tables, &fresh);
    INFO(probed.ToString());
    REQUIRE(probed.ok());
    return fresh;
  };
  CHECK(probe("u1", {"tasks"}));
  WriteOk(*loader, TaskBatch(&tasks, 1, 3, ConflictPolicy::kSkip));
  CHECK_FALSE(probe("u1", {"tasks"}));
  CHECK(probe("u2", {"tasks"}));

  sqlite_testing::ExecSql(path, "DELETE FROM tasks");  // the rows gone, the id map names them
  CHECK_FALSE(probe("u1", {"notes", "tasks"}));
  CHECK(probe("u1", {"notes"}));  // only the entities asked about count
  sqlite_testing::ExecSql(path, "DELETE FROM ferry_id_map");
  CHECK(probe("u1", {"tasks"}));
  // A row written by hand, no id map: what adoption needs to find (issue 13).
  sqlite_testing::ExecSql(path,
                          "INSERT INTO tasks (id, user_id, title) VALUES "
                          "('01ARZ3NDEKTSV4RRFFQ69G9999', 'u1', 'by hand')");
  CHECK_FALSE(probe("u1", {"tasks"}));
  CHECK(probe("u2", {"tasks"}));
}

TEST_CASE("SqliteLoader: ProbeUser in a dry run of a missing file is fresh, creating nothing",
          "[loaders][sqlite][dry-run]") {
  TempDir dir;
  std::string path = dir.File("missing.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = ReadyLoader(path, true, {&tasks});
  bool fresh = false;
  REQUIRE(loader->ProbeUser("u1", {"tasks"}, {{&tasks, "user_id"}}, &fresh).ok());
  CHECK(fresh);
  CHECK(dir.Listing().empty());
}

}  // namespace
}  // namespace ferry::sqlite_loader_write_test
