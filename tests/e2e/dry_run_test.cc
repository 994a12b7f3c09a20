// End-to-end: a dry run writes nothing, so it reads every record and counts every reject, with
// or without --continue-on-error, and says where the real run would stop (issue 12 item 6).
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::dry_run_test {

TEST_CASE("migrate --dry-run: the README's example shows all 9 rejects and where a run stops",
          "[e2e][dry_run][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string report = work / "report.json";
    // The README's first example, as written there (no --continue-on-error).
    CommandResult run =
        RunFerry({"migrate", (SourceDir() / "examples/chromium-taskapp").string(), "--user-id",
                  "demo", "--target", target->url(), "--dry-run", "--report", report});
    INFO(Describe(run));
    CHECK(run.exit_code == 3);  // done with rejects, as the real run with --continue-on-error
    CHECK(run.out.find("status: completed_with_rejects") != std::string::npos);
    CHECK(run.out.find("without --continue-on-error the run would stop at record 9 (index 8) of "
                       "key \"tasks\"") != std::string::npos);
    CHECK(run.out.find("2024-13-45") != std::string::npos);  // the first reject's reason
    simdjson::dom::parser parser;
    simdjson::dom::element json = parser.load(report);
    CHECK(int64_t(json["entities"]["tasks"]["rejected"]) == 9);
    CHECK(int64_t(json["entities"]["tasks"]["valid"]) == 191);
    CHECK(int64_t(json["entities"]["form_data"]["read"]) == 4);  // read after the tasks
    CHECK(std::string_view(json["would_stop"]).find("record 9 (index 8)") !=
          std::string_view::npos);
    CHECK_FALSE(target->Touched());
  }
}

TEST_CASE("migrate --dry-run --jobs 2: every user's rejects are counted, none stops the others",
          "[e2e][dry_run][sqlite][postgres]") {
  TempDir dumps;
  TaskappWorkloadOptions options;
  options.users = 4;
  options.tasks = 50;
  options.bad_users = {1, 2};
  WriteTaskappWorkload(dumps.path(), options);
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run =
        RunFerry({"migrate", dumps.path().string(), "--user-id-from", "filename", "--target",
                  target->url(), "--dry-run", "--jobs", "2", "--progress", "none"});
    INFO(Describe(run));
    CHECK(run.exit_code == 3);
    CHECK(run.out.find("without --continue-on-error the run would stop at") != std::string::npos);
    CHECK(run.out.find("failed user") == std::string::npos);
    CHECK(run.out.find("4 unit(s)") != std::string::npos);
  }
}

}  // namespace ferry::e2e::dry_run_test
