#include <string>

#include "loaders/postgresql/postgres_backend.h"

namespace ferry::postgres {

Status PostgresBackend::Resume(Session* session) {
  if (!run_recorded_) {
    return Status::OK();
  }
  FERRY_RETURN_IF_ERROR(postgres::TagSession(session, run_id_));
  // Before writing a lock row: a process whose run was taken over leaves nothing behind.
  FERRY_RETURN_IF_ERROR(postgres::CheckRunOwner(session, run_id_));
  rows_gone_.clear();  // each row is written again with its lock
  // The old session may have ended with the server (a crash): its last acknowledged batch, and
  // so every commit before it, must still be there, else this process's view of the run is
  // ahead of the target and it must write nothing more (async_commits.h).
  postgres::AsyncBatch last;
  if (postgres::LastAsyncBatch(run_id_, serial_, &last)) {
    FERRY_RETURN_IF_ERROR(postgres::CheckBatchesKept(session, run_id_, {last}));
  }
  FERRY_RETURN_IF_ERROR(postgres::SetSynchronousCommit(session, false));
  for (const std::string& user_id : locked_users_) {
    FERRY_RETURN_IF_ERROR(
        postgres::LockUser(session, user_id, run_id_, postgres::LockMode::kRetake));
  }
  for (const std::string& user_id : joined_users_) {
    FERRY_RETURN_IF_ERROR(postgres::JoinUser(session, user_id, run_id_));
  }
  // With its locks held again, nobody can take the run over any more; but another process may
  // have done so while this one was cut off (and be done already, its locks free): then this
  // process's view of the run (identities, positions) is stale, and it must write nothing.
  return postgres::CheckRunOwner(session, run_id_);
}

void PostgresBackend::ReleaseLocks(const std::set<std::string>& user_ids,
                                   const std::string& run_id) {
  if (session_ != nullptr) {
    for (const std::string& user_id : user_ids) {
      // Errors: the row stays stale.
      postgres::UnlockUser(session_.get(), user_id, run_id, rows_gone_.count(user_id) != 0);
    }
    for (const std::string& user_id : joined_users_) postgres::LeaveUser(session_.get(), user_id);
  }
  joined_users_.clear();
  locked_users_.clear();
  rows_gone_.clear();
  rekey_excluded_.clear();
}

Status PostgresBackend::LockUser(const std::string& user_id, const std::string& run_id,
                                 bool check_only) {
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  bool rekey_free = false;
  Status status = postgres::LockUser(
      session, user_id, run_id, check_only ? postgres::LockMode::kCheck : postgres::LockMode::kTake,
      &rekey_free);
  if (status.ok() && !check_only) {
    locked_users_.insert(user_id);
    if (rekey_free) rekey_excluded_.insert(user_id);
  }
  return Track(status);
}

Status PostgresBackend::UnlockUser(const std::string& user_id, const std::string& run_id) {
  // Still held until the row is gone: when the connection drops midway, the retry reconnects,
  // takes the lock again and deletes the row, instead of leaving it behind as a stale holder.
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  Status status = postgres::UnlockUser(session, user_id, run_id, rows_gone_.count(user_id) != 0);
  if (status.ok()) {
    locked_users_.erase(user_id);
    rows_gone_.erase(user_id);
    rekey_excluded_.erase(user_id);
  }
  return Track(status);
}

Status PostgresBackend::JoinUser(const std::string& user_id, const std::string& run_id) {
  if (joined_users_.count(user_id) != 0) return Status::OK();  // never twice: locks stack
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  Status status = postgres::JoinUser(session, user_id, run_id);
  if (status.ok()) joined_users_.insert(user_id);
  return Track(status);
}

Status PostgresBackend::LeaveUser(const std::string& user_id) {
  if (joined_users_.count(user_id) == 0) return Status::OK();
  // Without a session there is nothing to let go of: the key ended with the old one.
  Status status = session_ ? postgres::LeaveUser(session_.get(), user_id) : Status::OK();
  if (status.ok()) joined_users_.erase(user_id);
  return Track(status);
}

}  // namespace ferry::postgres
