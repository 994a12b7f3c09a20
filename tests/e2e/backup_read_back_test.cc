// The backup of a migrate's sources is written, read back and verified before the first write
// to the target (issue 17 item 2, agent/run/sources_backup.h): a run killed between the two,
// or whose archive does not read back as written, leaves the target exactly as it was. The run
// is frozen where the archive is written and synced and its manifest not yet read back
// (FERRY_FAULT=backup.before_read_back with FERRY_FAULT_SIGNAL=STOP, base/fault_point.h; the
// source chunks before it are read back on another thread as they are written, so only the
// manifest and summary are sure to be unread there); the test then kills it, or alters a byte
// of the manifest and lets it go on.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::backup_read_back_test {

namespace {

namespace fs = std::filesystem;

constexpr char kHexKey[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

std::string ExampleDump() { return (SourceDir() / "examples" / "taskapp-dump.json").string(); }

std::vector<std::string> MigrateArgs(TargetFixture& target, const TempDir& work,
                                     const std::string& conflict,
                                     const std::string& user = "demo") {
  return {"migrate",
          ExampleDump(),
          "--user-id",
          user,
          "--target",
          target.url(),
          "--conflict",
          conflict,
          "--progress",
          "none",
          "--backup-dir",
          work / "b",
          "--continue-on-error",
          "--rejects",
          work / "r.ndjson"};
}

// The one archive of a run that was stopped before its end.
std::string NewestArchive(const TempDir& work) {
  std::string newest;
  fs::file_time_type when{};
  for (const auto& entry : fs::directory_iterator(work / "b")) {
    if (entry.path().extension() != ".ferrybak") continue;
    if (newest.empty() || entry.last_write_time() > when) {
      newest = entry.path().string();
      when = entry.last_write_time();
    }
  }
  return newest;
}

// The target's rows, id map and checkpoints (tests/e2e/table_snapshot.h): the run is begun
// (recorded, its user's lock taken) before its archive is made at its first write; what must
// stay as it was is everything but the run history, the audit log and the locks.
std::map<std::string, std::map<std::string, std::string>> Data(TargetFixture& target) {
  return TakeSnapshot(target).tables;
}

}  // namespace

TEST_CASE("migrate: a backup killed or altered before its read-back leaves the target as it was",
          "[e2e][backup][faults][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::map<std::string, std::string> env = {{"FERRY_BACKUP_KEY", kHexKey}};
    CommandResult first = RunFerryToEnd(MigrateArgs(*target, work, "skip"), env);
    REQUIRE((first.exit_code == 0 || first.exit_code == 3));
    // The first run's archive is older: the stopped run's is the newest. The archive is made at
    // a run's first write (agent/run/first_write_backup.h): the stopped run loads another
    // user, so that it has rows to write (the same user's rows again it would leave as they are).
    const auto before = Data(*target);
    std::map<std::string, std::string> stop = env;
    stop["FERRY_FAULT"] = "backup.before_read_back:1";
    stop["FERRY_FAULT_SIGNAL"] = "STOP";

    SECTION("killed there") {
      FerryProcess run(MigrateArgs(*target, work, "overwrite", "demo2"), stop);
      REQUIRE(run.WaitStopped());
      run.Signal(SIGKILL);
      CommandResult killed = run.Wait();
      CHECK(killed.exit_code == 128 + 9);
      CHECK(Data(*target) == before);
    }
    SECTION("a manifest byte altered there: the read-back fails and nothing is written") {
      FerryProcess run(MigrateArgs(*target, work, "overwrite", "demo2"), stop);
      REQUIRE(run.WaitStopped());
      std::string archive = NewestArchive(work);
      REQUIRE(!archive.empty());
      {
        // The archive ends with the manifest's frame, then the summary's (clear: a frame
        // header, u32, u64, 16 bytes, a 32-byte MAC): a byte 20 before the summary is sealed
        // manifest (its payload is at least a 17-byte tag and a 32-byte checksum).
        constexpr uintmax_t kSummaryFrame = 5 + 4 + 8 + 16 + 32;
        const auto at = static_cast<std::streamoff>(fs::file_size(archive) - kSummaryFrame - 20);
        std::fstream file(archive, std::ios::in | std::ios::out | std::ios::binary);
        file.seekg(at);
        char byte = 0;
        file.read(&byte, 1);
        file.seekp(at);
        byte = static_cast<char>(byte ^ 0x01);
        file.write(&byte, 1);
      }
      run.Signal(SIGCONT);
      CommandResult failed = run.Wait();
      INFO(Describe(failed));
      CHECK(failed.exit_code != 0);
      CHECK(failed.exit_code != 3);
      CHECK_THAT(failed.err, Catch::Contains("backup of the sources"));
      CHECK_THAT(failed.err, Catch::Contains("manifest (chunk"));
      CHECK(Data(*target) == before);
      CHECK_FALSE(fs::exists(archive));  // no archive left that looks like a backup
    }
  }
}

}  // namespace ferry::e2e::backup_read_back_test
