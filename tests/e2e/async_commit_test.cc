// Asynchronous commits (docs/design.md, "Asynchronous commits"): a run's batches commit with
// synchronous_commit off, its end synchronously. On a server of the test's own (never the
// shared one), whose WAL writer is made slow (wal_writer_delay 10 s, no flush by volume) so that
// an immediate stop loses the commits it had not written yet:
// - a run frozen right after a commit, the server crashed (pg_ctl stop -m immediate) and
//   started again, the run continued: it must not write on over the lost batches; it stops
//   non-zero naming the loss, and the same command resumes and leaves the clean run's rows;
// - a run that exited 0, the server crashed at once: every row and the run's end are kept.
#include <signal.h>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/private_server.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::async_commit_test {

namespace {

// The WAL writer writes what async commits leave in its buffers at most every 10 s, and never
// for the volume alone: a commit acknowledged just before an immediate stop is lost.
void SlowWalWriter(const std::string& url) {
  pqxx::connection connection(url);
  pqxx::nontransaction txn(connection);
  txn.exec0("ALTER SYSTEM SET wal_writer_delay = '10s'");
  txn.exec0("ALTER SYSTEM SET wal_writer_flush_after = 0");  // by the delay only
  txn.exec("SELECT pg_reload_conf()");
}

struct Fixture {
  TempDir dir;
  TaskappWorkload workload;
  Fixture() {
    TaskappWorkloadOptions options;
    options.users = 2;
    options.environments = 4;
    options.tasks = 40;
    workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  }
  std::vector<std::string> Args(const TargetFixture& target) const {
    return {"migrate",    dir / "dumps", "--user-id-from",   "filename",
            "--target",   target.url(),  "--batch-size",     "4",
            "--progress", "none",        "--rejects",        dir / "rejects",
            "--retries",  "3",           "--retry-max-wait", "0.2"};
  }
};

TableSnapshot CleanRun(const Fixture& fixture, TargetFixture& target) {
  CommandResult run = RunFerryToEnd(fixture.Args(target));
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  TableSnapshot reference = TakeSnapshot(target);
  INFO(SnapshotDifferences(reference, reference));
  REQUIRE(reference.problems.empty());
  REQUIRE(reference.Rows("tasks") == static_cast<size_t>(fixture.workload.tasks));
  return reference;
}

}  // namespace

TEST_CASE("async commits: batches a server crash lost are written again by the resume, once",
          "[e2e][postgres][faults][slow]") {
  if (!PostgresTestUrl()) return;
  PrivateServer server;
  Fixture fixture;
  TableSnapshot reference = CleanRun(fixture, *MakePostgresTarget(server.url()));
  SlowWalWriter(server.url());

  // Frozen right after a commit the server acknowledged and may not have written: a crash
  // then loses it (and whatever shared its WAL page). A WAL writer that ran in between keeps
  // it: then the scenario is tried again on a new database, up to three times.
  bool lost = false;
  for (int attempt = 0; attempt < 3 && !lost; ++attempt) {
    std::unique_ptr<TargetFixture> target = MakePostgresTarget(server.url());
    std::vector<std::string> args = fixture.Args(*target);
    FerryProcess run(args, {{"FERRY_FAULT", "pg.after_commit:6"}, {"FERRY_FAULT_SIGNAL", "STOP"}});
    REQUIRE(run.WaitStopped());
    // Rows of the id map: each batch commits its own, so a lost batch leaves fewer.
    const std::string committed = "SELECT count(*) FROM ferry.id_map";
    int64_t before = target->Count(committed);
    INFO(server.Log());
    REQUIRE(server.CrashAndStart() == 0);
    lost = target->Count(committed) < before;
    run.Signal(SIGCONT);
    CommandResult woken = run.Wait();
    INFO("the frozen run, continued: " << Describe(woken));
    if (lost) {
      // It must not write on over the gap: it stops, names the loss, leaves the run to resume.
      CHECK(woken.exit_code == 1);
      CHECK(woken.err.find("lost its latest commits") != std::string::npos);
      CommandResult resumed = RunFerryToEnd(args);
      INFO("the same command again: " << Describe(resumed));
      CHECK(resumed.exit_code == 0);
      CHECK(resumed.out.find("resumed the interrupted run") != std::string::npos);
    } else {
      CHECK(woken.exit_code == 0);  // nothing lost: it went on
    }
    std::string differences = SnapshotDifferences(reference, TakeSnapshot(*target));
    INFO(differences);
    CHECK(differences.empty());
  }
  CHECK(lost);  // the crash lost acknowledged commits at least once: the case was tested
}

TEST_CASE("async commits: a run's exit 0 is durable: a crash right after it loses nothing",
          "[e2e][postgres][faults][slow]") {
  if (!PostgresTestUrl()) return;
  PrivateServer server;
  Fixture fixture;
  SlowWalWriter(server.url());
  std::unique_ptr<TargetFixture> target = MakePostgresTarget(server.url());
  TableSnapshot reference = CleanRun(fixture, *target);
  REQUIRE(server.CrashAndStart() == 0);
  std::string differences = SnapshotDifferences(reference, TakeSnapshot(*target));
  INFO(differences);
  CHECK(differences.empty());
  CHECK(target->Count("SELECT count(*) FROM ferry.runs WHERE status = 'completed'") == 1);
  CHECK(target->Count("SELECT count(*) FROM ferry.locks") == 0);
}

}  // namespace ferry::e2e::async_commit_test
