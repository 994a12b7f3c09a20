// End-to-end: a hostile store cannot make ferry run forever, and memory stays within a (far
// too generous) bound while docs/security.md's goal is open work.
#include <sys/resource.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/extractors/firefox/firefox_test_util.h"
#include "tests/test_paths.h"

namespace ferry::e2e {
namespace {

TEST_CASE("export: a Firefox data view that never ends is refused within seconds",
          "[e2e][security]") {
  TempDir work;
  std::string file = work / "p/storage/default/https+++a.test/ls/data.sqlite";
  {
    testing::TestDb db(file);
    db.Exec("CREATE TABLE database(origin TEXT NOT NULL)");
    db.Exec("INSERT INTO database(origin) VALUES ('https://a.test')");
    db.Exec(
        "CREATE VIEW data AS WITH RECURSIVE r(key, utf16_length, conversion_type, "
        "compression_type, last_access_time, value) AS (SELECT 'a', 1, 1, 0, 0, x'61' UNION ALL "
        "SELECT key || 'a', 1, 1, 0, 0, value FROM r) SELECT * FROM r ORDER BY key");
  }
  CommandResult run = RunShell("timeout 30 '" + std::string(FERRY_BINARY) +
                               "' export 'firefox:" + (work / "p") + "' >/dev/null 2>&1; echo $?");
  INFO(run.out);
  CHECK(run.out != "124\n");  // not killed by the timeout
  CHECK(run.out != "0\n");
}

TEST_CASE("inspect and migrate: peak memory of 200,000 tiny keys stays under a loose bound",
          "[e2e][security][sqlite]") {
  TempDir work;
  std::string dump = work / "tiny.json";
  {
    std::ofstream out(dump);
    out << R"({"https://a.test": {)";
    for (int i = 0; i < 200000; ++i) out << (i ? "," : "") << "\"k" << i << "\": \"v\"";
    out << "}}";
  }
  // Measured at ~0.7 KB (inspect) and ~1 KB (migrate) per key (docs/benchmarks.md); the bound
  // catches a regression of several times that, not the goal.
  for (std::vector<std::string> args :
       {std::vector<std::string>{"inspect", dump},
        std::vector<std::string>{"migrate", dump, "--user-id", "u", "--target",
                                 "sqlite:" + (work / "t.db"), "--progress", "none"}}) {
    CommandResult run = RunShell(
        "/usr/bin/time -f '%M' '" + std::string(FERRY_BINARY) + "' " + args[0] + " '" + args[1] +
        "'" +
        (args.size() > 2 ? " --user-id u --target 'sqlite:" + (work / "t.db") + "' --progress none"
                         : std::string()) +
        " 2>&1 >/dev/null | tail -1");
    INFO(args[0] << ": " << run.out);
    long kilobytes = std::atol(run.out.c_str());
    if (kilobytes == 0) {
      WARN("/usr/bin/time not available; skipped");
      return;
    }
    CHECK(kilobytes < 1200 * 1024);  // 6 KB per key
  }
}

}  // namespace
}  // namespace ferry::e2e
