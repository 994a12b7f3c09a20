// End-to-end: the report's counts add up at every exit — read = valid + rejected per entity,
// for a run stopped by a reject, a --jobs run, a failure before the first record — and say
// what they are (issue 12 item 13).
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <string>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::report_counts_test {

namespace {

// Checks read = valid + rejected for each entity of a --report file; returns the entities.
simdjson::dom::object CheckCountsAddUp(simdjson::dom::parser& parser, const std::string& report) {
  simdjson::dom::element json = parser.load(report);
  simdjson::dom::object entities = json["entities"];
  for (auto [name, counts] : entities) {
    INFO(name);
    CHECK(int64_t(counts["read"]) == int64_t(counts["valid"]) + int64_t(counts["rejected"]));
  }
  return entities;
}

}  // namespace

TEST_CASE("migrate report: a run stopped by a reject counts the valid records it read",
          "[e2e][report][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string report = work / "report.json";
    CommandResult run =
        RunFerry({"migrate", (SourceDir() / "examples/chromium-taskapp").string(), "--user-id",
                  "demo", "--target", target->url(), "--report", report});
    INFO(Describe(run));
    CHECK(run.exit_code == 1);
    simdjson::dom::parser parser;
    simdjson::dom::object entities = CheckCountsAddUp(parser, report);
    CHECK(int64_t(entities["tasks"]["valid"]) == 8);  // records 1 to 8; the 9th stopped it
    CHECK(int64_t(entities["tasks"]["rejected"]) == 1);
    CHECK(int64_t(entities["tasks"]["inserted"]) == 0);  // its batch was not written
  }
}

TEST_CASE("migrate report: a --jobs run whose users stop on rejects adds up, labelled as such",
          "[e2e][report][sqlite][postgres]") {
  TempDir dumps;
  TaskappWorkloadOptions options;
  options.users = 6;
  options.tasks = 120;
  options.bad_users = {1, 4};
  WriteTaskappWorkload(dumps.path(), options);
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string report = work / "report.json";
    CommandResult run = RunFerry({"migrate", dumps.path().string(), "--user-id-from", "filename",
                                  "--target", target->url(), "--jobs", "2", "--batch-size", "50",
                                  "--progress", "none", "--report", report});
    INFO(Describe(run));
    CHECK(run.exit_code == 1);
    simdjson::dom::parser parser;
    CheckCountsAddUp(parser, report);
    CHECK(run.out.find("Unavailable") == std::string::npos);  // bad data is not an outage
    CHECK(run.out.find("status: stopped") != std::string::npos);
    CHECK(run.out.find("2 of 6 users") != std::string::npos);
  }
}

TEST_CASE("migrate report: a resumed run says so and what its earlier session committed",
          "[e2e][report][faults][sqlite][postgres]") {
  TempDir dumps;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.tasks = 60;
  WriteTaskappWorkload(dumps.path(), options);
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string report = work / "report.json";
    std::vector<std::string> args = {"migrate",        dumps.path().string(),
                                     "--user-id-from", "filename",
                                     "--target",       target->url(),
                                     "--batch-size",   "10",
                                     "--progress",     "none",
                                     "--report",       report,
                                     "--jobs",         "1"};  // a known commit point
    // SQLite commits each batch; PostgreSQL holds the 5 environments until the first 10 tasks
    // join them (agent/run/unit_writes.h): after its 2nd commit the same 25 records are in.
    std::string point = target->kind() == "sqlite" ? "sqlite.after_commit:3" : "pg.after_commit:2";
    CommandResult killed = RunFerryToEnd(args, {{"FERRY_FAULT", point}});
    INFO(Describe(killed));
    REQUIRE(killed.exit_code == 128 + SIGKILL);
    std::string run_id =
        target->Query("SELECT run_id FROM " + target->Bookkeeping("runs")).at(0).at(0);

    CommandResult resumed = RunFerryToEnd(args);
    INFO(Describe(resumed));
    CHECK(resumed.exit_code == 0);
    CHECK(resumed.out.find("resumed the interrupted run " + run_id +
                           ": its earlier session(s) had read and committed 25 record(s)") !=
          std::string::npos);
    simdjson::dom::parser parser;
    CheckCountsAddUp(parser, report);
    simdjson::dom::element json = parser.load(report);
    CHECK(std::string_view(json["resumed_from"]) == run_id);
    CHECK(int64_t(json["resumed_committed"]["environments"]) == 5);  // commit 1
    CHECK(int64_t(json["resumed_committed"]["tasks"]) == 20);        // commits 2 and 3
    // Issue 19: those 25 were passed over by their checkpoints, not looked up or written again.
    CHECK(int64_t(json["resume_passed_over"]) == 25);
  }
}

