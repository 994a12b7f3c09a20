// A migrate run makes its backup archive at its first write to the target, not before it
// starts (issue 17's cost goal, issue 19's rerun; agent/run/first_write_backup.h): a rerun over
// unchanged dumps writes nothing and makes no archive; one whose dump changed makes it before
// that unit's first write (killed right there, the archive is whole and verified, the target
// untouched); and a run that wrote nothing is rolled back without an archive. On both targets.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::backup_first_write_test {

namespace {

namespace fs = std::filesystem;

constexpr char kHexKey[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

struct Ran {
  CommandResult result;
  std::string run_id;
  std::string backup;  // the report's "backup"
};

std::vector<std::string> Archives(const fs::path& dir) {
  std::vector<std::string> ids;
  if (!fs::exists(dir)) return ids;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".ferrybak") ids.push_back(entry.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

class Fixture {
 public:
  explicit Fixture(TargetFixture* target) : target_(target) {
    TaskappWorkloadOptions options;
    options.users = 3;
    options.tasks = 30;
    workload_ = WriteTaskappWorkload(dir_.path() / "dumps", options);
  }

  std::map<std::string, std::string> Env() const { return {{"FERRY_BACKUP_KEY", kHexKey}}; }
  fs::path backups() const { return dir_.path() / "b"; }
  const TaskappWorkload& workload() const { return workload_; }

  std::vector<std::string> MigrateArgs() const {
    return {"migrate",        dir_ / "dumps",
            "--user-id-from", "filename",
            "--target",       target_->url(),
            "--batch-size",   "10",
            "--progress",     "none",
            "--rejects",      dir_ / "rejects",
            "--report",       dir_ / "report.json",
            "--backup-dir",   backups().string()};
  }

  Ran Migrate() {
    Ran ran;
    ran.result = RunFerryToEnd(MigrateArgs(), Env());
    simdjson::dom::parser parser;
    simdjson::dom::element json = parser.load(dir_ / "report.json");
    ran.run_id = std::string(json["run_id"].get_string().value());
    ran.backup = std::string(json["backup"].get_string().value());
    return ran;
  }

  CommandResult Ferry(std::vector<std::string> args) {
    if (args.at(0) != "backup") args.insert(args.end(), {"--target", target_->url()});
    args.insert(args.end(), {"--backup-dir", backups().string()});
    return RunFerryToEnd(args, Env());
  }

  // The archive column of the run's row.
  std::string RecordedArchive(const std::string& run_id) {
    return target_
        ->Query("SELECT archive FROM " + target_->Bookkeeping("runs") + " WHERE run_id = '" +
                run_id + "'")
        .at(0)
        .at(0);
  }

 private:
  TargetFixture* target_;
  TempDir dir_;
  TaskappWorkload workload_;
};

}  // namespace

TEST_CASE("backup: a rerun that writes nothing makes no archive, and rolls back without one",
          "[e2e][backup][rerun][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Fixture fixture(target.get());
    Ran first = fixture.Migrate();
    INFO(Describe(first.result));
    REQUIRE(first.result.exit_code == 0);
    REQUIRE(Archives(fixture.backups()).size() == 1);
    CHECK(first.backup.rfind(Archives(fixture.backups())[0], 0) == 0);
    TableSnapshot loaded = TakeSnapshot(*target);

    Ran again = fixture.Migrate();
    INFO(Describe(again.result));
    REQUIRE(again.result.exit_code == 0);
    CHECK(again.backup == "none (nothing written)");
    CHECK_THAT(again.result.out, Catch::Contains("backup: none (nothing written)"));
    CHECK(Archives(fixture.backups()).size() == 1);  // the first run's alone
    CHECK(fixture.RecordedArchive(again.run_id) == "NULL");
    CHECK(SnapshotDifferences(loaded, TakeSnapshot(*target)).empty());

    // The earlier run is rolled back past it: the rerun holds no checkpoint of its users.
    CommandResult undone_first = fixture.Ferry({"rollback", "--run", first.run_id});
    INFO(Describe(undone_first));
    CHECK(undone_first.exit_code == 0);
    // The rerun has nothing to put back: marked rolled back all the same.
    CommandResult undone = fixture.Ferry({"rollback", "--run", again.run_id});
    INFO(Describe(undone));
    CHECK(undone.exit_code == 0);
    CHECK_THAT(undone.out, Catch::Contains("made no backup: it wrote nothing"));
    CHECK(target
              ->Query("SELECT status FROM " + target->Bookkeeping("runs") + " WHERE run_id = '" +
                      again.run_id + "'")
              .at(0)
              .at(0) == "rolled_back");
    CHECK(TakeSnapshot(*target).Rows("tasks") == 0);
  }
}

TEST_CASE("backup: a run made with --no-backup is still refused a rollback",
          "[e2e][backup][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Fixture fixture(target.get());
    std::vector<std::string> args = fixture.MigrateArgs();
    args.push_back("--no-backup");
    CommandResult loaded = RunFerryToEnd(args, fixture.Env());
    REQUIRE(loaded.exit_code == 0);
    // A rerun of it writes nothing either: neither is taken for a run without writes.
    CommandResult again = RunFerryToEnd(args, fixture.Env());
    REQUIRE(again.exit_code == 0);
    std::vector<std::vector<std::string>> runs =
        target->Query("SELECT run_id FROM " + target->Bookkeeping("runs") + " ORDER BY started_at");
    REQUIRE(runs.size() == 2);
    for (const auto& run : runs) {
      CommandResult refused = fixture.Ferry({"rollback", "--run", run.at(0)});
      INFO(Describe(refused));
      CHECK(refused.exit_code != 0);
      CHECK_THAT(refused.err, Catch::Contains("no backup of run"));
    }
  }
}

