// The rejects of a unit loaded whole but for them, kept beside its mark (issue 19,
// agent/run/unit_rejects.h): a rerun over the same bytes gives them and the unit's counts back
// without reading the unit: the same reject lines, the same report, exit 3, nothing written.
// What it cannot trust (no kept row, another run's, a malformed one) it reads again, and a
// changed byte is never given back. On both targets.
#include <simdjson.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::rerun_kept_rejects_test {

namespace {

struct Report {
  int64_t with_rejects = 0;
  int64_t kept = 0;
  int64_t passed_over = 0;
  int64_t inserted = 0;
  // "entity read valid rejected; ..." in the report's order
  std::string counts;
};

Report ReadReport(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element json = parser.load(path);
  Report report;
  report.with_rejects = int64_t(json["unchanged_units_with_rejects"].get_double().value());
  report.kept = int64_t(json["unchanged_rejects_kept"].get_double().value());
  report.passed_over = int64_t(json["unchanged_passed_over"].get_double().value());
  for (auto [name, counts] : json["entities"].get_object()) {
    report.inserted += int64_t(counts["inserted"].get_double().value());
    report.counts += std::string(name) + " " +
                     std::to_string(int64_t(counts["read"].get_double().value())) + " " +
                     std::to_string(int64_t(counts["valid"].get_double().value())) + " " +
                     std::to_string(int64_t(counts["rejected"].get_double().value())) + "; ";
  }
  return report;
}

}  // namespace

TEST_CASE("rerun: a unit's kept rejects are given back without reading it",
          "[e2e][rerun][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 3;
  options.tasks = 40;
  options.bad_users = {0, 1};  // one task of each has status "archived": a reject
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  FERRY_FOR_EACH_TARGET(target) {
    const std::string report_file = dir / "report.json";
    const std::string kept_table = target->Bookkeeping("unit_rejects");
    int round = 0;
    auto run = [&]() {
      std::string rejects = dir / ("rejects-" + std::to_string(++round));
      CommandResult result = RunFerryToEnd(
          {"migrate", dir / "dumps", "--user-id-from", "filename", "--target", target->url(),
           "--batch-size", "10", "--continue-on-error", "--max-reject-rate", "1", "--progress",
           "none", "--rejects", rejects, "--report", report_file, "--no-backup"});
      INFO(Describe(result));
      REQUIRE(result.exit_code == 3);
      return std::make_tuple(result, ReadReport(report_file), RejectLinesWithoutRunId(rejects));
    };
    auto [first_result, first, first_lines] = run();
    REQUIRE(first_lines.size() == 2);
    CHECK(first.kept == 0);
    // One row a unit with rejects, none for the unit without.
    CHECK(target->Count("SELECT count(*) FROM " + kept_table) == 2);
    TableSnapshot loaded = TakeSnapshot(*target);

    // Given back: the same lines, nothing written (the unit without a reject is skipped).
    auto [kept_result, kept, kept_lines] = run();
    CHECK(kept.with_rejects == 2);
    CHECK(kept.kept == 2);
    CHECK(kept.inserted == 0);
    CHECK(kept_lines == first_lines);
    CHECK(kept_result.out.find("given back from what the target kept") != std::string::npos);
    CHECK(SnapshotDifferences(loaded, TakeSnapshot(*target)).empty());

    // Without the kept rows (an older ferry's marks): read and checked again, the same report.
    target->Query("DELETE FROM " + kept_table);
    auto [read_result, read, read_lines] = run();
    CHECK(read.with_rejects == 2);
    CHECK(read.kept == 0);
    CHECK(read_lines == first_lines);
    CHECK(read.counts == kept.counts);
    CHECK(read.passed_over == kept.passed_over);

    // A changed byte of a unit with a reject: loaded again (never given back), kept anew.
    ChangeOneTitleByte(workload.files[0]);
    auto [changed_result, changed, changed_lines] = run();
    CHECK(changed.with_rejects == 1);
    CHECK(changed.kept == 0);
    CHECK(changed_lines == first_lines);
    CHECK(target->Count("SELECT count(*) FROM " + kept_table) == 1);
    auto [after_result, after, after_lines] = run();
    CHECK(after.with_rejects == 2);
    CHECK(after.kept == 1);
    CHECK(after_lines == first_lines);

    // A row whose body is not one ferry wrote: read again, with a warning.
    target->Query("UPDATE " + kept_table + " SET body = 'not json'");
    auto [bad_result, bad, bad_lines] = run();
    CHECK(bad.kept == 0);
    CHECK(bad.with_rejects == 2);
    CHECK(bad_lines == first_lines);
    CHECK(bad_result.err.find("kept rejects are malformed") != std::string::npos);
  }
}

TEST_CASE("rollback: a run's kept rejects go with it", "[e2e][rerun][rollback][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.tasks = 20;
  options.bad_users = {0, 1};
  WriteTaskappWorkload(dir.path() / "dumps", options);
  const std::map<std::string, std::string> env = {
      {"FERRY_BACKUP_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"}};
  FERRY_FOR_EACH_TARGET(target) {
    const std::string kept_table = target->Bookkeeping("unit_rejects");
    const std::string backups = dir / ("backups-" + target->kind());
    CommandResult first =
        RunFerry({"migrate", dir / "dumps", "--user-id-from", "filename", "--target", target->url(),
                  "--continue-on-error", "--max-reject-rate", "1", "--progress", "none",
                  "--rejects", dir / "rejects", "--backup-dir", backups},
                 env);
    INFO(Describe(first));
    REQUIRE(first.exit_code == 3);
    REQUIRE(target->Count("SELECT count(*) FROM " + kept_table) == 2);
    const std::string run =
        target->Query("SELECT run_id FROM " + target->Bookkeeping("runs") + " LIMIT 1")[0][0];
    CommandResult undone = RunFerry(
        {"rollback", "--target", target->url(), "--backup-dir", backups, "--run", run}, env);
    INFO(Describe(undone));
    REQUIRE(undone.exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM " + kept_table) == 0);
  }
}

}  // namespace ferry::e2e::rerun_kept_rejects_test
