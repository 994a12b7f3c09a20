#include "transformers/mapping.h"

namespace ferry {

const EntityMapping* Mapping::Find(const std::string& entity) const {
  for (const EntityMapping& e : entities) {
    if (e.name == entity) {
      return &e;
    }
  }
  return nullptr;
}

}  // namespace ferry
