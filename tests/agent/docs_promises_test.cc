// What docs/ promise, the tool does.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "tests/e2e/e2e_util.h"
#include "tests/test_paths.h"

namespace ferry::docs_promises_test {

TEST_CASE("docs: --conflict interactive without a terminal is refused, as the docs say",
          "[e2e][docs]") {
  e2e::TempDir work;
  std::string target = work / "t.db";
  e2e::CommandResult run = e2e::RunShell(
      "'" + std::string(FERRY_BINARY) + "' migrate '" +
      (e2e::SourceDir() / "examples/taskapp-dump.json").string() +
      "' --user-id demo --target 'sqlite:" + target + "' --conflict interactive </dev/null 2>&1");
  CHECK(run.exit_code == 2);
  CHECK(run.out.find("needs a terminal on standard input") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(target));  // refused before anything is read or made
  std::string mapping;
  for (char c : e2e::ReadFile((e2e::SourceDir() / "docs/mapping.md").string())) {
    mapping.push_back(c == '\n' ? ' ' : c);  // the docs wrap lines anywhere
  }
  size_t at = mapping.find("`--conflict interactive` asks at the terminal");
  REQUIRE(at != std::string::npos);
  CHECK(mapping.find("Without a terminal on standard input it is refused with exit 2", at) !=
        std::string::npos);
}

}  // namespace ferry::docs_promises_test
