#include "extractors/firefox/legacy_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "extractors/firefox/firefox_format.h"

namespace ferry::firefox {

namespace {

std::string ColumnText(sqlite3_stmt* statement, int column) {
  const unsigned char* text = sqlite3_column_text(statement, column);
  int size = sqlite3_column_bytes(statement, column);
  return text == nullptr
             ? std::string()
             : std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

}  // namespace

Result<std::unique_ptr<LegacyStore>> LegacyStore::Open(const std::string& original) {
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<CopiedDatabase> db, CopiedDatabase::Open(original));
  FERRY_RETURN_IF_ERROR(
      db->RequireTable("webappsstore2", {"originAttributes", "originKey", "key", "value"}));
  return std::unique_ptr<LegacyStore>(new LegacyStore(std::move(db)));
}

Result<std::vector<LegacyOrigin>> LegacyStore::Origins() const {
  FERRY_ASSIGN_OR_RETURN(Statement statement, db_->Prepare(kLegacyOriginsQuery));
  std::vector<LegacyOrigin> origins;
  int code;
  while ((code = sqlite3_step(statement.get())) == SQLITE_ROW) {
    LegacyOrigin origin;
    if (sqlite3_column_type(statement.get(), 0) != SQLITE_NULL) {
      origin.attributes = ColumnText(statement.get(), 0);
    }
    origin.origin_key = ColumnText(statement.get(), 1);
    origins.push_back(std::move(origin));
  }
  if (code != SQLITE_DONE) {
    return db_->Error(code, "list the origins of webappsstore2");
  }
  std::sort(origins.begin(), origins.end(), [](const LegacyOrigin& a, const LegacyOrigin& b) {
    return std::tie(a.origin_key, a.attributes) < std::tie(b.origin_key, b.attributes);
  });
  return origins;
}

Result<std::unique_ptr<RowCursor>> LegacyStore::Rows(const LegacyOrigin& origin) const {
  FERRY_ASSIGN_OR_RETURN(Statement statement, db_->Prepare(kLegacyRowsQuery));
  sqlite3_stmt* raw = statement.get();
  if (origin.attributes) {
    sqlite3_bind_text(raw, 1, origin.attributes->data(),
                      static_cast<int>(origin.attributes->size()), SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(raw, 1);
  }
  sqlite3_bind_text(raw, 2, origin.origin_key.data(), static_cast<int>(origin.origin_key.size()),
                    SQLITE_TRANSIENT);
  // The values are TEXT in the database's encoding: read their bytes as that.
  sqlite3_bind_int64(raw, 3, db_->utf16le() ? kConversionUtf16 : kConversionUtf8);
  return std::make_unique<RowCursor>(db_.get(), std::move(statement));
}

}  // namespace ferry::firefox
