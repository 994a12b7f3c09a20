// A migrate run backs its sources up before it writes (agent/run/sources_backup.h).
#include "agent/run/sources_backup.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "tests/e2e/e2e_util.h"

namespace ferry::sources_backup_test {

namespace {

namespace fs = std::filesystem;

constexpr char kHexKey[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

std::string Dump() { return (e2e::SourceDir() / "examples/taskapp-dump.json").string(); }

}  // namespace

TEST_CASE("migrate: the sources are backed up first, and restore gives them back",
          "[e2e][backup]") {
  e2e::TempDir work;
  std::map<std::string, std::string> env = {{"FERRY_BACKUP_KEY", kHexKey}};
  e2e::CommandResult run = e2e::RunFerry(
      {"migrate", Dump(), "--user-id", "demo", "--target", "sqlite:" + (work / "t.db"),
       "--backup-dir", work / "b", "--continue-on-error", "--report", work / "report.json"},
      env);
  REQUIRE((run.exit_code == 0 || run.exit_code == 3));
  CHECK_THAT(run.out, Catch::Contains("  backup: "));
  std::string run_id = run.out.substr(run.out.find("run ") + 4, 26);
  CHECK_THAT(e2e::ReadFile(work / "report.json"), Catch::Contains("\"backup\":\""));
  e2e::CommandResult list = e2e::RunFerry({"backup", "--backup-dir", work / "b", "list"});
  CHECK_THAT(list.out, Catch::Contains("run " + run_id));
  std::string id = list.out.substr(0, list.out.find(' '));
  e2e::CommandResult restore = e2e::RunFerry(
      {"backup", "--backup-dir", work / "b", "restore", id, "--to", work / "out"}, env);
  REQUIRE(restore.exit_code == 0);
  CHECK(e2e::FileSha256(work / "out/taskapp-dump.json") == e2e::FileSha256(Dump()));
}

TEST_CASE("migrate --no-backup: none is made and the report says so", "[e2e][backup]") {
  e2e::TempDir work;
  e2e::CommandResult run = e2e::RunFerry({"migrate", Dump(), "--user-id", "demo", "--target",
                                          "sqlite:" + (work / "t.db"), "--backup-dir", work / "b",
                                          "--continue-on-error", "--no-backup"});
  REQUIRE((run.exit_code == 0 || run.exit_code == 3));
  CHECK_THAT(run.out, Catch::Contains("backup: none (--no-backup)"));
  CHECK_FALSE(fs::exists(work / "b"));
  e2e::CommandResult dry =
      e2e::RunFerry({"migrate", Dump(), "--user-id", "demo", "--target",
                     "sqlite:" + (work / "d.db"), "--backup-dir", work / "b", "--dry-run"});
  CHECK(dry.out.find("backup:") == std::string::npos);
  CHECK_FALSE(fs::exists(work / "b"));
}

TEST_CASE("migrate on a fresh machine: a key file is made, never an unencrypted backup",
          "[e2e][backup]") {
  e2e::TempDir work;
  std::map<std::string, std::string> env = {{"XDG_CONFIG_HOME", work / "config"},
                                            {"XDG_DATA_HOME", work / "data"}};
  e2e::CommandResult run = e2e::RunFerry({"migrate", Dump(), "--user-id", "demo", "--target",
                                          "sqlite:" + (work / "t.db"), "--continue-on-error"},
                                         env);
  REQUIRE((run.exit_code == 0 || run.exit_code == 3));
  CHECK_THAT(run.err, Catch::Contains(work / "config/ferry/backup.key"));
  CHECK_THAT(run.err, Catch::Contains("keep this: the backup cannot be read without it"));
  CHECK(fs::exists(work / "data/ferry/backups"));
  CHECK(!fs::is_empty(work / "data/ferry/backups"));
}

}  // namespace ferry::sources_backup_test
