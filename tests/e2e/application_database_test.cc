// End-to-end, loading into a database the application already has (issue 16): its foreign
// keys hold on both targets (a record breaking one is a reject naming it, the rest of its
// batch loads), and ferry leaves the SQLite database's journal mode as the application set it.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/e2e/admin_test_util.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::application_database_test {

namespace {

// ferry's own DDL of the task-app's tasks table, with the application's foreign key on status.
constexpr const char* kSqliteTasks = R"(CREATE TABLE "tasks" (
  "id" TEXT NOT NULL, "user_id" TEXT NOT NULL, "legacy_id" TEXT NOT NULL,
  "title" TEXT NOT NULL, "description" TEXT, "status" TEXT, "tags" TEXT,
  "environment_id" TEXT, "created_at" TEXT, "updated_at" TEXT,
  PRIMARY KEY ("id"), UNIQUE ("user_id", "legacy_id"),
  CONSTRAINT tasks_status_fk FOREIGN KEY ("status") REFERENCES app_statuses (name)))";

std::string SqlitePath(const TargetFixture& target) {
  return target.url().substr(std::string("sqlite:").size());
}

// An application database: a status table holding "pending" and "completed" (not "in_progress",
// which a task "in-progress" maps to) that tasks.status references. On SQLite the file is made by
// the application, in rollback-journal mode; on PostgreSQL ferry's schema up makes the tables and
// the application adds the key.
void MakeApplicationDatabase(TargetFixture& target) {
  if (target.kind() == "sqlite") {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(SqlitePath(target).c_str(), &db) == SQLITE_OK);
    std::string sql = std::string("PRAGMA journal_mode=DELETE; ") +
                      "CREATE TABLE app_statuses (name TEXT PRIMARY KEY); "
                      "INSERT INTO app_statuses VALUES ('pending'), ('completed'); " +
                      kSqliteTasks + ";";
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    INFO(sqlite3_errmsg(db));
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
    return;
  }
  CommandResult up = RunFerry({"schema", "up", "--target", target.url()});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  ExecOn(target,
         "CREATE TABLE app_statuses (name text PRIMARY KEY); "
         "INSERT INTO app_statuses VALUES ('pending'), ('completed'); "
         "ALTER TABLE tasks ADD CONSTRAINT tasks_status_fk FOREIGN KEY (status) "
         "REFERENCES app_statuses (name)");
}

std::string Task(const std::string& id, const std::string& status) {
  return R"({\"id\":\")" + id + R"(\",\"title\":\"t\",\"status\":\")" + status +
         R"(\",\"createdAt\":\"2024-01-01T00:00:00Z\",\"updatedAt\":\"2024-01-01T00:00:00Z\"})";
}

void WriteTasks(const std::string& path) {
  std::ofstream(path) << R"({"https://app.example.com": {"tasks": "[)" << Task("t1", "todo") << ","
                      << Task("t2", "in-progress") << "," << Task("t3", "done") << R"(]"}})";
}

}  // namespace

TEST_CASE("application database: a record breaking its foreign key is a reject naming it",
          "[e2e][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    MakeApplicationDatabase(*target);
    TempDir work;
    WriteTasks(work / "u1.json");
    std::string rejects = work / "rejects.ndjson";
    CommandResult run =
        RunFerry({"migrate", work / "u1.json", "--user-id", "u1", "--target", target->url(),
                  "--continue-on-error", "--rejects", rejects, "--progress", "none"});
    INFO(run.out << run.err);
    CHECK(run.exit_code == 3);
    CHECK(target->Query("SELECT legacy_id FROM tasks ORDER BY legacy_id") ==
          std::vector<std::vector<std::string>>{{"t1"}, {"t3"}});
    // The rejected record is not in the id map: a later run, once the application has the
    // status, loads it.
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map") +
                        " WHERE entity = 'tasks'") == 2);
    std::string written = ReadFile(rejects);
    INFO(written);
    CHECK(written.find("\"index\":1") != std::string::npos);
    CHECK(written.find("foreign key") != std::string::npos);
    CHECK(written.find("app_statuses") != std::string::npos);
  }
}

TEST_CASE(
    "application database: without --continue-on-error a broken foreign key stops the "
    "run before its batch is written",
    "[e2e][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    MakeApplicationDatabase(*target);
    TempDir work;
    WriteTasks(work / "u1.json");
    CommandResult run = RunFerry({"migrate", work / "u1.json", "--user-id", "u1", "--target",
                                  target->url(), "--progress", "none"});
    INFO(run.out << run.err);
    CHECK(run.exit_code == 1);
    // SQLite keeps no constraint names: the key is named by its columns and table.
    if (target->kind() == "postgresql") CHECK(run.err.find("tasks_status_fk") != std::string::npos);
    CHECK(run.err.find("app_statuses") != std::string::npos);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 0);
  }
}

TEST_CASE("application database: ferry keeps the SQLite database's journal mode", "[e2e][sqlite]") {
  std::unique_ptr<TargetFixture> target = MakeTarget("sqlite");
  REQUIRE(target != nullptr);
  MakeApplicationDatabase(*target);
  TempDir work;
  WriteTasks(work / "u1.json");
  CommandResult run = RunFerry({"migrate", work / "u1.json", "--user-id", "u1", "--target",
                                target->url(), "--continue-on-error", "--progress", "none"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);
  CHECK(Query(SqlitePath(*target), "PRAGMA journal_mode") ==
        std::vector<std::vector<std::string>>{{"delete"}});
}

}  // namespace ferry::e2e::application_database_test
