// The marks of a run's units are read a chunk of units at a time (agent/run/unit_marks.h,
// Loader::ReadUnitMarks), not in two round trips per unit: a rerun and a resume read them in one
// statement, and decide each unit as a read of its mark alone did: the units loaded before are
// skipped or given back their kept rejects, the rest loaded, nothing written twice. --jobs 1, so
// that the debug line's counts do not depend on the workers' timing. On both targets.
#include <simdjson.h>

#include <catch2/catch.hpp>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::marks_at_once_test {

namespace {

int64_t ReportNumber(const std::string& path, const char* name) {
  simdjson::dom::parser parser;
  simdjson::dom::element json = parser.load(path);
  return int64_t(json[name].get_double().value());
}

}  // namespace

TEST_CASE("rerun and resume: the units' marks read in one statement decide each unit",
          "[e2e][rerun][resume][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 6;
  options.tasks = 20;
  options.bad_users = {1, 3};  // one reject each, kept beside their marks
  WriteTaskappWorkload(dir.path() / "dumps", options);
  const int64_t valid_tasks = 6 * 20 - 2;
  FERRY_FOR_EACH_TARGET(target) {
    const std::string report = dir / "report.json";
    const std::string marks =
        "SELECT count(*) FROM " + target->Bookkeeping("checkpoints") +
        " WHERE entity = " + (target->kind() == "sqlite" ? "char(1)" : "chr(1)") + " || 'unit'";
    std::vector<std::string> args = {"migrate",
                                     dir / "dumps",
                                     "--user-id-from",
                                     "filename",
                                     "--target",
                                     target->url(),
                                     "--jobs",
                                     "1",
                                     "--batch-size",
                                     "1000",
                                     "--continue-on-error",
                                     "--max-reject-rate",
                                     "1",
                                     "--progress",
                                     "none",
                                     "--rejects",
                                     dir / ("rejects-" + target->kind()),
                                     "--report",
                                     report,
                                     "--no-backup",
                                     "--log-level",
                                     "debug"};
    // Killed after its third commit: some units loaded and marked, the others not begun.
    const std::string point =
        target->kind() == "sqlite" ? "sqlite.after_commit:15" : "pg.after_commit:3";
    CommandResult killed = RunFerry(args, {{"FERRY_FAULT", point}});
    INFO(Describe(killed));
    REQUIRE(killed.exit_code == 137);
    const int64_t marked = target->Count(marks);
    REQUIRE(marked >= 1);
    REQUIRE(marked < 6);

    CommandResult resumed = RunFerryToEnd(args);
    INFO(Describe(resumed));
    REQUIRE(resumed.exit_code == 3);
    CHECK(resumed.out.find("resumed the interrupted run") != std::string::npos);
    const std::string log = resumed.out + resumed.err;
    CHECK(log.find("unit marks: 6 of 6 units read in one statement (" + std::to_string(marked) +
                   " marked)") != std::string::npos);
    CHECK(ReportNumber(report, "unchanged_units") +
              ReportNumber(report, "unchanged_units_with_rejects") ==
          marked);
    CHECK(target->Count("SELECT count(*) FROM tasks") == valid_tasks);
    CHECK(target->Count(marks) == 6);

    // A rerun: every unit found marked from the one read.
    CommandResult rerun = RunFerryToEnd(args);
    INFO(Describe(rerun));
    REQUIRE(rerun.exit_code == 3);
    CHECK(
        (rerun.out + rerun.err).find("unit marks: 6 of 6 units read in one statement (6 marked)") !=
        std::string::npos);
    CHECK(ReportNumber(report, "unchanged_units") == 4);
    CHECK(ReportNumber(report, "unchanged_rejects_kept") == 2);
    CHECK(target->Count("SELECT count(*) FROM tasks") == valid_tasks);
  }
}

}  // namespace ferry::e2e::marks_at_once_test
