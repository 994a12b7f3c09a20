// A unit loaded whole but for rejects the source decided (issue 19): marked with their count, a
// rerun reads and checks it again, writes the same rejects to its own reject file and exits 3
// as the first run did, and writes nothing to the target; a changed byte loads it, a reject the
// target decided is never marked, overwrite compares with the target as always. And a resumed
// run writes each reject once across its sessions. On both targets.
#include <simdjson.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::rerun_rejects_test {

namespace {

struct Report {
  int64_t read = 0;
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t unchanged_units = 0;
  int64_t with_rejects = 0;
  int64_t passed_over = 0;
  std::string run_id;
};

Report ReadReport(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element json = parser.load(path);
  Report report;
  report.read = int64_t(json["records_read"].get_double().value());
  report.unchanged_units = int64_t(json["unchanged_units"].get_double().value());
  report.with_rejects = int64_t(json["unchanged_units_with_rejects"].get_double().value());
  report.passed_over = int64_t(json["unchanged_passed_over"].get_double().value());
  report.run_id = std::string(json["run_id"].get_string().value());
  for (auto [name, counts] : json["entities"].get_object()) {
    report.inserted += int64_t(counts["inserted"].get_double().value());
    report.updated += int64_t(counts["updated"].get_double().value());
    report.unchanged += int64_t(counts["unchanged"].get_double().value());
  }
  return report;
}

// Points the first task of `file` that names an environment at one that is not there: a
// reference the id map cannot resolve (on_missing: reject), which the target decides.
void DangleOneReference(const std::string& file) {
  std::string text = ReadFile(file);
  const std::string field = "environmentId\\\":\\\"";  // inside the dump's JSON string
  size_t at = text.find(field);
  REQUIRE(at != std::string::npos);
  at += field.size();
  size_t end = text.find("\\\"", at);
  REQUIRE(end != std::string::npos);
  text.replace(at, end - at, "no-such-environment");
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

TEST_CASE("rerun: a unit whose only rejects the source decided is checked, not written",
          "[e2e][rerun][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 3;
  options.tasks = 40;
  options.bad_users = {0, 1};  // one task of each has status "archived": a reject
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  FERRY_FOR_EACH_TARGET(target) {
    const std::string report_file = dir / "report.json";
    int round = 0;
    auto run = [&](std::vector<std::string> extra, int exit_code = 3) {
      std::string rejects = dir / ("rejects-" + std::to_string(++round));
      std::vector<std::string> args = {"migrate",
                                       dir / "dumps",
                                       "--user-id-from",
                                       "filename",
                                       "--target",
                                       target->url(),
                                       "--batch-size",
                                       "10",
                                       "--continue-on-error",
                                       "--max-reject-rate",
                                       "1",
                                       "--progress",
                                       "none",
                                       "--rejects",
                                       rejects,
                                       "--report",
                                       report_file,
                                       "--no-backup"};
      args.insert(args.end(), extra.begin(), extra.end());
      CommandResult result = RunFerryToEnd(args);
      INFO(Describe(result));
      REQUIRE(result.exit_code == exit_code);
      return std::make_tuple(result, ReadReport(report_file), rejects);
    };
    auto [first_result, first, first_rejects] = run({});
    CHECK(first.with_rejects == 0);
    REQUIRE(RejectLinesWithoutRunId(first_rejects).size() == 2);
    TableSnapshot loaded = TakeSnapshot(*target);
    REQUIRE(loaded.problems.empty());

    // The same command: the user without a reject skipped, the two with one read and checked
    // again, their rejects said again (the same lines, exit 3), nothing looked up or written.
    auto [again_result, again, again_rejects] = run({});
    CHECK(again.unchanged_units == 1);
    CHECK(again.with_rejects == 2);
    CHECK(again.inserted == 0);
    CHECK(again.passed_over == 2 * (options.tasks - 1 + options.environments) + 2 * 3);
    CHECK(RejectLinesWithoutRunId(again_rejects) == RejectLinesWithoutRunId(first_rejects));
    CHECK(again_result.out.find("loaded it whole but for its 1 reject(s)") != std::string::npos);
    CHECK(SnapshotDifferences(loaded, TakeSnapshot(*target)).empty());

    // A changed byte of one of them, and its task rows deleted meanwhile: read and loaded again
    // (its rows come back), its reject said again; the other two as before.
    ChangeOneTitleByte(workload.files[0]);
    const std::string tasks = "tasks";
    const std::string of_user = " WHERE user_id = '" + workload.users[0] + "'";
    target->Query("DELETE FROM " + tasks + of_user);
    auto [changed_result, changed, changed_rejects] = run({});
    CHECK(changed.with_rejects == 1);
    CHECK(changed.unchanged_units == 1);
    CHECK(target->Count("SELECT count(*) FROM " + tasks + of_user) == options.tasks - 1);
    CHECK(RejectLinesWithoutRunId(changed_rejects) == RejectLinesWithoutRunId(first_rejects));
    // And its mark is new: the next rerun checks it.
    CHECK(std::get<1>(run({})).with_rejects == 2);

    // Overwrite compares every row with the target's: nothing passed over by a mark.
    auto [overwrite_result, overwrite, overwrite_rejects] = run({"--conflict", "overwrite"});
    CHECK(overwrite.with_rejects == 0);
    CHECK(overwrite.unchanged_units == 0);
    CHECK(overwrite.read == first.read);
    CHECK(overwrite.unchanged + overwrite.updated > 0);
    CHECK(RejectLinesWithoutRunId(overwrite_rejects).size() == 2);
  }
}

TEST_CASE("rerun: a unit with a reject the target decided is never marked",
          "[e2e][rerun][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 1;
  options.tasks = 30;
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  DangleOneReference(workload.files[0]);
  FERRY_FOR_EACH_TARGET(target) {
    const std::string report_file = dir / "report.json";
    auto run = [&]() {
      CommandResult result = RunFerryToEnd(
          {"migrate", dir / "dumps", "--user-id-from", "filename", "--target", target->url(),
           "--continue-on-error", "--max-reject-rate", "1", "--progress", "none", "--rejects",
           dir / "rejects", "--report", report_file, "--no-backup"});
      INFO(Describe(result));
      CHECK(result.exit_code == 3);
      CHECK(result.out.find("environmentId refers to no") != std::string::npos);
      return ReadReport(report_file);
    };
    Report first = run();
    CHECK(first.read > 0);
    // Read and decided again against the target (the environment may be there by now).
    Report again = run();
    CHECK(again.with_rejects == 0);
    CHECK(again.unchanged_units == 0);
    CHECK(again.read == first.read);
    CHECK(again.passed_over == 0);
  }
}

TEST_CASE("resume: each reject is written once across the run's sessions",
          "[e2e][faults][resume][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 3;
  options.tasks = 60;
  options.bad_users = {0, 1, 2};
  WriteTaskappWorkload(dir.path() / "dumps", options);
  // A second reject per user, early in its tasks (the generator's is in the middle): the kill
  // falls between some users' rejects.
  for (const auto& file : std::filesystem::directory_iterator(dir.path() / "dumps")) {
    std::string text = ReadFile(file.path());
    size_t at = text.find("\\\"status\\\":\\\"");
    REQUIRE(at != std::string::npos);
    at += 13;
    text.replace(at, text.find("\\\"", at) - at, "lost");
    std::ofstream(file.path(), std::ios::binary | std::ios::trunc) << text;
  }
  FERRY_FOR_EACH_TARGET(target) {
    const std::string prefix = target->kind() == "sqlite" ? "sqlite" : "pg";
    auto args_for = [&](const std::string& url, const std::string& rejects) {
      return std::vector<std::string>{"migrate",
                                      dir / "dumps",
                                      "--user-id-from",
                                      "filename",
                                      "--target",
                                      url,
                                      "--batch-size",
                                      "10",
                                      "--continue-on-error",
                                      "--max-reject-rate",
                                      "1",
                                      "--progress",
                                      "none",
                                      "--rejects",
                                      rejects,
                                      "--no-backup"};
    };
    CommandResult clean = RunFerryToEnd(args_for(target->url(), dir / "clean-rejects"));
    INFO(Describe(clean));
    REQUIRE(clean.exit_code == 3);
    std::vector<std::string> expected = RejectLinesWithoutRunId(dir / "clean-rejects");
    REQUIRE(expected.size() == 6);

    for (const std::string point : {"before_commit:5", "after_commit:5", "after_commit:9"}) {
      DYNAMIC_SECTION(point) {
        std::unique_ptr<TargetFixture> fresh = MakeTarget(target->kind());
        REQUIRE(fresh != nullptr);
        const std::string rejects = dir / ("rejects-" + point);
        std::vector<std::string> args = args_for(fresh->url(), rejects);
        CommandResult killed = RunFerryToEnd(args, {{"FERRY_FAULT", prefix + "." + point}});
        INFO(Describe(killed));
        REQUIRE(killed.exit_code == 128 + SIGKILL);
        CommandResult resumed = RunFerryToEnd(args);
        INFO(Describe(resumed));
        CHECK(resumed.exit_code == 3);
        CHECK(resumed.out.find("resumed the interrupted run") != std::string::npos);
        CHECK(RejectLinesWithoutRunId(rejects) == expected);
      }
    }
  }
}

}  // namespace ferry::e2e::rerun_rejects_test
