// The lock of (target, user) on a PostgreSQL target.
//
// The lock itself is a session-level advisory lock (pg_try_advisory_lock(bigint)) whose key is
// derived from the target schema and the user, so that it is never ferry's DDL lock and runs on
// different schemas or users never wait for each other. It lasts as long as the session: a
// holder whose process or connection dies releases it with its backend. ferry.locks holds a
// row per held lock describing the holder (run, host, pid, since), so that a refused run can
// name it; a row whose advisory lock nobody holds is stale. No table lock is ever taken.
//
// Rows and keys are the target schema's (the session's current_schema()): one user's locks in
// two schemas are two locks.
//
// Liveness: each session of a run sets its application_name to RunApplicationName(run id,
// this process's token), so that pg_stat_activity tells whether a run recorded as running
// still has a session of the process that last began it, and whether a lock's holder is this
// process or another one carrying the same run id (one that took the run over).
//
// Round trips of a user's lock (issue 19): taking it is one statement (the advisory lock and
// the row, one commit that waits for no flush, and the rekey look: TakeAndRecord in
// user_lock.cc) unless a row is left there to take over; the row is deleted by the
// transaction that commits the user's unit mark (BatchWriter), and the release is then the
// advisory unlock alone. A crash before that commit leaves the row, stale once the session is
// gone; after it, the user is whole and the row gone.
//
// Thread safety: functions of one session, used by its thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"
#include "loaders/postgresql/connection.h"

namespace ferry::postgres {

// The advisory lock key of (schema, user): an FNV-1a 64 hash of both names, never equal to
// ferry's DDL lock key.
int64_t UserLockKey(const std::string& schema, const std::string& user_id);

// The application_name of the sessions of run `run_id` in the process of `token`: "ferry run
// <run_id> <token>", cut to the 63 bytes the server keeps (a ULID run id and token fit).
std::string RunApplicationName(const std::string& run_id, const std::string& token);

// Sets the session's application_name to RunApplicationName(run_id, ProcessToken()) and its
// setting ferry.process_token to the token, which every checkpoint the session writes carries.
Status TagSession(Session* session, const std::string& run_id);

enum class LockMode {
  kTake,    // take it and record it
  kCheck,   // dry-run: a free lock is released at once and nothing is written
  kRetake,  // on a new session of a run that held it (after a reconnect)
};

// Takes the lock of `user_id` for `run_id` and records it in ferry.locks with this process's
// token (a stale row of another holder is taken over and the take-over written to
// ferry.audit_log). Locked, naming the holder, when another session holds it; with kTake and
// kRetake, Unavailable when that session is one of this run's in this process, an earlier one
// the server has not ended yet (after a network cut or a lost reply to the lock call it
// lingers until the server notices). REQUIRES: the session does not hold this lock already
// (advisory locks stack); kTake, kRetake: the bookkeeping tables exist.
// *rekey_free (when not null) is set to true when the lock was taken while no other session held
// the rekey lock (loaders/rekey_lock.h), in a way that makes a rekey starting at the same time
// see this lock's row: the caller then need not read ferry.locks for a running rekey.
Status LockUser(Session* session, const std::string& user_id, const std::string& run_id,
                LockMode mode, bool* rekey_free = nullptr);

// Deletes run_id's row of `user_id` in ferry.locks and releases the advisory lock. OK when
// the session does not hold it. With `row_gone` (the user's last data transaction deleted the
// row as it committed: BatchWriter's lock rows), only the advisory lock is released.
Status UnlockUser(Session* session, const std::string& user_id, const std::string& run_id,
                  bool row_gone = false);

// The rows of ferry.locks, each with whether its advisory lock is held (alive), by user id.
// Empty when ferry.locks does not exist. Reads only.
Status ListLocks(Session* session, std::vector<LockHolder>* out);

// Clears the rows of holders that are gone (of `user_id` only when not empty), auditing each;
// with `even_alive` also live holders, whose backends are terminated first. *cleared lists
// them. Fails naming the holder when its backend cannot be terminated.
Status ForceUnlock(Session* session, const std::string& user_id, bool even_alive,
                   std::vector<LockHolder>* cleared);

}  // namespace ferry::postgres
