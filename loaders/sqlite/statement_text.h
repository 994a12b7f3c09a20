// Text in and out of a prepared SQLite statement, as several of this folder's files bind and
// read it.
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

// Column `column` of the current row as text up to its first NUL; "" for NULL.
inline std::string ColumnText(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

}  // namespace ferry::sqlite
