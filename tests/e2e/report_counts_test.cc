// End-to-end: the report's counts add up at every exit — read = valid + rejected per entity,
// for a run stopped by a reject, a --jobs run, a failure before the first record — and say
// what they are (issue 12 item 13).
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e {

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

}  // namespace ferry::e2e
