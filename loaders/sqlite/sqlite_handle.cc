#include "loaders/sqlite/sqlite_handle.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

#include "loaders/sqlite/lock_holder.h"

namespace ferry::sqlite {

namespace {

using Clock = std::chrono::steady_clock;

// When the current wait for a lock began, and how long the last wait that gave up lasted
// (negative: the last SQLITE_BUSY came without a wait, or has been reported).
thread_local Clock::time_point wait_began;
thread_local double gave_up_after_s = -1;

// sqlite3_busy_handler callback: `timeout` is the connection's timeout in ms; `count` the
// number of calls before this one for the same lock. Sleeps a little longer each time, as
// SQLite's own busy timeout does.
int WaitForLock(void* timeout, int count) {
  static constexpr int kSleepMs[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
  auto limit = std::chrono::milliseconds(reinterpret_cast<intptr_t>(timeout));
  Clock::time_point now = Clock::now();
  if (count == 0) {
    wait_began = now;
    gave_up_after_s = -1;
  }
  auto waited = now - wait_began;
  if (waited >= limit) {
    gave_up_after_s = std::chrono::duration<double>(waited).count();
    return 0;
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(limit - waited);
  int step = kSleepMs[std::min<size_t>(count, std::size(kSleepMs) - 1)];
  sqlite3_sleep(static_cast<int>(std::clamp<int64_t>(left.count(), 1, step)));
  return 1;
}

// "another process (pid 4242, sqlite3) holds a write lock on "FILE"; waited 5.0 s for it
// (--busy-timeout)", as far as it is known.
std::string BusyMessage(sqlite3* db) {
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  if (file == nullptr || *file == '\0') {
    return std::string(db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(SQLITE_BUSY)) +
           " (the database is in use; retry later)";
  }
  std::string holder = DescribeWriteLockHolder(file);
  std::string message =
      (holder.empty() ? "another connection" : holder) + " holds a write lock on \"" + file + "\"";
  if (gave_up_after_s >= 0) {
    message += fmt::format("; waited {:.1f} s for it (--busy-timeout)", gave_up_after_s);
    gave_up_after_s = -1;
  }
  return message;
}

}  // namespace

void SetBusyTimeout(sqlite3* db, int timeout_ms) {
  if (timeout_ms <= 0) {
    sqlite3_busy_handler(db, nullptr, nullptr);
    return;
  }
  sqlite3_busy_handler(db, &WaitForLock,
                       reinterpret_cast<void*>(static_cast<intptr_t>(timeout_ms)));
}

Status SqliteError(int rc, sqlite3* db, std::string_view context) {
  std::string message(context);
  message += ": ";
  if ((rc & 0xff) == SQLITE_BUSY) {
    return Status::Unavailable(message + BusyMessage(db));
  }
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
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
