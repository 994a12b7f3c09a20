#include "agent/rekey/rekey_plan.h"

#include <catch2/catch.hpp>

#include "agent/mapping/loader.h"

namespace ferry::rekey_plan_test {
namespace {

constexpr const char* kPlan = R"(version: 1
name: "app"
entities:
  "users":
    source: {keys: ["users"], shape: record}
    id: {field: "id", time_field: "created_at", time_format: iso8601}
    primary_key: ["id"]
    columns:
      "id": {type: ulid, from: $ulid}
      "created_at": {type: timestamp, from: "created_at", format: iso8601}
  "tasks":
    source: {keys: ["tasks"], shape: record}
    id: {field: "id"}
    primary_key: ["id"]
    columns:
      "id": {type: ulid, from: $ulid}
      "user_id": {type: ulid, from: "user_id", references: "users", on_missing: reject}
      "parent_id": {type: text, from: "parent_id"}
)";

TEST_CASE("PlanFromMapping: tables, keys, creation columns and references of a proposal",
          "[rekey]") {
  Result<Mapping> mapping = LoadMappingText(kPlan, "plan.yaml", "");
  REQUIRE(mapping.ok());
  Result<RekeyPlan> plan = PlanFromMapping(*mapping);
  REQUIRE(plan.ok());
  REQUIRE(plan->tables.size() == 2);
  const RekeyTable* users = plan->Find("users");
  REQUIRE(users != nullptr);
  CHECK(users->key == "id");
  CHECK(users->creation_column == "created_at");
  const RekeyTable* tasks = plan->Find("tasks");
  REQUIRE(tasks != nullptr);
  CHECK(tasks->creation_column.empty());
  REQUIRE(tasks->foreign_keys.size() == 1);
  CHECK(tasks->foreign_keys[0].column == "user_id");
  CHECK(tasks->foreign_keys[0].parent == "users");
  CHECK(UlidColumnOf("user_id") == "user_id_ulid");

  SECTION("the catalog adds the self-reference the mapping cannot say, nothing twice") {
    std::vector<std::string> added;
    AddCatalogForeignKeys({{"tasks",
                            {{"user_id", "users", "id"},
                             {"parent_id", "tasks", "id"},
                             {"other_id", "elsewhere", "id"},
                             {"user_email", "users", "email"}}}},
                          &*plan, &added);
    CHECK(added == std::vector<std::string>{"tasks.parent_id -> tasks"});
    REQUIRE(plan->Find("tasks")->foreign_keys.size() == 2);
    CHECK(plan->Find("tasks")->foreign_keys[1].column == "parent_id");
  }
}

TEST_CASE("RekeyGroups: the components of the foreign-key graph, parents first", "[rekey]") {
  RekeyPlan plan;
  plan.tables.push_back({"users", "id", "", "", {}});
  plan.tables.push_back({"clinics", "id", "", "", {}});
  plan.tables.push_back({"notes", "id", "", "", {}});
  plan.tables.push_back({"orders", "id", "", "", {{"user_id", "users"}, {"clinic_id", "clinics"}}});
  plan.tables.push_back({"tasks", "id", "", "", {{"parent_id", "tasks"}, {"owner", "elsewhere"}}});
  std::vector<RekeyPlan> groups = RekeyGroups(plan);
  REQUIRE(groups.size() == 3);
  REQUIRE(groups[0].tables.size() == 3);
  CHECK(groups[0].tables[0].name == "users");
  CHECK(groups[0].tables[1].name == "clinics");
  CHECK(groups[0].tables[2].name == "orders");
  REQUIRE(groups[1].tables.size() == 1);
  CHECK(groups[1].tables[0].name == "notes");
  REQUIRE(groups[2].tables.size() == 1);
  CHECK(groups[2].tables[0].name == "tasks");
  CHECK(RekeyGroups(RekeyPlan{}).empty());
  CHECK(LegacyColumnOf("id") == "legacy_id");
  CHECK(LegacyColumnOf("user_id") == "legacy_user_id");
}

}  // namespace
}  // namespace ferry::rekey_plan_test
