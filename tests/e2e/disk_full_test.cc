// Disks that fill up (issue 21 item 4): the SQLite target's disk full in the middle of a run,
// and the reject file's and the report's disk full. Each run must stop with exit 1 and a
// message naming the cause, lose and double nothing, and the same command must finish the job
// once there is room again (docs/reliability.md, "Faults from the machine").
//
// The disks are small tmpfs mounts (tests/e2e/scratch_mount.h): the tests need root, and skip
// with the reason where mounting is not permitted.
#include <pwd.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/private_server.h"
#include "tests/e2e/scratch_mount.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::disk_full_test {

namespace {

constexpr const char* kNoSpace = "No space left on device";

// An SQLite target whose file lies in a folder of the test's choosing (a small disk).
class SqliteFileTarget final : public TargetFixture {
 public:
  explicit SqliteFileTarget(std::string path) : path_(std::move(path)) {}
  std::string kind() const override { return "sqlite"; }
  std::string url() const override { return "sqlite:" + path_; }
  std::vector<std::vector<std::string>> Query(const std::string& sql) override {
    return e2e::Query(path_, sql);
  }
  std::string Bookkeeping(const std::string& table) const override { return "ferry_" + table; }
  bool Touched() override { return std::filesystem::exists(path_); }
  std::string Fingerprint() override { return FileSha256(path_); }

 private:
  std::string path_;
};

std::vector<std::string> MigrateArgs(const std::string& dumps, const std::string& target) {
  return {"migrate",      dumps,        "--user-id-from", "filename",         "--target",
          target,         "--progress", "none",           "--jobs",           "1",
          "--batch-size", "25",         "--no-backup",    "--retry-max-wait", "0.2"};
}

std::unique_ptr<ScratchMount> MountOrSkip(const std::filesystem::path& dir, size_t bytes) {
  std::string why;
  std::unique_ptr<ScratchMount> mount = ScratchMount::Make(dir, bytes, &why);
  if (mount == nullptr) WARN("skipped: a small disk is needed and " << why);
  return mount;
}

}  // namespace

TEST_CASE("disk full: the SQLite target's disk fills mid-run, the same command finishes later",
          "[e2e][faults][sqlite]") {
  TempDir work;
  TaskappWorkload workload = WriteTaskappWorkload(work.path() / "dumps", {});
  // The clean run, on a disk with room, gives the size the target needs and the reference.
  SqliteFileTarget clean(work / "clean.db");
  CommandResult first = RunFerryToEnd(MigrateArgs(work / "dumps", clean.url()));
  INFO(Describe(first));
  REQUIRE(first.exit_code == 0);
  TableSnapshot reference = TakeSnapshot(clean);
  REQUIRE(reference.problems.empty());
  size_t needed = std::filesystem::file_size(work / "clean.db");

  // A disk of half that: the run fills it after some batches have committed.
  std::unique_ptr<ScratchMount> disk = MountOrSkip(work.path() / "disk", needed / 2);
  if (disk == nullptr) return;
  SqliteFileTarget target(*disk / "target.db");
  std::vector<std::string> args = MigrateArgs(work / "dumps", target.url());
  CommandResult full = RunFerryToEnd(args);
  INFO(Describe(full));
  CHECK(full.exit_code == 1);
  CHECK_THAT(full.err, Catch::Contains("database or disk is full"));
  int64_t committed = target.Count("SELECT count(*) FROM ferry_id_map");
  CHECK(committed > 0);  // the disk filled mid-run, not before the first batch
  CHECK(committed < static_cast<int64_t>(workload.tasks));
  // What committed is whole: every id-map row has its table row, none twice.
  TableSnapshot partial = TakeSnapshot(target);
  for (const std::string& problem : partial.problems) {
    // The failed run itself is recorded; anything else would be damage.
    CHECK_THAT(problem, Catch::Contains("run"));
  }

  // Room again (the WAL grows past the file between checkpoints): the same command finishes
  // the job, as a clean run would have left it.
  REQUIRE(disk->Resize(needed * 4 + 64 * 1024 * 1024));
  CommandResult done = RunFerryToEnd(args);
  INFO(Describe(done));
  CHECK(done.exit_code == 0);
  TableSnapshot after = TakeSnapshot(target);
  CHECK(SnapshotDifferences(reference, after) == "");
}

