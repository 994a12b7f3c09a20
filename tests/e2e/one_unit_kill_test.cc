// A kill inside one large unit (issue 19, "Done when": a kill while batch N+1 is being prepared
// and batch N commits). One user of many batches, at the default settings (no --jobs: the run
// chooses its workers; a unit is one worker's, and whatever that worker prepares for its next
// batch while one commits is in flight at the kill). The process is killed by SIGKILL just
// before and just after the commit of a batch in the middle of the unit's tasks
// (base/fault_point.h); the same command then resumes the run: it passes over exactly the
// records the killed run committed, writes the others once, and leaves what a clean run left.
// Both targets.
#include <signal.h>
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::one_unit_kill_test {

namespace {

constexpr int kBatchSize = 25;

struct KillReport {
  int64_t inserted = 0;  // this session's, every entity
  int64_t passed_over = 0;
  std::string resumed_from;
};

KillReport ReadKillReport(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element json = parser.load(path);
  KillReport report;
  report.passed_over = int64_t(json["resume_passed_over"].get_double().value());
  report.resumed_from = std::string(json["resumed_from"].get_string().value());
  for (auto [name, counts] : json["entities"].get_object()) {
    report.inserted += int64_t(counts["inserted"].get_double().value());
  }
  return report;
}

}  // namespace

TEST_CASE("resume: a kill while one unit's batch commits and its next is prepared",
          "[e2e][faults][resume][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 1;
  options.tasks = testing::PlainOrSanitized(300, 150);  // 12 (6) batches of tasks
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  const std::string report_file = dir / "report.json";
  // The unit's commits: its environments' batch, the task batches, the rest with its mark. The
  // kill lands on the commit of a task batch in the middle.
  const int64_t commits = workload.Commits(kBatchSize);
  REQUIRE(commits >= 6);
  const std::string middle = std::to_string(commits / 2);
  FERRY_FOR_EACH_TARGET(target) {
    const std::string prefix = target->kind() == "sqlite" ? "sqlite" : "pg";
    std::vector<std::string> args = {
        "migrate",    dir / "dumps", "--user-id-from", "filename",
        "--target",   target->url(), "--batch-size",   std::to_string(kBatchSize),
        "--progress", "none",        "--rejects",      dir / "rejects",
        "--report",   report_file,   "--no-backup"};
    CommandResult clean = RunFerryToEnd(args);
    INFO(Describe(clean));
    REQUIRE(clean.exit_code == 0);
    const int64_t clean_inserted = ReadKillReport(report_file).inserted;
    REQUIRE(clean_inserted == workload.tasks + workload.environments + 3);
    TableSnapshot reference = TakeSnapshot(*target);
    REQUIRE(reference.problems.empty());

    for (const std::string moment : {"before_commit", "after_commit"}) {
      DYNAMIC_SECTION(moment) {
        std::unique_ptr<TargetFixture> fresh = MakeTarget(target->kind());
        REQUIRE(fresh != nullptr);
        args[5] = fresh->url();
        const std::string point = prefix + "." + moment + ":" + middle;
        CommandResult killed = RunFerryToEnd(args, {{"FERRY_FAULT", point}});
        INFO(point << ": " << Describe(killed));
        REQUIRE(killed.exit_code == 128 + SIGKILL);

        CommandResult resumed = RunFerryToEnd(args);
        INFO(Describe(resumed));
        REQUIRE(resumed.exit_code == 0);
        CHECK(resumed.out.find("resumed the interrupted run") != std::string::npos);
        KillReport report = ReadKillReport(report_file);
        CHECK(!report.resumed_from.empty());
        // The killed run committed some of the unit and not all: the resume passes over what
        // it committed and writes the rest, each record once.
        CHECK(report.passed_over > 0);
        CHECK(report.inserted > 0);
        CHECK(report.passed_over + report.inserted == clean_inserted);
        std::string differences = SnapshotDifferences(reference, TakeSnapshot(*fresh));
        INFO(differences);
        CHECK(differences.empty());
      }
    }
  }
}

}  // namespace ferry::e2e::one_unit_kill_test
