// Tests of agent/mapping_loader.h: the bundled taskapp mapping, and hostile or broken mappings
// that must fail before any work starts, each error naming its line and column.
#include "agent/mapping_loader.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace ferry {
namespace {

std::string DataDir() { return std::string(FERRY_SOURCE_DIR) + "/tests/data/mappings"; }

Result<Mapping> Load(const std::string& yaml) { return LoadMappingText(yaml, "t.yaml", DataDir()); }

// The message of the error `yaml` must give.
std::string ErrorOf(const std::string& yaml) {
  Result<Mapping> result = Load(yaml);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().IsInvalidArgument());
  return result.status().message();
}

std::vector<std::string> EntityNames(const Mapping& mapping) {
  std::vector<std::string> names;
  for (const EntityMapping& e : mapping.entities) {
    names.push_back(e.name);
  }
  return names;
}

const ColumnMapping& Column(const EntityMapping& entity, const std::string& name) {
  int index = entity.table.ColumnIndex(name);
  REQUIRE(index >= 0);
  return entity.columns[index];
}

// A valid one-entity mapping with `columns` (indented by 6) after the id column.
std::string OneEntity(const std::string& columns, const std::string& entity_extra = "") {
  return "version: 1\n"
         "name: t\n"
         "entities:\n"
         "  tasks:\n"
         "    source: {keys: [tasks]}\n"
         "    primary_key: [id]\n" +
         entity_extra +
         "    columns:\n"
         "      id: {type: ulid, from: $ulid}\n" +
         columns;
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

TEST_CASE("LoadMappingText: a self-reference is a cycle too", "[agent][mapping]") {
  CHECK_THAT(ErrorOf(OneEntity("      parent: {type: ulid, from: parentId, references: tasks}\n")),
             Catch::EndsWith("reference cycle: tasks → tasks"));
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

TEST_CASE("LoadMappingText: an SQL injection in a table name is kept verbatim for quoting",
          "[agent][mapping]") {
  Result<Mapping> mapping = Load(
      OneEntity("      'weird\"name': {type: text}\n", "    table: 'tasks\"; DROP TABLE x; --'\n"));
  REQUIRE(mapping.ok());
  CHECK(mapping->entities[0].table.name == "tasks\"; DROP TABLE x; --");
  CHECK(mapping->entities[0].table.columns[1].name == "weird\"name");
  CHECK(mapping->entities[0].columns[1].field == "weird\"name");
}

TEST_CASE("LoadMappingText: a table name with NUL, over 63 bytes, or empty is refused",
          "[agent][mapping]") {
  CHECK(ErrorOf(OneEntity("", "    table: \"tasks\\0x\"\n")) ==
        "t.yaml:7:12: entities.tasks.table: table name contains a NUL byte");
  std::string long_name(64, 'n');
  CHECK_THAT(ErrorOf(OneEntity("", "    table: " + long_name + "\n")),
             Catch::EndsWith("table name is longer than 63 bytes (64)"));
  CHECK(Load(OneEntity("", "    table: " + long_name.substr(1) + "\n")).ok());
  CHECK_THAT(ErrorOf(OneEntity("", "    table: ''\n")), Catch::EndsWith("table name is empty"));
  CHECK_THAT(ErrorOf(OneEntity("", "    table: ferry_runs\n")), Catch::Contains("ferry's own"));
}

TEST_CASE("LoadMappingText: a column name with NUL or over 63 bytes is refused at its key",
          "[agent][mapping]") {
  CHECK(ErrorOf(OneEntity("      \"a\\0b\": {type: text}\n")) ==
        "t.yaml:9:7: entities.tasks.columns: column name contains a NUL byte");
  CHECK_THAT(ErrorOf(OneEntity("      " + std::string(70, 'c') + ": {type: text}\n")),
             Catch::EndsWith("column name is longer than 63 bytes (70)"));
}

TEST_CASE("LoadMappingText: duplicate entities and columns are refused", "[agent][mapping]") {
  CHECK(ErrorOf(OneEntity("      title: {type: text}\n      title: {type: text}\n")) ==
        "t.yaml:10:7: entities.tasks.columns.title: duplicate key 'title'");
  CHECK_THAT(ErrorOf(OneEntity("      Title: {type: text}\n      title: {type: text}\n")),
             Catch::Contains("differ only in case"));
  std::string twice = OneEntity("") + "  tasks:\n    source: {keys: [x]}\n";
  CHECK_THAT(ErrorOf(twice), Catch::StartsWith("t.yaml:9:3: entities.tasks: duplicate key"));
  std::string same_table = OneEntity("") +
                           "  other:\n    source: {keys: [x]}\n    table: TASKS\n"
                           "    primary_key: [id]\n    columns: {id: {type: ulid, from: $ulid}}\n";
  CHECK_THAT(ErrorOf(same_table), Catch::EndsWith("is also written by entity 'tasks'"));
}

TEST_CASE("LoadMappingText: keys must name columns of the entity", "[agent][mapping]") {
  std::string yaml =
      "version: 1\nname: t\nentities:\n  tasks:\n    source: {keys: [tasks]}\n"
      "    primary_key: [id, nope]\n    columns: {id: {type: ulid, from: $ulid}}\n";
  CHECK(ErrorOf(yaml) ==
        "t.yaml:6:23: entities.tasks.primary_key[1]: no column 'nope' in "
        "entity 'tasks'");
  CHECK_THAT(ErrorOf(OneEntity("      a: {type: text}\n", "    unique: [[a, a]]\n")),
             Catch::EndsWith("column 'a' named twice"));
  CHECK_THAT(ErrorOf(OneEntity("      a: {type: text}\n", "    unique: [[]]\n")),
             Catch::EndsWith("entities.tasks.unique[0]: must not be empty"));
}

TEST_CASE("LoadMappingText: sources, specials and column options are checked against each other",
          "[agent][mapping]") {
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: text, from: $key_suffix}\n")),
             Catch::EndsWith("$key_suffix needs the entity's source to have a key_prefix"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: text, from: $usr}\n")),
             Catch::Contains("unknown source '$usr'"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: text, from: $ulid}\n")),
             Catch::EndsWith("$ulid needs a column of type ulid"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: text, from: $record}\n")),
             Catch::EndsWith("$record needs a column of type json"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: ulid, from: $ulid}\n")),
             Catch::Contains("a second $ulid column"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: boolean, default: 'yes'}\n")),
             Catch::EndsWith("a boolean column's default must be true or false"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: integer, map: {a: b}}\n")),
             Catch::Contains("a value map is for text columns"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: text, drop: [a]}\n")),
             Catch::EndsWith("drop is for json columns"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: text, format: epoch_ms}\n")),
             Catch::EndsWith("format is for timestamp columns"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: text, on_missing: reject}\n")),
             Catch::EndsWith("on_missing needs references"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: text, from: a..b}\n")),
             Catch::EndsWith("field path has an empty segment (paths are written a.b.c)"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: text, const: x, from: y}\n")),
             Catch::EndsWith("'from' has no use with 'const'"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: text, from: $user, default: x}\n")),
             Catch::Contains("the source is never absent"));
  CHECK_THAT(
      ErrorOf(OneEntity("      k: {type: ulid, from: k, references: tasks, on_missing: 'null', "
                        "nullable: false}\n")),
      Catch::EndsWith("on_missing: null needs a nullable column"));
  std::string both =
      "version: 1\nname: t\nentities:\n  tasks:\n"
      "    source: {keys: [tasks], key_prefix: 'x:'}\n"
      "    primary_key: [id]\n    columns: {id: {type: ulid, from: $ulid}}\n";
  CHECK(ErrorOf(both) ==
        "t.yaml:5:13: entities.tasks.source: source takes keys or key_prefix, "
        "not both");
  CHECK_THAT(ErrorOf(OneEntity("", "    id: {field: $origin}\n")),
             Catch::Contains("unknown id source '$origin'"));
  CHECK_THAT(ErrorOf(OneEntity("", "    conflict: merge\n")),
             Catch::Contains("merge needs updated_field"));
}

