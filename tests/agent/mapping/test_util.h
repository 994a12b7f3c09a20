// Helpers of the mapping loader's tests: a mapping from YAML text, its error, and a one-entity
// mapping to put columns into.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "agent/mapping/loader.h"
#include "tests/test_paths.h"

namespace ferry::mapping_test {

inline std::string DataDir() { return std::string(FERRY_SOURCE_DIR) + "/tests/data/mappings"; }

inline Result<Mapping> Load(const std::string& yaml) {
  return LoadMappingText(yaml, "t.yaml", DataDir());
}

// The message of the error `yaml` must give.
inline std::string ErrorOf(const std::string& yaml) {
  Result<Mapping> result = Load(yaml);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().IsInvalidArgument());
  return result.status().message();
}

inline const ColumnMapping& Column(const EntityMapping& entity, const std::string& name) {
  int index = entity.table.ColumnIndex(name);
  REQUIRE(index >= 0);
  return entity.columns[index];
}

// A valid one-entity mapping with `columns` (indented by 6) after the id column.
inline std::string OneEntity(const std::string& columns, const std::string& entity_extra = "") {
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

}  // namespace ferry::mapping_test
