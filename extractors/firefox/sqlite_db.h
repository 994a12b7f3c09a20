// A Firefox SQLite database read through a private copy: the file and its -wal/-journal are
// copied aside (extractors/common/store_copy.h) and only the copy is opened by SQLite, so the
// original is never locked, journaled or rolled back.
//
// Thread safety: one thread at a time per object.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "extractors/common/store_copy.h"

namespace ferry::firefox {

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// Checks the first bytes of the database file at `path` (errors name `shown_path`): fails
// Corruption when it is empty, shorter than a header or not SQLite. When its header says it
// has more pages than the file holds, *truncation describes that (the file is still read).
Status CheckDatabaseFile(const std::string& path, const std::string& shown_path,
                         std::string* truncation);

class CopiedDatabase {
 public:
  // Copies the database file `original` (with its -wal and -journal) aside and opens the
  // copy. The copy is opened read-write, so that SQLite can replay a -wal or roll back a hot
  // journal into it, then made query-only. Errors name `original`.
  static Result<std::unique_ptr<CopiedDatabase>> Open(const std::string& original);

  CopiedDatabase(const CopiedDatabase&) = delete;
  CopiedDatabase& operator=(const CopiedDatabase&) = delete;
  ~CopiedDatabase();  // closes the database, then removes the copy

  // OK when `table` is a plain table (not a view) holding `columns`; Corruption otherwise: a
  // view in its place could make a tiny file run forever.
  Status RequireTable(std::string_view table, const std::vector<std::string_view>& columns) const;

  // Prepares `sql`; fails Corruption naming the file (SQLite's own message included).
  Result<Statement> Prepare(std::string_view sql) const;
  // A failure of SQLite while `doing` something: Corruption for damage, IOError otherwise.
  Status Error(int code, std::string_view doing) const;

  const std::string& original() const { return original_; }
  // What CheckDatabaseFile said about a truncated file, or "".
  const std::string& truncation() const { return truncation_; }
  // True when text is stored as UTF-16LE (PRAGMA encoding), false for UTF-8.
  bool utf16le() const { return utf16le_; }
  uint64_t copied_bytes() const { return copy_ ? copy_->bytes() : 0; }

 private:
  explicit CopiedDatabase(std::string original) : original_(std::move(original)) {}

  std::string original_;
  std::string truncation_;
  bool utf16le_ = false;
  std::unique_ptr<StoreCopy> copy_;
  sqlite3* db_ = nullptr;     // closed before copy_ is removed
  uint64_t checks_left_ = 0;  // the progress handler's budget (sqlite_db.cc)
};

}  // namespace ferry::firefox
