// End-to-end: a database error ferry did not foresee on a batch (an application CHECK
// constraint, a trigger raising) is traced to its record (issue 14 item 3): with
// --continue-on-error that record is rejected with the database's message and the rest of the
// batch is loaded; without it the run stops at that batch with the database's message, and
// nothing of the batch is written. Both targets.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/dump_builder.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::unforeseen_db_error_test {

namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Makes the target's tasks table refuse the record with legacy id task-3 by a rule of its own.
void RefuseTask3(TargetFixture& target) {
  if (target.kind() == "sqlite") {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(target.url().substr(std::string("sqlite:").size()).c_str(), &db) ==
            SQLITE_OK);
    int rc = sqlite3_exec(db,
                          "CREATE TRIGGER no_task_3 BEFORE INSERT ON tasks WHEN NEW.legacy_id = "
                          "'task-3' BEGIN SELECT RAISE(ABORT, 'the application refuses task 3'); "
                          "END",
                          nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  } else {
    target.Query("ALTER TABLE tasks ADD CONSTRAINT no_task_3 CHECK (legacy_id <> 'task-3')");
  }
}

}  // namespace

TEST_CASE("migrate: an unforeseen database error on a batch is traced to its record",
          "[e2e][sqlite][postgres][rejects]") {
  TempDir work;
  WriteDump(work / "u.json", {{"tasks", TasksJson("task-", 6)}});
  FERRY_FOR_EACH_TARGET(target) {
    REQUIRE(RunFerry({"schema", "up", "--target", target->url()}).exit_code == 0);
    RefuseTask3(*target);
    std::vector<std::string> args = {"migrate",   work / "u.json",  "--user-id",  "demo",
                                     "--target",  target->url(),    "--progress", "none",
                                     "--rejects", work / "r.ndjson"};
    CommandResult stopped = RunFerry(args);
    INFO(Describe(stopped));
    CHECK(stopped.exit_code == 1);
    CHECK((Has(stopped.err, "no_task_3") || Has(stopped.err, "refuses task 3")));
    // Without --continue-on-error nothing of the refused batch is written (PRODUCT.md).
    CHECK(target->Count("SELECT count(*) FROM tasks") == 0);

    args.push_back("--continue-on-error");
    CommandResult loaded = RunFerry(args);
    INFO(Describe(loaded));
    CHECK(loaded.exit_code == 3);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 5);
    CHECK(target->Count("SELECT count(*) FROM tasks WHERE legacy_id = 'task-3'") == 0);
    std::ifstream rejects(work / "r.ndjson");
    std::string all((std::istreambuf_iterator<char>(rejects)), std::istreambuf_iterator<char>());
    CHECK(Has(all, "\"index\":2"));
    CHECK((Has(all, "no_task_3") || Has(all, "refuses task 3")));
  }
}

}  // namespace ferry::e2e::unforeseen_db_error_test
