// RAII handles for sqlite3 connections and statements, and the few calls every part of the
// SQLite loader makes through them (prepare, step, exec), each turning an SQLite result code
// into a classified Status.
//
// Thread safety: a handle belongs to one thread at a time, like the connection it wraps.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string_view>

#include "base/result.h"
#include "base/status.h"

namespace ferry::sqlite {

struct DatabaseCloser {
  // close_v2 defers the close until the last statement is finalized, so order never matters.
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// Makes `db` wait up to `timeout_ms` for a lock another connection holds before a call fails
// with SQLITE_BUSY (as sqlite3_busy_timeout), recording how long a wait lasted when it gave up
// so that SqliteError can say so. The record is per thread: a connection is used by one thread
// at a time, and SqliteError reads it right after the failed call.
void SetBusyTimeout(sqlite3* db, int timeout_ms);

// The Status for SQLite result code `rc`, its message prefixed by `context`:
// BUSY/LOCKED -> Unavailable (BUSY saying which process holds the file's write lock when the
// OS tells, and how long the call waited for it); CONSTRAINT/MISMATCH/TOOBIG -> Rejected;
// CORRUPT/NOTADB -> Corruption; IOERR/FULL/CANTOPEN/READONLY/PERM/NOMEM/... -> IOError; else
// Internal. `db` (may be null) supplies SQLite's own message. REQUIRES: rc is an error code.
Status SqliteError(int rc, sqlite3* db, std::string_view context);

// Compiles one statement. `persistent` hints that it will be reused many times.
Result<Statement> Prepare(sqlite3* db, std::string_view sql, bool persistent = false);

// Runs `sql` (any number of statements, no results wanted).
Status Exec(sqlite3* db, const char* sql, std::string_view context);

// Steps `stmt` once: true for a row, false when done.
Result<bool> Step(sqlite3* db, sqlite3_stmt* stmt, std::string_view context);

// Resets a statement when it goes out of scope, so that a cached statement never keeps a read
// transaction open; and, unless told to keep them, clears its bindings so that it never points
// at freed strings. Statements rebound in full for every row keep them (clearing costs ~2% of
// a row's write) and are cleared once per batch instead.
class ResetOnExit {
 public:
  enum class Bindings { kClear, kKeep };

  explicit ResetOnExit(sqlite3_stmt* stmt, Bindings bindings = Bindings::kClear)
      : stmt_(stmt), bindings_(bindings) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() {
    sqlite3_reset(stmt_);
    if (bindings_ == Bindings::kClear) {
      sqlite3_clear_bindings(stmt_);
    }
  }

 private:
  sqlite3_stmt* stmt_;
  Bindings bindings_;
};

}  // namespace ferry::sqlite
