// tools/quickstart.sh shows the way back without asking anything (issue 17, "Done when"): run
// with --no-build on a copy of the repository's script and example, standard input not a
// terminal, it migrates, lists, verifies and restores the backup, and rolls the run back.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "tests/e2e/e2e_util.h"
#include "tests/test_paths.h"

namespace ferry::quickstart_test {
namespace {

namespace fs = std::filesystem;

TEST_CASE("quickstart.sh: the way back (backup listed, verified, restored; run rolled back)",
          "[e2e][backup][rollback][sqlite]") {
  e2e::TempDir work;
  fs::path root = work / "repo";
  fs::create_directories(root / "tools");
  fs::create_directories(root / "build");
  fs::create_directories(root / "examples");
  fs::copy_file(e2e::SourceDir() / "tools/quickstart.sh", root / "tools/quickstart.sh");
  fs::copy(e2e::SourceDir() / "examples/chromium-taskapp", root / "examples/chromium-taskapp",
           fs::copy_options::recursive);
  fs::create_symlink(FERRY_BINARY, root / "build/ferry");
  // A home of its own: no key file yet, so the first run makes one (nothing is asked).
  std::string home = work / "home";
  e2e::CommandResult run =
      e2e::RunShell("env -u FERRY_BACKUP_KEY -u FERRY_BACKUP_PASSPHRASE HOME='" + home +
                    "' XDG_DATA_HOME='" + home + "/data' XDG_CONFIG_HOME='" + home + "/config' '" +
                    (root / "tools/quickstart.sh").string() + "' --no-build </dev/null 2>&1");
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("keep this"));  // the key file made, its path said once
  CHECK_THAT(run.out, Catch::Contains("$ build/ferry backup list"));
  CHECK_THAT(run.out, Catch::Contains("=== restored byte for byte"));
  CHECK_THAT(run.out, Catch::Contains("would roll back: "));
  CHECK_THAT(run.out, Catch::Contains(": rolled back: "));
  CHECK_THAT(run.out, Catch::Contains("Done: the data is in ferry.db"));
  CHECK(run.out.find("assphrase:") == std::string::npos);  // no prompt
}

}  // namespace
}  // namespace ferry::quickstart_test
