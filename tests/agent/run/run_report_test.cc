#include "agent/run/run_report.h"

#include <simdjson.h>

#include <sstream>

#include <catch2/catch.hpp>

namespace ferry {

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

}  // namespace ferry