TEST_CASE("disk full: the PostgreSQL target's disk fills mid-run, the same command finishes later",
          "[e2e][faults][slow][postgres]") {
  if (!PostgresTestUrl()) return;
  TempDir work;
  TaskappWorkload workload = WriteTaskappWorkload(work.path() / "dumps", FaultTestWorkload());
  // A server of the test's own: the shared one keeps its catalogs clean of the tablespace.
  PrivateServer server;
  std::unique_ptr<TargetFixture> clean = MakePostgresTarget(server.url());
  CommandResult first = RunFerryToEnd(MigrateArgs(work / "dumps", clean->url()));
  INFO(Describe(first));
  REQUIRE(first.exit_code == 0);
  TableSnapshot reference = TakeSnapshot(*clean);
  REQUIRE(reference.problems.empty());
  int64_t needed = clean->Count(
      "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON "
      "n.oid = c.relnamespace WHERE n.nspname IN ('public', 'ferry') AND c.relkind = 'r'");

  // The target's tables on a disk of half that: a tablespace on a small tmpfs, the database's
  // default_tablespace. The server's own files (catalogs, WAL) stay where they are, so the
  // server keeps running and reports the full disk (SQLSTATE 53100) to the statement that met
  // it. (A data directory that fills makes the server stop instead: docs/reliability.md.)
  std::unique_ptr<ScratchMount> disk =
      MountOrSkip(work.path() / "pgdisk", static_cast<size_t>(needed / 2));
  if (disk == nullptr) return;
  if (geteuid() == 0) {
    const passwd* postgres = getpwnam("postgres");
    REQUIRE(postgres != nullptr);
    REQUIRE(chown(disk->dir().c_str(), postgres->pw_uid, postgres->pw_gid) == 0);
  }
  std::unique_ptr<TargetFixture> target = MakePostgresTarget(server.url());
  std::string database = target->Query("SELECT current_database()").at(0).at(0);
  target->Query("CREATE TABLESPACE ferry_small_disk LOCATION '" + disk->dir().string() + "'");
  target->Query("ALTER DATABASE \"" + database + "\" SET default_tablespace = ferry_small_disk");
  std::vector<std::string> args = MigrateArgs(work / "dumps", target->url());
  CommandResult full = RunFerryToEnd(args);
  INFO(Describe(full) << "\nserver log:\n" << server.Log());
  CHECK(full.exit_code == 1);
  CHECK_THAT(full.err, Catch::Contains(kNoSpace));
  int64_t committed = target->Count("SELECT count(*) FROM ferry.id_map");
  CHECK(committed > 0);  // the disk filled mid-run, not before the first batch
  CHECK(committed < static_cast<int64_t>(workload.tasks));
  TableSnapshot partial = TakeSnapshot(*target);
  for (const std::string& problem : partial.problems) {
    CHECK_THAT(problem, Catch::Contains("run"));  // the failed run is recorded, nothing else
  }

  // Room again: the same command finishes the job, as a clean run would have left it.
  REQUIRE(disk->Resize(static_cast<size_t>(needed) * 4 + 64 * 1024 * 1024));
  CommandResult done = RunFerryToEnd(args);
  INFO(Describe(done));
  CHECK(done.exit_code == 0);
  CHECK(SnapshotDifferences(reference, TakeSnapshot(*target)) == "");
}

TEST_CASE("disk full: the reject file's disk is full, the run stops naming it",
          "[e2e][faults][sqlite]") {
  TempDir work;
  TaskappWorkloadOptions options;
  options.bad_users = {1, 3};
  WriteTaskappWorkload(work.path() / "dumps", options);
  std::unique_ptr<ScratchMount> disk = MountOrSkip(work.path() / "disk", 64 * 1024);
  if (disk == nullptr) return;
  disk->Fill("filler");
  SqliteFileTarget target(work / "target.db");
  std::vector<std::string> args = MigrateArgs(work / "dumps", target.url());
  for (const char* extra : {"--continue-on-error", "--rejects"}) args.push_back(extra);
  args.push_back(*disk / "rejects.ndjson");
  CommandResult full = RunFerryToEnd(args);
  INFO(Describe(full));
  CHECK(full.exit_code == 1);
  CHECK_THAT(full.err, Catch::Contains("rejects.ndjson"));
  CHECK_THAT(full.err, Catch::Contains(kNoSpace));

  // Room again: the same command writes every reject, each once, and loads the rest.
  std::filesystem::remove(*disk / "filler");
  CommandResult done = RunFerryToEnd(args);
  INFO(Describe(done));
  CHECK(done.exit_code == 3);
  std::string rejects = ReadFile(*disk / "rejects.ndjson");
  CHECK(std::count(rejects.begin(), rejects.end(), '\n') == 2);
  TableSnapshot after = TakeSnapshot(target);
  CHECK(after.problems.empty());
}

TEST_CASE("disk full: the report's disk is full, the run says so and the rerun writes it",
          "[e2e][faults][sqlite]") {
  TempDir work;
  WriteTaskappWorkload(work.path() / "dumps", {});
  std::unique_ptr<ScratchMount> disk = MountOrSkip(work.path() / "disk", 64 * 1024);
  if (disk == nullptr) return;
  disk->Fill("filler");
  SqliteFileTarget target(work / "target.db");
  for (const std::string report : {"report.json", "report.html"}) {
    INFO(report);
    std::vector<std::string> args = MigrateArgs(work / "dumps", target.url());
    args.push_back("--report");
    args.push_back(*disk / report);
    CommandResult full = RunFerryToEnd(args);
    INFO(Describe(full));
    CHECK(full.exit_code == 1);
    CHECK_THAT(full.err, Catch::Contains(report));
    CHECK_THAT(full.err, Catch::Contains(kNoSpace));
    CHECK_FALSE(std::filesystem::exists(*disk / report));  // no half-written report
  }
  std::filesystem::remove(*disk / "filler");
  std::vector<std::string> args = MigrateArgs(work / "dumps", target.url());
  args.push_back("--report");
  args.push_back(*disk / "report.json");
  CommandResult done = RunFerryToEnd(args);
  INFO(Describe(done));
  CHECK(done.exit_code == 0);
  CHECK_THAT(ReadFile(*disk / "report.json"), Catch::Contains("\"status\""));
  TableSnapshot after = TakeSnapshot(target);
  CHECK(after.problems.empty());
}

}  // namespace ferry::e2e::disk_full_test
