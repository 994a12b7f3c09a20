// RowCursor: the key/value rows of one origin, from a prepared query over a copied database
// (data.sqlite's `data`, or one origin of a legacy `webappsstore2` table).
//
// The query's columns are: key, utf16_length, conversion_type, compression_type, value.
// Keys and values are read as the bytes stored, whatever their storage class: SQLite never
// converts them (an empty value is stored as TEXT '' by Firefox).
//
// Thread safety: one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "extractors/firefox/sqlite_db.h"
#include "extractors/firefox/value_codec.h"

namespace ferry::firefox {

struct StoredRow {
  std::string_view key;      // the key's bytes (UTF-8, or UTF-16LE when key_utf16le)
  bool key_utf16le = false;  // the database stores text as UTF-16LE
  bool key_null = false;     // the key is NULL (damage)
  bool value_null = false;   // the value is NULL (damage)
  StoredValue value;
};

class RowCursor {
 public:
  // Reads rows of `statement` (prepared on `db`, which must outlive the cursor).
  RowCursor(const CopiedDatabase* db, Statement statement)
      : db_(db), statement_(std::move(statement)) {}

  // Moves to the next row and fills *row (valid until the next call). False at the end, or
  // when SQLite fails (then status() says why, naming the file and the last key read; a
  // damaged page ends the rows).
  bool Next(StoredRow* row);

  Status status() const { return status_; }
  // The key of the last row read, when any (to go on after it).
  const std::optional<std::string>& last_key() const { return last_key_; }

 private:
  const CopiedDatabase* db_;
  Statement statement_;
  std::optional<std::string> last_key_;
  Status status_;
  bool done_ = false;
};

}  // namespace ferry::firefox
