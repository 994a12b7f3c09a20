#include "extractors/sqlite/table_order.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace ferry::sqlite_source {

namespace {

// The parents of each table in the catalog, itself left out (a self-reference orders nothing).
std::map<std::string, std::set<std::string>> ParentsOf(const Catalog& catalog) {
  std::map<std::string, std::set<std::string>> parents_of;
  for (const CatalogTable& table : catalog.tables) {
    std::set<std::string>& parents = parents_of[table.name];
    for (const ForeignKey& key : table.foreign_keys) {
      const CatalogTable* parent = catalog.Find(key.parent);
      if (parent != nullptr && parent->name != table.name) {
        parents.insert(parent->name);
      }
    }
  }
  return parents_of;
}

// Each table's place in the catalog (name order).
std::map<std::string, size_t> Positions(const Catalog& catalog) {
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < catalog.tables.size(); ++i) {
    position.emplace(catalog.tables[i].name, i);
  }
  return position;
}

// Kahn's algorithm: repeatedly the ready table that comes first by `before`;
// tables never ready (in or below a cycle) last, in the catalog's order.
TableOrder Order(const Catalog& catalog,
                 const std::function<bool(const std::string&, const std::string&)>& before) {
  std::map<std::string, std::set<std::string>> parents_left = ParentsOf(catalog);
  TableOrder order;
  std::set<std::string> placed;
  for (;;) {
    const std::string* next = nullptr;
    for (const CatalogTable& table : catalog.tables) {
      if (placed.count(table.name) != 0) {
        continue;
      }
      bool ready = true;
      for (const std::string& parent : parents_left[table.name]) {
        ready = ready && placed.count(parent) != 0;
      }
      if (ready && (next == nullptr || before(table.name, *next))) {
        next = &table.name;
      }
    }
    if (next == nullptr) {
      break;
    }
    order.tables.push_back(*next);
    placed.insert(*next);
  }
  for (const CatalogTable& table : catalog.tables) {
    if (placed.count(table.name) == 0) {
      order.tables.push_back(table.name);
      order.in_cycles.push_back(table.name);
    }
  }
  return order;
}

}  // namespace

TableOrder LoadOrder(const Catalog& catalog, const std::map<std::string, int64_t>& rows) {
  std::map<std::string, std::set<std::string>> children;
  for (const auto& [table, parents] : ParentsOf(catalog)) {
    for (const std::string& parent : parents) {
      children[parent].insert(table);
    }
  }
  // A table's chain: its rows plus its heaviest child's chain; a table met again on the way
  // down (a cycle) adds nothing more.
  std::map<std::string, int64_t> chain;
  std::set<std::string> visiting;
  std::function<int64_t(const std::string&)> weigh = [&](const std::string& table) -> int64_t {
    auto known = chain.find(table);
    if (known != chain.end()) {
      return known->second;
    }
    if (!visiting.insert(table).second) {
      return 0;
    }
    int64_t heaviest = 0;
    for (const std::string& child : children[table]) {
      heaviest = std::max(heaviest, weigh(child));
    }
    visiting.erase(table);
    auto own = rows.find(table);
    int64_t weight = std::max<int64_t>(own == rows.end() ? 0 : own->second, 0) + heaviest;
    chain[table] = weight;
    return weight;
  };
  for (const CatalogTable& table : catalog.tables) {
    weigh(table.name);
  }
  std::map<std::string, size_t> position = Positions(catalog);
  return Order(catalog, [&](const std::string& a, const std::string& b) {
    int64_t wa = chain[a];
    int64_t wb = chain[b];
    return wa != wb ? wa > wb : position[a] < position[b];
  });
}

TableOrder ParentsFirst(const Catalog& catalog) {
  std::map<std::string, size_t> position = Positions(catalog);
  return Order(catalog, [&](const std::string& a, const std::string& b) {
    return position[a] < position[b];
  });
}

}  // namespace ferry::sqlite_source
