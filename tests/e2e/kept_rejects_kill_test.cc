// The rejects a unit keeps beside its mark (agent/run/unit_rejects.h) are written in the mark's
// own transaction: a kill at any commit of a run leaves no kept rejects without the mark they
// belong to (nor a mark without them). On both targets, a run with rejects is killed before
// each of its commits in turn; after each kill the target holds no kept rejects whose mark is
// not there.
#include <signal.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::kept_rejects_kill_test {

TEST_CASE("kept rejects: a kill before any commit leaves none without its unit's mark",
          "[e2e][rerun][faults][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.tasks = 20;
  options.bad_users = {0, 1};  // one task of each is a reject: both units keep one
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  FERRY_FOR_EACH_TARGET(clean) {
    const std::string kind = clean->kind();
    const std::string point = kind == "sqlite" ? "sqlite.before_commit" : "pg.before_commit";
    const std::string orphans = "SELECT count(*) FROM " + clean->Bookkeeping("unit_rejects") +
                                " r WHERE NOT EXISTS (SELECT 1 FROM " +
                                clean->Bookkeeping("checkpoints") +
                                " c WHERE c.user_id = r.user_id AND c.unit = r.unit AND "
                                "c.position = r.position AND c.run_id = r.run_id)";
    auto args = [&](const TargetFixture& target) -> std::vector<std::string> {
      return {"migrate",
              dir / "dumps",
              "--user-id-from",
              "filename",
              "--target",
              target.url(),
              "--batch-size",
              "10",
              "--continue-on-error",
              "--max-reject-rate",
              "1",
              "--progress",
              "none",
              "--rejects",
              dir / "rejects",
              "--no-backup"};
    };
    CommandResult whole = RunFerry(args(*clean));
    INFO(Describe(whole));
    REQUIRE(whole.exit_code == 3);
    REQUIRE(clean->Count("SELECT count(*) FROM " + clean->Bookkeeping("unit_rejects")) == 2);
    // Each pass on a fresh target: the n-th commit of a whole run, not of a resumed one.
    int kills = 0;
    for (int pass = 1; pass <= 60; ++pass) {
      std::unique_ptr<TargetFixture> target = MakeTarget(kind);
      REQUIRE(target != nullptr);
      FerryProcess run(args(*target), {{"FERRY_FAULT", point + ":" + std::to_string(pass)},
                                       {"FERRY_FAULT_SIGNAL", "STOP"}});
      if (!run.WaitStopped()) {  // the run ended before that many commits: all were seen
        CommandResult done = run.Wait();
        INFO(Describe(done));
        CHECK(done.exit_code == 3);
        break;
      }
      run.Signal(SIGKILL);
      run.Wait();
      ++kills;
      INFO(point << " pass " << pass);
      CHECK(target->Count(orphans) == 0);
    }
    CHECK(kills >= 2);
  }
}

}  // namespace ferry::e2e::kept_rejects_kill_test
