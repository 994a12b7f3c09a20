// Resuming an interrupted run whose sources changed since (agent/run/source_fingerprint.h,
// issue 6): the rerun is refused with exit 2, naming the interrupted run and --restart, and
// writes nothing; with --restart it loads afresh, ends with a clean run's rows and records the
// interrupted run as abandoned, so that the same command afterwards is an ordinary rerun.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::resume_changed_sources_test {

TEST_CASE("resume: changed sources refuse an interrupted run's resume until --restart",
          "[e2e][faults][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.tasks = 60;
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  FERRY_FOR_EACH_TARGET(target) {
    auto args = [&](const TargetFixture& on) {
      return std::vector<std::string>{"migrate",      dir / "dumps", "--user-id-from",
                                      "filename",     "--target",    on.url(),
                                      "--batch-size", "10",          "--progress",
                                      "none",         "--rejects",   dir / "rejects"};
    };
    CommandResult clean = RunFerryToEnd(args(*target));
    INFO(Describe(clean));
    REQUIRE(clean.exit_code == 0);
    TableSnapshot reference = TakeSnapshot(*target);
    REQUIRE(reference.problems.empty());

    std::unique_ptr<TargetFixture> interrupted = MakeTarget(target->kind());
    std::string point = target->kind() == "sqlite" ? "sqlite.after_commit:3" : "pg.after_commit:3";
    CommandResult killed = RunFerryToEnd(args(*interrupted), {{"FERRY_FAULT", point}});
    INFO(Describe(killed));
    REQUIRE(killed.exit_code == 128 + SIGKILL);
    std::string run_id =
        interrupted->Query("SELECT run_id FROM " + interrupted->Bookkeeping("runs")).at(0).at(0);
    INFO("interrupted run " << run_id);

    // A source touched: same bytes, a new modification time.
    std::filesystem::path file = workload.files[1];
    std::filesystem::last_write_time(
        file, std::filesystem::last_write_time(file) + std::chrono::seconds(2));
    TableSnapshot before = TakeSnapshot(*interrupted);
    CommandResult refused = RunFerryToEnd(args(*interrupted));
    INFO(Describe(refused));
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find(run_id) != std::string::npos);
    CHECK(refused.err.find("--restart") != std::string::npos);
    CHECK(TakeSnapshot(*interrupted).tables == before.tables);  // it wrote nothing

    std::vector<std::string> restart = args(*interrupted);
    restart.push_back("--restart");
    CommandResult restarted = RunFerryToEnd(restart);
    INFO(Describe(restarted));
    CHECK(restarted.exit_code == 0);
    TableSnapshot after = TakeSnapshot(*interrupted);
    std::string differences = SnapshotDifferences(reference, after);
    INFO(differences);
    CHECK(differences.empty());
    // --restart recorded the interrupted run as abandoned: neither resumed nor offered again.
    CHECK(interrupted->Query("SELECT status FROM " + interrupted->Bookkeeping("runs") +
                             " WHERE run_id = '" + run_id + "'") ==
          std::vector<std::vector<std::string>>{{"abandoned"}});
    CHECK(interrupted->Query("SELECT count(*) FROM " + interrupted->Bookkeeping("audit_log") +
                             " WHERE run_id = '" + run_id + "' AND action = 'run abandoned'") ==
          std::vector<std::vector<std::string>>{{"1"}});
    // So the same command again is an ordinary rerun, not another refusal.
    CommandResult again = RunFerryToEnd(args(*interrupted));
    INFO(Describe(again));
    CHECK(again.exit_code == 0);
    CHECK(SnapshotDifferences(reference, TakeSnapshot(*interrupted)).empty());
  }
}

}  // namespace ferry::e2e::resume_changed_sources_test
