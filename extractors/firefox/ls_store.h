// LsStore: one origin's data.sqlite (Firefox's per-origin localStorage, "LSNG"), read through
// a private copy (sqlite_db.h): its `database` row names the origin, its `data` rows hold the
// keys and values (firefox_format.h).
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "extractors/firefox/row_cursor.h"
#include "extractors/firefox/sqlite_db.h"

namespace ferry::firefox {

class LsStore {
 public:
  // Copies `original` (with its -wal/-journal) aside, opens the copy and prepares the rows.
  // Fails naming the file: Corruption when it is empty, no SQLite database or has no `data`
  // table; NotFound/IOError when it cannot be copied.
  static Result<std::unique_ptr<LsStore>> Open(const std::string& original);

  // The `database` table's origin ("http://127.0.0.1:8000"), or "" when it has none.
  const std::string& stored_origin() const { return stored_origin_; }
  // What sqlite_db.h's CheckDatabaseFile said about a truncated file, or "".
  const std::string& truncation() const { return db_->truncation(); }
  const std::string& original() const { return db_->original(); }

  // The rows, in key order.
  RowCursor* rows() { return rows_.get(); }

  // Replaces rows() with the rows whose key sorts after `after` (all when nullopt), read
  // straight from the table in storage order: a second chance after a damaged page.
  Status ReadRestFromTable(const std::optional<std::string>& after);

 private:
  explicit LsStore(std::unique_ptr<CopiedDatabase> db) : db_(std::move(db)) {}

  // Destroyed in reverse: the cursor before the database.
  std::unique_ptr<CopiedDatabase> db_;
  std::unique_ptr<RowCursor> rows_;
  std::string stored_origin_;
};

}  // namespace ferry::firefox
