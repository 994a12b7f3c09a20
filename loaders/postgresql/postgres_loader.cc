#include "loaders/postgresql/postgres_loader.h"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>
#include <set>
#include <utility>

#include "loaders/core/shared_loader.h"
#include "loaders/postgresql/async_commits.h"
#include "loaders/postgresql/batch_writer.h"
#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/connection.h"
#include "loaders/postgresql/copy_text.h"
#include "loaders/postgresql/id_map.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/rollback_writer.h"
#include "loaders/postgresql/row_reader.h"
#include "loaders/postgresql/run_history.h"
#include "loaders/postgresql/schema_ddl.h"
#include "loaders/postgresql/schema_migrations.h"
#include "loaders/postgresql/sql_identifier.h"
#include "loaders/postgresql/unit_rejects.h"
#include "loaders/postgresql/user_lock.h"
#include "loaders/postgresql/user_writers.h"
#include "loaders/process_identity.h"

namespace ferry {

namespace {

using postgres::Session;

// The PostgreSQL half of the shared loader (loaders/core/shared_loader.h): one session,
// opened again after a transient failure dropped it.
class PostgresBackend final : public LoaderBackend {
 public:
  explicit PostgresBackend(TargetSpec spec) : spec_(std::move(spec)) {}

  const char* name() const override { return "PostgreSQL"; }
  Status Open(bool dry_run) override;
  Status CheckTableDef(const TableDef& table) const override {
    return postgres::CheckTableDef(table);
  }
  Status CheckCell(const ColumnDef& column, const Cell& cell) const override {
    return postgres::CheckCell(column, cell);
  }
  Status BeginRun(const RunInfo& run, bool dry_run) override;
  Status EnsureSchema(const std::vector<const TableDef*>& tables, bool dry_run) override;
  Status LookupIdentities(const std::string& entity, const std::string& user_id,
                          const std::vector<std::string>& legacy_ids,
                          std::vector<std::optional<KnownIdentity>>* out) override;
  Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override;
  Status HoldsNoRowWith(const TableDef& table, const std::string& column, const Cell& value,
                        bool* none) override;
  Status ProbeUser(const std::string& user_id, const std::vector<std::string>& entities,
                   const std::vector<UserColumn>& tables, bool* fresh) override;
  Status ConnectionRoom(int* room) override;
  Result<BatchOutcome> Write(const WriteBatch& batch, const std::string& run_id) override;
  bool CanWriteTogether() const override { return true; }
  Result<std::vector<BatchOutcome>> WriteTogether(const std::vector<WriteBatch>& batches,
                                                  const std::string& run_id) override;
  Status FinishRun(const std::string& run_id, const RunTotals& totals) override;

  Status LockUser(const std::string& user_id, const std::string& run_id, bool check_only) override;
  Status UnlockUser(const std::string& user_id, const std::string& run_id) override;
  Status JoinUser(const std::string& user_id, const std::string& run_id) override;
  Status LeaveUser(const std::string& user_id) override;
  void ReleaseLocks(const std::set<std::string>& user_ids, const std::string& run_id) override;
  bool RekeyExcludedAtLock(const std::string& user_id) const override {
    return rekey_excluded_.count(user_id) != 0;
  }

  Result<std::string> QuotedTable(const std::string& name) override {
    FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
    return postgres::QualifiedName(session->schema(), name);
  }
  Status SelectText(const std::string& sql,
                    std::vector<std::vector<std::optional<std::string>>>* rows) override;

