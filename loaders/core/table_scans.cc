#include "loaders/core/table_scans.h"

#include <optional>

#include "loaders/core/dangling_references_sql.h"
#include "loaders/core/table_keys_sql.h"

namespace ferry {

Status ScanDanglingReferences(LoaderBackend& backend, const TableDef& child,
                              const std::string& column, const TableDef& parent,
                              const std::string& parent_column, size_t limit,
                              std::vector<DanglingReference>* found, int64_t* total) {
  found->clear();
  *total = 0;
  if (child.primary_key.empty() || child.ColumnIndex(column) < 0 ||
      parent.ColumnIndex(parent_column) < 0) {
    return Status::Internal("FindDanglingReferences: " + child.name + "." + column + " -> " +
                            parent.name + "." + parent_column + " names no column");
  }
  FERRY_ASSIGN_OR_RETURN(std::string child_table, backend.QuotedTable(child.name));
  FERRY_ASSIGN_OR_RETURN(std::string parent_table, backend.QuotedTable(parent.name));
  std::vector<std::vector<std::optional<std::string>>> rows;
  FERRY_RETURN_IF_ERROR(backend.SelectText(
      DanglingReferencesSql(child, column, child_table, parent_column, parent_table, limit),
      &rows));
  const size_t width = child.primary_key.size();
  for (const auto& row : rows) {
    DanglingReference reference;
    for (size_t k = 0; k < width; ++k) {
      reference.key += (k == 0 ? "" : ", ") + row[k].value_or("NULL");
    }
    reference.value = row[width].value_or("NULL");
    *total = std::stoll(row[width + 1].value_or("0"));
    found->push_back(std::move(reference));
  }
  return Status::OK();
}

Status ScanTableKeys(LoaderBackend& backend, const TableDef& table, const std::string& column,
                     const std::string& value, const std::vector<std::string>& after, size_t limit,
                     std::vector<std::vector<std::string>>* keys) {
  keys->clear();
  if (table.primary_key.empty() || (!column.empty() && table.ColumnIndex(column) < 0) ||
      (!after.empty() && after.size() != table.primary_key.size())) {
    return Status::Internal("ListKeys: " + table.name + ": no primary key, or no column " + column);
  }
  FERRY_ASSIGN_OR_RETURN(std::string quoted, backend.QuotedTable(table.name));
  std::vector<std::vector<std::optional<std::string>>> rows;
  FERRY_RETURN_IF_ERROR(
      backend.SelectText(TableKeysSql(table, quoted, column, value, after, limit), &rows));
  for (const auto& row : rows) {
    std::vector<std::string> key;
    for (const std::optional<std::string>& cell : row) key.push_back(cell.value_or(""));
    keys->push_back(std::move(key));
  }
  return Status::OK();
}

}  // namespace ferry
