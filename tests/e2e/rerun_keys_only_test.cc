// A rerun reads only the keys of a dump whose bytes' digest finds it unchanged (issue 19,
// agent/run/unit_digest.h, MigrateOptions::keys_suffice): once a unit is found unchanged, the
// next units are read without their values; one of them that changed (a byte of a value, of a
// unit with or without rejects, or whose kept rejects cannot be trusted) is read again whole
// and loaded: a changed byte is never skipped, and the report, the reject lines and the rows
// are those of a run that read every value. --jobs 1, so that which units are read by their
// keys does not depend on the workers' timing. On both targets.
#include <simdjson.h>

#include <catch2/catch.hpp>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::rerun_keys_only_test {

namespace {

struct Report {
  int64_t unchanged = 0;
  int64_t with_rejects = 0;
  int64_t kept = 0;
  std::string counts;  // "entity read valid rejected; ..." in the report's order
};

Report ReadReport(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element json = parser.load(path);
  Report report;
  report.unchanged = int64_t(json["unchanged_units"].get_double().value());
  report.with_rejects = int64_t(json["unchanged_units_with_rejects"].get_double().value());
  report.kept = int64_t(json["unchanged_rejects_kept"].get_double().value());
  for (auto [name, counts] : json["entities"].get_object()) {
    report.counts += std::string(name) + " " +
                     std::to_string(int64_t(counts["read"].get_double().value())) + " " +
                     std::to_string(int64_t(counts["valid"].get_double().value())) + " " +
                     std::to_string(int64_t(counts["rejected"].get_double().value())) + "; ";
  }
  return report;
}

}  // namespace

TEST_CASE("rerun: units read by their keys alone; a changed byte among them is read and loaded",
          "[e2e][rerun][sqlite][postgres]") {
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 6;
  options.tasks = 30;
  options.bad_users = {0, 4};  // one reject each: their rejects are kept beside their marks
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  FERRY_FOR_EACH_TARGET(target) {
    const std::string report_file = dir / "report.json";
    const std::string tasks = "tasks";
    int round = 0;
    auto run = [&]() {
      std::string rejects = dir / ("rejects-" + std::to_string(++round));
      CommandResult result = RunFerryToEnd({"migrate",
                                            dir / "dumps",
                                            "--user-id-from",
                                            "filename",
                                            "--target",
                                            target->url(),
                                            "--jobs",
                                            "1",
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
                                            "--no-backup"});
      INFO(Describe(result));
      REQUIRE(result.exit_code == 3);
      return std::make_pair(ReadReport(report_file), RejectLinesWithoutRunId(rejects));
    };
    auto user_tasks = [&](int user) {
      return target->Count("SELECT count(*) FROM " + tasks + " WHERE user_id = '" +
                           workload.users[user] + "'");
    };
    auto [first, first_lines] = run();
    REQUIRE(first_lines.size() == 2);
    TableSnapshot loaded = TakeSnapshot(*target);
    REQUIRE(loaded.problems.empty());

    // Unchanged: every unit skipped or given back, the same lines and counts.
    auto [again, again_lines] = run();
    CHECK(again.unchanged == 4);
    CHECK(again.kept == 2);
    CHECK(again_lines == first_lines);
    const std::string kept_counts = again.counts;  // the two units with rejects, given back
    CHECK(kept_counts ==
          "environments 10 10 0; tasks 60 58 2; user_preferences 2 2 0; form_data 2 2 0; "
          "custom_data 2 2 0; ");
    CHECK(SnapshotDifferences(loaded, TakeSnapshot(*target)).empty());

    // A changed byte in units read by their keys (the later ones): a unit without a reject
    // (5) and one with (4), their task rows deleted meanwhile: both read whole, their rows back.
    ChangeOneTitleByte(workload.files[4]);
    ChangeOneTitleByte(workload.files[5]);
    target->Query("DELETE FROM " + tasks + " WHERE user_id IN ('" + workload.users[4] + "', '" +
                  workload.users[5] + "')");
    auto [changed, changed_lines] = run();
    CHECK(changed.unchanged == 3);
    CHECK(changed.kept == 1);
    // The given-back unit's counts and the two read whole: three users' worth.
    CHECK(changed.counts ==
          "environments 15 15 0; tasks 90 88 2; user_preferences 3 3 0; form_data 3 3 0; "
          "custom_data 3 3 0; ");
    CHECK(changed_lines == first_lines);
    CHECK(user_tasks(4) == options.tasks - 1);
    CHECK(user_tasks(5) == options.tasks);

    // And now both unchanged too.
    auto [after, after_lines] = run();
    CHECK(after.unchanged == 4);
    CHECK(after.kept == 2);
    CHECK(after_lines == first_lines);
    CHECK(after.counts == kept_counts);

    // Kept rejects that cannot be trusted, of a unit read by its keys: read whole and checked
    // again, the same lines and counts.
    target->Query("UPDATE " + target->Bookkeeping("unit_rejects") + " SET body = 'not json'");
    auto [checked, checked_lines] = run();
    CHECK(checked.kept == 0);
    CHECK(checked.with_rejects == 2);
    CHECK(checked_lines == first_lines);
    CHECK(checked.counts == kept_counts);
  }
}

}  // namespace ferry::e2e::rerun_keys_only_test
