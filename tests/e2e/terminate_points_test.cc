// pg_terminate_backend at exact moments (issue 21 item 4): ferry is frozen in the middle of a
// COPY, just before a COMMIT and just after one (FERRY_FAULT=...:N with FERRY_FAULT_SIGNAL=STOP,
// base/fault_point.h), its sessions are terminated, and it is let go. With its retries it must
// finish on its own; with --retries 0 it must stop with exit 1 naming the cut, and the same
// command must finish the job. Either way the target ends as a clean run leaves it: nothing
// lost, nothing written twice (tests/e2e/table_snapshot.h). The shared server is never
// restarted: only the test database's backends are ended.
#include <signal.h>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::terminate_points_test {

namespace {

struct Fixture {
  TempDir dir;
  TaskappWorkload workload;
  Fixture() : workload(WriteTaskappWorkload(dir.path() / "dumps", FaultTestWorkload())) {}

  std::vector<std::string> Args(const TargetFixture& target, const std::string& retries) const {
    return {"migrate",          dir / "dumps", "--user-id-from", "filename",
            "--target",         target.url(),  "--jobs",         "1",
            "--progress",       "none",        "--batch-size",   "25",
            "--retry-max-wait", "0.2",         "--retries",      retries,
            "--no-backup",      "--rejects",   dir / "rejects"};
  }
};

// Ends every backend of `database` but the caller's; how many.
int64_t TerminateBackends(const std::string& server_url, const std::string& database) {
  pqxx::connection connection(server_url);
  pqxx::nontransaction txn(connection);
  pqxx::row terminated = txn.exec_params1(
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM (SELECT pid FROM "
      "pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() OFFSET 0) s",
      database);
  return terminated[0].as<int64_t>();
}

}  // namespace

TEST_CASE("terminated backend: during a COPY, before and after a COMMIT, nothing lost or doubled",
          "[e2e][faults][slow][postgres]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  Fixture fixture;
  std::unique_ptr<TargetFixture> clean = MakePostgresTarget(*server);
  CommandResult clean_run = RunFerryToEnd(fixture.Args(*clean, "8"));
  INFO(Describe(clean_run));
  REQUIRE(clean_run.exit_code == 0);
  TableSnapshot reference = TakeSnapshot(*clean);
  REQUIRE(reference.problems.empty());

  // Pass 7 of each point is in user-00's tasks (a COPY passes pg.copy.mid twice: rows, id map).
  for (const std::string point : {"pg.copy.mid:7", "pg.before_commit:7", "pg.after_commit:7"}) {
    for (const std::string retries : {"8", "0"}) {
      DYNAMIC_SECTION(point << " --retries " << retries) {
        std::unique_ptr<TargetFixture> target = MakePostgresTarget(*server);
        std::string database = target->Query("SELECT current_database()").at(0).at(0);
        std::vector<std::string> args = fixture.Args(*target, retries);
        FerryProcess run(args, {{"FERRY_FAULT", point}, {"FERRY_FAULT_SIGNAL", "STOP"}});
        REQUIRE(run.WaitStopped());
        CHECK(TerminateBackends(*server, database) >= 1);
        run.Signal(SIGCONT);
        CommandResult cut = run.Wait();
        INFO(Describe(cut));
        // The cause is named: the server's own words for a terminated session.
        CHECK_THAT(cut.err, Catch::Contains("terminat") || Catch::Contains("connection"));
        if (retries == "0") {
          CHECK(cut.exit_code == 1);
          CHECK_THAT(cut.err, Catch::Contains("the same command resumes run"));
          CommandResult again = RunFerryToEnd(args);
          INFO(Describe(again));
          CHECK(again.exit_code == 0);
        } else {
          CHECK(cut.exit_code == 0);
          CHECK_THAT(cut.err, Catch::Contains("retry 1 of 8"));
        }
        std::string differences = SnapshotDifferences(reference, TakeSnapshot(*target));
        INFO(differences);
        CHECK(differences.empty());
      }
    }
  }
}

}  // namespace ferry::e2e::terminate_points_test
