// Tests of agent/mapping/indexes.h through the mapping loader: `indexes:` of an entity (issue
// 16 item 6): columns in order, an optional name, each refusal at its place.
#include <catch2/catch.hpp>
#include <string>

#include "agent/mapping/loader.h"
#include "tests/agent/mapping/test_util.h"

namespace ferry::indexes_test {
namespace {

using namespace mapping_test;  // NOLINT: the helpers of this file's family

const std::string kColumns =
    "      status: {type: text}\n      user_id: {type: text, from: $user}\n";

std::string WithIndexes(const std::string& indexes) {
  return OneEntity(kColumns, "    indexes:\n" + indexes);
}

TEST_CASE("LoadMappingText: indexes keep their columns in order and their names",
          "[agent][mapping][indexes]") {
  Result<Mapping> mapping = Load(WithIndexes(
      "      - {columns: [user_id, status]}\n      - {columns: [status], name: by_status}\n"));
  REQUIRE(mapping.ok());
  const TableDef& table = mapping->entities[0].table;
  REQUIRE(table.indexes.size() == 2);
  CHECK(table.indexes[0].name.empty());  // ferry names it (IndexName)
  CHECK(table.indexes[0].columns == std::vector<std::string>{"user_id", "status"});
  CHECK(table.indexes[1].name == "by_status");
  CHECK(Load(OneEntity(kColumns)).value().entities[0].table.indexes.empty());
}

TEST_CASE("LoadMappingText: a bad index is refused at its place",
          "[agent][mapping][indexes][hostile]") {
  CHECK_THAT(ErrorOf(WithIndexes("      - {columns: [nope]}\n")),
             Catch::Contains("indexes[0].columns[0]: no column 'nope' in entity 'tasks'"));
  CHECK_THAT(ErrorOf(WithIndexes("      - {columns: [status, status]}\n")),
             Catch::EndsWith("column 'status' named twice"));
  CHECK_THAT(ErrorOf(WithIndexes("      - {columns: [status]}\n      - {columns: [status]}\n")),
             Catch::Contains("same columns"));
  CHECK_THAT(ErrorOf(WithIndexes("      - {columns: []}\n")), Catch::Contains("columns"));
  CHECK_THAT(ErrorOf(WithIndexes("      - {name: x}\n")), Catch::Contains("columns"));
  CHECK_THAT(ErrorOf(WithIndexes("      - {columns: [status], unique: true}\n")),
             Catch::Contains("unique"));
  CHECK_THAT(ErrorOf(WithIndexes("      - {columns: [status], name: Ferry_x}\n")),
             Catch::Contains("ferry's own"));
  CHECK_THAT(ErrorOf(WithIndexes("      - {columns: [status], name: \"a\\0b\"}\n")),
             Catch::EndsWith("index name contains a NUL byte"));
}

TEST_CASE("LoadMappingText: an index name another index or a table holds is refused",
          "[agent][mapping][indexes][hostile]") {
  CHECK_THAT(ErrorOf(WithIndexes("      - {columns: [status], name: TASKS}\n")),
             Catch::Contains("is already table 'tasks'"));
  CHECK_THAT(ErrorOf(WithIndexes("      - {columns: [status], name: i}\n"
                                 "      - {columns: [user_id], name: I}\n")),
             Catch::Contains("indexes[1].name: index name 'I' is already an index of entity"));
}

}  // namespace
}  // namespace ferry::indexes_test
