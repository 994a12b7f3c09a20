// Fault injection (issue 6): ferry killed with SIGKILL at exact points of a batch's transaction
// (base/fault_point.h: FERRY_FAULT) and at random moments, on both targets, then run again with
// the same command until it ends; the target must then hold exactly what a clean run left
// (tests/e2e/table_snapshot.h: rows by user and legacy id, every mapped column, ULIDs unique
// and of their createdAt, references to the right parent, the id map equal to the tables).
//
// Random moments: 20 per target; FERRY_SOAK=N makes it N (a soak: FERRY_SOAK=200, see
// docs/reliability.md). The delays come from a seed printed with any failure; FERRY_FAULT_SEED=S
// replays the same delays (where they land in the run depends on the machine).
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>
#include <thread>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::fault_injection_test {

namespace {

constexpr int kBatchSize = 25;
constexpr int kMaxReruns = 3;
// Fewer under AddressSanitizer, where each run costs 5-30 times as much (FERRY_SOAK still sets
// the number).
constexpr int kDefaultRandomMoments = testing::PlainOrSanitized(20, 8);

int RandomMoments() {
  const char* soak = std::getenv("FERRY_SOAK");
  if (soak == nullptr || *soak == '\0') return kDefaultRandomMoments;
  int moments = std::atoi(soak);
  return moments > 0 ? moments : kDefaultRandomMoments;
}

// One seed per process: Catch runs a test case's body once per target section.
uint64_t FaultSeed() {
  static const uint64_t seed = [] {
    const char* text = std::getenv("FERRY_FAULT_SEED");
    if (text != nullptr && *text != '\0') {
      return static_cast<uint64_t>(std::strtoull(text, nullptr, 10));
    }
    return static_cast<uint64_t>(std::random_device{}());
  }();
  return seed;
}

// A workload, its folder and the files of a run's side outputs.
struct Fixture {
  TempDir dir;
  TaskappWorkload workload;
  Fixture() : workload(WriteTaskappWorkload(dir.path() / "dumps", FaultTestWorkload())) {}

