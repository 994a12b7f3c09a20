#include "loaders/sqlite/bound_statement.h"

#include "loaders/sqlite/cell_binding.h"

namespace ferry::sqlite {

Result<Statement> PrepareBound(sqlite3* db, std::string_view sql,
                               std::initializer_list<Cell> values) {
  FERRY_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, sql));
  int index = 1;
  for (const Cell& value : values) {
    FERRY_RETURN_IF_ERROR(BindValue(stmt.get(), index++, value));
  }
  return stmt;
}

Result<int> RunBound(sqlite3* db, std::string_view sql, std::initializer_list<Cell> values,
                     std::string_view context) {
  FERRY_ASSIGN_OR_RETURN(Statement stmt, PrepareBound(db, sql, values));
  FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), context));
  (void)has_row;  // a write: no rows
  return sqlite3_changes(db);
}

std::string ColumnText(sqlite3_stmt* stmt, int index) {
  const unsigned char* text = sqlite3_column_text(stmt, index);
  if (text == nullptr) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt, index)));
}

}  // namespace ferry::sqlite
