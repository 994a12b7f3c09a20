// Load order of a mapping's entities: parents (referenced entities) before children.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "transformers/mapping.h"

namespace ferry {

// A cycle in the entities' references as the names along it, first repeated at the end
// ({"tasks", "projects", "tasks"}); empty when there is none. A self-reference is a cycle.
// Parents that name no entity of the list are ignored.
std::vector<std::string> FindReferenceCycle(const std::vector<EntityMapping>& entities);

// The entities with every parent before its children; among entities free to go, the one
// first in `entities` goes first (stable). REQUIRES: FindReferenceCycle(entities) is empty.
std::vector<EntityMapping> SortParentsFirst(std::vector<EntityMapping> entities);

}  // namespace ferry
