// End-to-end: --progress json moves within one large unit (a single 50k-task dump), not only
// between units (issue 12 item 9).
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/taskapp_workload.h"
#include "tests/under_sanitizer.h"

namespace ferry::e2e::progress_test {

using testing::PlainOrSanitized;

// The events are timed (one a second), so at that rate a unit had to take seconds to load, and
// on a quiet machine 50k tasks took 1.7 s: one event. The tests ask for one every 20 ms
// (FERRY_TEST_PROGRESS_MS), so that any unit of these sizes moves several times.
const std::map<std::string, std::string> kOftenProgress = {{"FERRY_TEST_PROGRESS_MS", "20"}};

TEST_CASE("migrate --progress json: one large dump reports progress before its end",
          "[e2e][progress][sqlite]") {
  TempDir dumps;
  TaskappWorkloadOptions options;
  options.users = 1;
  options.tasks = PlainOrSanitized(50000, 10000);
  WriteTaskappWorkload(dumps.path(), options);
  TempDir work;
  CommandResult run = RunFerryToEnd({"migrate", dumps.path().string(), "--user-id-from", "filename",
                                     "--target", "sqlite:" + (work / "t.db"), "--progress", "json"},
                                    kOftenProgress);
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  simdjson::dom::parser parser;
  std::istringstream lines(run.err);
  int before_end = 0;
  int64_t last_records = -1, last_bytes = -1, final_records = -1;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{\"event\"", 0) != 0) continue;
    simdjson::dom::element event = parser.parse(line);
    int64_t records = int64_t(event["records"]);
    int64_t bytes = int64_t(event["bytes"]);
    CHECK(int64_t(event["workers"]) == 1);  // SQLite's default: one writer
    CHECK(records >= last_records);         // monotone
    CHECK(bytes >= last_bytes);
    last_records = records;
    last_bytes = bytes;
    if (std::string_view(event["event"]) == "done") {
      final_records = records;
    } else if (int64_t(event["units"]) == 0) {
      ++before_end;  // within the one unit
      CHECK(bytes < int64_t(event["bytes_total"]));
    }
  }
  CHECK(final_records ==
        options.tasks + 5 + 3);  // tasks, environments, the three one-per-user keys
  CHECK(before_end >= 2);
}

TEST_CASE("migrate --progress json --jobs 2: the workers' records and count show while they load",
          "[e2e][progress][sqlite]") {
  TempDir dumps;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.tasks = PlainOrSanitized(40000, 8000);
  WriteTaskappWorkload(dumps.path(), options);
  TempDir work;
  CommandResult run =
      RunFerryToEnd({"migrate", dumps.path().string(), "--user-id-from", "filename", "--target",
                     "sqlite:" + (work / "t.db"), "--progress", "json", "--jobs", "2"},
                    kOftenProgress);
  INFO(Describe(run));
  REQUIRE(run.exit_code == 0);
  simdjson::dom::parser parser;
  std::istringstream lines(run.err);
  int moving = 0;  // progress events with some but not all records
  int64_t last_records = -1;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{\"event\"", 0) != 0) continue;
    simdjson::dom::element event = parser.parse(line);
    int64_t records = int64_t(event["records"]);
    CHECK(int64_t(event["workers"]) == 2);
    CHECK(records >= last_records);
    last_records = records;
    if (std::string_view(event["event"]) == "progress" && records > 0 &&
        records < 2 * options.tasks) {
      ++moving;
    }
  }
  CHECK(last_records ==
        2 * (options.tasks + 5 + 3));  // the done event counts every worker's records
  CHECK(moving >= 1);
}

}  // namespace ferry::e2e::progress_test
