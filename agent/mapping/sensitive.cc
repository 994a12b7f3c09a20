#include "agent/mapping/sensitive.h"

#include "agent/mapping/document.h"

namespace ferry {

namespace {

bool IsBelow(const std::string& field, const std::string& path) {
  return field.size() > path.size() + 1 && field.compare(0, path.size(), path) == 0 &&
         field[path.size()] == '.';
}

}  // namespace

std::string SensitiveRefusal(const EntityMapping& entity) {
  if (!entity.sensitive_encrypt.empty() && entity.ulid_column < 0) {
    return "encrypt needs a $ulid column: a sealed value is bound to its row's ULID";
  }
  for (const ColumnMapping& column : entity.columns) {
    if (column.source != ColumnSource::kField) continue;
    const std::string name = QuoteMappingText(column.def.name);
    for (const std::string& path : entity.sensitive_encrypt) {
      if (column.field == path &&
          ((column.def.type != ColumnType::kText && column.def.type != ColumnType::kJson) ||
           !column.value_map.empty() || !column.references.empty())) {
        return "column " + name + " reads " + QuoteMappingText(path) +
               ", which is encrypted: it must be text or json, without map or references";
      }
      if (IsBelow(column.field, path)) {
        return "column " + name + " reads inside " + QuoteMappingText(path) +
               ", which is encrypted: read the field itself, or leave the column out";
      }
    }
    for (const std::string& path : entity.sensitive_drop) {
      if (column.field == path || IsBelow(column.field, path)) {
        return "column " + name + " reads " + QuoteMappingText(column.field) + ", which " +
               QuoteMappingText(path) + " drops: leave the column out, or make the field encrypt";
      }
    }
  }
  return "";
}

}  // namespace ferry
