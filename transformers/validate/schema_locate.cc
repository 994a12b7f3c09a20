#include "transformers/validate/schema_locate.h"

#include <cstdint>

#include "transformers/validate/schema_graph.h"
#include "transformers/validate/schema_rewrite.h"

namespace ferry {
namespace {

using nlohmann::json;

// Follows `node`'s $ref chain (bounded); null when it does not resolve to a schema (an object
// or a boolean).
const json* FollowRefs(const json& root, const json* node, std::string* location) {
  for (size_t hops = 0; node != nullptr && node->is_object() && node->contains("$ref"); ++hops) {
    const json& ref = (*node)["$ref"];
    std::string pointer;
    node = hops < kMaxSameLevelChain && ref.is_string()
               ? ResolveLocalRef(root, ref.get_ref<const std::string&>(), &pointer)
               : nullptr;
    *location = "#" + pointer;
  }
  return node != nullptr && (node->is_object() || node->is_boolean()) ? node : nullptr;
}

// The subschema of `node` for one step (properties/additionalProperties or items/
// additionalItems), with `location` extended; null when `node` has none.
const json* StepInto(const json& node, const SchemaStep& step, std::string* location) {
  if (step.is_index) {
    auto items = node.find("items");
    if (items != node.end() && !items->is_array()) {
      *location += "/items";
      return &*items;
    }
    const size_t index = step.name.size() < 10 ? std::stoul(step.name) : SIZE_MAX;
    if (items != node.end() && index < items->size()) {
      *location += "/items/" + step.name;
      return &(*items)[index];
    }
    auto additional = node.find("additionalItems");
    if (additional == node.end()) return nullptr;
    *location += "/additionalItems";
    return &*additional;
  }
  auto properties = node.find("properties");
  if (properties != node.end() && properties->is_object() && properties->contains(step.name)) {
    *location += "/properties/" + EscapePointerToken(step.name);
    return &(*properties)[step.name];
  }
  auto additional = node.find("additionalProperties");
  if (additional == node.end()) return nullptr;
  *location += "/additionalProperties";
  return &*additional;
}

}  // namespace

const json* LocateSubschema(const json& root, const std::vector<SchemaStep>& steps,
                            std::string* location) {
  // Not `*location = "#"`: GCC 12 at -O3 warns about that assignment (a false -Wrestrict).
  location->clear();
  location->push_back('#');
  const json* node = FollowRefs(root, &root, location);
  for (const SchemaStep& step : steps) {
    if (node == nullptr || !node->is_object()) return nullptr;
    std::string next_location = *location;
    const json* next = StepInto(*node, step, &next_location);
    for (const char* keyword : {"allOf", "anyOf", "oneOf"}) {
      auto branches = node->find(keyword);
      if (next != nullptr || branches == node->end() || !branches->is_array()) continue;
      for (size_t i = 0; i < branches->size() && next == nullptr; ++i) {
        std::string branch_location = *location + "/" + keyword + "/" + std::to_string(i);
        const json* branch = FollowRefs(root, &(*branches)[i], &branch_location);
        if (branch == nullptr || !branch->is_object()) continue;
        next = StepInto(*branch, step, &branch_location);
        if (next != nullptr) next_location = branch_location;
      }
    }
    *location = next_location;
    node = next == nullptr ? nullptr : FollowRefs(root, next, location);
  }
  return node;
}

}  // namespace ferry
