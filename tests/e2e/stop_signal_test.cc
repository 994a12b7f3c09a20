// Ctrl-C and SIGTERM (issue 12 item 7), through the real binary on both targets: the run stops
// at the next batch boundary (every worker under --jobs), prints the report so far and a line
// saying that the same command resumes it, records the run as interrupted (resumable), and
// exits 130 (SIGINT) or 143 (SIGTERM). The same command then resumes it and the target holds
// exactly the rows of a clean run (tests/e2e/table_snapshot.h). A second signal stops at once.
#include <signal.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::stop_signal_test {

namespace {

constexpr int kBatchSize = 10;  // many batches: a run lasts long enough to be stopped mid-way

struct Fixture {
  TempDir dir;
  TaskappWorkload workload;
  Fixture() : workload(WriteTaskappWorkload(dir.path() / "dumps", FaultTestWorkload())) {}

  std::vector<std::string> Args(const TargetFixture& target, int jobs) const {
    return {"migrate",   dir / "dumps",        "--user-id-from", "filename",
            "--target",  target.url(),         "--batch-size",   std::to_string(kBatchSize),
            "--jobs",    std::to_string(jobs), "--progress",     "none",
            "--rejects", dir / "rejects"};
  }
};

// Rows in the target's id map so far; 0 before ferry's tables exist, or while the SQLite file is
// busy (ferry may be creating it: the test's plain reader must not fail on a lock).
int64_t IdMapRows(TargetFixture& target) {
  if (target.kind() == "sqlite") {
    if (!target.Touched()) return 0;
    sqlite3* db = nullptr;
    int64_t rows = 0;
    std::string path = target.url().substr(std::string("sqlite:").size());
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 1000);
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT count(*) FROM ferry_id_map", -1, &stmt, nullptr) ==
              SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        rows = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return rows;
  }
  if (target.Count("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                   "c.relnamespace WHERE n.nspname = 'ferry' AND c.relname = 'id_map'") == 0) {
    return 0;
  }
  return target.Count("SELECT count(*) FROM ferry.id_map");
}

// Starts the run frozen (SIGSTOP) right after its third batch committed, so that a test acts on
// a run that is surely mid-way, however fast the machine.
std::unique_ptr<FerryProcess> StartFrozen(const Fixture& fixture, TargetFixture& target, int jobs) {
  const std::string point =
      target.kind() == "sqlite" ? "sqlite.after_commit:3" : "pg.after_commit:3";
  auto run = std::make_unique<FerryProcess>(
      fixture.Args(target, jobs),
      std::map<std::string, std::string>{{"FERRY_FAULT", point}, {"FERRY_FAULT_SIGNAL", "STOP"}});
  REQUIRE(run->WaitStopped());
  return run;
}

TableSnapshot CleanRun(const Fixture& fixture, TargetFixture& clean) {
  CommandResult run = RunFerryToEnd(fixture.Args(clean, 1));
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  TableSnapshot reference = TakeSnapshot(clean);
  REQUIRE(reference.problems.empty());
  REQUIRE(reference.Rows("tasks") == static_cast<size_t>(fixture.workload.tasks));
  return reference;
}

// The same command again: it resumes the stopped run and ends as a clean run.
void ResumeToClean(const Fixture& fixture, TargetFixture& target, int jobs,
                   const TableSnapshot& reference) {
  CommandResult resumed = RunFerryToEnd(fixture.Args(target, jobs));
  INFO(Describe(resumed));
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.out.find("resumed the interrupted run") != std::string::npos);
  std::string differences = SnapshotDifferences(reference, TakeSnapshot(target));
  INFO(differences);
  CHECK(differences.empty());
}

}  // namespace

