#include "agent/validate/recorded_run.h"

#include <catch2/catch.hpp>

namespace ferry::recorded_run_test {
namespace {

TEST_CASE("OptionsOfRecordedRun: a recorded migrate reads back as its options",
          "[agent][validate]") {
  Result<MigrateOptions> options = OptionsOfRecordedRun(
      "ferry migrate dump:/data/a.json \"json:/my data/b \\\"x\\\".json\" --target "
      "postgresql://u@h/db --mapping (bundled) --user-id \"demo user\" --origin a.test "
      "--origin b.test --include tasks --exclude userPreferences --conflict merge "
      "--strict-unicode");
  REQUIRE(options.ok());
  CHECK(options->sources ==
        std::vector<std::string>{"dump:/data/a.json", "json:/my data/b \"x\".json"});
  CHECK(options->target.empty());  // the recorded one has no password: the caller's is used
  CHECK(options->mapping_file.empty());
  CHECK(options->user_id == "demo user");
  CHECK(options->origins == std::vector<std::string>{"a.test", "b.test"});
  CHECK(options->include == std::vector<std::string>{"tasks"});
  CHECK(options->exclude == std::vector<std::string>{"userPreferences"});
  REQUIRE(options->conflict.has_value());
  CHECK(*options->conflict == ConflictPolicy::kMerge);
  CHECK(options->strict_unicode);

  options = OptionsOfRecordedRun("ferry migrate dump:/a.json --mapping /m/map.yaml");
  REQUIRE(options.ok());
  CHECK(options->mapping_file == "/m/map.yaml");
  CHECK_FALSE(options->conflict.has_value());
}

TEST_CASE("OptionsOfRecordedRun: what no migrate records is refused",
          "[agent][validate][hostile]") {
  CHECK(OptionsOfRecordedRun("").status().IsInvalidArgument());
  CHECK(OptionsOfRecordedRun("ferry status").status().IsInvalidArgument());
  CHECK(OptionsOfRecordedRun("ferry migrate a.json --user-id").status().IsInvalidArgument());
  CHECK(OptionsOfRecordedRun("ferry migrate a.json --rm-rf x").status().IsInvalidArgument());
  CHECK(OptionsOfRecordedRun("ferry migrate a.json --conflict maybe").status().IsInvalidArgument());
  CHECK(OptionsOfRecordedRun("ferry migrate \"a.json").status().IsInvalidArgument());
  Result<std::vector<std::string>> words = SplitRecordedArguments("  a  \"\" \"b\\\\\" ");
  REQUIRE(words.ok());
  CHECK(*words == std::vector<std::string>{"a", "", "b\\"});
}

}  // namespace
}  // namespace ferry::recorded_run_test
