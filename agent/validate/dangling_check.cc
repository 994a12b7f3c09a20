#include "agent/validate/dangling_check.h"

namespace ferry {

namespace {

constexpr size_t kExamples = 3;

}  // namespace

Status FindDangling(const Mapping& mapping, const std::set<std::string>& loaded, Loader* loader,
                    std::vector<DanglingFinding>* findings) {
  findings->clear();
  for (const EntityMapping& entity : mapping.entities) {
    if (loaded.count(entity.name) == 0) continue;
    for (size_t i = 0; i < entity.columns.size(); ++i) {
      const std::string& references = entity.columns[i].references;
      const EntityMapping* parent = references.empty() ? nullptr : mapping.Find(references);
      if (parent == nullptr || loaded.count(parent->name) == 0 || parent->ulid_column < 0) {
        continue;
      }
      DanglingFinding finding;
      finding.entity = entity.name;
      finding.column = entity.table.columns[i].name;
      finding.parent = parent->name;
      const std::string& parent_column =
          parent->table.columns[static_cast<size_t>(parent->ulid_column)].name;
      FERRY_RETURN_IF_ERROR(loader->FindDanglingReferences(entity.table, finding.column,
                                                           parent->table, parent_column, kExamples,
                                                           &finding.examples, &finding.total));
      if (finding.total > 0) findings->push_back(std::move(finding));
    }
  }
  return Status::OK();
}

}  // namespace ferry
