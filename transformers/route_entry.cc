#include "transformers/route_entry.h"

#include <algorithm>

namespace ferry {

namespace {

// Whether `source` names the entry; *suffix gets the key without the prefix.
bool Names(const EntitySource& source, const Entry& entry, std::string* suffix) {
  if (!source.origin.empty() && source.origin != entry.origin) return false;
  if (std::find(source.keys.begin(), source.keys.end(), entry.key) != source.keys.end()) {
    return true;
  }
  if (!source.key_prefix.empty() && entry.key.size() > source.key_prefix.size() &&
      entry.key.compare(0, source.key_prefix.size(), source.key_prefix) == 0) {
    *suffix = entry.key.substr(source.key_prefix.size());
    return true;
  }
  return false;
}

}  // namespace

Route RouteEntry(const Mapping& mapping, const Entry& entry) {
  Route route;
  for (const EntityMapping& entity : mapping.entities) {
    if (Names(entity.source, entry, &route.key_suffix)) {
      route.entity = &entity;
      return route;
    }
  }
  std::string unused;
  for (const EntitySource& source : mapping.ignored) {
    if (Names(source, entry, &unused)) return Route{nullptr, std::string(), true};
  }
  return Route{};
}

}  // namespace ferry
