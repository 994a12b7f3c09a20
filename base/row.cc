#include "base/row.h"

namespace ferry {

const char* ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kText:
      return "text";
    case ColumnType::kInteger:
      return "integer";
    case ColumnType::kReal:
      return "real";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kJson:
      return "json";
    case ColumnType::kTimestamp:
      return "timestamp";
    case ColumnType::kUlid:
      return "ulid";
  }
  return "text";
}

std::optional<ColumnType> ParseColumnType(const std::string& name) {
  for (ColumnType t :
       {ColumnType::kText, ColumnType::kInteger, ColumnType::kReal, ColumnType::kBoolean,
        ColumnType::kJson, ColumnType::kTimestamp, ColumnType::kUlid}) {
    if (name == ColumnTypeName(t)) {
      return t;
    }
  }
  return std::nullopt;
}

int TableDef::ColumnIndex(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace ferry
