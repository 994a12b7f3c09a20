#include "loaders/postgresql/user_lock.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <thread>

#include "base/fault_point.h"
#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/field_text.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/user_writers.h"
#include "loaders/process_identity.h"
#include "loaders/rekey_lock.h"

namespace ferry::postgres {

namespace {

// ferry's DDL lock (bookkeeping.cc): a user lock key must never equal it.
constexpr int64_t kDdlLockKey = 435711599225;

// PostgreSQL keeps this much of an application_name (NAMEDATALEN - 1).
constexpr size_t kMaxApplicationNameBytes = 63;

// How long ForceUnlock waits for a terminated backend to let go of its lock.
constexpr auto kTerminateWait = std::chrono::seconds(10);

// The advisory locks granted in this database, by key, with the backend holding each. A
// bigint key k is stored as classid = k >> 32, objid = k & 0xffffffff, objsubid = 1.
constexpr const char* kHeldLocksSql =
    "SELECT l.classid::bigint, l.objid::bigint, l.pid FROM pg_locks l "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";

// A row of ferry.locks: run_id, host, pid, since (RFC 3339, UTC), user_id, token; $1 is the
// target schema, whose rows alone are read (bookkeeping 2; before it, every row, token '').
std::string LockRowSql(bool keyed) {
  return std::string("SELECT run_id, host, pid, ") +
         "to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), user_id, " +
         (keyed ? "token FROM ferry.locks WHERE target_schema = $1"
                : "'' FROM ferry.locks WHERE $1::text IS NOT NULL");
}

std::string TargetName(Session* session) {
  return session->display_name() + " (schema \"" + session->schema() + "\")";
}

// The holder described by a row of kLockRowSql.
LockHolder HolderOf(const std::string& user_id, const pqxx::row& row) {
  return LockHolder{
      user_id, FieldText(row[0]), FieldText(row[1]), row[2].as<int64_t>(), FieldText(row[3]), true};
}

std::string Describe(const LockHolder& holder) {
  return "run " + holder.run_id + " on host " + holder.host + ", pid " +
         std::to_string(holder.pid) + ", since " + holder.since;
}

Result<bool> LocksTableExists(pqxx::transaction_base& txn) {
  return txn.exec1("SELECT to_regclass('ferry.locks') IS NOT NULL")[0].as<bool>();
}

// Backend pid holding each granted advisory lock of this database, by key.
std::map<int64_t, int> HeldLocks(pqxx::transaction_base& txn) {
  std::map<int64_t, int> held;
  for (const auto& row : txn.exec(kHeldLocksSql)) {
    uint64_t high = row[0].as<uint64_t>();
    uint64_t low = row[1].as<uint64_t>();
    held[static_cast<int64_t>((high << 32) | low)] = row[2].as<int>();
  }
  return held;
}

Result<bool> TryAdvisoryLock(Session* session, int64_t key) {
  std::optional<bool> got;
  FERRY_RETURN_IF_ERROR(Guarded(
      "taking an advisory lock in " + session->display_name(), session->secrets(), [&]() -> Status {
        pqxx::nontransaction txn(session->connection());
        got = txn.exec_params1("SELECT pg_try_advisory_lock($1)", key)[0].as<bool>();
        return Status::OK();
      }));
  return *got;
}

Status AdvisoryUnlock(Session* session, int64_t key) {
  return Guarded("releasing an advisory lock in " + session->display_name(), session->secrets(),
                 [&]() -> Status {
                   pqxx::nontransaction txn(session->connection());
                   // False (and a WARNING, kept out of the terminal) when not held: fine.
                   txn.exec_params1("SELECT pg_advisory_unlock($1)", key);
                   return Status::OK();
                 });
}

// Locked, naming whoever holds the lock of `user_id` now; Unavailable when that is a session
// named after `own_run` (not empty) and this process's token: an earlier session of this
// process whose end the server has not seen yet (a reconnect, or a lost reply to the lock
// call). A session of another process carrying the same run id is someone else.
Status HeldBySomeoneElse(Session* session, const std::string& user_id, int64_t key,
                         const std::string& own_run) {
  std::string holder;
  bool own_session = false;
  Status read = Guarded(
      "reading ferry.locks of " + session->display_name(), session->secrets(), [&]() -> Status {
        pqxx::read_transaction txn(session->connection());
        std::map<int64_t, int> held = HeldLocks(txn);
        auto backend = held.find(key);
        std::string application;
        if (backend != held.end()) {
          pqxx::result activity = txn.exec_params(
              "SELECT application_name FROM pg_stat_activity WHERE pid = $1", backend->second);
          application = activity.empty() ? "" : FieldText(activity[0][0]);
          own_session =
              !own_run.empty() && application == RunApplicationName(own_run, ProcessToken());
        }
        FERRY_ASSIGN_OR_RETURN(bool table, LocksTableExists(txn));
        if (table) {
          pqxx::result rows = txn.exec_params(
              LockRowSql(KeyedBookkeeping(txn)) + " AND user_id = $2", session->schema(), user_id);
          // The row describes the holder unless it is a stale one about to be taken over.
          if (!rows.empty() &&
              application == RunApplicationName(FieldText(rows[0][0]), FieldText(rows[0][5]))) {
            holder = Describe(HolderOf(user_id, rows[0]));
            return Status::OK();
          }
        }
        if (backend != held.end()) {
          holder = "the session \"" + application + "\" (PostgreSQL backend pid " +
                   std::to_string(backend->second) + ")";
        }
        return Status::OK();
      });
  FERRY_RETURN_IF_ERROR(read);
  if (own_session) {
    return Status::Unavailable("user " + user_id + " on " + TargetName(session) +
                               ": the lock is still held by an earlier session of run " + own_run +
                               " in this process that the server has not ended yet (or by "
                               "another worker of this run loading the same user)");
  }
  if (holder.empty()) {
    holder = "another session (it let go as ferry looked: try again)";
  }
  return Status::Locked("user " + user_id + " on " + TargetName(session) + " is locked by " +
                        holder +
                        "; wait for it, or `ferry unlock --force` if that process is gone");
}

// Records run_id as the holder of user_id's lock, auditing the take-over of a stale row.
Status RecordHolder(Session* session, const std::string& user_id, const std::string& run_id) {
  return Guarded(
      "recording the lock of user " + user_id + " in ferry.locks", session->secrets(),
      [&]() -> Status {
        pqxx::work txn(session->connection());
        pqxx::result previous = txn.exec_params(LockRowSql(true) + " AND user_id = $2 FOR UPDATE",
                                                session->schema(), user_id);
        // Our own row is left by this process's earlier session (a reconnect): no take-over.
        LockHolder stale = previous.empty() ? LockHolder{} : HolderOf(user_id, previous[0]);
        if (!previous.empty() &&
            (stale.run_id != run_id || FieldText(previous[0][5]) != ProcessToken())) {
          Audit(txn, run_id, "lock taken over",
                "took over the stale lock of user " + user_id + " (" + Describe(stale) + ")");
        }
        txn.exec_params(
            "INSERT INTO ferry.locks (user_id, target_schema, run_id, host, pid, token, since) "
            "VALUES ($1, $5, $2, $3, $4, $6, now()) ON CONFLICT (user_id, target_schema) DO "
            "UPDATE SET run_id = excluded.run_id, host = excluded.host, pid = excluded.pid, "
            "token = excluded.token, since = excluded.since",
            user_id, run_id, ThisHost(), ThisPid(), session->schema(), ProcessToken());
        txn.commit();
        return Status::OK();
      });
}

// What TakeAndRecord found: whether the advisory lock was free (and is now held), whether the
// holder's row went in with it (ferry.locks held none of the user's), and whether the rekey
// lock was free of other sessions' exclusive hold as it did.
struct Take {
  bool got = false;
  bool drained = true;  // no session held the user's writers key (user_writers.h) shared
  bool recorded = false;
  bool rekey_free = false;
};

// The advisory lock and, when it is free and ferry.locks holds no row of the user (the usual
// case), the holder's row, in one statement: one round trip and one commit. A row left there
// (a stale holder's, or this process's own before a reconnect) is not touched: RecordHolder
// takes it over in a transaction that audits it. The CTE `got` is read twice, so it is
// evaluated once (and first: the INSERT reads from it).
//
// With `drain` (a first take, not a retake of this run's own lock after a reconnect), the
// statement also takes the user's writers key exclusively for its own instant: a session of a
// run whose lock session is gone but whose writers are still in a unit holds it shared
// (user_writers.h), and then the lock is not taken (Take::drained false), so that no write of
// that run can land after this one has read the user's checkpoints.
//
// The same statement holds the rekey lock shared until it commits (a transaction-level lock,
// released after the row is visible): a rekey, which takes that lock exclusively and then
// reads ferry.locks, either fails to take it or, taking it later, sees the row. So when the
// shared take succeeds, no rekey can be running unseen: rekey_free.
//
// Its commit does not wait for the WAL flush (synchronous_commit off for this transaction,
// as for the whole session of a migrate run: async_commits.h): the row is visible to every
// session at once, and the next commit that waits for its flush (the run's end, a rollback's
// commit) makes the row durable with every commit before it (the WAL is written in order). A
// server crash before that loses the row, and ends the session that held the lock: there is no
// holder left for the row to describe.
Result<Take> TakeAndRecord(Session* session, int64_t key, const std::string& user_id,
                           const std::string& run_id, bool drain) {
  Take take;
  FERRY_RETURN_IF_ERROR(Guarded(
      "taking the lock of user " + user_id + " in " + session->display_name(), session->secrets(),
      [&]() -> Status {
        pqxx::nontransaction txn(session->connection());
        pqxx::row row = txn.exec_params1(
            "WITH got AS (SELECT pg_try_advisory_lock($1) AS ok, "
            "pg_try_advisory_xact_lock_shared($8) AS rekey_free, "
            "set_config('synchronous_commit', 'off', true) AS no_flush_wait, "
            "(NOT $10 OR pg_try_advisory_xact_lock($9)) AS drained), "
            "ins AS (INSERT INTO ferry.locks (user_id, target_schema, run_id, host, pid, token, "
            "since) SELECT $2, $3, $4, $5, $6, $7, now() FROM got WHERE ok AND drained "
            "ON CONFLICT (user_id, target_schema) DO NOTHING RETURNING 1) "
            "SELECT ok, EXISTS (SELECT 1 FROM ins), rekey_free, drained FROM got",
            key, user_id, session->schema(), run_id, ThisHost(), ThisPid(), ProcessToken(),
            UserLockKey(session->schema(), kRekeyLockUser),
            UserWritersKey(session->schema(), user_id), drain);
        take.got = row[0].as<bool>();
        take.recorded = row[1].as<bool>();
        take.rekey_free = take.recorded && row[2].as<bool>();
        take.drained = row[3].as<bool>();
        return Status::OK();
      }));
  return take;
}

// Ends the backend holding `key` and waits until the lock is free; then holds it.
Status TerminateHolder(Session* session, const LockHolder& holder, int64_t key) {
  Status ended =
      Guarded("ending the session of " + Describe(holder), session->secrets(), [&]() -> Status {
        pqxx::nontransaction txn(session->connection());
        std::map<int64_t, int> held = HeldLocks(txn);
        auto backend = held.find(key);
        if (backend == held.end()) {
          return Status::OK();  // gone meanwhile
        }
        bool done =
            txn.exec_params1("SELECT pg_terminate_backend($1)", backend->second)[0].as<bool>();
        if (!done) {
          return Status::IOError("PostgreSQL backend " + std::to_string(backend->second) +
                                 " could not be terminated");
        }
        return Status::OK();
      });
  FERRY_RETURN_IF_ERROR(ended);
  auto deadline = std::chrono::steady_clock::now() + kTerminateWait;
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool got, TryAdvisoryLock(session, key));
    if (got) {
      return Status::OK();
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable("the session of " + Describe(holder) +
                                 " was told to end but still holds the lock of user " +
                                 holder.user_id);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Deletes the row of `holder` (while this session holds its lock) and audits it.
Status DeleteRow(Session* session, const LockHolder& holder, const std::string& why) {
  return Guarded("clearing the lock of user " + holder.user_id + " in ferry.locks",
                 session->secrets(), [&]() -> Status {
                   pqxx::work txn(session->connection());
                   txn.exec_params(
                       "DELETE FROM ferry.locks WHERE user_id = $1 AND target_schema = $3 "
                       "AND run_id = $2",
                       holder.user_id, holder.run_id, session->schema());
                   Audit(txn, holder.run_id, "forced unlock",
                         "ferry unlock --force cleared the lock of user " + holder.user_id + " (" +
                             Describe(holder) + "): " + why);
                   txn.commit();
                   return Status::OK();
                 });
}

}  // namespace

int64_t UserLockKey(const std::string& schema, const std::string& user_id) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
  auto mix = [&hash](const std::string& text) {
    for (char c : text) {
      hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    }
    hash *= 1099511628211ull;  // a NUL after each name, so ("a/b", "c") != ("a", "b/c")
  };
  mix(schema);
  mix(user_id);
  int64_t key = static_cast<int64_t>(hash);
  return key == kDdlLockKey ? key ^ 1 : key;
}

std::string RunApplicationName(const std::string& run_id, const std::string& token) {
  std::string name = "ferry run " + run_id + " " + token;
  // What the server keeps (NAMEDATALEN - 1 bytes), cut at a character's start.
  size_t keep = std::min(name.size(), kMaxApplicationNameBytes);
  while (keep > 0 && keep < name.size() &&
         (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80) {
    --keep;
  }
  return name.substr(0, keep);
}

Status TagSession(Session* session, const std::string& run_id) {
  return Guarded("naming the session of run " + run_id, session->secrets(), [&]() -> Status {
    pqxx::nontransaction txn(session->connection());
    txn.exec_params(
        "SELECT set_config('application_name', $1, false), "
        "set_config('ferry.process_token', $2, false)",
        RunApplicationName(run_id, ProcessToken()), ProcessToken());
    return Status::OK();
  });
}

Status LockUser(Session* session, const std::string& user_id, const std::string& run_id,
                LockMode mode, bool* rekey_free) {
  if (rekey_free != nullptr) *rekey_free = false;
  if (user_id.find('\0') != std::string::npos) {
    return Status::InvalidArgument("user id \"" + user_id + "\" holds a NUL character");
  }
  int64_t key = UserLockKey(session->schema(), user_id);
  Take take;
  if (mode == LockMode::kCheck) {
    FERRY_ASSIGN_OR_RETURN(take.got, TryAdvisoryLock(session, key));
  } else {
    Result<Take> taken = TakeAndRecord(session, key, user_id, run_id, mode == LockMode::kTake);
    if (!taken.ok()) {
      // Perhaps taken before the row failed (the statement's outcome is unknown): let go.
      AdvisoryUnlock(session, key);  // best effort; not held: a no-op
      return taken.status();
    }
    take = *taken;
  }
  if (!take.got) {
    // Also on a first take: when the reply to an earlier pg_try_advisory_lock of this run was
    // lost, the lock is this process's own, on a session the server has not ended yet.
    return HeldBySomeoneElse(session, user_id, key, mode == LockMode::kCheck ? "" : run_id);
  }
  if (mode == LockMode::kCheck) {
    return AdvisoryUnlock(session, key);
  }
  if (!take.drained) {
    // The lock was free but a run's writers are still in one of the user's units.
    AdvisoryUnlock(session, key);  // best effort: a broken session lets go anyway
    return WritersStillIn(session, user_id);
  }
  FaultPoint("pg.after_lock");
  if (take.recorded) {
    if (rekey_free != nullptr) *rekey_free = take.rekey_free;
    return Status::OK();
  }
  Status recorded = RecordHolder(session, user_id, run_id);
  if (!recorded.ok()) {
    AdvisoryUnlock(session, key);  // best effort: a broken session lets go anyway
  }
  return recorded;
}

Status UnlockUser(Session* session, const std::string& user_id, const std::string& run_id,
                  bool row_gone) {
  if (row_gone) {
    FaultPoint("pg.before_unlock");
    return AdvisoryUnlock(session, UserLockKey(session->schema(), user_id));
  }
  Status deleted =
      Guarded("clearing the lock of user " + user_id + " in ferry.locks", session->secrets(),
              [&]() -> Status {
                pqxx::work txn(session->connection());
                FERRY_ASSIGN_OR_RETURN(bool table, LocksTableExists(txn));
                if (table) {
                  // This process's row only: another process of the same run id (one that took
                  // the run over) keeps its own.
                  txn.exec_params(
                      "DELETE FROM ferry.locks WHERE user_id = $1 AND target_schema = $3 AND "
                      "run_id = $2 AND token = $4",
                      user_id, run_id, session->schema(), ProcessToken());
                }
                txn.commit();
                return Status::OK();
              });
  FERRY_RETURN_IF_ERROR(deleted);
  return AdvisoryUnlock(session, UserLockKey(session->schema(), user_id));
}

Status ListLocks(Session* session, std::vector<LockHolder>* out) {
  out->clear();
  return Guarded(
      "reading ferry.locks of " + session->display_name(), session->secrets(), [&]() -> Status {
        pqxx::read_transaction txn(session->connection());
        FERRY_ASSIGN_OR_RETURN(bool table, LocksTableExists(txn));
        if (!table) {
          return Status::OK();
        }
        std::map<int64_t, int> held = HeldLocks(txn);
        for (const auto& row : txn.exec_params(
                 LockRowSql(KeyedBookkeeping(txn)) + " ORDER BY user_id", session->schema())) {
          std::string user_id = FieldText(row[4]);
          LockHolder holder = HolderOf(user_id, row);
          holder.alive = held.count(UserLockKey(session->schema(), user_id)) != 0;
          out->push_back(std::move(holder));
        }
        return Status::OK();
      });
}

Status ForceUnlock(Session* session, const std::string& user_id, bool even_alive,
                   std::vector<LockHolder>* cleared) {
  cleared->clear();
  std::vector<LockHolder> holders;
  FERRY_RETURN_IF_ERROR(ListLocks(session, &holders));
  if (!holders.empty()) {
    // An older ferry's rows know no schema: upgrade them first (bookkeeping.h), then clear.
    FERRY_RETURN_IF_ERROR(EnsureBookkeeping(session));
    FERRY_RETURN_IF_ERROR(ListLocks(session, &holders));
  }
  for (const LockHolder& holder : holders) {
    if (!user_id.empty() && holder.user_id != user_id) {
      continue;
    }
    int64_t key = UserLockKey(session->schema(), holder.user_id);
    // Holding the lock ourselves while the row goes makes sure no new holder is cleared.
    FERRY_ASSIGN_OR_RETURN(bool got, TryAdvisoryLock(session, key));
    std::string why = "its holder was gone";
    if (!got) {
      if (!even_alive) {
        continue;  // alive after all
      }
      FERRY_RETURN_IF_ERROR(TerminateHolder(session, holder, key));
      why = "its holder was alive and its session was terminated (--even-alive)";
    }
    Status deleted = DeleteRow(session, holder, why);
    Status released = AdvisoryUnlock(session, key);
    FERRY_RETURN_IF_ERROR(deleted);
    FERRY_RETURN_IF_ERROR(released);
    LockHolder gone = holder;
    gone.alive = !got;  // whether it was alive when cleared
    cleared->push_back(std::move(gone));
  }
  return Status::OK();
}

}  // namespace ferry::postgres