  // The bookkeeping read back, and schema migrations: one call each on the session.
  Status ReadCheckpoint(const std::string& user_id, const std::string& entity,
                        const std::string& unit, std::optional<StoredCheckpoint>* out) override {
    FERRY_RETURN_IF_ERROR(OnSession(
        [&](Session* s) { return postgres::ReadCheckpoint(s, user_id, entity, unit, out); }));
    NoteIfCommitted(user_id, entity, unit, *out);
    return Status::OK();
  }
  Status KeepUnitRejects(const std::string& user_id, const std::string& unit, int64_t position,
                         const std::string& body, const std::string& run_id) override {
    return OnSession([&](Session* s) {
      return postgres::KeepUnitRejects(s, user_id, unit, position, body, run_id);
    });
  }
  Status ReadUnitRejects(const std::string& user_id, const std::string& unit,
                         std::optional<StoredUnitRejects>* out) override {
    return OnSession([&](Session* s) { return postgres::ReadUnitRejects(s, user_id, unit, out); });
  }
  Status ListRunIdentities(const std::string& run_id, const RunIdentity* after, size_t limit,
                           std::vector<RunIdentity>* out) override {
    return OnSession(
        [&](Session* s) { return postgres::ListRunIdentities(s, run_id, after, limit, out); });
  }
  Status ListCheckpoints(const std::string& run_id, std::vector<CheckpointRecord>* out) override {
    return OnSession([&](Session* s) { return postgres::ListCheckpoints(s, run_id, out); });
  }
  Status FindInterruptedRun(const std::string& arguments, std::optional<RunRecord>* out) override {
    return OnSession([&](Session* s) { return postgres::FindInterruptedRun(s, arguments, out); });
  }
  Status ListRuns(int limit, std::vector<RunRecord>* out) override {
    FERRY_RETURN_IF_ERROR(OnSession([&](Session* s) { return postgres::ListRuns(s, limit, out); }));
    return OnSession([&](Session* s) { return postgres::AddRunErrors(s, out); });
  }
  Status ListAuditDetails(const std::string& run_id, const std::string& action,
                          std::vector<std::string>* out) override {
    return OnSession(
        [&](Session* s) { return postgres::ListAuditDetails(s, run_id, action, out); });
  }
  Status ListLocks(std::vector<LockHolder>* out) override {
    return OnSession([&](Session* s) { return postgres::ListLocks(s, out); });
  }
  Status ForceUnlock(const std::string& user_id, bool even_alive,
                     std::vector<LockHolder>* cleared) override {
    return OnSession(
        [&](Session* s) { return postgres::ForceUnlock(s, user_id, even_alive, cleared); });
  }
  Status SchemaStatus(const std::vector<const TableDef*>& tables,
                      std::vector<SchemaMigration>* out) override {
    return OnSession([&](Session* s) { return postgres::ListMigrations(s, tables, out); });
  }
  Status SchemaUp(const std::vector<const TableDef*>& tables,
                  std::vector<SchemaMigration>* applied) override {
    FERRY_RETURN_IF_ERROR(OnSession(
        [&](Session* s) { return postgres::ApplyPendingMigrations(s, tables, applied); }));
    id_map_exists_ = true;
    return Status::OK();
  }
  Status SchemaDown(const std::vector<const TableDef*>& tables, bool force,
                    SchemaMigration* reverted) override {
    return OnSession(
        [&](Session* s) { return postgres::RevertNewestMigration(s, tables, force, reverted); });
  }
  Status ApplyRollback(const std::string& run_id, const std::vector<const TableDef*>& tables,
                       PreImageStream& images, const std::string& detail) override {
    return OnSession(
        [&](Session* s) { return postgres::ApplyRollback(s, run_id, tables, images, detail); });
  }

 private:
  // The session, reconnecting when an earlier error dropped it.
  Result<Session*> Connected();
  // Passes `status` on; a transient failure drops the connection, which may be broken.
  Status Track(Status status);
  // Runs `step` on the session (Connected), through Track.
  template <typename Step>
  Status OnSession(const Step& step) {
    FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
    return Track(step(session));
  }
  // On a new session of a recorded run: names it after the run and this process, takes the
  // locks again, and fails (Locked) when another process took the run over meanwhile.
  Status Resume(Session* session);
  // The session's batch writer, made at its first batch (knowing this loader's locked users).
  postgres::BatchWriter* Writer(Session* session);
  // Notes `batch` as this loader's last asynchronous commit (async_commits.h).
  void NoteCommitted(const WriteBatch& batch);
  // A write whose COMMIT lost its reply is read back by its checkpoint (RetryingLoader): when
  // `stored` shows it committed, it is this loader's last commit.
  void NoteIfCommitted(const std::string& user_id, const std::string& entity,
                       const std::string& unit, const std::optional<StoredCheckpoint>& stored);