TEST_CASE("LoadMappingText: defaults, constants and value maps keep their YAML types",
          "[agent][mapping]") {
  Result<Mapping> mapping =
      Load(OneEntity("      a: {type: text, default: 'true'}\n"
                     "      b: {type: boolean, default: true, default_on_null: true}\n"
                     "      c: {type: integer, const: 7}\n"
                     "      d: {type: text, map: {1: one, two: 2, yes: true}, on_unmapped: keep}\n"
                     "      e: {type: text, from: $$weird}\n"
                     "      f: {type: json, from: config.nested.deep}\n"
                     "      g: {type: timestamp, from: t, format: epoch_ms, default: 0}\n"));
  REQUIRE(mapping.ok());
  const EntityMapping& e = mapping->entities[0];
  CHECK(Column(e, "a").default_json == "\"true\"");
  CHECK(Column(e, "b").default_json == "true");
  CHECK(Column(e, "b").default_on_null);
  CHECK(Column(e, "c").source == ColumnSource::kConstant);
  CHECK(Column(e, "c").default_json == "7");
  CHECK(Column(e, "d").value_map ==
        std::map<std::string, std::string>{{"1", "one"}, {"two", "2"}, {"yes", "true"}});
  CHECK_FALSE(Column(e, "d").reject_unmapped);
  CHECK(Column(e, "e").field == "$weird");
  CHECK(Column(e, "f").field == "config.nested.deep");
  CHECK(Column(e, "g").timestamp_format == "epoch_ms");
  CHECK(Column(e, "a").field == "a");  // no `from`: the column's name
  CHECK_FALSE(Column(e, "a").default_on_null);
}

