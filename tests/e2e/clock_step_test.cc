// The wall clock stepping backwards during a run (issue 21 item 4): records without a creation
// time take their ULID's time from the clock, and after the clock is set back an hour
// (FERRY_FAULT=...:N with FERRY_FAULT_SIGNAL=CLOCK and FERRY_FAULT_CLOCK_MS, base/fault_point.h)
// the ULIDs made later must still sort after the earlier ones, each unique; the run finishes,
// and the same command afterwards writes nothing again.
#include <catch2/catch.hpp>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::clock_step_test {

namespace {

constexpr int kEnvironments = 200;

// environments without createdAt: their ULIDs take the time of the run (schemas/taskapp).
std::string Environments() {
  std::string json = "[";
  for (int i = 0; i < kEnvironments; ++i) {
    json += std::string(i ? "," : "") + "{\"id\":\"env-" + std::to_string(i) +
            "\",\"name\":\"environment " + std::to_string(i) + "\"}";
  }
  return json + "]";
}

}  // namespace

TEST_CASE("clock step: the clock set back an hour mid-run, ULIDs keep their order",
          "[e2e][faults]") {
  TempDir work;
  std::string dump = work / "u.json";
  WriteDump(dump, {{"environments", Environments()}});
  FERRY_FOR_EACH_TARGET(target) {
    std::vector<std::string> args = {"migrate",    dump,          "--user-id",    "u",
                                     "--target",   target->url(), "--batch-size", "10",
                                     "--progress", "none",        "--no-backup"};
    std::string point =
        (target->kind() == "sqlite" ? "sqlite" : "pg") + std::string(".after_commit:5");
    CommandResult run = RunFerryToEnd(args, {{"FERRY_FAULT", point},
                                             {"FERRY_FAULT_SIGNAL", "CLOCK"},
                                             {"FERRY_FAULT_CLOCK_MS", "-3600000"}});
    INFO(Describe(run));
    REQUIRE_THAT(run.err, Catch::Contains("clock stepped by -3600000 ms"));
    CHECK(run.exit_code == 0);
    // In the order the records were read (env-0, env-1, ...), each ULID after the one before.
    std::vector<std::vector<std::string>> rows = target->Query(
        "SELECT legacy_id, id FROM environments ORDER BY CAST(substr(legacy_id, 5) AS INTEGER)");
    REQUIRE(rows.size() == static_cast<size_t>(kEnvironments));
    for (size_t i = 1; i < rows.size(); ++i) {
      INFO(rows[i - 1][0] << " " << rows[i - 1][1] << " then " << rows[i][0] << " " << rows[i][1]);
      CHECK(rows[i - 1][1] < rows[i][1]);
    }
    CommandResult again = RunFerryToEnd(args);
    INFO(Describe(again));
    CHECK(again.exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM environments") == kEnvironments);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map")) == kEnvironments);
  }
}

}  // namespace ferry::e2e::clock_step_test