  std::vector<std::string> Args(const TargetFixture& target) const {
    return {"migrate",          dir / "dumps",
            "--user-id-from",   "filename",
            "--target",         target.url(),
            "--batch-size",     std::to_string(kBatchSize),
            "--jobs",           "1",
            "--progress",       "none",
            "--rejects",        dir / "rejects",
            "--retry-max-wait", "0.2"};
  }
};

// Runs the command again until it exits 0 (at most kMaxReruns times). Empty when it did, with
// that run in *done; else what each rerun said.
std::string RerunUntilDone(const std::vector<std::string>& args, int* reruns, CommandResult* done) {
  std::string log;
  for (*reruns = 1; *reruns <= kMaxReruns; ++*reruns) {
    *done = RunFerryToEnd(args);
    if (done->exit_code == 0) return "";
    log += "rerun " + std::to_string(*reruns) + ": " + Describe(*done) + "\n";
  }
  return log;
}

// True when the target has ferry's run history and a run in it.
bool RunRecorded(TargetFixture& target) {
  if (!target.Touched()) return false;
  std::string table_exists =
      target.kind() == "sqlite"
          ? "SELECT count(*) FROM sqlite_master WHERE name = 'ferry_runs'"
          : "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'ferry' AND c.relname = 'runs'";
  return target.Count(table_exists) > 0 &&
         target.Count("SELECT count(*) FROM " + target.Bookkeeping("runs")) > 0;
}

// True when the target records a run that never finished.
bool RunUnfinished(TargetFixture& target) {
  return RunRecorded(target) && target.Count("SELECT count(*) FROM " + target.Bookkeeping("runs") +
                                             " WHERE finished_at IS NULL") > 0;
}

// The id of the one run the target records ("" when none; a failure when several).
std::string OnlyRun(TargetFixture& target) {
  if (!RunRecorded(target)) return "";
  std::vector<std::vector<std::string>> runs =
      target.Query("SELECT run_id FROM " + target.Bookkeeping("runs"));
  CHECK(runs.size() == 1);
  return runs.at(0).at(0);
}

// The clean run's snapshot, checked against the workload.
TableSnapshot CleanRun(const Fixture& fixture, TargetFixture& target,
                       std::chrono::duration<double>* duration) {
  FerryProcess run(fixture.Args(target));
  CommandResult result = run.Wait();
  INFO(Describe(result));
  REQUIRE(result.exit_code == 0);
  *duration = run.elapsed();
  TableSnapshot reference = TakeSnapshot(target);
  INFO(SnapshotDifferences(reference, reference));
  REQUIRE(reference.problems.empty());
  const TaskappWorkload& w = fixture.workload;
  REQUIRE(reference.Rows("tasks") == static_cast<size_t>(w.tasks));
  REQUIRE(reference.Rows("environments") == static_cast<size_t>(w.environments));
  REQUIRE(reference.Rows("user_preferences") == w.users.size());
  REQUIRE(reference.Rows("form_data") == w.users.size());
  REQUIRE(reference.Rows("custom_data") == w.users.size());
  return reference;
}

// A deterministic fault: `points` armed one after the other, one run each (each run is killed
// at its point), then reruns until done.
struct PointCase {
  std::vector<std::string> points;  // "NAME:N"
};

void RunPointCase(const Fixture& fixture, const std::string& kind, const PointCase& point_case,
                  const TableSnapshot& reference) {
  std::unique_ptr<TargetFixture> target = MakeTarget(kind);
  REQUIRE(target != nullptr);
  std::string description;
  for (const std::string& point : point_case.points) description += point + " ";
  INFO(kind << ": killed at " << description);
  for (const std::string& point : point_case.points) {
    CommandResult killed = RunFerryToEnd(fixture.Args(*target), {{"FERRY_FAULT", point}});
    INFO(Describe(killed));
    std::string name = point.substr(0, point.rfind(':'));
    std::string pass = point.substr(point.rfind(':') + 1);
    // The point was reached and the process died there, by SIGKILL.
    CHECK(killed.exit_code == 128 + SIGKILL);
    CHECK(killed.err.find("SIGKILL at " + name + " pass " + pass + "\n") != std::string::npos);
  }
  std::string killed_run = OnlyRun(*target);  // a batch was reached: the run is recorded
  int reruns = 0;
  CommandResult done;
  std::string failure = RerunUntilDone(fixture.Args(*target), &reruns, &done);
  INFO(failure);
  REQUIRE(failure.empty());
  CHECK(reruns == 1);  // a rerun right after a kill -9 completes: no lock or run left in its way
  CHECK(done.out.find("resumed the interrupted run " + killed_run) != std::string::npos);
  CHECK(OnlyRun(*target) == killed_run);
  TableSnapshot after = TakeSnapshot(*target);
  std::string differences = SnapshotDifferences(reference, after);
  INFO(differences);
  CHECK(differences.empty());
}

std::vector<PointCase> PointCases(const std::string& kind, const TaskappWorkload& workload) {
  const std::string b = std::to_string(workload.Batches(kBatchSize));         // the last batch
  const std::string half = std::to_string(workload.Batches(kBatchSize) / 2);  // mid-run
  const std::string last_commit = std::to_string(workload.Commits(kBatchSize));
  if (kind == "sqlite") {
    return {{{"sqlite.mid_batch:1"}},
            {{"sqlite.mid_batch:" + half}},
            {{"sqlite.before_commit:1"}},
            {{"sqlite.before_commit:" + half}},
            {{"sqlite.after_commit:1"}},
            {{"sqlite.after_commit:" + b}},
            // A crash while recovering from a crash.
            {{"sqlite.after_commit:" + half, "sqlite.mid_batch:3"}}};
  }
  return {{{"pg.copy.mid:1"}},  // the table's COPY of the first batch
          {{"pg.copy.mid:2"}},  // its id map's COPY
          {{"pg.copy.mid:" + b}},
          {{"pg.before_upsert:1"}},
          {{"pg.before_upsert:" + half}},
          {{"pg.before_commit:1"}},
          {{"pg.before_commit:" + half}},
          {{"pg.after_commit:1"}},
          {{"pg.after_commit:" + last_commit}},
          {{"pg.after_commit:" + half, "pg.before_commit:3"}}};
}

}  // namespace

