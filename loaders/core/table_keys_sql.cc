#include "loaders/core/table_keys_sql.h"

#include "loaders/sql_identifier.h"

namespace ferry {

namespace {

// 'text' with each quote doubled: a literal of unknown type, which both targets compare as
// the column's type ('17' with an integer column is 17).
std::string QuoteSqlLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace

std::string TableKeysSql(const TableDef& def, const std::string& table, const std::string& column,
                         const std::string& value, const std::vector<std::string>& after,
                         size_t limit) {
  std::string select;
  std::string keys;
  std::string bound;
  for (size_t i = 0; i < def.primary_key.size(); ++i) {
    const std::string key = QuoteSqlIdentifier(def.primary_key[i]);
    select += (i == 0 ? "CAST(" : ", CAST(") + key + " AS TEXT)";
    keys += (i == 0 ? "" : ", ") + key;
    if (!after.empty()) bound += (i == 0 ? "" : ", ") + QuoteSqlLiteral(after[i]);
  }
  std::vector<std::string> conditions;
  if (!column.empty()) {
    conditions.push_back(QuoteSqlIdentifier(column) + " = " + QuoteSqlLiteral(value));
  }
  // A row value comparison: (a, b) > ('x', 'y'), which PostgreSQL and SQLite 3.15+ both read.
  if (!after.empty()) conditions.push_back("(" + keys + ") > (" + bound + ")");
  std::string where;
  for (const std::string& condition : conditions) {
    where += (where.empty() ? " WHERE " : " AND ") + condition;
  }
  return "SELECT " + select + " FROM " + table + where + " ORDER BY " + keys + " LIMIT " +
         std::to_string(limit);
}

}  // namespace ferry
