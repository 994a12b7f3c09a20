// LegacyStore: Firefox's older localStorage table `webappsstore2`, one table for every origin,
// in webappsstore.sqlite (written before the per-origin stores) and storage/ls-archive.sqlite
// (where Firefox keeps the old rows until each origin is moved to its own store). Read
// through a private copy (sqlite_db.h).
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "extractors/firefox/row_cursor.h"
#include "extractors/firefox/sqlite_db.h"

namespace ferry::firefox {

// One origin of the table, as stored (originAttributes may be NULL).
struct LegacyOrigin {
  std::optional<std::string> attributes;
  std::string origin_key;
};

class LegacyStore {
 public:
  // Copies `original` aside and opens it. Fails naming the file (Corruption when it is no
  // SQLite database or has no webappsstore2 table).
  static Result<std::unique_ptr<LegacyStore>> Open(const std::string& original);

  // Every (originAttributes, originKey) of the table, sorted.
  Result<std::vector<LegacyOrigin>> Origins() const;

  // The rows of one origin in key order. REQUIRES: this store outlives the cursor.
  Result<std::unique_ptr<RowCursor>> Rows(const LegacyOrigin& origin) const;

  const std::string& original() const { return db_->original(); }
  const std::string& truncation() const { return db_->truncation(); }

 private:
  explicit LegacyStore(std::unique_ptr<CopiedDatabase> db) : db_(std::move(db)) {}

  std::unique_ptr<CopiedDatabase> db_;
};

}  // namespace ferry::firefox
