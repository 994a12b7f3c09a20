#include "transformers/route_entry.h"

#include <algorithm>

namespace ferry {

Route RouteEntry(const Mapping& mapping, const Entry& entry) {
  for (const EntityMapping& entity : mapping.entities) {
    const EntitySource& source = entity.source;
    if (!source.origin.empty() && source.origin != entry.origin) {
      continue;
    }
    if (std::find(source.keys.begin(), source.keys.end(), entry.key) != source.keys.end()) {
      return Route{&entity, std::string()};
    }
    if (!source.key_prefix.empty() && entry.key.size() > source.key_prefix.size() &&
        entry.key.compare(0, source.key_prefix.size(), source.key_prefix) == 0) {
      return Route{&entity, entry.key.substr(source.key_prefix.size())};
    }
  }
  return Route{};
}

}  // namespace ferry