  const TargetSpec spec_;
  bool connected_once_ = false;  // a session was opened once: a failure to reconnect is transient
  bool id_map_exists_ = false;
  bool bookkeeping_outdated_ = false;      // an older ferry's id map, not keyed by schema yet
  std::string run_id_;                     // the run BeginRun recorded
  std::set<std::string> ensured_tables_;   // names EnsureSchema has seen
  std::set<std::string> existing_tables_;  // of those, the ones in the target
  bool run_recorded_ = false;              // BeginRun recorded run_id_: sessions carry its name
  std::set<std::string> locked_users_;     // LockUser took these; taken again on reconnecting
  std::set<std::string> rows_gone_;        // of those, users whose unit mark deleted the lock row
  std::set<std::string> rekey_excluded_;   // of those, users whose lock excluded a rekey
  std::set<std::string> joined_users_;     // JoinUser joined these; joined again on reconnecting
  const uint64_t serial_ = postgres::NewLoaderSerial();  // this loader's async_commits.h entry
  std::optional<postgres::AsyncBatch> unanswered_;       // of a write that failed transiently
  std::unique_ptr<Session> session_;
  std::unique_ptr<postgres::BatchWriter> writer_;  // uses session_: reset before it
};

namespace {

postgres::AsyncBatch AsyncBatchOf(const WriteBatch& batch) {
  postgres::AsyncBatch noted{batch.user_id, batch.checkpoint};
  if (noted.checkpoint.entity.empty()) noted.checkpoint.entity = batch.entity;
  return noted;
}

}  // namespace

Result<Session*> PostgresBackend::Connected() {
  if (session_ == nullptr) {
    writer_.reset();
    Result<std::unique_ptr<Session>> opened = Session::Open(spec_.url);
    if (!opened.ok() && opened.status().IsUnavailable() && !connected_once_) {
      // Never connected: a wrong host or port, or a server that is not there, is the
      // configuration's to fix; retries are for a connection that was made and then lost.
      return Status::InvalidArgument(opened.status().message());
    }
    FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, std::move(opened));
    connected_once_ = true;
    // A failure drops the new session, and with it whatever locks it took again.
    FERRY_RETURN_IF_ERROR(Resume(session.get()));
    session_ = std::move(session);
  }
  return session_.get();
}

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

Status PostgresBackend::Track(Status status) {
  if (status.IsUnavailable()) {
    writer_.reset();
    session_.reset();
  }
  return status;
}

Status PostgresBackend::Open(bool /*dry_run*/) {
  run_recorded_ = false;
  writer_.reset();
  session_.reset();
  ensured_tables_.clear();
  existing_tables_.clear();
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  Status status = postgres::CheckBookkeeping(session, &id_map_exists_, &bookkeeping_outdated_);
  if (!status.ok()) {
    return Track(status);
  }
  spdlog::debug("PostgreSQL target {}: server {}, tables in schema \"{}\"", session->display_name(),
                session->server_version(), session->schema());
  return Status::OK();
}

Status PostgresBackend::BeginRun(const RunInfo& run, bool dry_run) {
  run_id_ = run.run_id;
  if (dry_run) {
    if (bookkeeping_outdated_) {
      spdlog::warn(
          "dry-run: the target's ferry bookkeeping is an older ferry's, upgraded by the first "
          "run (or `ferry schema up`) so that each id-map row knows its schema; until then "
          "this dry run counts every record as new");
    }
    return Status::OK();
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  // Named before the run is recorded as running, so that it never looks interrupted.
  Status status = postgres::TagSession(session, run_id_);
  run_recorded_ = status.ok();
  if (status.ok()) {
    status = postgres::EnsureBookkeeping(session);
  }
  if (status.ok()) {
    id_map_exists_ = true;
    // An attached loader joins a run another one of this process recorded.
    if (!run.attach) status = postgres::InsertRun(session, run);
  }
  // The run's record committed synchronously; its batches and lock rows need not wait for the
  // disk: FinishRun flushes them all (async_commits.h).
  if (status.ok()) status = postgres::SetSynchronousCommit(session, false);
  return Track(status);
}

Status PostgresBackend::EnsureSchema(const std::vector<const TableDef*>& tables, bool dry_run) {
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  if (!dry_run) {
    // Everything is checked before the first write: a table that cannot be adopted leaves
    // the target without ferry's bookkeeping too.
    FERRY_RETURN_IF_ERROR(Track(postgres::CheckMappingTables(session, tables)));
    FERRY_RETURN_IF_ERROR(Track(postgres::EnsureBookkeeping(session)));
    id_map_exists_ = true;
  }
  FERRY_RETURN_IF_ERROR(
      Track(postgres::EnsureMappingTables(session, tables, dry_run, &existing_tables_)));
  for (const TableDef* table : tables) {
    ensured_tables_.insert(table->name);
  }
  return Status::OK();
}

Status PostgresBackend::LookupIdentities(const std::string& entity, const std::string& user_id,
                                         const std::vector<std::string>& legacy_ids,
                                         std::vector<std::optional<KnownIdentity>>* out) {
  if (!id_map_exists_) {
    return Status::OK();  // nothing was ever written here
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::LookupIdentities(session, entity, user_id, legacy_ids, out));
}

Status PostgresBackend::FetchRows(const TableDef& table, const std::vector<Row>& keys,
                                  std::vector<std::optional<Row>>* out) {
  if (ensured_tables_.count(table.name) != 0 && existing_tables_.count(table.name) == 0) {
    return Status::OK();  // dry-run of a table that does not exist yet
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::FetchRows(session, table, keys, out));
}

Status PostgresBackend::HoldsNoRowWith(const TableDef& table, const std::string& column,
                                       const Cell& value, bool* none) {
  *none = false;
  if (ensured_tables_.count(table.name) != 0 && existing_tables_.count(table.name) == 0) {
    *none = true;  // dry-run of a table that does not exist yet
    return Status::OK();
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::HoldsNoRowWith(session, table, column, value, none));
}

Status PostgresBackend::ProbeUser(const std::string& user_id,
                                  const std::vector<std::string>& entities,
                                  const std::vector<UserColumn>& tables, bool* fresh) {
  *fresh = false;
  std::vector<UserColumn> present;
  for (const UserColumn& user : tables) {
    bool absent = ensured_tables_.count(user.table->name) != 0 &&
                  existing_tables_.count(user.table->name) == 0;  // dry-run: created later
    if (!absent) present.push_back(user);
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::ProbeUser(session, user_id, id_map_exists_, entities, present, fresh));
}

Status PostgresBackend::ConnectionRoom(int* room) {
  *room = -1;
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::Guarded("reading the server's connection limit", session->secrets(), [&] {
    pqxx::nontransaction txn(session->connection());
    // Reserved: superuser_reserved_connections, and reserved_connections from PostgreSQL 16.
    pqxx::result result = txn.exec(
        "SELECT current_setting('max_connections')::int"
        " - current_setting('superuser_reserved_connections')::int"
        " - coalesce(current_setting('reserved_connections', true)::int, 0)"
        " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int");
    *room = result.size() == 1 ? result[0][0].as<int>() : -1;
    return Status::OK();
  }));
}

Result<BatchOutcome> PostgresBackend::Write(const WriteBatch& batch, const std::string& run_id) {
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  postgres::BatchWriter* writer = Writer(session);
  unanswered_.reset();
  Result<BatchOutcome> outcome = writer->Write(batch, run_id);
  if (!outcome.ok()) {
    if (outcome.status().IsUnavailable()) unanswered_ = AsyncBatchOf(batch);
    return Track(outcome.status());
  }
  if (writer->DeletesLockRow(batch)) rows_gone_.insert(batch.user_id);
  NoteCommitted(batch);
  return outcome;
}

Result<std::vector<BatchOutcome>> PostgresBackend::WriteTogether(
    const std::vector<WriteBatch>& batches, const std::string& run_id) {
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  postgres::BatchWriter* writer = Writer(session);
  unanswered_.reset();
  Result<std::vector<BatchOutcome>> outcomes = writer->WriteTogether(batches, run_id);
  if (!outcomes.ok()) {
    if (outcomes.status().IsUnavailable() && !batches.empty()) {
      unanswered_ = AsyncBatchOf(batches.back());
    }
    return Track(outcomes.status());
  }
  for (const WriteBatch& batch : batches) {
    if (writer->DeletesLockRow(batch)) rows_gone_.insert(batch.user_id);
  }
  if (!batches.empty()) NoteCommitted(batches.back());  // one transaction: its last checkpoint
  return outcomes;
}

Status PostgresBackend::FinishRun(const std::string& run_id, const RunTotals& totals) {
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  // Every loader's last batch still there: no commit of the run was lost to a crash (each
  // loader's commits before its last are in the WAL before it). Then the run's end commits
  // synchronously, which flushes the WAL up to it: every batch is on disk before ferry says
  // the run is done. A lost batch leaves the run unfinished: the same command resumes it.
  Status status = postgres::CheckBatchesKept(session, run_id, postgres::AsyncBatchesOf(run_id));
  if (status.ok()) status = postgres::SetSynchronousCommit(session, true);
  if (status.ok()) status = postgres::FinishRunRow(session, run_id, totals);
  if (status.ok()) postgres::ForgetAsyncBatches(run_id);
  return Track(status);
}

void PostgresBackend::NoteIfCommitted(const std::string& user_id, const std::string& entity,
                                      const std::string& unit,
                                      const std::optional<StoredCheckpoint>& stored) {
  if (!unanswered_ || !stored || unanswered_->user_id != user_id ||
      unanswered_->checkpoint.entity != entity || unanswered_->checkpoint.unit != unit) {
    return;
  }
  if (stored->run_id == run_id_ && stored->token == ProcessToken() &&
      stored->position == unanswered_->checkpoint.position) {
    postgres::NoteAsyncBatch(run_id_, serial_, *unanswered_);
    unanswered_.reset();
  }
}

postgres::BatchWriter* PostgresBackend::Writer(Session* session) {
  if (writer_ == nullptr) {
    writer_ = std::make_unique<postgres::BatchWriter>(session);
    writer_->SetLockedUsers(&locked_users_);
  }
  return writer_.get();
}

void PostgresBackend::NoteCommitted(const WriteBatch& batch) {
  postgres::NoteAsyncBatch(run_id_, serial_, AsyncBatchOf(batch));
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

Status PostgresBackend::SelectText(const std::string& sql,
                                   std::vector<std::vector<std::optional<std::string>>>* rows) {
  rows->clear();
  return OnSession([&](Session* session) {
    return postgres::Guarded("reading the target", session->secrets(), [&]() -> Status {
      pqxx::nontransaction txn(session->connection());
      for (const auto& row : txn.exec(sql)) {
        std::vector<std::optional<std::string>> values;
        for (const auto& field : row) {
          values.push_back(field.is_null() ? std::nullopt
                                           : std::optional<std::string>(field.c_str()));
        }
        rows->push_back(std::move(values));
      }
      return Status::OK();
    });
  });
}

}  // namespace

std::unique_ptr<Loader> MakePostgresLoader(const TargetSpec& spec) {
  return MakeSharedLoader(std::make_unique<PostgresBackend>(spec));
}

}  // namespace ferry
