#include "agent/run/user_probe.h"

#include <vector>

#include "agent/run/written_keys.h"

namespace ferry {

Status ProbeUserFresh(const Mapping& mapping,
                      const std::function<bool(const std::string&)>& selected, Loader* loader,
                      const std::string& user_id, bool* fresh) {
  *fresh = false;
  // Every entity's id map, selected or not: a batch looks its parents up there too.
  std::vector<std::string> entities;
  std::vector<UserColumn> tables;
  for (const EntityMapping& entity : mapping.entities) {
    entities.push_back(entity.name);
    if (!selected(entity.name)) continue;
    int column = UserKeyColumn(entity);
    if (column < 0) continue;  // no probe by user is cheap: its keys are read as before
    tables.push_back(
        UserColumn{&entity.table, entity.table.columns[static_cast<size_t>(column)].name});
  }
  return loader->ProbeUser(user_id, entities, tables, fresh);
}

}  // namespace ferry
