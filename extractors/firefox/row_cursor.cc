#include "extractors/firefox/row_cursor.h"

#include <fmt/format.h>

namespace ferry::firefox {

namespace {

enum Column { kKey = 0, kUtf16Length, kConversion, kCompression, kValue };

std::string_view Bytes(sqlite3_stmt* statement, int column) {
  const void* data = sqlite3_column_blob(statement, column);
  int size = sqlite3_column_bytes(statement, column);
  return data == nullptr
             ? std::string_view()
             : std::string_view(static_cast<const char*>(data), static_cast<size_t>(size));
}

}  // namespace

bool RowCursor::Next(StoredRow* row) {
  if (done_) {
    return false;
  }
  sqlite3_stmt* statement = statement_.get();
  int code = sqlite3_step(statement);
  if (code != SQLITE_ROW) {
    done_ = true;
    if (code != SQLITE_DONE) {
      std::string after = last_key_ ? fmt::format("after key \"{}\"", last_key_->substr(0, 200))
                                    : std::string("at the first row");
      status_ = db_->Error(code, fmt::format("read the rows {}", after));
    }
    statement_.reset();
    return false;
  }
  row->key_null = sqlite3_column_type(statement, kKey) == SQLITE_NULL;
  row->key = Bytes(statement, kKey);
  row->key_utf16le = db_->utf16le();
  row->value_null = sqlite3_column_type(statement, kValue) == SQLITE_NULL;
  row->value.utf16_length = sqlite3_column_int64(statement, kUtf16Length);
  row->value.conversion_type = sqlite3_column_int64(statement, kConversion);
  row->value.compression_type = sqlite3_column_int64(statement, kCompression);
  row->value.bytes = Bytes(statement, kValue);
  last_key_.emplace(row->key);
  return true;
}

}  // namespace ferry::firefox
