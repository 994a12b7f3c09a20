#include "agent/run/run_report.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <sstream>

namespace ferry::run_report_test {

TEST_CASE("RunReport: JSON holds per-entity counts and parses", "[agent][run_report]") {
  RunReport report;
  report.run_id = "R";
  report.target = "sqlite:x.db";
  report.Entity("environments").read = 5;
  EntityCounts& tasks = report.Entity("tasks");
  tasks.read = 10;
  tasks.valid = 9;
  tasks.inserted = 9;
  tasks.rejected = 1;
  Reject reject;
  reject.reason = "quote \" and newline \n";
  tasks.examples_rejected.push_back(reject);
  simdjson::dom::parser parser;
  simdjson::dom::element json = parser.parse(report.ToJson());
  CHECK(int64_t(json["entities"]["tasks"]["inserted"]) == 9);
  CHECK(int64_t(json["records_read"]) == 15);
  CHECK(std::string_view(json["entities"]["tasks"]["examples_rejected"].at(0)["reason"]) ==
        "quote \" and newline \n");
  CHECK(report.TotalRejected() == 1);
}

TEST_CASE("RunReport: JSON counts the rejects by reason", "[agent][run_report]") {
  RunReport report;
  EntityCounts& tasks = report.Entity("tasks");
  Reject reject;
  reject.where.pointer = "/createdAt";
  reject.schema_location = "#/format";
  reject.reason = "\"x\" is not a date-time";
  tasks.GroupReject(reject);
  tasks.GroupReject(reject);
  tasks.rejects_ungrouped = 4;
  simdjson::dom::parser parser;
  simdjson::dom::element json = parser.parse(report.ToJson());
  simdjson::dom::element reason = json["entities"]["tasks"]["reject_reasons"].at(0);
  CHECK(std::string_view(reason["field"]) == "/createdAt");
  CHECK(std::string_view(reason["schema_location"]) == "#/format");
  CHECK(std::string_view(reason["reason"]) == "\"x\" is not a date-time");
  CHECK(int64_t(reason["count"]) == 2);
  CHECK(int64_t(json["entities"]["tasks"]["rejects_ungrouped"]) == 4);
}

TEST_CASE("RunReport: the summary lists entities in load order and the dry-run verbs",
          "[agent][run_report]") {
  RunReport report;
  report.dry_run = true;
  report.Entity("environments").examples_inserted = {"env-1"};
  report.Entity("tasks");
  std::ostringstream out;
  report.PrintSummary(out);
  std::string text = out.str();
  CHECK(text.find("environments") < text.find("tasks"));
  CHECK(text.find("would insert e.g. env-1") != std::string::npos);
}

}  // namespace ferry::run_report_test

