// Errors on either side of the overlap within one unit (issue 19): a unit reads, validates and
// deduplicates its next batch while the one before commits on the writer thread
// (agent/run/unit_writes.h). A source error (a reject without --continue-on-error) met while a
// batch commits, and a commit the target refuses while the next batch is prepared, each stop
// the run with exactly the batches committed before them in the target and in the report:
// nothing of the next batch reaches the target, and the run after them writes each record
// once. One user of many batches of 25 tasks, both targets.
#include <simdjson.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::one_unit_overlap_test {

namespace {

constexpr int kBatchSize = 25;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Every entity's count of `kind` ("inserted", "skipped") in the report at `path`.
int64_t ReportTotal(const std::string& path, const char* kind) {
  simdjson::dom::parser parser;
  simdjson::dom::element json = parser.load(path);
  int64_t total = 0;
  for (auto [name, counts] : json["entities"].get_object()) {
    total += int64_t(counts[kind].get_double().value());
  }
  return total;
}

// Makes the target refuse the task with legacy id `legacy` by a rule of its own.
void RefuseTask(TargetFixture& target, const std::string& legacy) {
  if (target.kind() == "sqlite") {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(target.url().substr(std::string("sqlite:").size()).c_str(), &db) ==
            SQLITE_OK);
    const std::string trigger =
        "CREATE TRIGGER refuse_task BEFORE INSERT ON tasks WHEN NEW.legacy_id = '" + legacy +
        "' BEGIN SELECT RAISE(ABORT, 'the application refuses this task'); END";
    int rc = sqlite3_exec(db, trigger.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  } else {
    target.Query("ALTER TABLE tasks ADD CONSTRAINT refuse_task CHECK (legacy_id <> '" + legacy +
                 "')");
  }
}

std::vector<std::string> Args(const TempDir& dir, const TargetFixture& target) {
  return {"migrate",        dir / "dumps",
          "--user-id-from", "filename",
          "--target",       target.url(),
          "--batch-size",   std::to_string(kBatchSize),
          "--progress",     "none",
          "--rejects",      dir / "rejects.ndjson",
          "--report",       dir / "report.json",
          "--no-backup"};
}

}  // namespace

TEST_CASE("overlap: a source error while a batch commits stops after that batch, counted",
          "[e2e][faults][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 1;
  // The bad task (the mapping rejects its status) is the middle one: the 11th of its batch,
  // read while the batch before commits.
  options.tasks = testing::PlainOrSanitized(320, 160);
  options.bad_users = {0};
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  const int64_t bad = options.tasks / 2;
  const int64_t committed_tasks = bad / kBatchSize * kBatchSize;
  REQUIRE(bad % kBatchSize != 0);
  FERRY_FOR_EACH_TARGET(target) {
    std::vector<std::string> args = Args(dir, *target);
    CommandResult stopped = RunFerryToEnd(args);
    INFO(Describe(stopped));
    REQUIRE(stopped.exit_code == 1);
    CHECK(Has(stopped.err, "archived"));
    // The batches before the bad record's are committed, the batch in flight at the reject
    // included; nothing of the bad record's batch is.
    CHECK(target->Count("SELECT count(*) FROM tasks") == committed_tasks);
    CHECK(target->Count("SELECT count(*) FROM environments") == workload.environments);
    CHECK(ReportTotal(dir / "report.json", "inserted") == committed_tasks + workload.environments);

    args.push_back("--continue-on-error");
    CommandResult loaded = RunFerryToEnd(args);
    INFO(Describe(loaded));
    CHECK(loaded.exit_code == 3);
    CHECK(target->Count("SELECT count(*) FROM tasks") == workload.tasks);
    // Each record once: what the stopped run committed is skipped, the rest inserted.
    CHECK(ReportTotal(dir / "report.json", "skipped") == committed_tasks + workload.environments);
    CHECK(ReportTotal(dir / "report.json", "inserted") ==
          workload.tasks - committed_tasks + 3);  // + preferences, form data, custom data
  }
}

TEST_CASE("overlap: a commit the target refuses while the next batch is prepared stops both",
          "[e2e][faults][rejects][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 1;
  options.tasks = testing::PlainOrSanitized(300, 150);
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  // Task index 64 (legacy id "task-64": index % 3 == 1) is in the third batch of tasks.
  const std::string refused = "task-64";
  const int64_t committed_tasks = 2 * kBatchSize;
  FERRY_FOR_EACH_TARGET(target) {
    REQUIRE(RunFerry({"schema", "up", "--target", target->url()}).exit_code == 0);
    RefuseTask(*target, refused);
    std::vector<std::string> args = Args(dir, *target);
    CommandResult stopped = RunFerryToEnd(args);
    INFO(Describe(stopped));
    REQUIRE(stopped.exit_code == 1);
    CHECK((Has(stopped.err, "refuse_task") || Has(stopped.err, "refuses this task")));
    // The refused batch wrote nothing, and the batch prepared meanwhile was never sent.
    CHECK(target->Count("SELECT count(*) FROM tasks") == committed_tasks);
    CHECK(ReportTotal(dir / "report.json", "inserted") == committed_tasks + workload.environments);

    args.push_back("--continue-on-error");
    CommandResult loaded = RunFerryToEnd(args);
    INFO(Describe(loaded));
    CHECK(loaded.exit_code == 3);
    CHECK(target->Count("SELECT count(*) FROM tasks") == workload.tasks - 1);
    CHECK(target->Count("SELECT count(*) FROM tasks WHERE legacy_id = '" + refused + "'") == 0);
    CHECK(ReportTotal(dir / "report.json", "skipped") == committed_tasks + workload.environments);
    std::ifstream rejects(dir / "rejects.ndjson");
    std::string all((std::istreambuf_iterator<char>(rejects)), std::istreambuf_iterator<char>());
    CHECK(Has(all, "\"index\":64"));
  }
}

}  // namespace ferry::e2e::one_unit_overlap_test
