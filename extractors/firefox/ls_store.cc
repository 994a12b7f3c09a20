#include "extractors/firefox/ls_store.h"

#include "extractors/firefox/firefox_format.h"

namespace ferry::firefox {

Result<std::unique_ptr<LsStore>> LsStore::Open(const std::string& original) {
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<CopiedDatabase> db, CopiedDatabase::Open(original));
  std::unique_ptr<LsStore> store(new LsStore(std::move(db)));
  FERRY_RETURN_IF_ERROR(store->db_->RequireTable(
      "data", {"key", "utf16_length", "conversion_type", "compression_type", "value"}));
  FERRY_ASSIGN_OR_RETURN(Statement rows, store->db_->Prepare(kDataQuery));
  store->rows_ = std::make_unique<RowCursor>(store->db_.get(), std::move(rows));
  // A store without its `database` row still has its data; the folder name gives the origin.
  Result<Statement> origin = store->db_->RequireTable("database", {"origin"}).ok()
                                 ? store->db_->Prepare(kOriginQuery)
                                 : Result<Statement>(Status::NotFound("no database table"));
  if (origin.ok() && sqlite3_step(origin->get()) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(origin->get(), 0);
    if (text != nullptr) {
      store->stored_origin_.assign(reinterpret_cast<const char*>(text),
                                   static_cast<size_t>(sqlite3_column_bytes(origin->get(), 0)));
    }
  }
  return store;
}

Status LsStore::ReadRestFromTable(const std::optional<std::string>& after) {
  rows_.reset();
  FERRY_ASSIGN_OR_RETURN(Statement rows, db_->Prepare(kDataAfterQuery));
  if (after) {
    sqlite3_bind_text(rows.get(), 1, after->data(), static_cast<int>(after->size()),
                      SQLITE_TRANSIENT);
  }
  rows_ = std::make_unique<RowCursor>(db_.get(), std::move(rows));
  return Status::OK();
}

}  // namespace ferry::firefox
