// PostgresBackend: the PostgreSQL half of the shared loader (loaders/core/shared_loader.h).
// Internal to loaders/postgresql: postgres_loader.cc makes it; its user locks are in
// postgres_backend_locks.cc.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

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
#include "loaders/postgresql/unit_marks.h"
#include "loaders/postgresql/unit_rejects.h"
#include "loaders/postgresql/user_lock.h"
#include "loaders/postgresql/user_writers.h"
#include "loaders/process_identity.h"

namespace ferry::postgres {

// One session, opened again after a transient failure dropped it.
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
  Status RecordArchive(const std::string& run_id, const std::string& archive_id) override;
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
  Status ReadUnitRejects(const std::string& user_id, const std::string& unit,
                         std::optional<StoredUnitRejects>* out) override {
    return OnSession([&](Session* s) { return postgres::ReadUnitRejects(s, user_id, unit, out); });
  }
  Status ReadUnitMarks(const std::vector<std::string>& units, size_t max_kept_bytes,
                       std::vector<StoredUnitMark>* out, bool* complete) override {
    return OnSession([&](Session* s) {
      return postgres::ReadUnitMarks(s, units, max_kept_bytes, out, complete);
    });
  }
  Status ListRunIdentities(const std::string& run_id, const RunIdentity* after, size_t limit,
                           std::vector<RunIdentity>* out) override {
    return OnSession(
        [&](Session* s) { return postgres::ListRunIdentities(s, run_id, after, limit, out); });
  }
  Status ListCheckpoints(const std::string& run_id, std::vector<CheckpointRecord>* out) override {
    return OnSession([&](Session* s) { return postgres::ListCheckpoints(s, run_id, out); });
  }
  Status ListUserCheckpoints(const std::string& user_id, size_t limit,
                             std::vector<CheckpointRecord>* out, bool* complete) override {
    return OnSession([&](Session* s) {
      return postgres::ListUserCheckpoints(s, user_id, limit, out, complete);
    });
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

}  // namespace ferry::postgres