TEST_CASE("fault injection: SIGKILL at each fault point, then a rerun, leaves a clean run's rows",
          "[e2e][faults][slow][sqlite][postgres]") {
  Fixture fixture;
  FERRY_FOR_EACH_TARGET(target) {
    std::chrono::duration<double> duration{};
    TableSnapshot reference = CleanRun(fixture, *target, &duration);
    for (const PointCase& point_case : PointCases(target->kind(), fixture.workload)) {
      RunPointCase(fixture, target->kind(), point_case, reference);
    }
  }
}

TEST_CASE("fault injection: SIGKILL at random moments, then reruns, leave a clean run's rows",
          "[e2e][faults][slow][sqlite][postgres]") {
  Fixture fixture;
  const uint64_t seed = FaultSeed();
  const int moments = RandomMoments();
  FERRY_FOR_EACH_TARGET(target) {
    std::chrono::duration<double> duration{};
    TableSnapshot reference = CleanRun(fixture, *target, &duration);
    std::mt19937_64 random(seed);
    // Kills fall within how long a run takes: the clean run's time at first, and the time of
    // any kill that came too late after, since runs vary (caches, a loaded machine).
    double upper = duration.count();
    int landed = 0;
    for (int moment = 0; moment < moments; ++moment) {
      std::unique_ptr<TargetFixture> faulted = MakeTarget(target->kind());
      REQUIRE(faulted != nullptr);
      double seconds = std::uniform_real_distribution<double>(0.0, upper)(random);
      INFO(target->kind() << ": FERRY_FAULT_SEED=" << seed << ", moment " << moment << " of "
                          << moments << ": kill -9 after " << seconds << " s of a "
                          << duration.count() << " s run");
      FerryProcess run(fixture.Args(*faulted));
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      run.Signal(SIGKILL);
      CommandResult first = run.Wait();
      if (run.end_signal() == SIGKILL) {
        ++landed;
      } else {
        INFO(Describe(first));
        CHECK(first.exit_code == 0);  // ended before the kill: a clean run
        upper = std::min(upper, seconds);
      }
      bool unfinished = RunUnfinished(*faulted);
      int reruns = 0;
      CommandResult done;
      std::string failure = RerunUntilDone(fixture.Args(*faulted), &reruns, &done);
      INFO(failure);
      REQUIRE(failure.empty());
      if (unfinished) {
        // The killed run was recorded and not finished: the rerun resumed it rather than
        // starting another.
        CHECK(done.out.find("resumed the interrupted run") != std::string::npos);
      }
      TableSnapshot after = TakeSnapshot(*faulted);
      std::string differences = SnapshotDifferences(reference, after);
      INFO(differences);
      CHECK(differences.empty());
    }
    // Most delays fall inside the run; all of them missing it means the kill tested nothing.
    INFO("FERRY_FAULT_SEED=" << seed << ": " << landed << " of " << moments << " kills landed");
    CHECK(landed >= moments / 2);
  }
}

TEST_CASE("fault injection: a malformed FERRY_FAULT arms nothing and says so", "[e2e][faults]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 1;
  options.tasks = 10;
  WriteTaskappWorkload(dir.path() / "dumps", options);
  CommandResult run = RunFerryToEnd({"migrate", dir / "dumps", "--user-id-from", "filename",
                                     "--target", "sqlite:" + (dir / "t.db"), "--progress", "none"},
                                    {{"FERRY_FAULT", "sqlite.after_commit"}});
  INFO(Describe(run));
  CHECK(run.exit_code == 0);
  CHECK(run.err.find("FERRY_FAULT=\"sqlite.after_commit\" is not NAME:N") != std::string::npos);
}

}  // namespace ferry::e2e::fault_injection_test