TEST_CASE("migrate: SIGINT or SIGTERM stops at a batch boundary, reports, and resumes cleanly",
          "[e2e][signals][sqlite][postgres]") {
  Fixture fixture;
  for (const std::string& kind : TargetKindNames()) {
    std::unique_ptr<TargetFixture> clean = MakeTarget(kind);
    if (clean == nullptr) continue;  // no such server here: WARNed (a FAIL under CI)
    TableSnapshot reference = CleanRun(fixture, *clean);
    struct Case {
      int signal;
      int jobs;
      int exit_code;
      const char* name;
    };
    for (const Case& c : {Case{SIGINT, 1, 130, "SIGINT"}, Case{SIGTERM, 2, 143, "SIGTERM"}}) {
      INFO(kind << ": " << c.name << ", --jobs " << c.jobs);
      std::unique_ptr<TargetFixture> target = MakeTarget(kind);
      REQUIRE(target != nullptr);
      std::unique_ptr<FerryProcess> run = StartFrozen(fixture, *target, c.jobs);
      run->Signal(c.signal);  // pending until it goes on
      run->Signal(SIGCONT);
      CommandResult stopped = run->Wait();
      INFO(Describe(stopped));
      REQUIRE(stopped.exit_code == c.exit_code);
      CHECK(run->end_signal() == 0);                                        // it exited by itself
      CHECK(stopped.out.find("status: interrupted") != std::string::npos);  // the report so far
      CHECK(stopped.out.find("inserted") != std::string::npos);
      CHECK(stopped.err.find(std::string("stopped by ") + c.name) != std::string::npos);
      CHECK(stopped.err.find("the same command resumes") != std::string::npos);
      CHECK(stopped.err.find("failed user") == std::string::npos);
      int64_t committed = IdMapRows(*target);
      CHECK(committed > 0);
      CHECK(committed < fixture.workload.tasks + fixture.workload.environments);

      // Recorded as interrupted and resumable (ferry status: one run a line).
      CommandResult status = RunFerry({"status", "--target", target->url()});
      INFO(status.out);
      CHECK(status.out.find("  interrupted  ") != std::string::npos);
      CHECK(status.out.find("resumable") != std::string::npos);
      ResumeToClean(fixture, *target, c.jobs, reference);
    }
  }
}

TEST_CASE("migrate: a second signal stops at once; the same command then resumes cleanly",
          "[e2e][signals][sqlite][postgres]") {
  Fixture fixture;
  for (const std::string& kind : TargetKindNames()) {
    INFO(kind);
    std::unique_ptr<TargetFixture> clean = MakeTarget(kind);
    if (clean == nullptr) continue;  // no such server here: WARNed (a FAIL under CI)
    TableSnapshot reference = CleanRun(fixture, *clean);
    std::unique_ptr<TargetFixture> target = MakeTarget(kind);
    REQUIRE(target != nullptr);
    std::unique_ptr<FerryProcess> run = StartFrozen(fixture, *target, 1);
    // Both pending at once (two of one kind would merge into one): delivered in order.
    run->Signal(SIGINT);
    run->Signal(SIGTERM);
    run->Signal(SIGCONT);
    CommandResult stopped = run->Wait();
    INFO(Describe(stopped));
    CHECK(run->end_signal() == SIGTERM);  // killed by the second, not a graceful exit
    CHECK(stopped.exit_code == 143);
    ResumeToClean(fixture, *target, 1, reference);
  }
}

TEST_CASE("migrate: a run that gives up after its retries says that the same command resumes it",
          "[e2e][signals][sqlite][slow]") {
  Fixture fixture;
  std::unique_ptr<TargetFixture> clean = MakeTarget("sqlite");
  TableSnapshot reference = CleanRun(fixture, *clean);
  std::unique_ptr<TargetFixture> target = MakeTarget("sqlite");
  std::vector<std::string> args = fixture.Args(*target, 1);
  args.insert(args.end(), {"--retries", "1", "--retry-max-wait", "0.1"});
  FerryProcess run(args,
                   {{"FERRY_FAULT", "sqlite.after_commit:3"}, {"FERRY_FAULT_SIGNAL", "STOP"}});
  REQUIRE(run.WaitStopped());  // mid-way, whatever the machine's speed
  // Another writer holds the file (SQLITE_BUSY, transient) for longer than the retries last.
  sqlite3* db = nullptr;
  std::string path = target->url().substr(std::string("sqlite:").size());
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  REQUIRE(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
  run.Signal(SIGCONT);
  CommandResult failed = run.Wait();
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  INFO(Describe(failed));
  CHECK(failed.exit_code == 1);
  CHECK(failed.err.find("retry 1 of 1") != std::string::npos);
  CHECK(failed.err.find("the same command resumes run") != std::string::npos);
  ResumeToClean(fixture, *target, 1, reference);
}

}  // namespace ferry::e2e::stop_signal_test
