// What docs/ promise, the tool does: a choice the docs name but the tool refuses is said to be
// not built yet.
#include <catch2/catch.hpp>
#include <string>

#include "tests/e2e/e2e_util.h"

namespace ferry {

TEST_CASE("docs: --conflict interactive is refused, and the docs say it is not built yet",
          "[e2e][docs]") {
  e2e::TempDir work;
  e2e::CommandResult run = e2e::RunFerry(
      {"migrate", (e2e::SourceDir() / "examples/taskapp-dump.json").string(), "--user-id", "demo",
       "--target", "sqlite:" + (work / "t.db"), "--conflict", "interactive"});
  CHECK(run.exit_code == 2);
  std::string mapping;
  for (char c : e2e::ReadFile((e2e::SourceDir() / "docs/mapping.md").string())) {
    mapping.push_back(c == '\n' ? ' ' : c);  // the docs wrap lines anywhere
  }
  size_t at = mapping.find("`interactive`");
  REQUIRE(at != std::string::npos);
  CHECK(mapping.find("**not built yet**", at) != std::string::npos);
}

}  // namespace ferry