// A unit the interrupted run had loaded whole is skipped by its mark, not read again: the report
// must not say that read and valid are the whole run's without naming those units (they were
// silently missing from the counts).
TEST_CASE("migrate report: a resumed run names the units its marks skipped beside its counts",
          "[e2e][report][faults][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 6;
  options.tasks = 20;
  WriteTaskappWorkload(dir.path() / "dumps", options);
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string report = work / "report.json";
    std::vector<std::string> args = {"migrate",      dir / "dumps", "--user-id-from", "filename",
                                     "--target",     target->url(), "--jobs",         "1",
                                     "--batch-size", "1000",        "--progress",     "none",
                                     "--report",     report,        "--no-backup"};
    // As marks_at_once_test: some units loaded and marked, the others not begun.
    const std::string point =
        target->kind() == "sqlite" ? "sqlite.after_commit:15" : "pg.after_commit:3";
    CommandResult killed = RunFerry(args, {{"FERRY_FAULT", point}});
    INFO(Describe(killed));
    REQUIRE(killed.exit_code == 128 + SIGKILL);

    CommandResult resumed = RunFerryToEnd(args);
    INFO(Describe(resumed));
    REQUIRE(resumed.exit_code == 0);
    simdjson::dom::parser parser;
    const auto skipped = int64_t(parser.load(report)["unchanged_units"].get_double().value());
    REQUIRE(skipped >= 1);
    REQUIRE(skipped < 6);
    CHECK(resumed.out.find("again but for the " + std::to_string(skipped) +
                           " unit(s) skipped by their marks (above), so read, valid and rejected "
                           "above are the whole run's but for those units' records") !=
          std::string::npos);
    CHECK(resumed.out.find("again, so read, valid and rejected above are the whole run's") ==
          std::string::npos);
  }
}

TEST_CASE("migrate report: with users from the source, examples name their user",
          "[e2e][report][sqlite]") {
  TempDir dumps;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.tasks = 10;
  WriteTaskappWorkload(dumps.path(), options);
  TempDir work;
  std::vector<std::string> args = {
      "migrate",  dumps.path().string(),       "--user-id-from", "filename",
      "--target", "sqlite:" + (work / "t.db"), "--progress",     "none"};
  REQUIRE(RunFerry(args).exit_code == 0);
  // Every record a conflict now, skipped (--rescan: an unchanged unit would be skipped whole).
  args.push_back("--rescan");
  CommandResult again = RunFerry(args);
  INFO(Describe(again));
  CHECK(again.exit_code == 0);
  // form_data's legacy id is the key's suffix, the same for every user: the user tells them
  // apart. user_preferences' is the user itself, named once.
  CHECK(again.out.find(" of user-00") != std::string::npos);
  CHECK(again.out.find(" of user-01") != std::string::npos);
  CHECK(again.out.find("user-00 of user-00") == std::string::npos);
}

TEST_CASE("migrate report: damage an extractor skipped counts as read and rejected",
          "[e2e][report]") {
  TempDir work;
  {
    std::ofstream dump(work / "d.json");
    dump << R"({"tasks":[1,2,3],"environments":"[]"})";  // a value that is not a string
  }
  std::string report = work / "report.json";
  CommandResult run = RunFerry({"migrate", work / "d.json", "--user-id", "demo", "--target",
                                "sqlite:" + (work / "t.db"), "--continue-on-error", "--rejects",
                                work / "r.ndjson", "--report", report});
  INFO(Describe(run));
  simdjson::dom::parser parser;
  simdjson::dom::object entities = CheckCountsAddUp(parser, report);
  CHECK(int64_t(entities["(source)"]["rejected"]) >= 1);
}

TEST_CASE("migrate report: a failure before the first record prints no empty table",
          "[e2e][report]") {
  TempDir work;
  CommandResult run = RunFerry({"migrate", (SourceDir() / "examples/taskapp-dump.json").string(),
                                "--user-id", "demo", "--target", "sqlite:" + (work / "t.db"),
                                "--mapping", work / "missing.yaml"});
  INFO(Describe(run));
  CHECK(run.exit_code == 2);
  CHECK(run.out.find(" → \n") == std::string::npos);
  CHECK(run.out.find("entity") == std::string::npos);
  CHECK(run.out.find("total") == std::string::npos);
  CHECK(run.out.find("status: failed") != std::string::npos);
}

}  // namespace ferry::e2e::report_counts_test
