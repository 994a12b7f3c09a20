#include "loaders/core/dangling_references_sql.h"

#include "loaders/sql_identifier.h"

namespace ferry {

std::string DanglingReferencesSql(const TableDef& child, const std::string& column,
                                  const std::string& child_table, const std::string& parent_column,
                                  const std::string& parent_table, size_t limit) {
  std::string keys;
  std::string order;
  for (const std::string& key : child.primary_key) {
    keys += "CAST(c." + QuoteSqlIdentifier(key) + " AS TEXT), ";
    order += (order.empty() ? "" : ", ") + std::string("c.") + QuoteSqlIdentifier(key);
  }
  const std::string reference = "c." + QuoteSqlIdentifier(column);
  return "SELECT " + keys + "CAST(" + reference + " AS TEXT), count(*) OVER () FROM " +
         child_table + " c WHERE " + reference + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " +
         parent_table + " p WHERE p." + QuoteSqlIdentifier(parent_column) + " = " + reference +
         ") ORDER BY " + order + " LIMIT " + std::to_string(limit);
}

}  // namespace ferry
