#include "loaders/postgresql/user_writers.h"

#include <optional>
#include <pqxx/pqxx>

#include "loaders/postgresql/field_text.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/user_lock.h"
#include "loaders/process_identity.h"

namespace ferry::postgres {

namespace {

// A user's lock key is UserLockKey(schema, user); no user id holds a NUL, so this name is
// never a user's and its key never a user's lock key (nor, the hash aside, the DDL lock's:
// UserLockKey steers clear of that).
std::string WritersName(const std::string& user_id) { return user_id + std::string(1, '\0') + "w"; }

// The application_name of the session holding advisory key `key` in `mode` ("ExclusiveLock",
// "ShareLock"), or nullopt when none does. A bigint key k is stored as classid = k >> 32,
// objid = k & 0xffffffff, objsubid = 1.
std::optional<std::string> HolderOf(pqxx::transaction_base& txn, int64_t key, const char* mode) {
  pqxx::result rows = txn.exec_params(
      "SELECT l.classid::bigint, l.objid::bigint, coalesce(a.application_name, '') "
      "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.mode = $1 "
      "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      std::string(mode));
  for (const auto& row : rows) {
    uint64_t high = row[0].as<uint64_t>();
    uint64_t low = row[1].as<uint64_t>();
    if (static_cast<int64_t>((high << 32) | low) == key) return FieldText(row[2]);
  }
  return std::nullopt;
}

std::string TargetOf(Session* session) {
  return session->display_name() + " (schema \"" + session->schema() + "\")";
}

}  // namespace

int64_t UserWritersKey(const std::string& schema, const std::string& user_id) {
  return UserLockKey(schema, WritersName(user_id));
}

Status JoinUser(Session* session, const std::string& user_id, const std::string& run_id) {
  const int64_t writers = UserWritersKey(session->schema(), user_id);
  const int64_t lock = UserLockKey(session->schema(), user_id);
  bool got = false;
  std::optional<std::string> holder;
  Status status = Guarded(
      "joining the writers of user " + user_id + " in " + session->display_name(),
      session->secrets(), [&]() -> Status {
        pqxx::nontransaction txn(session->connection());
        got = txn.exec_params1("SELECT pg_try_advisory_lock_shared($1)", writers)[0].as<bool>();
        if (got) holder = HolderOf(txn, lock, "ExclusiveLock");
        return Status::OK();
      });
  if (status.ok() && got && holder == RunApplicationName(run_id, ProcessToken())) {
    return Status::OK();
  }
  if (got || !status.ok()) LeaveUser(session, user_id);  // best effort; not held: a no-op
  FERRY_RETURN_IF_ERROR(status);
  if (!got) {
    return Status::Locked("user " + user_id + " on " + TargetOf(session) +
                          ": another run is taking its lock");
  }
  if (!holder) {
    return Status::Unavailable("user " + user_id + " on " + TargetOf(session) +
                               ": the lock of run " + run_id +
                               " is not held: the session holding it for the run's "
                               "workers is gone (or being opened again)");
  }
  return Status::Locked("user " + user_id + " on " + TargetOf(session) +
                        " is locked by the session \"" + *holder + "\"");
}

Status LeaveUser(Session* session, const std::string& user_id) {
  return Guarded("leaving the writers of user " + user_id + " in " + session->display_name(),
                 session->secrets(), [&]() -> Status {
                   pqxx::nontransaction txn(session->connection());
                   // False (and a WARNING, kept out of the terminal) when not held: fine.
                   txn.exec_params1("SELECT pg_advisory_unlock_shared($1)",
                                    UserWritersKey(session->schema(), user_id));
                   return Status::OK();
                 });
}

Status WritersStillIn(Session* session, const std::string& user_id) {
  std::optional<std::string> holder;
  Status read =
      Guarded("reading the writers of user " + user_id, session->secrets(), [&]() -> Status {
        pqxx::read_transaction txn(session->connection());
        holder = HolderOf(txn, UserWritersKey(session->schema(), user_id), "ShareLock");
        return Status::OK();
      });
  FERRY_RETURN_IF_ERROR(read);
  return Status::Locked("user " + user_id + " on " + TargetOf(session) +
                        " is still written by the session \"" +
                        holder.value_or("(it let go as ferry looked: try again)") +
                        "\" of a run whose lock's session is gone; wait for it, or `ferry unlock "
                        "--force` if that process is gone");
}

}  // namespace ferry::postgres
