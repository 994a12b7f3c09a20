// EntityPlan: one proposed entity of a mapping, decided from a key group, before it is
// written as YAML (mapping_writer.h).
//
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/propose/key_groups.h"

namespace ferry::propose {

struct ColumnPlan {
  std::string name;
  std::string spec;     // the column's YAML flow mapping: {type: text, from: "title"}
  std::string comment;  // why, when it is not obvious; may be empty
};

struct EntityPlan {
  std::string name;                   // the entity (and table) name, unique in the mapping
  std::vector<std::string> comments;  // lines said above it
  std::string source;                 // YAML flow mapping
  std::string schema;                 // YAML flow mapping (a JSON Schema)
  std::string id;                     // YAML flow mapping
  std::string updated_field;          // a quoted path, or empty
  std::vector<std::pair<std::string, std::string>> sensitive;  // path, why
  std::vector<std::string> primary_key;
  std::vector<std::string> unique;  // one unique key, or none
  std::vector<ColumnPlan> columns;
};

// The entity for `group`, named `name`; nullopt when the group is better as rows of the
// shared key/value entity (single keys holding text or JSON scalars).
std::optional<EntityPlan> PlanEntity(const KeyGroup& group, const std::string& name,
                                     bool name_origin);

// The shared key/value entity for the single keys `keys` of one origin.
EntityPlan PlanValuesEntity(const std::string& name, const std::string& origin,
                            const std::vector<std::string>& keys, bool name_origin);

}  // namespace ferry::propose
