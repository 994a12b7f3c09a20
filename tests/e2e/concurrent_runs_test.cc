// Concurrent runs (issue 6): twenty ferry processes, one user each, loading into one
// PostgreSQL at once; two processes for the same user (the second exits 4 naming the
// holder); and `--jobs 4` over a folder of users, which must load what --jobs 1 loads and
// isolate a user whose data stops the run, unless the run-wide reject rate stops it all.
#include <signal.h>

#include <catch2/catch.hpp>
#include <thread>

#include "loaders/process_identity.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::concurrent_runs_test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kBatchSize = 10;

std::vector<std::string> Args(const std::string& source, const TargetFixture& target,
                              const TempDir& dir, std::vector<std::string> extra = {},
                              int batch_size = kBatchSize) {
  std::vector<std::string> args = {
      "migrate",    source,       "--user-id-from", "filename",
      "--target",   target.url(), "--batch-size",   std::to_string(batch_size),
      "--progress", "none",       "--rejects",      dir / "rejects"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Waits until `user`'s lock is recorded as held by process `pid`, or the process ended.
bool WaitForLock(TargetFixture& target, FerryProcess& run, const std::string& user) {
  const std::string pid = std::to_string(run.pid());
  while (run.Running()) {
    if (target.Count("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                     "c.relnamespace WHERE n.nspname = 'ferry' AND c.relname = 'locks'") > 0 &&
        target.Count("SELECT count(*) FROM ferry.locks WHERE user_id = '" + user +
                     "' AND pid = " + pid) > 0) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  return false;
}

}  // namespace

TEST_CASE("concurrent runs: 20 processes for 20 users into one PostgreSQL all load, once each",
          "[e2e][faults][slow][postgres]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 20;
  options.environments = 3;
  options.tasks = 60;
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);

  std::unique_ptr<TargetFixture> clean = MakePostgresTarget(*server);
  CommandResult sequential = RunFerryToEnd(Args(dir / "dumps", *clean, dir));
  INFO(Describe(sequential));
  REQUIRE(sequential.exit_code == 0);
  TableSnapshot reference = TakeSnapshot(*clean);
  REQUIRE(reference.problems.empty());
  REQUIRE(reference.Rows("tasks") == static_cast<size_t>(workload.tasks));

  std::unique_ptr<TargetFixture> target = MakePostgresTarget(*server);
  std::vector<std::unique_ptr<FerryProcess>> runs;
  for (const std::string& file : workload.files) {
    runs.push_back(std::make_unique<FerryProcess>(Args(file, *target, dir)));
  }
  // A deadlock PostgreSQL does not detect (a wait on something outside it) would hang them.
  auto deadline = std::chrono::steady_clock::now() + seconds(120);
  bool all_ended = false;
  while (!all_ended && std::chrono::steady_clock::now() < deadline) {
    all_ended = true;
    for (auto& run : runs) all_ended = all_ended && !run->Running();
    std::this_thread::sleep_for(milliseconds(20));
  }
  REQUIRE(all_ended);
  for (size_t i = 0; i < runs.size(); ++i) {
    CommandResult result = runs[i]->Wait();
    INFO(workload.users[i] << ": " << Describe(result));
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("deadlock") == std::string::npos);
  }
  // The checkpoints name the same files; each process recorded a run of its own.
  std::string differences = SnapshotDifferences(reference, TakeSnapshot(*target));
  INFO(differences);
  CHECK(differences.empty());
  CHECK(target->Count("SELECT count(*) FROM ferry.runs WHERE status = 'completed'") == 20);
}

TEST_CASE("concurrent runs: a second process for the same user exits 4 and names the holder",
          "[e2e][faults][slow][postgres]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 1;
  options.tasks = 200;
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  std::unique_ptr<TargetFixture> target = MakePostgresTarget(*server);
  const std::string& user = workload.users[0];

  FerryProcess first(Args(dir / "dumps", *target, dir, {}, 1));
  bool locked = WaitForLock(*target, first, user);
  if (!locked) {
    INFO("the first run ended before its lock was seen: " << Describe(first.Wait()));
    REQUIRE(locked);
  }
  // Stopped while it holds the lock, the first cannot finish before the second has tried.
  first.Signal(SIGSTOP);
  CommandResult second = RunFerryToEnd(Args(dir / "dumps", *target, dir));
  first.Signal(SIGCONT);
  CommandResult first_result = first.Wait();
  INFO("second: " << Describe(second));
  INFO("first: " << Describe(first_result));
  CHECK(second.exit_code == 4);
  CHECK(second.err.find("is locked by") != std::string::npos);
  CHECK(second.err.find("pid " + std::to_string(first.pid())) != std::string::npos);
  CHECK(second.err.find(ThisHost()) != std::string::npos);
  CHECK(first_result.exit_code == 0);
  TableSnapshot after = TakeSnapshot(*target);
  INFO(SnapshotDifferences(after, after));
  CHECK(after.problems.empty());
  CHECK(after.Rows("tasks") == static_cast<size_t>(workload.tasks));
}

TEST_CASE(
    "concurrent runs: --jobs 4 loads what --jobs 1 loads, and a user's bad record fails it alone",
    "[e2e][faults][slow][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 6;
  options.tasks = 80;
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  options.bad_users = {2};
  TaskappWorkload with_bad = WriteTaskappWorkload(dir.path() / "bad", options);
  const std::string& bad_user = with_bad.users[2];

  FERRY_FOR_EACH_TARGET(target) {
    CommandResult one = RunFerryToEnd(Args(dir / "dumps", *target, dir, {"--jobs", "1"}));
    INFO(Describe(one));
    REQUIRE(one.exit_code == 0);
    TableSnapshot reference = TakeSnapshot(*target);
    REQUIRE(reference.problems.empty());
    REQUIRE(reference.Rows("tasks") == static_cast<size_t>(workload.tasks));

    std::unique_ptr<TargetFixture> four = MakeTarget(target->kind());
    CommandResult parallel = RunFerryToEnd(Args(dir / "dumps", *four, dir, {"--jobs", "4"}));
    INFO(Describe(parallel));
    CHECK(parallel.exit_code == 0);
    std::string differences = SnapshotDifferences(reference, TakeSnapshot(*four));
    INFO(differences);
    CHECK(differences.empty());

    // The same users but one holds an invalid status: it fails, named; the others load.
    std::unique_ptr<TargetFixture> bad = MakeTarget(target->kind());
    CommandResult failed = RunFerryToEnd(Args(dir / "bad", *bad, dir, {"--jobs", "4"}));
    INFO(Describe(failed));
    CHECK(failed.exit_code == 1);
    CHECK((failed.out + failed.err).find(bad_user) != std::string::npos);
    TableSnapshot partial = TakeSnapshot(*bad);
    std::string others =
        SnapshotDifferences(WithoutUser(reference, bad_user), WithoutUser(partial, bad_user));
    INFO(others);
    CHECK(others.empty());
    // Nothing of the bad record's batch or after it was written (it is task tasks/2).
    CHECK(bad->Count("SELECT count(*) FROM tasks WHERE user_id = '" + bad_user + "'") <=
          options.tasks / 2 / kBatchSize * kBatchSize);
  }
}

TEST_CASE("concurrent runs: --jobs stops starting users once the run's reject rate is passed",
          "[e2e][faults][slow][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 10;
  options.tasks = 150;
  // Every user has one rejected task of ~160 records: above 0.001 however the workers'
  // records add up, so the first user to finish (failed by its worker) stops the run.
  for (int user = 0; user < options.users; ++user) options.bad_users.insert(user);
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);

  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run =
        RunFerryToEnd(Args(dir / "dumps", *target, dir,
                           {"--jobs", "2", "--continue-on-error", "--max-reject-rate", "0.001"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("more than --max-reject-rate 0.001 (all users together); no further "
                       "user started") != std::string::npos);
    // Only the users the two workers had started when the first one ended wrote rows (each up
    // to its rejected task); the queued ones were dropped. Before, each worker judged only its
    // own records and every user was started.
    int64_t started = target->Count("SELECT count(DISTINCT user_id) FROM tasks");
    CHECK(started <= 3);
  }
}

}  // namespace ferry::e2e::concurrent_runs_test
