#include "agent/run/output_paths.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_util.h"

namespace ferry::output_paths_test {

TEST_CASE("CheckOutputFile: a file in a writable folder, or none asked for, is fine",
          "[agent][run][outputs]") {
  e2e::TempDir work;
  CHECK(CheckOutputFile("--report", "").ok());
  CHECK(CheckOutputFile("--report", work / "r.json").ok());
  std::ofstream(work / "old.json") << "{}";
  CHECK(CheckOutputFile("--report", work / "old.json").ok());
  CHECK_FALSE(std::filesystem::exists(work / "r.json"));  // nothing created to check
}

TEST_CASE("CheckOutputFile: a missing folder, a folder, a path under a file are refused",
          "[agent][run][outputs]") {
  e2e::TempDir work;
  std::ofstream(work / "file") << "x";
  Status missing = CheckOutputFile("--rejects", work / "no/r.ndjson");
  REQUIRE(missing.IsInvalidArgument());
  CHECK(missing.message().find("--rejects") != std::string::npos);
  CHECK(missing.message().find("does not exist") != std::string::npos);
  CHECK(CheckOutputFile("--report", work.path().string()).IsInvalidArgument());
  Status under = CheckOutputFile("--report", work / "file/r.json");
  REQUIRE(under.IsInvalidArgument());
  CHECK(under.message().find("is not a folder") != std::string::npos);
}

}  // namespace ferry::output_paths_test
