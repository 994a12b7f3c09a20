// Text bound to a prepared SQLite statement, as several of this folder's files bind it (reading:
// ColumnText in bound_statement.h).
//
// Thread safety: as the statement's connection.
#pragma once

#include <sqlite3.h>

#include <string>

namespace ferry::sqlite {

// Binds `text` (UTF-8, not copied: it must outlive the statement's step) to parameter `index`.
inline int BindText(sqlite3_stmt* stmt, int index, const std::string& text) {
  return sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

}  // namespace ferry::sqlite
