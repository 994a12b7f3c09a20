#include "loaders/sqlite/user_lock.h"

#include <chrono>
#include <optional>

#include "loaders/process_identity.h"
#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/bound_statement.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/transaction.h"
#include "transformers/datetime.h"

namespace ferry::sqlite {

namespace {

constexpr const char* kLocks = "ferry_locks";
constexpr const char* kHolderColumns = "user_id, run_id, host, pid, since";

// The holder on the current row of a statement selecting kHolderColumns.
LockHolder HolderAt(sqlite3_stmt* stmt) {
  LockHolder holder{ColumnText(stmt, 0),           ColumnText(stmt, 1), ColumnText(stmt, 2),
                    sqlite3_column_int64(stmt, 3), ColumnText(stmt, 4), true};
  holder.alive = HolderAlive(holder.host, holder.pid);
  return holder;
}

std::string Describe(const LockHolder& holder) {
  return "run " + holder.run_id + " on host " + holder.host + ", pid " +
         std::to_string(holder.pid) + ", since " + holder.since;
}

// Every row of ferry_locks (only user_id's when not empty). REQUIRES: the table exists.
Status ReadHolders(sqlite3* db, const std::string& user_id, std::vector<LockHolder>* out) {
  out->clear();
  std::string sql = std::string("SELECT ") + kHolderColumns + " FROM ferry_locks WHERE ?1 = '' " +
                    "OR user_id = ?1 ORDER BY user_id";
  FERRY_ASSIGN_OR_RETURN(Statement stmt, PrepareBound(db, sql, {user_id}));
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), "reading ferry_locks"));
    if (!has_row) {
      return Status::OK();
    }
    out->push_back(HolderAt(stmt.get()));
  }
}

Status DeleteRow(sqlite3* db, const std::string& user_id, const std::string& run_id) {
  Result<int> deleted = RunBound(db, "DELETE FROM ferry_locks WHERE user_id = ?1 AND run_id = ?2",
                                 {user_id, run_id}, "clearing the lock of user " + user_id);
  return deleted.ok() ? Status::OK() : deleted.status();
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool HolderAlive(const std::string& host, int64_t pid) {
  return host != ThisHost() || !ProcessGone(pid);
}

Status Audit(sqlite3* db, const std::string& run_id, const std::string& action,
             const std::string& detail) {
  // (at, run_id, action) is the key: two entries in one millisecond take the next free one.
  int64_t at = NowMillis();
  for (int attempt = 0; attempt < 1000; ++attempt, ++at) {
    FERRY_ASSIGN_OR_RETURN(
        int added,
        RunBound(db,
                 std::string("INSERT INTO ") + kAuditLogTable + " (" + kAuditLogColumns +
                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                 {FormatTimestampMillis(at), run_id, action, detail, ThisOsUser(), ThisHost()},
                 "writing ferry_audit_log"));
    if (added == 1) {
      return Status::OK();
    }
  }
  return Status::Internal("ferry_audit_log: no free time for an entry of run " + run_id);
}

Status LockUser(sqlite3* db, const std::string& target, const std::string& user_id,
                const std::string& run_id, bool check_only) {
  std::string context = "taking the lock of user " + user_id;
  Transaction txn(db);
  FERRY_RETURN_IF_ERROR(txn.Begin(
      check_only ? Transaction::Mode::kDeferred : Transaction::Mode::kImmediate, context));
  FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(db, kLocks));
  if (!exists) {
    if (check_only) {
      return txn.Commit(context);
    }
    return Status::Internal("SQLite target " + target + ": ferry_locks is missing after BeginRun");
  }
  std::vector<LockHolder> holders;
  FERRY_RETURN_IF_ERROR(ReadHolders(db, user_id, &holders));
  std::optional<LockHolder> stale;
  if (!holders.empty()) {
    const LockHolder& holder = holders.front();
    if (holder.alive) {
      // Another machine's process cannot be seen from here, so plain --force leaves its
      // lock alone: the hint names the option that clears it.
      std::string hint = holder.host == ThisHost()
                             ? "; wait for it, or `ferry unlock --force` if that process is gone"
                             : "; ferry cannot see the processes of host " + holder.host +
                                   ": wait for it, or `ferry unlock --force --even-alive` once "
                                   "you know that process is gone";
      return Status::Locked("user " + user_id + " on " + target + " is locked by " +
                            Describe(holder) + hint);
    }
    stale = holder;
  }
  if (check_only) {
    return txn.Commit(context);
  }
  if (stale) {
    FERRY_RETURN_IF_ERROR(DeleteRow(db, user_id, stale->run_id));
    FERRY_RETURN_IF_ERROR(Audit(db, run_id, "lock taken over",
                                "took over the stale lock of user " + user_id + " (" +
                                    Describe(*stale) + "): that process is gone"));
  }
  Result<int> inserted = RunBound(db,
                                  "INSERT INTO ferry_locks (user_id, run_id, host, pid, since) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5)",
                                  {user_id, run_id, ThisHost(), ThisPid(), NowText()}, context);
  FERRY_RETURN_IF_ERROR(inserted.status());
  return txn.Commit(context);
}

Status UnlockUser(sqlite3* db, const std::string& user_id, const std::string& run_id) {
  FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(db, kLocks));
  return exists ? DeleteRow(db, user_id, run_id) : Status::OK();
}

Status ListLocks(sqlite3* db, std::vector<LockHolder>* out) {
  out->clear();
  Transaction txn(db);
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred, "reading ferry_locks"));
  FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(db, kLocks));
  if (exists) {
    FERRY_RETURN_IF_ERROR(ReadHolders(db, "", out));
  }
  return txn.Commit("reading ferry_locks");
}

Status ForceUnlock(sqlite3* db, const std::string& user_id, bool even_alive,
                   std::vector<LockHolder>* cleared) {
  cleared->clear();
  const char* context = "clearing locks in ferry_locks";
  Transaction txn(db);
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate, context));
  FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(db, kLocks));
  if (!exists) {
    return txn.Commit(context);
  }
  std::vector<LockHolder> holders;
  FERRY_RETURN_IF_ERROR(ReadHolders(db, user_id, &holders));
  std::vector<LockHolder> gone;
  for (const LockHolder& holder : holders) {
    if (holder.alive && !even_alive) {
      continue;
    }
    FERRY_RETURN_IF_ERROR(DeleteRow(db, holder.user_id, holder.run_id));
    std::string why =
        holder.alive ? "its holder looked alive (--even-alive)" : "its holder was gone";
    FERRY_RETURN_IF_ERROR(Audit(db, holder.run_id, "forced unlock",
                                "ferry unlock --force cleared the lock of user " + holder.user_id +
                                    " (" + Describe(holder) + "): " + why));
    gone.push_back(holder);
  }
  FERRY_RETURN_IF_ERROR(txn.Commit(context));
  *cleared = std::move(gone);
  return Status::OK();
}

}  // namespace ferry::sqlite
