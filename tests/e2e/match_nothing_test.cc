// End-to-end: a filter or mapping that matches nothing is exit 2 listing what the sources
// hold (issue 12 item 4), with no row written. Both targets.
#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/dump_builder.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::match_nothing_test {

namespace {

std::vector<std::string> Migrate(const TargetFixture& target, const std::string& source,
                                 std::vector<std::string> flags) {
  std::vector<std::string> args = {"migrate",  source,       "--user-id",  "demo",
                                   "--target", target.url(), "--progress", "none"};
  args.insert(args.end(), flags.begin(), flags.end());
  return args;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Rows of a mapping table, 0 when the table was never made.
int64_t Rows(TargetFixture& target, const std::string& table) {
  std::string exists = target.kind() == "sqlite"
                           ? "SELECT count(*) FROM sqlite_master WHERE name='" + table + "'"
                           : "SELECT count(*) FROM pg_tables WHERE tablename='" + table + "'";
  if (target.Count(exists) == 0) return 0;
  return target.Count("SELECT count(*) FROM " + table);
}

std::string Example() { return (SourceDir() / "examples/taskapp-dump.json").string(); }

}  // namespace

TEST_CASE("migrate: --origin naming no origin of the store is refused, listing its origins",
          "[e2e][sqlite][postgres][filters]") {
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run =
        RunFerry(Migrate(*target, Example(), {"--origin", "http://127.0.0.1:8080"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "\"http://127.0.0.1:8000\""));
    CHECK(Rows(*target, "tasks") == 0);
  }
}

TEST_CASE("migrate: --origin without its scheme selects the origin, as export's does",
          "[e2e][sqlite][postgres][filters]") {
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(
        Migrate(*target, Example(), {"--origin", "127.0.0.1:8000", "--continue-on-error"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 3);  // the example holds invalid records on purpose
    CHECK(Rows(*target, "tasks") > 0);
  }
}

TEST_CASE("migrate: a source whose keys are all unmapped is refused, listing its keys",
          "[e2e][sqlite][postgres][filters]") {
  TempDir work;
  WriteDump(work / "settings.json", {{"theme", "\"dark\""}, {"sidebarWidth", "300"}});
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(Migrate(*target, work / "settings.json", {}));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "\"theme\""));
    CHECK(Has(run.err, "\"sidebarWidth\""));
    CHECK(Has(run.err, "\"tasks\""));  // what the mapping takes
  }
}

TEST_CASE("migrate: --include naming no entity the source holds is refused, listing them",
          "[e2e][sqlite][postgres][filters]") {
  TempDir work;
  WriteDump(work / "envs.json", {{"environments", EnvironmentsJson("env-1")}});
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(Migrate(*target, work / "envs.json", {"--include", "tasks"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "environments (1 key)"));
    CHECK(Rows(*target, "environments") == 0);
    // What it names is there: loaded.
    CommandResult ok =
        RunFerry(Migrate(*target, work / "envs.json", {"--include", "environments"}));
    INFO(Describe(ok));
    CHECK(ok.exit_code == 0);
    CHECK(Rows(*target, "environments") == 1);
  }
}

TEST_CASE("migrate: a refused filter is recorded as a failed run, not one to resume",
          "[e2e][sqlite][postgres][filters]") {
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(Migrate(*target, Example(), {"--origin", "http://typo"}));
    REQUIRE(run.exit_code == 2);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("runs") +
                        " WHERE status='running'") == 0);
    CommandResult again = RunFerry(Migrate(*target, Example(), {"--origin", "http://typo"}));
    INFO(Describe(again));
    CHECK(again.exit_code == 2);
    CHECK_FALSE(Has(again.err, "resuming"));
  }
}

}  // namespace ferry::e2e::match_nothing_test

namespace ferry::e2e::match_nothing_test {

TEST_CASE("export: --origin naming no origin of the store is refused, writing no dump",
          "[e2e][filters][export]") {
  TempDir work;
  std::string out = work / "out.json";
  CommandResult run = RunFerry({"export", (SourceDir() / "examples/taskapp-dump.json").string(),
                                "--origin", "http://127.0.0.1:8080", "--out", out});
  INFO(Describe(run));
  CHECK(run.exit_code == 2);
  CHECK(Has(run.err, "\"http://127.0.0.1:8000\""));
  CHECK_FALSE(std::filesystem::exists(out));
}

}  // namespace ferry::e2e::match_nothing_test

namespace ferry::e2e::match_nothing_test {

TEST_CASE("inspect: --origin naming no origin of the store is refused, listing its origins",
          "[e2e][filters][inspect]") {
  std::string example = (SourceDir() / "examples/taskapp-dump.json").string();
  for (bool json : {false, true}) {
    std::vector<std::string> args = {"inspect", example, "--origin", "http://127.0.0.1:8080"};
    if (json) args.push_back("--json");
    CommandResult run = RunFerry(args);
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "\"http://127.0.0.1:8000\""));
    CHECK_FALSE(Has(run.out, "no entries"));
  }
  // The origin held, given without its scheme, is still found.
  CommandResult found = RunFerry({"inspect", example, "--origin", "127.0.0.1:8000"});
  INFO(Describe(found));
  CHECK(found.exit_code == 0);
}

}  // namespace ferry::e2e::match_nothing_test
