// End-to-end: the private copy of a store (0700 in $TMPDIR, tokens included) is removed however
// ferry ends: a signal it can catch, SIGPIPE when its reader goes (`ferry export | head`), and
// after SIGKILL by the next run (docs/security.md).
#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/test_paths.h"

namespace ferry::e2e::security_temp_copies_test {
namespace {

namespace fs = std::filesystem;

fs::path Fixture(const std::string& scenario) {
  return SharedDir() / "fixtures/browser/chromium" / scenario;
}

int CopiesIn(const fs::path& dir) {
  int count = 0;
  for (const auto& item : fs::directory_iterator(dir)) {
    count += item.path().filename().string().rfind("ferry-", 0) == 0;
  }
  return count;
}

TEST_CASE("a store's private copy is removed on SIGTERM, SIGINT, SIGHUP and SIGPIPE",
          "[e2e][security]") {
  if (!fs::exists(Fixture("large"))) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  for (const char* signal : {"TERM", "INT", "HUP", "PIPE"}) {
    INFO(signal);
    TempDir work;
    fs::create_directories(work / "tmp");
    std::string ferry = FERRY_BINARY;
    std::string tmp = work / "tmp";
    CommandResult run =
        RunShell("export TMPDIR='" + tmp + "'; { '" + ferry + "' export '" +
                 Fixture("large").string() + "' 2>/dev/null & echo $! > '" + (work / "pid") +
                 "'; wait; } | sleep 5 & "
                 "for i in $(seq 200); do ls -d '" +
                 tmp +
                 "'/ferry-chromium-* >/dev/null 2>&1 && break; "
                 "sleep 0.05; done; ls '" +
                 tmp + "' | wc -l; kill -" + signal + " $(cat '" + (work / "pid") +
                 "'); for i in $(seq 100); do kill -0 $(cat '" + (work / "pid") +
                 "') 2>/dev/null || break; sleep 0.05; done");
    CHECK(run.out.rfind("1", 0) == 0);  // the copy was there while it ran
    CHECK(CopiesIn(tmp) == 0);
  }
}

TEST_CASE("a copy left by a killed run (SIGKILL) is removed by the next run", "[e2e][security]") {
  if (!fs::exists(Fixture("large"))) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  TempDir work;
  fs::create_directories(work / "tmp");
  std::string ferry = FERRY_BINARY;
  std::string tmp = work / "tmp";
  RunShell("export TMPDIR='" + tmp + "'; { '" + ferry + "' export '" + Fixture("large").string() +
           "' 2>/dev/null & echo $! > '" + (work / "pid") +
           "'; wait; } | sleep 5 & "
           "for i in $(seq 200); do ls -d '" +
           tmp +
           "'/ferry-chromium-* >/dev/null 2>&1 && "
           "break; sleep 0.05; done; kill -KILL $(cat '" +
           (work / "pid") + "'); sleep 0.2");
  REQUIRE(CopiesIn(tmp) == 1);
  // Another user's or a live process's copy is left alone.
  fs::create_directories(tmp + "/ferry-chromium-1-abcdef");  // pid 1 is alive
  CommandResult next = RunFerry({"export", Fixture("taskapp-clean").string()}, {{"TMPDIR", tmp}});
  CHECK(next.exit_code == 0);
  CHECK(CopiesIn(tmp) == 1);
  CHECK(fs::exists(tmp + "/ferry-chromium-1-abcdef"));
}

}  // namespace
}  // namespace ferry::e2e::security_temp_copies_test
