// End-to-end: a hostile store or dump holding symbolic links, FIFOs or devices below the path
// the user named. Nothing below that path is followed or read; each link met is damage
// (exit 3), reported with its place (docs/security.md).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"

namespace ferry::e2e::security_links_test {
namespace {

namespace fs = std::filesystem;

fs::path Fixture(const std::string& kind, const std::string& scenario) {
  return SharedDir() / "fixtures/browser" / kind / scenario;
}

// The user's own store, somewhere the hostile store links to.
struct Victim {
  explicit Victim(const std::string& kind) {
    fs::copy(Fixture(kind, "taskapp-clean"), path(), fs::copy_options::recursive);
    for (const auto& item : fs::recursive_directory_iterator(path())) {
      fs::permissions(item.path(), fs::perms::owner_write, fs::perm_options::add);
    }
  }
  std::string path() const { return work / "victim"; }
  TempDir work;
};

void Touch(const std::string& path, const std::string& text = "") {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

// What the victim's store holds and must never show up: an origin of the task-app fixture.
constexpr const char* kVictimOrigin = "127.0.0.1:8000";

#define SKIP_WITHOUT_FIXTURES()                            \
  if (!fs::exists(Fixture("chromium", "taskapp-clean"))) { \
    WARN("browser fixtures not found; skipped");           \
    return;                                                \
  }

void CheckRefused(const CommandResult& run, const std::string& place) {
  INFO(Describe(run));
  CHECK(run.exit_code == 3);
  CHECK(run.out.find(kVictimOrigin) == std::string::npos);
  CHECK((run.err + run.out).find(place) != std::string::npos);  // inspect lists damage on stdout
}

TEST_CASE("export: a Chromium user-data folder whose Default links elsewhere is not followed",
          "[e2e][security]") {
  SKIP_WITHOUT_FIXTURES();
  Victim victim("chromium");
  TempDir hostile;
  Touch(hostile / "Local State", "{}");
  fs::create_symlink(victim.path() + "/Default", hostile / "Default");
  CheckRefused(RunFerry({"export", "chromium:" + hostile.path().string()}), "Default");
  CheckRefused(RunFerry({"inspect", "chromium:" + hostile.path().string()}), "Default");
}

TEST_CASE("export: a linked \"Local Storage/leveldb\" or \"Local Storage\" is not followed",
          "[e2e][security]") {
  SKIP_WITHOUT_FIXTURES();
  Victim victim("chromium");
  std::string real = victim.path() + "/Default/Local Storage/leveldb";
  TempDir hostile;
  fs::create_directories(hostile / "Profile/Local Storage");
  fs::create_symlink(real, hostile / "Profile/Local Storage/leveldb");
  CheckRefused(RunFerry({"export", "chromium:" + (hostile / "Profile")}), "leveldb");
  fs::create_directories(hostile / "Other");
  fs::create_symlink(victim.path() + "/Default/Local Storage", hostile / "Other/Local Storage");
  CheckRefused(RunFerry({"export", "chromium:" + (hostile / "Other")}), "Local Storage");
}

TEST_CASE("export: a linked Profile N beside a real Default is reported, Default still read",
          "[e2e][security]") {
  SKIP_WITHOUT_FIXTURES();
  Victim victim("chromium");
  TempDir hostile;
  fs::copy(Fixture("chromium", "multi-origin"), hostile / "ud", fs::copy_options::recursive);
  fs::create_symlink(victim.path() + "/Default", hostile / "ud/Profile 1");
  CommandResult run = RunFerry({"export", "chromium:" + (hostile / "ud")});
  INFO(Describe(run));
  CHECK(run.exit_code == 3);
  CHECK(run.err.find("Profile 1") != std::string::npos);
  CHECK(run.out.find("{") != std::string::npos);
}

TEST_CASE("migrate: a linked Profile N is damage, not a unit loaded under the user's id",
          "[e2e][security][sqlite]") {
  // Issue 15 item 1: migrate loaded a linked profile as a unit of the given user. (Beside a
  // real Default, the two profiles are refused before anything is read: exit 2.)
  SKIP_WITHOUT_FIXTURES();
  Victim victim("chromium");
  TempDir hostile;
  Touch(hostile / "ud/Local State", "{}");
  fs::create_symlink(victim.path() + "/Default", hostile / "ud/Profile 1");
  std::string report = hostile / "r.json";
  CommandResult run = RunFerry({"migrate", "chromium:" + (hostile / "ud"), "--user-id", "u1",
                                "--target", "sqlite:" + (hostile / "t.db"), "--progress", "none",
                                "--no-backup", "--continue-on-error", "--rejects",
                                hostile / "rejects.ndjson", "--report", report});
  INFO(Describe(run));
  CHECK(run.exit_code == 3);
  CHECK((run.err + run.out).find("Profile 1: a symbolic link inside the store") !=
        std::string::npos);
  std::string json = ReadFile(report);
  INFO(json);
  CHECK(json.find("\"units\":0,") != std::string::npos);
  CHECK(json.find(kVictimOrigin) == std::string::npos);
}

TEST_CASE("export: the path the user names may itself be a link", "[e2e][security]") {
  SKIP_WITHOUT_FIXTURES();
  Victim victim("chromium");
  TempDir named;
  fs::create_symlink(victim.path(), named / "link");
  CommandResult run = RunFerry({"export", "chromium:" + (named / "link")});
  INFO(Describe(run));
  CHECK(run.exit_code == 0);
  CHECK(run.out.find(kVictimOrigin) != std::string::npos);
}

TEST_CASE("export: a link, FIFO or device where a LevelDB file should be is damage, not empty",
          "[e2e][security]") {
  SKIP_WITHOUT_FIXTURES();
  Victim victim("chromium");
  std::string leveldb = victim.path() + "/Default/Local Storage/leveldb";
  Touch(victim.work / "elsewhere/CURRENT", "MANIFEST-000001\n");
  // The rest of the store stays readable (the newest MANIFEST stands in for CURRENT), so the
  // run ends "done with damage", never "done" as if the refused file were not there.
  SECTION("a FIFO") {
    fs::remove(leveldb + "/CURRENT");
    REQUIRE(::mkfifo((leveldb + "/CURRENT").c_str(), 0600) == 0);
  }
  SECTION("a link") {
    fs::remove(leveldb + "/CURRENT");
    fs::create_symlink(victim.work / "elsewhere/CURRENT", leveldb + "/CURRENT");
  }
  SECTION("a device") { fs::create_symlink("/dev/zero", leveldb + "/000009.log"); }
  CommandResult run = RunFerry({"export", "chromium:" + victim.path()});
  INFO(Describe(run));
  CHECK(run.exit_code == 3);
  CHECK(run.err.find("not read") != std::string::npos);
}

TEST_CASE("export: a linked Firefox origin folder, ls folder or storage/default is not followed",
          "[e2e][security]") {
  SKIP_WITHOUT_FIXTURES();
  Victim victim("firefox");
  std::string origin = victim.path() + "/storage/default/http+++127.0.0.1+8000";
  TempDir hostile;
  SECTION("origin folder") {
    fs::create_directories(hostile / "storage/default");
    fs::create_symlink(origin, hostile / "storage/default/http+++127.0.0.1+8000");
  }
  SECTION("ls folder") {
    fs::create_directories(hostile / "storage/default/http+++127.0.0.1+8000");
    fs::create_symlink(origin + "/ls", hostile / "storage/default/http+++127.0.0.1+8000/ls");
  }
  SECTION("storage/default") {
    fs::create_directories(hostile / "storage");
    fs::create_symlink(victim.path() + "/storage/default", hostile / "storage/default");
  }
  SECTION("data.sqlite") {
    fs::create_directories(hostile / "storage/default/http+++127.0.0.1+8000/ls");
    fs::create_symlink(origin + "/ls/data.sqlite",
                       hostile / "storage/default/http+++127.0.0.1+8000/ls/data.sqlite");
  }
  SECTION("webappsstore.sqlite") {
    fs::create_directories(hostile / "storage/default");
    fs::create_symlink(victim.path() + "/webappsstore.sqlite", hostile / "webappsstore.sqlite");
  }
  CheckRefused(RunFerry({"export", "firefox:" + hostile.path().string()}), "symbolic link");
}

TEST_CASE("export: a FIFO where a Firefox data.sqlite should be is damage, not an empty store",
          "[e2e][security]") {
  TempDir hostile;
  fs::create_directories(hostile / "storage/default/http+++a.test/ls");
  REQUIRE(::mkfifo((hostile / "storage/default/http+++a.test/ls/data.sqlite").c_str(), 0600) == 0);
  CommandResult run = RunFerry({"export", "firefox:" + hostile.path().string()});
  INFO(Describe(run));
  CHECK(run.exit_code == 3);
  CHECK(run.err.find("a FIFO") != std::string::npos);
}

TEST_CASE("export: a dump folder whose b.json links elsewhere reads a.json only",
          "[e2e][security]") {
  TempDir elsewhere;
  Touch(elsewhere / "secret.json", R"({"https://secret.test": {"token": "\"s3cr3t\""}})");
  TempDir dumps;
  Touch(dumps / "a.json", R"({"https://a.test": {"k": "1"}})");
  fs::create_symlink(elsewhere / "secret.json", dumps / "b.json");
  REQUIRE(::mkfifo((dumps / "c.json").c_str(), 0600) == 0);
  CommandResult run = RunFerry({"export", "dump:" + dumps.path().string()});
  INFO(Describe(run));
  CHECK(run.exit_code == 3);
  CHECK(run.out.find("a.test") != std::string::npos);
  CHECK(run.out.find("s3cr3t") == std::string::npos);
  CHECK(run.err.find("b.json") != std::string::npos);
  CHECK(run.err.find("c.json") != std::string::npos);
}

}  // namespace
}  // namespace ferry::e2e::security_links_test

// File-local: a unity batch (cmake/unity.cmake) compiles the next file after this one.
#undef SKIP_WITHOUT_FIXTURES