TEST_CASE("LoadMappingText: $store.KEY reads another key of the store, as text",
          "[agent][mapping]") {
  Result<Mapping> mapping =
      Load(OneEntity("      v: {type: text, from: $store.schemaVersion, default: '0'}\n"));
  REQUIRE(mapping.ok());
  CHECK(Column(mapping->entities[0], "v").source == ColumnSource::kStoreKey);
  CHECK(Column(mapping->entities[0], "v").field == "schemaVersion");
  CHECK(Column(mapping->entities[0], "v").default_json == "\"0\"");
  CHECK_THAT(ErrorOf(OneEntity("      v: {type: integer, from: $store.schemaVersion}\n")),
             Catch::EndsWith("$store.KEY needs a column of type text (the value is text)"));
  CHECK_THAT(ErrorOf(OneEntity("      v: {type: text, from: $store.}\n")),
             Catch::Contains("$store. needs the name of a key"));
}

TEST_CASE("LoadMappingText: shape object takes the member name as legacy id", "[agent][mapping]") {
  std::string object =
      "version: 1\nname: t\nentities:\n  boards:\n"
      "    source: {keys: [boards], shape: object}\n"
      "    primary_key: [id]\n    columns: {id: {type: ulid, from: $ulid}}\n";
  Result<Mapping> mapping = Load(object);
  REQUIRE(mapping.ok());
  CHECK(mapping->entities[0].id_field == "$member");
  CHECK(mapping->entities[0].source.shape == SourceShape::kObject);
  CHECK_THAT(ErrorOf(OneEntity("", "    id: {field: $member}\n")),
             Catch::EndsWith("$member needs the source's shape to be object"));
}

TEST_CASE("LoadMappingText: timestamp and ulid defaults must be well-formed", "[agent][mapping]") {
  CHECK(Load(OneEntity("      t: {type: timestamp, default: '2024-01-02T03:04:05Z'}\n")).ok());
  CHECK_THAT(ErrorOf(OneEntity("      t: {type: timestamp, default: '2023-02-30T00:00:00Z'}\n")),
             Catch::EndsWith("an iso8601 default must be an RFC 3339 date-time string"));
  CHECK_THAT(ErrorOf(OneEntity("      t: {type: timestamp, format: epoch_ms, default: 'x'}\n")),
             Catch::EndsWith("an epoch_ms default must be an integer"));
  CHECK(Load(OneEntity("      u: {type: ulid, from: u, default: 01ARZ3NDEKTSV4RRFFQ69G5FAV}\n"))
            .ok());
  CHECK_THAT(
      ErrorOf(OneEntity("      u: {type: ulid, from: u, default: 01ARZ3NDEKTSV4RRFFQ69G5FAU!}\n")),
      Catch::EndsWith("a ulid column's default must be a ULID"));
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
}  // namespace ferry
