// LocateSubschema: which part of a schema applies to a place in a record, for the
// schema_location of a violation.
//
// Best effort: it follows properties/additionalProperties and items/additionalItems (and
// $refs, and one level of allOf/anyOf/oneOf branches when a schema has nothing for a step)
// and gives up where it cannot tell which subschema applied.
//
// Thread safety: pure function.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ferry {

// One step from a value to a member (by name) or an item (by index, in decimal).
struct SchemaStep {
  std::string name;
  bool is_index;
};

// The subschema of the (rewritten) schema `root` that applies after `steps`, and its location
// ("#/definitions/isoDateTime"); null when it cannot tell.
const nlohmann::json* LocateSubschema(const nlohmann::json& root,
                                      const std::vector<SchemaStep>& steps, std::string* location);

}  // namespace ferry
