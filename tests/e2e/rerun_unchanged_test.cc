// Rerun over an unchanged source (issue 19): under the policy skip, a unit whose bytes, mapping
// and settings are unchanged since a run loaded it whole is skipped, and the report says
// "unchanged since run X, skipped"; a changed source byte, a changed mapping file or another
// policy is never skipped, and --rescan reads every unit. On both targets.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::rerun_unchanged_test {

namespace {

struct RerunReport {
  int64_t read = 0;
  int64_t unchanged_units = 0;
  std::string run_id;
};

RerunReport ReadReport(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element json = parser.load(path);
  RerunReport report;
  report.read = int64_t(json["records_read"].get_double().value());
  report.unchanged_units = int64_t(json["unchanged_units"].get_double().value());
  report.run_id = std::string(json["run_id"].get_string().value());
  return report;
}

}  // namespace

TEST_CASE("rerun: unchanged units are skipped; a changed byte, mapping or policy never",
          "[e2e][rerun][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 3;
  options.tasks = 40;
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  // A copy of the bundled mapping, to change a byte of.
  std::filesystem::copy(SourceDir() / "schemas/taskapp", dir.path() / "mapping");
  const std::string mapping = dir / "mapping/mapping.yaml";
  FERRY_FOR_EACH_TARGET(target) {
    const std::string report_file = dir / "report.json";
    auto run = [&](std::vector<std::string> extra) {
      std::vector<std::string> args = {
          "migrate",      dir / "dumps", "--user-id-from", "filename", "--target",  target->url(),
          "--batch-size", "10",          "--progress",     "none",     "--rejects", dir / "rejects",
          "--report",     report_file,   "--no-backup"};
      args.insert(args.end(), extra.begin(), extra.end());
      CommandResult result = RunFerryToEnd(args);
      INFO(Describe(result));
      REQUIRE(result.exit_code == 0);
      return std::make_pair(result, ReadReport(report_file));
    };
    auto [first_result, first] = run({});
    CHECK(first.unchanged_units == 0);
    CHECK(first.read > 0);
    TableSnapshot loaded = TakeSnapshot(*target);
    REQUIRE(loaded.problems.empty());

    // The same command again: every unit skipped, nothing read, the target as it was.
    auto [again_result, again] = run({});
    CHECK(again.unchanged_units == 3);
    CHECK(again.read == 0);
    CHECK(again_result.out.find("unchanged since run " + first.run_id + ", skipped") !=
          std::string::npos);
    CHECK(SnapshotDifferences(loaded, TakeSnapshot(*target)).empty());

    // One changed byte in one user's dump, and that user's task rows deleted from the target
    // meanwhile: the changed unit is read again (its rows come back), the others are skipped.
    ChangeOneTitleByte(workload.files[1]);
    const std::string tasks = "tasks";
    target->Query("DELETE FROM " + tasks + " WHERE user_id = '" + workload.users[1] + "'");
    auto [changed_result, changed] = run({});
    CHECK(changed.unchanged_units == 2);
    CHECK(changed.read > 0);
    CHECK(target->Count("SELECT count(*) FROM " + tasks + " WHERE user_id = '" + workload.users[1] +
                        "'") == options.tasks);
    // And now it is unchanged too.
    CHECK(run({}).second.unchanged_units == 3);

    // Another policy compares with the target: nothing skipped.
    auto [overwrite_result, overwrite] = run({"--conflict", "overwrite"});
    CHECK(overwrite.unchanged_units == 0);
    CHECK(overwrite.read == first.read);
    // --rescan reads every unit.
    CHECK(run({"--rescan"}).second.unchanged_units == 0);

    // Another mapping file: loaded whole once, then skipped; one byte of it changed: read again.
    CHECK(run({"--mapping", mapping}).second.unchanged_units == 0);
    CHECK(run({"--mapping", mapping}).second.unchanged_units == 3);
    std::ofstream(mapping, std::ios::app) << "\n# changed\n";
    RerunReport edited = run({"--mapping", mapping}).second;
    CHECK(edited.unchanged_units == 0);
    CHECK(edited.read == first.read);
  }
}

TEST_CASE("rerun: a unit with a reject is never skipped: the rerun exits 3 as the first did",
          "[e2e][rerun][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.tasks = 20;
  options.bad_users = {0};  // one task of the first user has status "archived": a reject
  WriteTaskappWorkload(dir.path() / "dumps", options);
  FERRY_FOR_EACH_TARGET(target) {
    const std::string report_file = dir / "report.json";
    auto run = [&]() {
      CommandResult result = RunFerryToEnd(
          {"migrate", dir / "dumps", "--user-id-from", "filename", "--target", target->url(),
           "--continue-on-error", "--max-reject-rate", "1", "--progress", "none", "--rejects",
           dir / "rejects", "--report", report_file, "--no-backup"});
      INFO(Describe(result));
      CHECK(result.exit_code == 3);
      return ReadReport(report_file);
    };
    RerunReport first = run();
    CHECK(first.unchanged_units == 0);
    RerunReport again = run();
    CHECK(again.unchanged_units == 1);  // the user without a reject
    CHECK(again.read > 0);              // the one with a reject is read, and said, again
  }
}

}  // namespace ferry::e2e::rerun_unchanged_test
