// The lock of (target, user) on an SQLite target: the row of ferry_locks itself, taken in a
// BEGIN IMMEDIATE transaction (SQLite's write lock serializes the check and the insert).
//
// A row's holder is alive when it is on another host (ferry cannot see that host's processes,
// so it errs towards alive), or on this host and its pid exists. The row of a holder that is
// gone is stale: LockUser takes it over and writes that to ferry_audit_log. A pid reused by an
// unrelated process keeps a stale row looking alive: `ferry unlock --force --even-alive`
// clears it.
//
// Thread safety: functions of one connection, used by its thread.
#pragma once

#include <sqlite3.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"

namespace ferry::sqlite {

// Whether the holder of a lock or a run recorded on `host` with `pid` may still be running.
bool HolderAlive(const std::string& host, int64_t pid);

// Appends a row to ferry_audit_log (this OS user and host, now). REQUIRES: the table exists.
Status Audit(sqlite3* db, const std::string& run_id, const std::string& action,
             const std::string& detail);

// Takes the lock of `user_id` for `run_id` (this host and pid): inserts the row, or takes
// over a stale one (audited). Locked, naming the holder and `target`, when a live holder has
// it. With `check_only` (dry-run) writes nothing and reports only a live holder; OK when the
// tables do not exist. REQUIRES: not check_only: the bookkeeping tables exist.
Status LockUser(sqlite3* db, const std::string& target, const std::string& user_id,
                const std::string& run_id, bool check_only);

// Deletes run_id's row of `user_id`; OK when there is none.
Status UnlockUser(sqlite3* db, const std::string& user_id, const std::string& run_id);

// The rows of ferry_locks with their holders' liveness, by user id; empty without the table.
Status ListLocks(sqlite3* db, std::vector<LockHolder>* out);

// Deletes the rows of holders that are gone (of `user_id` only when not empty; of live ones
// too with `even_alive`), auditing each, in one transaction. *cleared lists them.
Status ForceUnlock(sqlite3* db, const std::string& user_id, bool even_alive,
                   std::vector<LockHolder>* cleared);

}  // namespace ferry::sqlite
