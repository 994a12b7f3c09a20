// RouteEntry: which entity of the mapping a store's key holds.
//
// Pure function, thread-safe.
#pragma once

#include <string>

#include "extractors/entry.h"
#include "transformers/mapping.h"

namespace ferry {

struct Route {
  const EntityMapping* entity = nullptr;  // null: the key is not mapped (theme, authToken...)
  std::string key_suffix;                 // the key without the entity's key_prefix
  bool ignored = false;                   // no entity, and the mapping's `ignore` names it
};

// The first entity (in load order) whose source names the entry's key (exactly, or by
// prefix) and whose origin, when the mapping gives one, is the entry's; else whether the
// mapping's `ignore` list names it.
Route RouteEntry(const Mapping& mapping, const Entry& entry);

}  // namespace ferry