TEST_CASE("backup: a rerun whose dump changed makes its archive before that unit's first write",
          "[e2e][backup][rerun][faults][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Fixture fixture(target.get());
    Ran first = fixture.Migrate();
    REQUIRE(first.result.exit_code == 0);
    ChangeOneTitleByte(fixture.workload().files[1]);
    const std::string before = target->Fingerprint();
    TableSnapshot loaded = TakeSnapshot(*target);

    // Killed once the archive is made, read back and recorded, before the write it was for.
    std::map<std::string, std::string> kill = fixture.Env();
    kill["FERRY_FAULT"] = "run.before_first_write:1";
    CommandResult killed = RunFerryToEnd(fixture.MigrateArgs(), kill);
    INFO(Describe(killed));
    REQUIRE(killed.exit_code == 128 + 9);
    CHECK(TakeSnapshot(*target).tables == loaded.tables);  // the killed run is recorded only
    std::vector<std::string> archives = Archives(fixture.backups());
    REQUIRE(archives.size() == 2);
    const std::string made = archives.back() == first.backup.substr(0, archives.back().size())
                                 ? archives.front()
                                 : archives.back();
    CommandResult verified = fixture.Ferry({"backup", "verify", made});
    INFO(Describe(verified));
    CHECK_THAT(verified.out, Catch::Contains(made + ": sources verified (3 files"));
    // The run's row names it: it was recorded before the first write.
    std::vector<std::vector<std::string>> rows = target->Query(
        "SELECT archive FROM " + target->Bookkeeping("runs") + " ORDER BY started_at");
    REQUIRE(rows.size() == 2);
    CHECK(rows.at(1).at(0) == made);

    // The same command resumes it and ends; the changed unit alone was written.
    Ran resumed = fixture.Migrate();
    INFO(Describe(resumed.result));
    CHECK(resumed.result.exit_code == 0);
    CHECK(resumed.backup.find("nothing written") == std::string::npos);
    CHECK(target->Fingerprint() != before);
  }
}

}  // namespace ferry::e2e::backup_first_write_test
