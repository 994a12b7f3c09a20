#include "agent/validate/validation.h"

#include <catch2/catch.hpp>
#include <sstream>

namespace ferry::validation_test {
namespace {

RunReport DryRun() {
  RunReport report;
  report.dry_run = true;
  EntityCounts& environments = report.Entity("environments");
  environments.valid = 2;
  environments.unchanged = 2;
  EntityCounts& tasks = report.Entity("tasks");
  tasks.valid = 5;
  tasks.unchanged = 2;
  tasks.inserted = 1;
  tasks.updated = 1;
  tasks.skipped = 1;
  tasks.rejected = 3;
  tasks.examples_inserted = {"7"};
  tasks.examples_conflicts.push_back({"3", "updated", {"title"}, {}, 0, {}});
  tasks.examples_conflicts.push_back({"4", "unchanged", {}, {}, 0, {}});
  return report;
}

TEST_CASE("JudgeDryRun: rows the dry run would write are differences, equal rows are not",
          "[agent][validate]") {
  Validation validation = JudgeDryRun(DryRun());
  validation.compared = "overwrite";
  REQUIRE(validation.entities.size() == 2);
  CHECK(validation.entities[0].Differences() == 0);
  const EntityValidation& tasks = validation.entities[1];
  CHECK(tasks.equal == 2);
  CHECK(tasks.missing == 1);
  CHECK(tasks.differs == 1);
  CHECK(tasks.not_compared == 1);
  CHECK(tasks.rejected == 3);
  REQUIRE(tasks.differs_examples.size() == 1);  // the unchanged example is not a difference
  CHECK(validation.Differences() == 2);
  CHECK(validation.ExitCode() == 3);

  std::ostringstream out;
  PrintValidation(validation, out);
  CHECK_THAT(out.str(), Catch::Contains("missing: tasks legacy id 7: no row in the target") &&
                            Catch::Contains("differs: tasks legacy id 3: title") &&
                            Catch::Contains("differences: 2 (rows missing"));
}

TEST_CASE("JudgeDryRun: a target holding every row as written is valid", "[agent][validate]") {
  RunReport report = DryRun();
  EntityCounts& tasks = report.Entity("tasks");
  tasks.inserted = tasks.updated = 0;
  Validation validation = JudgeDryRun(report);
  CHECK(validation.ExitCode() == 0);
  std::ostringstream out;
  PrintValidation(validation, out);
  CHECK_THAT(out.str(), Catch::Contains("valid: every valid record's row is in the target"));
}

}  // namespace
}  // namespace ferry::validation_test
