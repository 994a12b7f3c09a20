// `ferry backup` end to end, through the real binary.
#include "agent/backup/backup_command.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/e2e/e2e_util.h"

namespace ferry::backup_command_test {

namespace {

namespace fs = std::filesystem;

constexpr char kHexKey[] = "8f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

// SHA-256 of every regular file under `root`, by relative path.
std::map<std::string, std::string> Digests(const fs::path& root) {
  std::map<std::string, std::string> digests;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && !entry.is_symlink()) {
      digests[entry.path().lexically_relative(root).string()] =
          e2e::FileSha256(entry.path().string());
    }
  }
  return digests;
}

}  // namespace

TEST_CASE("ferry backup: the browser fixtures come back byte-exact", "[e2e][backup]") {
  e2e::TempDir work;
  fs::path fixtures = e2e::SharedDir() / "fixtures/browser";
  std::map<std::string, std::string> env = {{"FERRY_BACKUP_KEY", kHexKey}};
  e2e::CommandResult create =
      e2e::RunFerry({"backup", "--backup-dir", work / "b", "create",
                     (fixtures / "chromium").string(), (fixtures / "firefox").string()},
                    env);
  INFO(create.out << create.err);
  REQUIRE(create.exit_code == 0);
  e2e::CommandResult list = e2e::RunFerry({"backup", "--backup-dir", work / "b", "list"});
  REQUIRE(list.exit_code == 0);
  std::string id = list.out.substr(0, list.out.find(' '));
  CHECK_THAT(list.out, Catch::Contains("  run -  "));
  CHECK(e2e::RunFerry({"backup", "--backup-dir", work / "b", "verify", id}, env).exit_code == 0);
  e2e::CommandResult restore = e2e::RunFerry(
      {"backup", "--backup-dir", work / "b", "restore", id, "--to", work / "out"}, env);
  INFO(restore.out << restore.err);
  REQUIRE(restore.exit_code == 0);
  CHECK(Digests(work / "out/chromium") == Digests(fixtures / "chromium"));
  CHECK(Digests(work / "out/firefox") == Digests(fixtures / "firefox"));
  CHECK(Digests(work / "out/chromium").size() > 10);
  // Again: nothing is replaced without --force.
  restore = e2e::RunFerry(
      {"backup", "--backup-dir", work / "b", "restore", id, "--to", work / "out"}, env);
  CHECK(restore.exit_code == 2);
  CHECK_THAT(restore.err, Catch::Contains("--force"));
}

TEST_CASE("ferry backup: a first run without a key makes one and says to keep it",
          "[e2e][backup]") {
  e2e::TempDir work;
  e2e::WriteDump(work / "dump.json", {{"k", "\"v\""}});
  std::map<std::string, std::string> env = {{"XDG_CONFIG_HOME", work / "config"},
                                            {"XDG_DATA_HOME", work / "data"}};
  e2e::CommandResult create = e2e::RunFerry({"backup", "create", work / "dump.json"}, env);
  INFO(create.out << create.err);
  REQUIRE(create.exit_code == 0);
  std::string key_file = work / "config/ferry/backup.key";
  CHECK_THAT(create.err, Catch::Contains(key_file));
  CHECK_THAT(create.err, Catch::Contains("keep this: the backup cannot be read without it"));
  std::string key = e2e::ReadFile(key_file);
  CHECK(create.out.find(key.substr(0, 16)) == std::string::npos);
  CHECK(create.err.find(key.substr(0, 16)) == std::string::npos);
  // The second run uses the same key silently, and list finds both under XDG_DATA_HOME.
  create = e2e::RunFerry({"backup", "create", work / "dump.json"}, env);
  REQUIRE(create.exit_code == 0);
  CHECK(create.err.find("keep this") == std::string::npos);
  e2e::CommandResult list = e2e::RunFerry({"backup", "list"}, env);
  CHECK(std::count(list.out.begin(), list.out.end(), '\n') == 2);
  std::string id = list.out.substr(0, list.out.find(' '));
  fs::remove(work / "dump.json");
  e2e::CommandResult restore = e2e::RunFerry({"backup", "restore", id}, env);
  INFO(restore.out << restore.err);
  CHECK(restore.exit_code == 0);
  CHECK(e2e::ReadFile(work / "dump.json").find("\"k\"") != std::string::npos);
}

TEST_CASE("ferry backup verify: a damaged archive fails and names the part",
          "[e2e][backup][corrupt]") {
  e2e::TempDir work;
  e2e::WriteDump(work / "dump.json", {{"k", "\"v\""}});
  std::map<std::string, std::string> env = {{"FERRY_BACKUP_PASSPHRASE", "pass phrase"},
                                            {"FERRY_BACKUP_KDF", "min"}};
  REQUIRE(e2e::RunFerry({"backup", "--backup-dir", work / "b", "create", work / "dump.json"}, env)
              .exit_code == 0);
  fs::path archive = fs::directory_iterator(work / "b")->path();
  std::string bytes = e2e::ReadFile(archive.string());
  CHECK(bytes.find("pass phrase") == std::string::npos);
  e2e::CommandResult wrong =
      e2e::RunFerry({"backup", "--backup-dir", work / "b", "verify", archive.string()},
                    {{"FERRY_BACKUP_PASSPHRASE", "wrong"}});
  CHECK(wrong.exit_code == 1);
  CHECK_THAT(wrong.err, Catch::Contains("header: the key does not open this archive"));
  CHECK(wrong.err.find("wrong\n") == std::string::npos);
  bytes[bytes.size() - 3] ^= 0x40;
  {
    std::ofstream out(archive, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  e2e::CommandResult verify =
      e2e::RunFerry({"backup", "--backup-dir", work / "b", "verify", archive.string()}, env);
  CHECK(verify.exit_code == 1);
  CHECK_THAT(verify.err, Catch::Contains("chunk"));
  CHECK_THAT(verify.out, Catch::Contains("sources verified"));
}

TEST_CASE("ferry backup prune: keeps a run's only way back without --force", "[e2e][backup]") {
  e2e::TempDir work;
  e2e::WriteDump(work / "dump.json", {{"k", "\"v\""}});
  std::map<std::string, std::string> env = {{"FERRY_BACKUP_KEY", kHexKey}};
  REQUIRE(e2e::RunFerry({"backup", "--backup-dir", work / "b", "create", work / "dump.json"}, env)
              .exit_code == 0);
  e2e::CommandResult prune =
      e2e::RunFerry({"backup", "--backup-dir", work / "b", "prune", "--keep-days", "0"});
  CHECK(prune.exit_code == 0);
  CHECK_THAT(prune.out, Catch::Contains("kept "));
  prune =
      e2e::RunFerry({"backup", "--backup-dir", work / "b", "prune", "--keep-days", "0", "--force"});
  CHECK(prune.exit_code == 0);
  CHECK_THAT(prune.out, Catch::Contains("removed "));
  CHECK(fs::is_empty(work / "b"));
}

}  // namespace ferry::backup_command_test
