#include "agent/mapping/indexes.h"

#include <map>
#include <set>
#include <vector>

#include "agent/mapping/names.h"

namespace ferry {

namespace {

const char kReservedPrefix[] = "ferry_";  // ferry's tables, and the indexes it names itself

std::string IndexAt(const std::string& entity, size_t index) {
  return MappingDocument::Child(
      MappingDocument::Child(MappingDocument::Child("/entities", entity), "indexes"), index);
}

}  // namespace

Status BuildIndexes(const MappingDocument& doc, const std::string& pointer, EntityMapping* entity) {
  const MappingJson* list = doc.Find(pointer);
  if (list == nullptr) return Status::OK();
  std::set<std::vector<std::string>> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const MappingJson& spec = list->at(i);
    const std::string at = MappingDocument::Child(pointer, i);
    const std::string columns_at = MappingDocument::Child(at, "columns");
    IndexDef index;
    std::set<std::string> in_index;
    for (size_t c = 0; c < spec.at("columns").size(); ++c) {
      std::string column = spec.at("columns").at(c).get<std::string>();
      if (entity->table.ColumnIndex(column) < 0) {
        return doc.Error(MappingDocument::Child(columns_at, c),
                         "no column " + QuoteMappingText(column) + " in entity " +
                             QuoteMappingText(entity->name));
      }
      if (!in_index.insert(column).second) {
        return doc.Error(MappingDocument::Child(columns_at, c),
                         "column " + QuoteMappingText(column) + " named twice");
      }
      index.columns.push_back(std::move(column));
    }
    if (!seen.insert(index.columns).second) {
      return doc.Error(columns_at, "another index of this entity has the same columns");
    }
    if (spec.contains("name")) {
      const std::string name_at = MappingDocument::Child(at, "name");
      index.name = spec.at("name").get<std::string>();
      std::string problem = IdentifierProblem(index.name);
      if (!problem.empty()) return doc.Error(name_at, "index name " + problem);
      if (AsciiLower(index.name).rfind(kReservedPrefix, 0) == 0) {
        return doc.Error(name_at, std::string("index names starting with '") + kReservedPrefix +
                                      "' are ferry's own (leave `name` out to get one)");
      }
    }
    entity->table.indexes.push_back(std::move(index));
  }
  return Status::OK();
}

Status CheckIndexNames(const MappingDocument& doc, const Mapping& mapping) {
  std::map<std::string, std::string> used;  // lowered name -> what holds it
  for (const EntityMapping& entity : mapping.entities) {
    used.emplace(AsciiLower(entity.table.name), "table " + QuoteMappingText(entity.table.name));
  }
  for (const EntityMapping& entity : mapping.entities) {
    for (size_t i = 0; i < entity.table.indexes.size(); ++i) {
      const std::string& name = entity.table.indexes[i].name;
      if (name.empty()) continue;
      auto [it, fresh] =
          used.emplace(AsciiLower(name), "an index of entity " + QuoteMappingText(entity.name));
      if (!fresh) {
        return doc.Error(MappingDocument::Child(IndexAt(entity.name, i), "name"),
                         "index name " + QuoteMappingText(name) + " is already " + it->second +
                             " (tables and indexes share one namespace in the target)");
      }
    }
  }
  return Status::OK();
}

}  // namespace ferry
