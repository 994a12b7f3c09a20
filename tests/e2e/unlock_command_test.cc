// End-to-end `ferry unlock` on every target (target_fixture.h): the real binary against locks
// of dead holders (rows nobody holds) and of a live one (a loader of this test process).
#include <catch2/catch.hpp>

#include "loaders/process_identity.h"
#include "tests/e2e/admin_test_util.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"
#include "tests/loaders/lock_test_util.h"

namespace ferry::e2e::unlock_command_test {

namespace {

// A lock row whose holder is gone on this target kind: on SQLite a dead pid of this host, on
// PostgreSQL any row that no session's advisory lock backs.
void InsertDeadLock(TargetFixture& target, const std::string& user, const std::string& run) {
  InsertLockRow(target, user, run, ThisHost(), lock_testing::DeadPid());
}

int64_t Locks(TargetFixture& target, const std::string& user) {
  return target.Count("SELECT count(*) FROM " + target.Bookkeeping("locks") + " WHERE user_id = '" +
                      user + "'");
}

}  // namespace

TEST_CASE("unlock: without --force it refuses, exits 2 and lists the holders",
          "[e2e][unlock][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    HolderLoader(*target, "RUN_SETUP");  // creates ferry's tables
    InsertDeadLock(*target, "ghost", "RUN_DEAD");
    CommandResult unlock = RunFerry({"unlock", "--target", target->url()});
    INFO(unlock.out << unlock.err);
    CHECK(unlock.exit_code == 2);
    CHECK_THAT(unlock.err, Catch::Contains("refusing without --force"));
    CHECK_THAT(unlock.out, Catch::Contains("  user ghost: run RUN_DEAD on host " + ThisHost()) &&
                               Catch::Contains("(stale"));
    CHECK(Locks(*target, "ghost") == 1);
  }
}

TEST_CASE("unlock --force clears a dead holder's lock and writes it to the audit log",
          "[e2e][unlock][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    std::unique_ptr<Loader> holder = HolderLoader(*target, "RUN_LIVE");
    REQUIRE(holder->LockUser("alice").ok());
    InsertDeadLock(*target, "ghost", "RUN_DEAD");
    InsertDeadLock(*target, "other", "RUN_DEAD2");

    CommandResult only =
        RunFerry({"unlock", "--target", target->url(), "--force", "--user", "ghost"});
    INFO(only.out << only.err);
    REQUIRE(only.exit_code == 0);
    CHECK_THAT(only.out, Catch::StartsWith("cleared the lock of user ghost: run RUN_DEAD") &&
                             Catch::Contains("(its holder was gone)"));
    CHECK(Locks(*target, "ghost") == 0);
    CHECK(Locks(*target, "other") == 1);
    auto audit = target->Query("SELECT action, detail FROM " + target->Bookkeeping("audit_log") +
                               " WHERE run_id = 'RUN_DEAD'");
    REQUIRE(audit.size() == 1);
    CHECK(audit[0][0] == "forced unlock");
    CHECK_THAT(audit[0][1], Catch::Contains("user ghost"));

    // Every user: the dead holder's lock goes, the live one stays (exit 4).
    CommandResult all = RunFerry({"unlock", "--target", target->url(), "--force"});
    INFO(all.out << all.err);
    CHECK(all.exit_code == 4);
    CHECK_THAT(all.out, Catch::Contains("cleared the lock of user other") &&
                            Catch::Contains("left the lock of user alice: run RUN_LIVE") &&
                            Catch::Contains("--even-alive"));
    CHECK(Locks(*target, "other") == 0);
    CHECK(Locks(*target, "alice") == 1);

    CommandResult status = RunFerry({"status", "--target", target->url()});
    CHECK_THAT(status.out, Catch::Contains("  user alice: ") && !Catch::Contains("user other"));
  }
}

TEST_CASE("unlock --force --even-alive clears a live holder's lock too",
          "[e2e][unlock][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    std::unique_ptr<Loader> holder = HolderLoader(*target, "RUN_LIVE");
    REQUIRE(holder->LockUser("alice").ok());
    CommandResult unlock =
        RunFerry({"unlock", "--target", target->url(), "--force", "--even-alive"});
    INFO(unlock.out << unlock.err);
    REQUIRE(unlock.exit_code == 0);
    CHECK_THAT(unlock.out, Catch::Contains("cleared the lock of user alice: run RUN_LIVE") &&
                               Catch::Contains("(alive: --even-alive)"));
    CHECK(Locks(*target, "alice") == 0);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("audit_log") +
                        " WHERE action = 'forced unlock' AND run_id = 'RUN_LIVE'") == 1);
    // Another run can take the lock now.
    CHECK(HolderLoader(*target, "RUN_NEXT")->LockUser("alice").ok());
  }
}

TEST_CASE("unlock --force on a target without locks changes nothing",
          "[e2e][unlock][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult unlock = RunFerry({"unlock", "--target", target->url(), "--force"});
    INFO(unlock.err);
    CHECK(unlock.exit_code == 0);
    CHECK_THAT(unlock.out, Catch::StartsWith("no locks held in "));
    CHECK_FALSE(target->Touched());
    CommandResult refused = RunFerry({"unlock", "--target", target->url()});
    CHECK(refused.exit_code == 2);
    CHECK_FALSE(target->Touched());
  }
}

}  // namespace ferry::e2e::unlock_command_test
