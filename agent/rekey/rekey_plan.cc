#include "agent/rekey/rekey_plan.h"

#include <fmt/format.h>

#include "transformers/field_path.h"

namespace ferry {

namespace {

// The one column a field path names, or "" when it names a nested field.
std::string ColumnOfPath(const std::string& path) {
  std::vector<std::string> members = FieldPathMembers(path);
  return members.size() == 1 ? members[0] : "";
}

}  // namespace

const RekeyTable* RekeyPlan::Find(const std::string& table) const {
  for (const RekeyTable& candidate : tables) {
    if (candidate.name == table) return &candidate;
  }
  return nullptr;
}

std::string UlidColumnOf(const std::string& column) { return column + "_ulid"; }

std::string LegacyColumnOf(const std::string& column) { return "legacy_" + column; }

std::string OldColumnIn(const RekeyTable& table, const std::string& column) {
  return table.switched ? LegacyColumnOf(column) : column;
}

std::string UlidColumnIn(const RekeyTable& table, const std::string& column) {
  return table.switched ? column : UlidColumnOf(column);
}

std::vector<RekeyPlan> RekeyGroups(const RekeyPlan& plan) {
  // Union-find over the tables' positions; a foreign key to a table outside the plan joins
  // nothing.
  std::vector<size_t> root(plan.tables.size());
  for (size_t i = 0; i < root.size(); ++i) root[i] = i;
  auto find = [&](size_t i) {
    while (root[i] != i) i = root[i] = root[root[i]];
    return i;
  };
  for (size_t i = 0; i < plan.tables.size(); ++i) {
    for (const RekeyForeignKey& key : plan.tables[i].foreign_keys) {
      for (size_t j = 0; j < plan.tables.size(); ++j) {
        if (plan.tables[j].name == key.parent) root[find(i)] = find(j);
      }
    }
  }
  std::vector<RekeyPlan> groups;
  std::vector<size_t> group_roots;
  for (size_t i = 0; i < plan.tables.size(); ++i) {
    size_t at = 0;
    while (at < group_roots.size() && group_roots[at] != find(i)) ++at;
    if (at == group_roots.size()) {
      group_roots.push_back(find(i));
      groups.emplace_back();
    }
    groups[at].tables.push_back(plan.tables[i]);
  }
  return groups;
}

Result<RekeyPlan> PlanFromMapping(const Mapping& mapping) {
  RekeyPlan plan;
  for (const EntityMapping& entity : mapping.entities) {
    RekeyTable table;
    table.name = entity.name;
    table.key = ColumnOfPath(entity.id_field);
    if (table.key.empty()) {
      return Status::InvalidArgument(
          fmt::format("plan {}: entity {}: id.field must name one column of the table",
                      mapping.file, entity.name));
    }
    if (!entity.time_field.empty()) {
      table.creation_column = ColumnOfPath(entity.time_field);
      if (table.creation_column.empty()) {
        return Status::InvalidArgument(
            fmt::format("plan {}: entity {}: id.time_field must name one column of the table",
                        mapping.file, entity.name));
      }
    }
    table.time_format = entity.time_format;
    for (const ColumnMapping& column : entity.columns) {
      if (column.references.empty() || column.source != ColumnSource::kField) continue;
      std::string name = ColumnOfPath(column.field);
      if (name.empty()) {
        return Status::InvalidArgument(
            fmt::format("plan {}: entity {}: reference {} must come from one column of the table",
                        mapping.file, entity.name, column.def.name));
      }
      table.foreign_keys.push_back({name, column.references});
    }
    plan.tables.push_back(std::move(table));
  }
  return plan;
}

void AddCatalogForeignKeys(
    const std::vector<std::pair<std::string, std::vector<std::array<std::string, 3>>>>& catalog,
    RekeyPlan* plan, std::vector<std::string>* added) {
  for (const auto& [table_name, keys] : catalog) {
    for (const auto& [column, parent_name, parent_column] : keys) {
      const RekeyTable* parent = plan->Find(parent_name);
      if (parent == nullptr || (!parent_column.empty() && parent_column != parent->key)) continue;
      for (RekeyTable& table : plan->tables) {
        if (table.name != table_name) continue;
        bool known = false;
        for (const RekeyForeignKey& key : table.foreign_keys) known |= key.column == column;
        if (known || column == table.key) continue;
        table.foreign_keys.push_back({column, parent_name});
        added->push_back(fmt::format("{}.{} -> {}", table.name, column, parent_name));
      }
    }
  }
}

}  // namespace ferry