namespace ferry::run_report_test {

TEST_CASE("RunReport: conflicts are counted per outcome with their examples in the JSON",
          "[agent][run_report][merge]") {
  RunReport report;
  EntityCounts& tasks = report.Entity("tasks");
  tasks.merged = 2;
  tasks.unchanged = 3;
  tasks.skipped = 1;
  tasks.AddConflictExample({"17",
                            "merged",
                            {"title", "meta.x"},
                            {"incoming_newer", "existing_kept_over_null"},
                            4,
                            {{false, "\"a\"", "\"b\"", ""}, {true, "", "", ""}}});
  tasks.AddConflictExample({"18", "unchanged", {}, {}, 0, {}});
  simdjson::dom::parser parser;
  simdjson::dom::element json = parser.parse(report.ToJson());
  simdjson::dom::element entity = json["entities"]["tasks"];
  CHECK(int64_t(entity["unchanged"]) == 3);
  CHECK(int64_t(entity["conflicts"]) == 6);
  simdjson::dom::element first = entity["examples_conflicts"].at(0);
  CHECK(std::string_view(first["legacy_id"]) == "17");
  CHECK(std::string_view(first["outcome"]) == "merged");
  CHECK(std::string_view(first["fields"].at(1)["path"]) == "meta.x");
  CHECK(std::string_view(first["fields"].at(1)["decision"]) == "existing_kept_over_null");
  CHECK(int64_t(first["more_fields"]) == 4);
  // Values before -> after; a sensitive field's withheld, with no value member at all.
  CHECK(std::string_view(first["fields"].at(0)["before"]) == "\"a\"");
  CHECK(std::string_view(first["fields"].at(0)["after"]) == "\"b\"");
  CHECK(first["fields"].at(0)["incoming"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(bool(first["fields"].at(1)["withheld"]));
  CHECK(first["fields"].at(1)["before"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(entity["examples_conflicts"].at(1)["fields"].get_array().size() == 0);
}

TEST_CASE("RunReport: the summary has a conflicts line only for entities with conflicts",
          "[agent][run_report][merge]") {
  RunReport report;
  report.Entity("environments").inserted = 4;
  EntityCounts& tasks = report.Entity("tasks");
  tasks.merged = 2;
  tasks.unchanged = 1;
  tasks.AddConflictExample({"17", "merged", {"title"}, {"incoming_newer"}, 0, {}});
  std::ostringstream out;
  report.PrintSummary(out);
  std::string text = out.str();
  CHECK(text.find("tasks conflicts: 2 merged, 1 unchanged; e.g. merged 17 (title)") !=
        std::string::npos);
  CHECK(text.find("environments conflicts") == std::string::npos);
  report.dry_run = true;
  std::ostringstream dry;
  report.PrintSummary(dry);
  CHECK(dry.str().find("tasks conflicts (would be): 2 merged") != std::string::npos);
}

}  // namespace ferry::run_report_test

namespace ferry::run_report_test {

TEST_CASE(
    "RunReport: the summary counts the rejects it does not list, and where a dry run "
    "would stop",
    "[agent][run_report]") {
  RunReport report;
  report.dry_run = true;
  report.target = "sqlite:x.db";
  report.units = 1;
  EntityCounts& tasks = report.Entity("tasks");
  tasks.read = 10;
  tasks.rejected = 5;
  tasks.valid = 5;
  for (int i = 0; i < 3; ++i) tasks.examples_rejected.push_back(Reject{});
  report.would_stop = "without --continue-on-error the run would stop at record 1";
  std::ostringstream out;
  report.PrintSummary(out);
  CHECK(out.str().find("rejected tasks: 2 more; --rejects FILE lists every one") !=
        std::string::npos);
  CHECK(out.str().find("  without --continue-on-error the run would stop at record 1\n") !=
        std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element json = parser.parse(report.ToJson());
  CHECK(std::string_view(json["would_stop"]) == report.would_stop);
}

TEST_CASE("RunReport: a run that failed before its first record prints no table",
          "[agent][run_report]") {
  RunReport report;
  report.run_id = "R";
  report.status = "failed";
  report.error = "Invalid argument: no source given";
  std::ostringstream out;
  report.PrintSummary(out);
  CHECK(out.str() ==
        "ferry migrate: run R\n  status: failed — Invalid argument: no source given\n");
}

}  // namespace ferry::run_report_test

namespace ferry::run_report_test {

TEST_CASE("RunReport: on a narrow terminal the summary names each count, no table row wraps",
          "[agent][run_report]") {
  RunReport report;
  report.dry_run = true;
  EntityCounts& tasks = report.Entity("tasks");
  tasks.read = 10;
  tasks.valid = 9;
  tasks.inserted = 9;
  tasks.rejected = 1;
  std::ostringstream wide;
  report.PrintSummary(wide, 120);
  CHECK(wide.str().find("  entity  ") != std::string::npos);
  std::ostringstream narrow;
  report.PrintSummary(narrow, 60);
  CHECK(narrow.str().find("  entity  ") == std::string::npos);
  CHECK(narrow.str().find("  tasks: read 10, valid 9, +insert 9, rejected 1\n") !=
        std::string::npos);
  CHECK(narrow.str().find("  total: read 10, valid 9, +insert 9, rejected 1\n") !=
        std::string::npos);
  // A name longer than the column widens it: the rows stay aligned.
  report.Entity("a_rather_long_entity_name").read = 1;
  std::ostringstream table;
  report.PrintSummary(table);
  std::istringstream lines(table.str());
  std::string line;
  std::getline(lines, line);  // the run's line
  std::getline(lines, line);
  size_t header = line.size();
  while (std::getline(lines, line) && line.rfind("  total", 0) != 0) {
    CHECK(line.size() == header);
  }
}

}  // namespace ferry::run_report_test
