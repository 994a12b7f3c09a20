// Tests of agent/mapping/loader.h on columns: names (hostile ones included), keys, sources and
// their options, defaults and value maps; each refusal naming its line and column.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "agent/mapping/loader.h"
#include "tests/agent/mapping/test_util.h"

namespace ferry::loader_columns_test {
namespace {

using namespace mapping_test;  // NOLINT: the helpers of this file's family

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
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: integer, from: $record}\n")),
             Catch::EndsWith("$record needs a column of type json or text"));
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

TEST_CASE("LoadMappingText: a default becomes the column's cell, checked as a DEFAULT would be",
          "[agent][mapping][hostile]") {
  Result<Mapping> mapping =
      Load(OneEntity("      n: {type: integer, nullable: false, default: 3}\n"
                     "      t: {type: timestamp, default: '2024-01-02T03:04:05.006Z'}\n"
                     "      r: {type: real, default: 2}\n"
                     "      c: {type: text, const: x}\n"
                     "      none: {type: text}\n"));
  REQUIRE(mapping.ok());
  const TableDef& table = mapping->entities[0].table;
  CHECK(table.columns[table.ColumnIndex("n")].default_value == Cell(int64_t{3}));
  CHECK(table.columns[table.ColumnIndex("t")].default_value == Cell(int64_t{1704164645006}));
  CHECK(table.columns[table.ColumnIndex("r")].default_value == Cell(2.0));
  CHECK(table.columns[table.ColumnIndex("c")].default_value == Cell(std::string("x")));
  CHECK(IsNull(table.columns[table.ColumnIndex("none")].default_value));
  // What no target holds as written is refused at load, not at `schema up`.
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: text, default: \"a\\0b\"}\n")),
             Catch::Contains("NUL"));
  // (YAML reads a number beyond int64 as a real: refused as no integer either way.)
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: integer, default: 9223372036854775808}\n")),
             Catch::Contains("default must"));
  CHECK_THAT(ErrorOf(OneEntity("      k: {type: timestamp, default: '0000-01-01T00:00:00Z'}\n")),
             Catch::EndsWith("a timestamp default must lie in the years 0001 to 9999"));
}

}  // namespace
}  // namespace ferry::loader_columns_test
