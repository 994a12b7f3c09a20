// Small reads and writes of the bookkeeping tables: a statement with its values bound, and a
// column read back as text.
//
// Thread safety: functions of one connection, used by its thread.
#pragma once

#include <sqlite3.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/row.h"
#include "loaders/sqlite/sqlite_handle.h"

namespace ferry::sqlite {

// Compiles `sql` and binds `values` to ?1, ?2, ... (text is copied).
Result<Statement> PrepareBound(sqlite3* db, std::string_view sql,
                               std::initializer_list<Cell> values);

// Runs a statement that returns no rows; returns the number of rows it changed.
Result<int> RunBound(sqlite3* db, std::string_view sql, std::initializer_list<Cell> values,
                     std::string_view context);

// Column `index` of the current row as text; "" for NULL.
std::string ColumnText(sqlite3_stmt* stmt, int index);

}  // namespace ferry::sqlite
