#include "agent/propose/mapping_writer.h"

#include <catch2/catch.hpp>

#include "agent/mapping/loader.h"

namespace ferry::propose::mapping_writer_test {
namespace {

Entry Item(std::string key, std::string value, std::string origin = "http://a") {
  Entry entry;
  entry.origin = std::move(origin);
  entry.key = std::move(key);
  entry.value = std::move(value);
  return entry;
}

Mapping Propose(const std::vector<Entry>& entries, std::string* yaml_out = nullptr) {
  KeyGroups groups;
  for (const Entry& entry : entries) REQUIRE(groups.Add(entry).ok());
  ProposeOptions options;
  options.sources = {"store"};
  options.several_origins = groups.origins() > 1;
  std::string yaml = ProposeMappingYaml(groups.Finish(), options);
  if (yaml_out) *yaml_out = yaml;
  Result<Mapping> mapping = LoadMappingText(yaml, "proposed.yaml", ".");
  INFO(yaml);
  REQUIRE(mapping.ok());
  return std::move(*mapping);
}

const ColumnMapping* Column(const EntityMapping& entity, const std::string& name) {
  for (const ColumnMapping& column : entity.columns) {
    if (column.def.name == name) return &column;
  }
  return nullptr;
}

TEST_CASE("ProposeMappingYaml: arrays of records become typed tables keyed by ULID",
          "[agent][propose]") {
  std::string tasks = "[";
  for (int i = 0; i < 10; ++i) {
    tasks += R"({"id":"task-)" + std::to_string(i) +
             R"(","title":"t","done":false,"createdAt":"2023-01-09T17:31:09.233Z",)"
             R"("updatedAt":"2023-01-10T00:00:00Z","config":{"githubToken":"ghp_abcdefghijkl"},)"
             R"("password":"p"},)";
  }
  tasks.back() = ']';
  Mapping mapping = Propose({Item("tasks", tasks)});
  const EntityMapping* entity = mapping.Find("tasks");
  REQUIRE(entity);
  CHECK(entity->source.keys == std::vector<std::string>{"tasks"});
  CHECK(entity->id_field == "id");
  CHECK(entity->time_field == "createdAt");
  CHECK(entity->updated_field == "updatedAt");
  CHECK(Column(*entity, "id")->source == ColumnSource::kUlid);
  CHECK(Column(*entity, "legacy_id")->source == ColumnSource::kLegacyId);
  CHECK(Column(*entity, "title")->def.type == ColumnType::kText);
  CHECK(Column(*entity, "done")->def.type == ColumnType::kBoolean);
  CHECK(Column(*entity, "created_at")->def.type == ColumnType::kTimestamp);
  CHECK(Column(*entity, "config")->drop == std::vector<std::string>{"githubToken"});
  CHECK_FALSE(Column(*entity, "password"));
  CHECK(entity->sensitive == std::vector<std::string>{"password", "config.githubToken"});
  REQUIRE(entity->validator);
}

TEST_CASE("ProposeMappingYaml: prefixes, objects, text and secrets: every key mapped or ignored",
          "[agent][propose]") {
  std::string yaml;
  Mapping mapping = Propose(
      {Item("formData:a", R"({"name":"x","token":""})"), Item("formData:b", R"({"name":"y"})"),
       Item("draft:1", "plain text"), Item("draft:2", "more"), Item("prefs", R"({"theme":"dark"})"),
       Item("locale", "de-DE"), Item("count", "42"), Item("authToken", "x"), Item("", "empty key"),
       Item("kanban:boards", "[1,2]")},
      &yaml);
  const EntityMapping* forms = mapping.Find("form_data");
  REQUIRE(forms);
  CHECK(forms->source.key_prefix == "formData:");
  CHECK(forms->source.shape == SourceShape::kRecord);
  CHECK(forms->id_field == "$key_suffix");
  CHECK(forms->sensitive == std::vector<std::string>{"token"});
  const EntityMapping* drafts = mapping.Find("draft");
  REQUIRE(drafts);
  CHECK(drafts->source.shape == SourceShape::kText);
  CHECK(mapping.Find("prefs")->id_field == "$user");
  const EntityMapping* values = mapping.Find("local_values");
  REQUIRE(values);
  CHECK(values->source.keys == std::vector<std::string>{"locale", "count"});
  REQUIRE(mapping.ignored.size() == 2);
  CHECK(mapping.ignored[0].keys == std::vector<std::string>{"authToken"});
  CHECK(mapping.ignored[1].keys == std::vector<std::string>{""});
  CHECK(yaml.find("its name contains \\\"token\\\"") != std::string::npos);
  CHECK(mapping.Find("kanban")->source.key_prefix == "kanban:");
}

TEST_CASE("ProposeMappingYaml: several origins name each entity's origin", "[agent][propose]") {
  Mapping mapping = Propose({Item("theme", "dark", "http://a"), Item("theme", "1", "http://b"),
                             Item("list", R"([{"id":1}])", "http://b")});
  REQUIRE(mapping.entities.size() == 3);
  for (const EntityMapping& entity : mapping.entities) CHECK_FALSE(entity.source.origin.empty());
}

}  // namespace
}  // namespace ferry::propose::mapping_writer_test
