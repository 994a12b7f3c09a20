// End-to-end: --conflict interactive on a real pseudo-terminal (issue 20 item 2), driven by
// tests/e2e/interactive_conflicts_pty.py: a key per conflict, a resize between two, q stopping
// with nothing of the batch written, the run resumed, and the refusal without a terminal.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e_util.h"
#include "tests/test_paths.h"

namespace ferry::e2e::interactive_conflicts_test {

TEST_CASE("migrate --conflict interactive: keys on a pty, a resize, q, resume, no terminal",
          "[e2e][sqlite][interactive][issue20]") {
  TempDir work;
  std::string script = (SourceDir() / "tests/e2e/interactive_conflicts_pty.py").string();
  CommandResult run = RunShell("python3 '" + script + "' '" + std::string(FERRY_BINARY) + "' '" +
                               work.path().string() + "' 2>&1");
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("PASS") != std::string::npos);
}

}  // namespace ferry::e2e::interactive_conflicts_test
