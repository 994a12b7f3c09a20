// ValidationJson (agent/validate/validation.h): the report of `ferry validate --report`.
// Issue 17 item 6.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agent/validate/validation.h"

namespace ferry::validation_json_test {

TEST_CASE("ValidationJson: counts, ULIDs and examples, as valid JSON", "[validate][report]") {
  Validation validation;
  validation.run_id = "01RUN";
  validation.compared = "overwrite";
  validation.read_from = "backup 20261206T150000Z-abcdef";
  EntityValidation tasks;
  tasks.entity = "tasks";
  tasks.valid = 10;
  tasks.equal = 8;
  tasks.missing = 1;
  tasks.target_rows = 10;
  tasks.extra = 1;
  tasks.ulids_checked = 10;
  tasks.bad_ulids = 1;
  tasks.ulid_examples = {"key \"x\\: ULID x is not well-formed"};
  tasks.missing_examples = {"7"};
  tasks.differs_examples.push_back(ConflictExample{"3", "updated", {"title"}, {}, 0, {}});
  validation.entities.push_back(tasks);
  DanglingFinding finding{"tasks", "environment_id", "environments", 2, {{"01A", "01B"}}};
  validation.dangling.push_back(finding);

  nlohmann::json json = nlohmann::json::parse(ValidationJson(validation));
  CHECK(json["run_id"] == "01RUN");
  CHECK(json["read_from"] == "backup 20261206T150000Z-abcdef");
  CHECK(json["differences"] == 1 + 1 + 1 + 2);
  CHECK(json["exit_code"] == 3);
  const auto& entity = json["entities"][0];
  CHECK(entity["valid"] == 10);
  CHECK(entity["target_rows"] == 10);
  CHECK(entity["extra"] == 1);
  CHECK(entity["bad_ulids"] == 1);
  CHECK(entity["ulid_examples"][0] == "key \"x\\: ULID x is not well-formed");
  CHECK(entity["differs_examples"][0]["fields"][0] == "title");
  CHECK(json["dangling"][0]["examples"][0]["value"] == "01B");
}

TEST_CASE("ValidationJson: nothing found is an empty, valid report", "[validate][report]") {
  Validation validation;
  nlohmann::json json = nlohmann::json::parse(ValidationJson(validation));
  CHECK(json["entities"].empty());
  CHECK(json["dangling"].empty());
  CHECK(json["exit_code"] == 0);
}

}  // namespace ferry::validation_json_test
