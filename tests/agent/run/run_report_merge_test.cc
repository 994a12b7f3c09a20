#include <catch2/catch.hpp>

#include "agent/run/run_report.h"

namespace ferry::run_report_merge_test {

TEST_CASE("RunReport::Merge: adds counts and failed units, keeps few examples") {
  RunReport run;
  RunReport a;
  RunReport b;
  a.units = 2;
  a.Entity("tasks").inserted = 5;
  a.Entity("tasks").examples_inserted = {"1", "2", "3"};
  b.units = 1;
  b.Entity("projects").read = 4;
  b.Entity("tasks").inserted = 7;
  b.Entity("tasks").examples_inserted = {"9"};
  b.failed_units = {"user-3: Rejected: tasks ..."};
  run.Merge(a);
  run.Merge(b);
  CHECK(run.units == 3);
  CHECK(run.entities.at("tasks").inserted == 12);
  CHECK(run.entities.at("tasks").examples_inserted.size() == kMaxExamples);
  CHECK(run.entities.at("projects").read == 4);
  REQUIRE(run.failed_units.size() == 1);
  CHECK(run.failed_units[0].rfind("user-3", 0) == 0);
}

}  // namespace ferry::run_report_merge_test
