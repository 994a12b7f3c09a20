// End-to-end: migrate's output files (--report, --rejects) are checked before anything is
// written (issue 12 item 5): a missing folder is exit 2 with the target untouched, and the
// check leaves no file behind. Both targets.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::output_paths_test {

namespace {

std::vector<std::string> Migrate(const TargetFixture& target, std::vector<std::string> flags) {
  std::vector<std::string> args = {"migrate",
                                   (SourceDir() / "examples/taskapp-dump.json").string(),
                                   "--user-id",
                                   "demo",
                                   "--target",
                                   target.url(),
                                   "--progress",
                                   "none",
                                   "--continue-on-error"};
  args.insert(args.end(), flags.begin(), flags.end());
  return args;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

size_t FilesIn(const std::string& folder) {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(folder)) ++count;
  return count;
}

}  // namespace

TEST_CASE("migrate: --report in a missing folder is refused before anything is written",
          "[e2e][sqlite][postgres][outputs]") {
  TempDir work;
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(
        Migrate(*target, {"--report", work / "missing/r.json", "--rejects", work / "r.ndjson"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "--report"));
    CHECK(Has(run.err, "does not exist"));
    CHECK_FALSE(target->Touched());
    CHECK(FilesIn(work.path().string()) == 0);
  }
}

TEST_CASE("migrate: --rejects in a missing folder is refused before anything is written",
          "[e2e][sqlite][postgres][outputs]") {
  TempDir work;
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(Migrate(*target, {"--rejects", work / "missing/r.ndjson"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "--rejects"));
    CHECK_FALSE(target->Touched());
  }
}

TEST_CASE("migrate: an output path that is a folder, or under a file, is refused",
          "[e2e][sqlite][postgres][outputs]") {
  TempDir work;
  std::filesystem::create_directories(work / "folder");
  std::ofstream(work / "file") << "x";
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult folder = RunFerry(Migrate(*target, {"--report", work / "folder"}));
    INFO(Describe(folder));
    CHECK(folder.exit_code == 2);
    CHECK(Has(folder.err, "is a folder"));
    CommandResult under = RunFerry(Migrate(*target, {"--rejects", work / "file/r.ndjson"}));
    INFO(Describe(under));
    CHECK(under.exit_code == 2);
    CHECK(Has(under.err, "is not a folder"));
    CHECK_FALSE(target->Touched());
  }
}

TEST_CASE("migrate: checking the output paths leaves nothing but the outputs behind",
          "[e2e][sqlite][postgres][outputs]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    CommandResult run =
        RunFerry(Migrate(*target, {"--report", work / "r.json", "--rejects", work / "r.ndjson"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 3);
    CHECK(FilesIn(work.path().string()) == 2);
  }
}

}  // namespace ferry::e2e::output_paths_test
