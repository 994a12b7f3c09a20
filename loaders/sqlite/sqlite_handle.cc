#include "loaders/sqlite/sqlite_handle.h"

#include <string>

namespace ferry::sqlite {

Status SqliteError(int rc, sqlite3* db, std::string_view context) {
  std::string message(context);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(message + " (the database is in use; retry later)");
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return Status::Rejected(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(message);
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOMEM:
    case SQLITE_NOLFS:
    case SQLITE_PROTOCOL:
    case SQLITE_AUTH:
      return Status::IOError(message);
    default:
      return Status::Internal(message);
  }
}

Result<Statement> Prepare(sqlite3* db, std::string_view sql, bool persistent) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              persistent ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  Statement stmt(raw);
  if (rc != SQLITE_OK) {
    return SqliteError(rc, db, "preparing " + std::string(sql.substr(0, 60)));
  }
  if (stmt == nullptr) {
    return Status::Internal("empty SQL statement: " + std::string(sql.substr(0, 60)));
  }
  return stmt;
}

Status Exec(sqlite3* db, const char* sql, std::string_view context) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return SqliteError(rc, db, context);
  }
  return Status::OK();
}

Result<bool> Step(sqlite3* db, sqlite3_stmt* stmt, std::string_view context) {
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return SqliteError(rc, db, context);
}

}  // namespace ferry::sqlite
