#include "extractors/sqlite/table_order.h"

#include <map>
#include <set>

namespace ferry::sqlite_source {

TableOrder ParentsFirst(const Catalog& catalog) {
  // Kahn's algorithm over table names; catalog.tables is already in name order.
  std::map<std::string, std::set<std::string>> parents_left;
  for (const CatalogTable& table : catalog.tables) {
    std::set<std::string>& parents = parents_left[table.name];
    for (const ForeignKey& key : table.foreign_keys) {
      const CatalogTable* parent = catalog.Find(key.parent);
      if (parent != nullptr && parent->name != table.name) {
        parents.insert(parent->name);
      }
    }
  }
  TableOrder order;
  std::set<std::string> placed;
  bool progress = true;
  while (progress) {
    progress = false;
    for (const CatalogTable& table : catalog.tables) {
      if (placed.count(table.name) != 0) {
        continue;
      }
      bool ready = true;
      for (const std::string& parent : parents_left[table.name]) {
        ready = ready && placed.count(parent) != 0;
      }
      if (ready) {
        order.tables.push_back(table.name);
        placed.insert(table.name);
        progress = true;
        break;  // restart, so that ties keep name order
      }
    }
  }
  for (const CatalogTable& table : catalog.tables) {
    if (placed.count(table.name) == 0) {
      order.tables.push_back(table.name);
      order.in_cycles.push_back(table.name);
    }
  }
  return order;
}

}  // namespace ferry::sqlite_source
