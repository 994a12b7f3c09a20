// Tests of agent/mapping/loader.h: the bundled taskapp mapping, and hostile or broken mappings
// that must fail before any work starts, each error naming its line and column.
#include "agent/mapping/loader.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/agent/mapping/test_util.h"
#include "tests/test_paths.h"

namespace ferry::loader_test {
namespace {

using namespace mapping_test;  // NOLINT: the helpers of this file's family

std::vector<std::string> EntityNames(const Mapping& mapping) {
  std::vector<std::string> names;
  for (const EntityMapping& e : mapping.entities) {
    names.push_back(e.name);
  }
  return names;
}

void CheckTaskapp(const Mapping& mapping) {
  REQUIRE(EntityNames(mapping) == std::vector<std::string>{"environments", "tasks",
                                                           "user_preferences", "form_data",
                                                           "custom_data"});
  CHECK(mapping.name == "taskapp");
  CHECK(mapping.conflict == ConflictPolicy::kSkip);

  const EntityMapping& tasks = *mapping.Find("tasks");
  std::vector<std::string> names;
  std::vector<ColumnType> types;
  for (const ColumnDef& c : tasks.table.columns) {
    names.push_back(c.name);
    types.push_back(c.type);
  }
  CHECK(names == std::vector<std::string>{"id", "user_id", "legacy_id", "title", "description",
                                          "status", "tags", "environment_id", "created_at",
                                          "updated_at"});
  CHECK(types == std::vector<ColumnType>{ColumnType::kUlid, ColumnType::kText, ColumnType::kText,
                                         ColumnType::kText, ColumnType::kText, ColumnType::kText,
                                         ColumnType::kJson, ColumnType::kUlid,
                                         ColumnType::kTimestamp, ColumnType::kTimestamp});
  CHECK(tasks.table.name == "tasks");
  CHECK(tasks.table.primary_key == std::vector<std::string>{"id"});
  CHECK(tasks.table.unique == std::vector<std::vector<std::string>>{{"user_id", "legacy_id"}});
  CHECK(tasks.ulid_column == 0);
  CHECK(tasks.id_field == "id");
  CHECK(tasks.time_field == "createdAt");
  CHECK(tasks.updated_field == "updatedAt");
  CHECK(tasks.parents == std::vector<std::string>{"environments"});
  CHECK(tasks.source.keys == std::vector<std::string>{"tasks"});
  CHECK(tasks.source.shape == SourceShape::kArray);
  CHECK(tasks.validator != nullptr);
  CHECK_FALSE(tasks.table.columns[0].nullable);  // primary key
  CHECK_FALSE(Column(tasks, "title").def.nullable);
  const ColumnMapping& status = Column(tasks, "status");
  CHECK(status.value_map == std::map<std::string, std::string>{{"todo", "pending"},
                                                               {"in-progress", "in_progress"},
                                                               {"done", "completed"}});
  CHECK(status.reject_unmapped);
  const ColumnMapping& env = Column(tasks, "environment_id");
  CHECK(env.source == ColumnSource::kField);
  CHECK(env.field == "environmentId");
  CHECK(env.references == "environments");
  CHECK(env.on_missing == OnMissingReference::kReject);
  CHECK(Column(tasks, "user_id").source == ColumnSource::kUser);
  CHECK(Column(tasks, "legacy_id").source == ColumnSource::kLegacyId);
  CHECK(Column(tasks, "id").source == ColumnSource::kUlid);

  const EntityMapping& envs = *mapping.Find("environments");
  CHECK(envs.table.columns.size() == 10);
  CHECK(envs.sensitive == std::vector<std::string>{"config.githubToken"});
  CHECK(Column(envs, "config").drop == std::vector<std::string>{"githubToken"});
  CHECK(Column(envs, "is_active").default_json == "true");
  CHECK(Column(envs, "description").default_json == "null");
  CHECK(Column(envs, "schema_version").source == ColumnSource::kStoreKey);
  CHECK(Column(envs, "schema_version").field == "schemaVersion");
  CHECK(envs.parents.empty());

  const EntityMapping& prefs = *mapping.Find("user_preferences");
  CHECK(prefs.table.primary_key == std::vector<std::string>{"user_id"});
  CHECK(prefs.id_field == "$user");
  CHECK(prefs.source.shape == SourceShape::kRecord);
  CHECK(prefs.ulid_column == -1);
  CHECK(Column(prefs, "data").source == ColumnSource::kRecord);

  const EntityMapping& forms = *mapping.Find("form_data");
  CHECK(forms.source.key_prefix == "formData:");
  CHECK(forms.id_field == "$key_suffix");
  CHECK(forms.table.primary_key == std::vector<std::string>{"user_id", "form_name"});
  CHECK(Column(forms, "form_name").source == ColumnSource::kKeySuffix);

  const EntityMapping& custom = *mapping.Find("custom_data");
  CHECK(custom.table.columns.size() == 2);
  CHECK(custom.source.keys == std::vector<std::string>{"customData"});
  CHECK(mapping.Find("customData") == nullptr);
}

TEST_CASE("LoadMappingFile: the taskapp mapping has 5 entities, parents first, with its tables",
          "[agent][mapping]") {
  Result<Mapping> mapping =
      LoadMappingFile(std::string(FERRY_SOURCE_DIR) + "/schemas/taskapp/mapping.yaml");
  REQUIRE(mapping.ok());
  CheckTaskapp(*mapping);
  CHECK(mapping->Find("tasks")->schema_file ==
        std::string(FERRY_SOURCE_DIR) + "/schemas/taskapp/task.schema.json");
}

TEST_CASE("LoadDefaultMapping: the embedded taskapp mapping works without its files",
          "[agent][mapping]") {
  Result<Mapping> mapping = LoadDefaultMapping();
  REQUIRE(mapping.ok());
  CheckTaskapp(*mapping);
  CHECK(mapping->file == "<embedded>");
  CHECK(mapping->Find("tasks")->schema_file == "<embedded>/taskapp/task.schema.json");
}

TEST_CASE("LoadMappingFile: schema files resolve from the mapping's folder, not the cwd",
          "[agent][mapping]") {
  Result<Mapping> mapping = LoadMappingFile(DataDir() + "/notes.yaml");
  REQUIRE(mapping.ok());
  REQUIRE(mapping->entities.size() == 1);
  CHECK(mapping->entities[0].schema_file == DataDir() + "/note.schema.json");
  CHECK(mapping->entities[0].validator != nullptr);
  CHECK(mapping->file == DataDir() + "/notes.yaml");
}

TEST_CASE("LoadMappingFile: a missing mapping file is a configuration error naming it",
          "[agent][mapping]") {
  Result<Mapping> mapping = LoadMappingFile(DataDir() + "/no-such-mapping.yaml");
  REQUIRE_FALSE(mapping.ok());
  CHECK(mapping.status().IsInvalidArgument());
  CHECK_THAT(mapping.status().message(), Catch::Contains("no-such-mapping.yaml"));
  Result<Mapping> folder = LoadMappingFile(DataDir());
  REQUIRE_FALSE(folder.ok());
  CHECK_THAT(folder.status().message(), Catch::Contains("not a regular file"));
}

TEST_CASE("LoadMappingText: a YAML syntax error names line and column", "[agent][mapping]") {
  std::string message = ErrorOf("version: 1\nname: t\nentities: {tasks: [1, 2\n");
  CHECK_THAT(message, Catch::StartsWith("t.yaml:4:1: "));
  CHECK_THAT(ErrorOf("version: 1\n  name: t\n"), Catch::StartsWith("t.yaml:2:"));
}

TEST_CASE("LoadMappingText: an unknown key names line, column and the key", "[agent][mapping]") {
  std::string message = ErrorOf(OneEntity("      title: {type: text, form: title}\n"));
  CHECK(message == "t.yaml:9:27: entities.tasks.columns.title: unknown key 'form'");
  CHECK_THAT(ErrorOf("version: 1\nname: t\nconflcit: skip\nentities: {}\n"),
             Catch::StartsWith("t.yaml:3:1: unknown key 'conflcit'"));
}

TEST_CASE("LoadMappingText: columns given as a list of ints is a type error naming the line",
          "[agent][mapping]") {
  std::string message = ErrorOf(
      "version: 1\nname: t\nentities:\n  tasks:\n    source: {keys: [tasks]}\n"
      "    primary_key: [id]\n    columns: [1, 2, 3]\n");
  CHECK(message == "t.yaml:7:14: entities.tasks.columns: expected a mapping, got a list");
}

TEST_CASE("LoadMappingText: a missing required key names the mapping that lacks it",
          "[agent][mapping]") {
  std::string message = ErrorOf(
      "version: 1\nname: t\nentities:\n  tasks:\n    source: {keys: [tasks]}\n"
      "    columns: {id: {type: ulid, from: $ulid}}\n");
  CHECK(message == "t.yaml:5:5: entities.tasks: missing required key 'primary_key'");
}

TEST_CASE("LoadMappingText: a value outside an enum lists the allowed ones", "[agent][mapping]") {
  CHECK(ErrorOf("version: 2\nname: t\nentities: {}\n") ==
        "t.yaml:1:10: version: 2 is not one of 1 (and 1 more problem)");
  std::string message = ErrorOf(OneEntity("      title: {type: strin}\n"));
  CHECK(message ==
        "t.yaml:9:21: entities.tasks.columns.title.type: 'strin' is not one of text, integer, "
        "real, boolean, json, timestamp, ulid");
}

TEST_CASE("LoadMappingText: every column type of base/row.h is accepted", "[agent][mapping]") {
  for (ColumnType type :
       {ColumnType::kText, ColumnType::kInteger, ColumnType::kReal, ColumnType::kBoolean,
        ColumnType::kJson, ColumnType::kTimestamp, ColumnType::kUlid}) {
    std::string name = ColumnTypeName(type);
    Result<Mapping> mapping = Load(OneEntity("      c: {type: " + name + "}\n"));
    REQUIRE(mapping.ok());
    CHECK(mapping->entities[0].table.columns[1].type == type);
  }
}

TEST_CASE("LoadMappingText: a reference cycle is refused naming the cycle", "[agent][mapping]") {
  std::string message = ErrorOf(R"(version: 1
name: t
entities:
  tasks:
    source: {keys: [tasks]}
    primary_key: [id]
    columns:
      id: {type: ulid, from: $ulid}
      project_id: {type: ulid, from: projectId, references: projects}
  projects:
    source: {keys: [projects]}
    primary_key: [id]
    columns:
      id: {type: ulid, from: $ulid}
      lead_task: {type: ulid, from: leadTask, references: tasks}
)");
  CHECK(message ==
        "t.yaml:9:61: entities.tasks.columns.project_id.references: "
        "reference cycle: tasks → projects → tasks");
}

TEST_CASE("LoadMappingText: a self-reference is no cycle (issue 18: loaded in two passes)",
          "[agent][mapping]") {
  Result<Mapping> mapping =
      Load(OneEntity("      parent: {type: ulid, from: parentId, references: tasks}\n"));
  REQUIRE(mapping.ok());
  CHECK(mapping->entities[0].parents.empty());
  CHECK(mapping->entities[0].columns.back().references == "tasks");
}

TEST_CASE("LoadMappingText: a reference to an unknown entity is refused", "[agent][mapping]") {
  CHECK(ErrorOf(OneEntity("      env: {type: ulid, from: envId, references: environmnets}\n")) ==
        "t.yaml:9:50: entities.tasks.columns.env.references: references unknown entity "
        "'environmnets'");
}

TEST_CASE("LoadMappingText: a reference to an entity without ULIDs is refused",
          "[agent][mapping]") {
  std::string yaml = OneEntity("      pref: {type: ulid, from: prefId, references: prefs}\n") +
                     "  prefs:\n    source: {keys: [prefs], shape: record}\n"
                     "    id: {field: $user}\n    primary_key: [user_id]\n"
                     "    columns: {user_id: {type: text, from: $user}}\n";
  CHECK_THAT(ErrorOf(yaml), Catch::EndsWith("entity 'prefs' has no $ulid column to reference"));
}

TEST_CASE("LoadMappingText: parents come first, otherwise file order is kept", "[agent][mapping]") {
  Result<Mapping> mapping = Load(R"(version: 1
name: t
entities:
  c: {source: {keys: [c]}, primary_key: [id], columns: {id: {type: ulid, from: $ulid}}}
  b:
    source: {keys: [b]}
    primary_key: [id]
    columns:
      id: {type: ulid, from: $ulid}
      a_id: {type: ulid, from: aId, references: a}
      d_id: {type: ulid, from: dId, references: d, on_missing: "null"}
  a: {source: {keys: [a]}, primary_key: [id], columns: {id: {type: ulid, from: $ulid}}}
  d: {source: {keys: [d]}, primary_key: [id], columns: {id: {type: ulid, from: $ulid}}}
  e: {source: {keys: [e]}, primary_key: [id], columns: {id: {type: ulid, from: $ulid}}}
)");
  REQUIRE(mapping.ok());
  CHECK(EntityNames(*mapping) == std::vector<std::string>{"c", "a", "d", "b", "e"});
  CHECK(mapping->Find("b")->parents == std::vector<std::string>{"a", "d"});
  CHECK(Column(*mapping->Find("b"), "d_id").on_missing == OnMissingReference::kNull);
}

TEST_CASE("LoadMappingText: a missing schema file is refused naming it and the line",
          "[agent][mapping]") {
  std::string message = ErrorOf(OneEntity("", "    schema: nowhere.schema.json\n"));
  CHECK_THAT(message, Catch::StartsWith("t.yaml:7:13: entities.tasks.schema: cannot read"));
  CHECK_THAT(message, Catch::Contains("nowhere.schema.json"));
}

TEST_CASE("LoadMappingText: a schema file that is not JSON is refused", "[agent][mapping]") {
  CHECK_THAT(ErrorOf(OneEntity("", "    schema: not_json.schema.json\n")),
             Catch::StartsWith("t.yaml:7:13: entities.tasks.schema: bad schema"));
}

TEST_CASE("LoadMappingText: patternProperties is refused, a catastrophic pattern compiles",
          "[agent][mapping]") {
  CHECK_THAT(ErrorOf(OneEntity("", "    schema: pattern_properties.schema.json\n")),
             Catch::Contains("patternProperties"));
  // A catastrophic pattern is bounded when records are checked (the validator's job).
  Result<Mapping> mapping = Load(OneEntity("", "    schema: catastrophic_pattern.schema.json\n"));
  REQUIRE(mapping.ok());
  CHECK(mapping->entities[0].validator != nullptr);
}

TEST_CASE("LoadMappingText: an inline schema is compiled from the YAML", "[agent][mapping]") {
  Result<Mapping> mapping =
      Load(OneEntity("      title: {type: text}\n",
                     "    schema:\n      type: object\n      required: [id, title]\n"
                     "      properties: {title: {type: string, maxLength: 200}}\n"));
  REQUIRE(mapping.ok());
  CHECK(mapping->entities[0].validator != nullptr);
  CHECK(mapping->entities[0].schema_file.empty());
  CHECK_THAT(ErrorOf(OneEntity("", "    schema: {patternProperties: {x: {}}}\n")),
             Catch::StartsWith("t.yaml:7:13: entities.tasks.schema: bad schema"));
  CHECK(ErrorOf(OneEntity("", "    schema: [1]\n")) ==
        "t.yaml:7:13: entities.tasks.schema: expected a string or a mapping, got a list");
}

TEST_CASE("LoadMappingText: alias bombs, alias cycles and deep nesting end in an error",
          "[agent][mapping][hostile]") {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + "]\n";
    prev = c;
  }
  CHECK_THAT(ErrorOf(bomb), Catch::Contains("nodes"));
  CHECK_THAT(ErrorOf("version: 1\nname: &n [*n]\n"), Catch::Contains("nesting deeper"));
  CHECK_THAT(ErrorOf(std::string(100, '[') + std::string(100, ']')),
             Catch::Contains("nesting deeper"));
  // Deeper still, yaml-cpp's own guard stops the parser first.
  CHECK_THAT(ErrorOf(std::string(5000, '[') + std::string(5000, ']')),
             Catch::StartsWith("t.yaml:1:1: "));
}

TEST_CASE("LoadMappingText: empty, scalar and non-UTF-8 documents are refused",
          "[agent][mapping][hostile]") {
  CHECK(ErrorOf("") == "t.yaml: the mapping is empty");
  CHECK(ErrorOf("# only a comment\n") == "t.yaml: the mapping is empty");
  CHECK(ErrorOf("just text") == "t.yaml:1:1: expected a mapping, got a string");
  CHECK_THAT(ErrorOf("version: 1\nname: \"\xff\xfe\"\n"), Catch::Contains("not valid UTF-8"));
  CHECK_THAT(ErrorOf("version: 1\n? [a, b]\n: c\n"),
             Catch::Contains("a key must be a plain string"));
}

TEST_CASE("LoadMappingText: several problems report the first and count the rest",
          "[agent][mapping]") {
  CHECK(ErrorOf("name: t\nextra: 1\nentities: {}\n") ==
        "t.yaml:1:1: missing required key 'version' (and 2 more problems)");
}

}  // namespace
}  // namespace ferry::loader_test
