#include "loaders/sqlite/transaction.h"

#include "loaders/sqlite/sqlite_handle.h"

namespace ferry::sqlite {

Transaction::~Transaction() {
  // SQLite may already have rolled back on its own (SQLITE_FULL, SQLITE_IOERR, ...).
  if (open_ && sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Status Transaction::Begin(Mode mode, std::string_view context) {
  const char* sql = mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED";
  FERRY_RETURN_IF_ERROR(Exec(db_, sql, context));
  open_ = true;
  return Status::OK();
}

Status Transaction::Commit(std::string_view context) {
  FERRY_RETURN_IF_ERROR(Exec(db_, "COMMIT", context));
  open_ = false;
  return Status::OK();
}

}  // namespace ferry::sqlite
