#include "loaders/postgresql/postgres_loader.h"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>
#include <set>
#include <utility>

#include "loaders/postgresql/batch_writer.h"
#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/connection.h"
#include "loaders/postgresql/copy_text.h"
#include "loaders/postgresql/id_map.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/row_reader.h"
#include "loaders/postgresql/run_history.h"
#include "loaders/postgresql/schema_ddl.h"
#include "loaders/postgresql/schema_migrations.h"
#include "loaders/postgresql/sql_identifier.h"
#include "loaders/postgresql/user_lock.h"

namespace ferry {

namespace {

using postgres::Session;

Status CheckTables(const std::vector<const TableDef*>& tables) {
  for (const TableDef* table : tables) {
    if (table == nullptr) {
      return Status::Internal("EnsureSchema was given a null table");
    }
    FERRY_RETURN_IF_ERROR(postgres::CheckTableDef(*table));
  }
  return Status::OK();
}

class PostgresLoader final : public Loader {
 public:
  explicit PostgresLoader(TargetSpec spec) : spec_(std::move(spec)) {}
  ~PostgresLoader() override { ReleaseLocks(); }

  Status Check(bool dry_run) override;
  Status BeginRun(const RunInfo& run) override;
  Status EnsureSchema(const std::vector<const TableDef*>& tables) override;
  Status LookupIdentities(const std::string& entity, const std::string& user_id,
                          const std::vector<std::string>& legacy_ids,
                          std::vector<std::optional<KnownIdentity>>* out) override;
  Status CheckCell(const ColumnDef& column, const Cell& cell) const override {
    return postgres::CheckCell(column, cell);
  }
  Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override;
  Status HoldsNoRowWith(const TableDef& table, const std::string& column, const Cell& value,
                        bool* none) override;
  Status ConnectionRoom(int* room) override;
  Result<BatchOutcome> Write(const WriteBatch& batch) override;
  Status FinishRun(const RunTotals& totals) override;

  // Schema migrations: schema_migrations.h.
  Status SchemaStatus(const std::vector<const TableDef*>& tables,
                      std::vector<SchemaMigration>* out) override;
  Status SchemaUp(const std::vector<const TableDef*>& tables,
                  std::vector<SchemaMigration>* applied) override;
  Status SchemaDown(const std::vector<const TableDef*>& tables, bool force,
                    SchemaMigration* reverted) override;

  // Locks and run history: user_lock.h, run_history.h.
  Status LockUser(const std::string& user_id) override;
  Status UnlockUser(const std::string& user_id) override;
  Status ReadCheckpoint(const std::string& user_id, const std::string& entity,
                        const std::string& unit, std::optional<StoredCheckpoint>* out) override;
  Status ListCheckpoints(const std::string& run_id, std::vector<CheckpointRecord>* out) override;
  Status FindInterruptedRun(const std::string& arguments, std::optional<RunRecord>* out) override;
  Status ListRuns(int limit, std::vector<RunRecord>* out) override;
  Status ListLocks(std::vector<LockHolder>* out) override;
  Status ForceUnlock(const std::string& user_id, bool even_alive,
                     std::vector<LockHolder>* cleared) override;

 private:
  // The session, reconnecting when an earlier error dropped it.
  Result<Session*> Connected();
  // Passes `status` on; a transient failure drops the connection, which may be broken.
  Status Track(Status status);
  // The session for a schema method, after checking Check() (for `writes`, Check(false))
  // succeeded and CheckTables.
  Result<Session*> SchemaSession(const char* method, const std::vector<const TableDef*>& tables,
                                 bool writes);
  // On a new session of a recorded run: names it after the run and this process, takes the
  // locks again, and fails (Locked) when another process took the run over meanwhile.
  Status Resume(Session* session);
  // Best effort: gives up every lock LockUser took (the session's end releases them anyway).
  void ReleaseLocks();
  // Internal unless Check() succeeded.
  Status RequireChecked(const char* method) const;

  const TargetSpec spec_;
  bool checked_ = false;
  bool connected_once_ = false;  // a session was opened once: a failure to reconnect is transient
  bool dry_run_ = false;
  bool id_map_exists_ = false;
  bool bookkeeping_outdated_ = false;  // an older ferry's id map, not keyed by schema yet
  std::string run_id_;
  std::set<std::string> ensured_tables_;   // names EnsureSchema has seen
  std::set<std::string> existing_tables_;  // of those, the ones in the target
  bool run_recorded_ = false;              // BeginRun recorded run_id_: sessions carry its name
  std::set<std::string> locked_users_;     // LockUser took these; taken again on reconnecting
  std::unique_ptr<Session> session_;
  std::unique_ptr<postgres::BatchWriter> writer_;  // uses session_: reset before it
};

Result<Session*> PostgresLoader::Connected() {
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

Status PostgresLoader::Resume(Session* session) {
  if (!run_recorded_) {
    return Status::OK();
  }
  FERRY_RETURN_IF_ERROR(postgres::TagSession(session, run_id_));
  // Before writing a lock row: a process whose run was taken over leaves nothing behind.
  FERRY_RETURN_IF_ERROR(postgres::CheckRunOwner(session, run_id_));
  for (const std::string& user_id : locked_users_) {
    FERRY_RETURN_IF_ERROR(
        postgres::LockUser(session, user_id, run_id_, postgres::LockMode::kRetake));
  }
  // With its locks held again, nobody can take the run over any more; but another process may
  // have done so while this one was cut off (and be done already, its locks free): then this
  // process's view of the run (identities, positions) is stale, and it must write nothing.
  return postgres::CheckRunOwner(session, run_id_);
}

void PostgresLoader::ReleaseLocks() {
  if (session_ != nullptr) {
    for (const std::string& user_id : locked_users_) {
      postgres::UnlockUser(session_.get(), user_id, run_id_);  // errors: the row stays stale
    }
  }
  locked_users_.clear();
}

Status PostgresLoader::RequireChecked(const char* method) const {
  return checked_ ? Status::OK()
                  : Status::Internal(std::string("PostgreSQL loader: ") + method +
                                     " before a successful Check");
}

Status PostgresLoader::Track(Status status) {
  if (status.IsUnavailable()) {
    writer_.reset();
    session_.reset();
  }
  return status;
}

Status PostgresLoader::Check(bool dry_run) {
  ReleaseLocks();
  run_recorded_ = false;
  writer_.reset();
  session_.reset();
  checked_ = false;
  dry_run_ = dry_run;
  ensured_tables_.clear();
  existing_tables_.clear();
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  Status status = postgres::CheckBookkeeping(session, &id_map_exists_, &bookkeeping_outdated_);
  if (!status.ok()) {
    return Track(status);
  }
  checked_ = true;
  spdlog::debug("PostgreSQL target {}: server {}, tables in schema \"{}\"", session->display_name(),
                session->server_version(), session->schema());
  return Status::OK();
}

Status PostgresLoader::BeginRun(const RunInfo& run) {
  if (!checked_) {
    return Status::Internal("PostgreSQL loader: BeginRun before a successful Check");
  }
  if (run.run_id.empty()) {
    return Status::Internal("PostgreSQL loader: BeginRun without a run id");
  }
  run_id_ = run.run_id;
  dry_run_ = dry_run_ || run.dry_run;
  if (dry_run_) {
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
  return Track(status);
}

Status PostgresLoader::EnsureSchema(const std::vector<const TableDef*>& tables) {
  if (!checked_) {
    return Status::Internal("PostgreSQL loader: EnsureSchema before a successful Check");
  }
  FERRY_RETURN_IF_ERROR(CheckTables(tables));
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  if (!dry_run_) {
    // Everything is checked before the first write: a table that cannot be adopted leaves
    // the target without ferry's bookkeeping too.
    FERRY_RETURN_IF_ERROR(Track(postgres::CheckMappingTables(session, tables)));
    FERRY_RETURN_IF_ERROR(Track(postgres::EnsureBookkeeping(session)));
    id_map_exists_ = true;
  }
  FERRY_RETURN_IF_ERROR(
      Track(postgres::EnsureMappingTables(session, tables, dry_run_, &existing_tables_)));
  for (const TableDef* table : tables) {
    ensured_tables_.insert(table->name);
  }
  return Status::OK();
}

Status PostgresLoader::SchemaStatus(const std::vector<const TableDef*>& tables,
                                    std::vector<SchemaMigration>* out) {
  out->clear();
  FERRY_ASSIGN_OR_RETURN(Session * session, SchemaSession("SchemaStatus", tables, false));
  return Track(postgres::ListMigrations(session, tables, out));
}

Status PostgresLoader::SchemaUp(const std::vector<const TableDef*>& tables,
                                std::vector<SchemaMigration>* applied) {
  applied->clear();
  FERRY_ASSIGN_OR_RETURN(Session * session, SchemaSession("SchemaUp", tables, true));
  FERRY_RETURN_IF_ERROR(Track(postgres::ApplyPendingMigrations(session, tables, applied)));
  id_map_exists_ = true;
  return Status::OK();
}

Status PostgresLoader::SchemaDown(const std::vector<const TableDef*>& tables, bool force,
                                  SchemaMigration* reverted) {
  *reverted = SchemaMigration();
  FERRY_ASSIGN_OR_RETURN(Session * session, SchemaSession("SchemaDown", tables, true));
  return Track(postgres::RevertNewestMigration(session, tables, force, reverted));
}

Result<Session*> PostgresLoader::SchemaSession(const char* method,
                                               const std::vector<const TableDef*>& tables,
                                               bool writes) {
  if (!checked_ || (writes && dry_run_)) {
    return Status::Internal(
        std::string("PostgreSQL loader: ") + method +
        (writes ? " without a successful Check(false)" : " before a successful Check"));
  }
  FERRY_RETURN_IF_ERROR(CheckTables(tables));
  return Connected();
}

Status PostgresLoader::LookupIdentities(const std::string& entity, const std::string& user_id,
                                        const std::vector<std::string>& legacy_ids,
                                        std::vector<std::optional<KnownIdentity>>* out) {
  out->assign(legacy_ids.size(), std::nullopt);
  if (!checked_) {
    return Status::Internal("PostgreSQL loader: LookupIdentities before a successful Check");
  }
  if (!id_map_exists_ || legacy_ids.empty()) {
    return Status::OK();  // nothing was ever written here
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::LookupIdentities(session, entity, user_id, legacy_ids, out));
}

Status PostgresLoader::FetchRows(const TableDef& table, const std::vector<Row>& keys,
                                 std::vector<std::optional<Row>>* out) {
  out->assign(keys.size(), std::nullopt);
  if (!checked_) {
    return Status::Internal("PostgreSQL loader: FetchRows before a successful Check");
  }
  if (ensured_tables_.count(table.name) != 0 && existing_tables_.count(table.name) == 0) {
    return Status::OK();  // dry-run of a table that does not exist yet
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::FetchRows(session, table, keys, out));
}

Status PostgresLoader::HoldsNoRowWith(const TableDef& table, const std::string& column,
                                      const Cell& value, bool* none) {
  *none = false;
  if (!checked_) {
    return Status::Internal("PostgreSQL loader: HoldsNoRowWith before a successful Check");
  }
  if (ensured_tables_.count(table.name) != 0 && existing_tables_.count(table.name) == 0) {
    *none = true;  // dry-run of a table that does not exist yet
    return Status::OK();
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::HoldsNoRowWith(session, table, column, value, none));
}

Status PostgresLoader::ConnectionRoom(int* room) {
  *room = -1;
  if (!checked_) {
    return Status::Internal("PostgreSQL loader: ConnectionRoom before a successful Check");
  }
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

Result<BatchOutcome> PostgresLoader::Write(const WriteBatch& batch) {
  if (!checked_ || dry_run_) {
    return Status::Internal("PostgreSQL loader: Write in a dry-run or before a successful Check");
  }
  if (run_id_.empty()) {
    return Status::Internal("PostgreSQL loader: Write before BeginRun");
  }
  if (batch.table == nullptr || ensured_tables_.count(batch.table->name) == 0) {
    return Status::Internal("PostgreSQL loader: Write to a table not passed to EnsureSchema");
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  if (writer_ == nullptr) {
    writer_ = std::make_unique<postgres::BatchWriter>(session);
  }
  Result<BatchOutcome> outcome = writer_->Write(batch, run_id_);
  if (!outcome.ok()) {
    return Track(outcome.status());
  }
  return outcome;
}

Status PostgresLoader::FinishRun(const RunTotals& totals) {
  if (dry_run_) {
    return Status::OK();
  }
  if (!checked_ || run_id_.empty()) {
    return Status::Internal("PostgreSQL loader: FinishRun before BeginRun");
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::FinishRunRow(session, run_id_, totals));
}

Status PostgresLoader::LockUser(const std::string& user_id) {
  if (!checked_ || run_id_.empty()) {
    return Status::Internal("PostgreSQL loader: LockUser before BeginRun");
  }
  if (locked_users_.count(user_id) != 0) {
    return Status::OK();  // advisory locks stack: never take one twice
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  Status status = postgres::LockUser(
      session, user_id, run_id_, dry_run_ ? postgres::LockMode::kCheck : postgres::LockMode::kTake);
  if (status.ok() && !dry_run_) {
    locked_users_.insert(user_id);
  }
  return Track(status);
}

Status PostgresLoader::UnlockUser(const std::string& user_id) {
  if (locked_users_.count(user_id) == 0) {
    return Status::OK();
  }
  // Still held until the row is gone: when the connection drops midway, the retry reconnects,
  // takes the lock again and deletes the row, instead of leaving it behind as a stale holder.
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  Status status = postgres::UnlockUser(session, user_id, run_id_);
  if (status.ok()) {
    locked_users_.erase(user_id);
  }
  return Track(status);
}

Status PostgresLoader::ReadCheckpoint(const std::string& user_id, const std::string& entity,
                                      const std::string& unit,
                                      std::optional<StoredCheckpoint>* out) {
  out->reset();
  FERRY_RETURN_IF_ERROR(RequireChecked("ReadCheckpoint"));
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::ReadCheckpoint(session, user_id, entity, unit, out));
}

Status PostgresLoader::ListCheckpoints(const std::string& run_id,
                                       std::vector<CheckpointRecord>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ListCheckpoints"));
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::ListCheckpoints(session, run_id, out));
}

Status PostgresLoader::FindInterruptedRun(const std::string& arguments,
                                          std::optional<RunRecord>* out) {
  out->reset();
  FERRY_RETURN_IF_ERROR(RequireChecked("FindInterruptedRun"));
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::FindInterruptedRun(session, arguments, out));
}

Status PostgresLoader::ListRuns(int limit, std::vector<RunRecord>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ListRuns"));
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  FERRY_RETURN_IF_ERROR(Track(postgres::ListRuns(session, limit, out)));
  return Track(postgres::AddRunErrors(session, out));
}

Status PostgresLoader::ListLocks(std::vector<LockHolder>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ListLocks"));
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::ListLocks(session, out));
}

Status PostgresLoader::ForceUnlock(const std::string& user_id, bool even_alive,
                                   std::vector<LockHolder>* cleared) {
  cleared->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ForceUnlock"));
  if (dry_run_) {
    return Status::Internal("PostgreSQL loader: ForceUnlock after a dry-run Check");
  }
  FERRY_ASSIGN_OR_RETURN(Session * session, Connected());
  return Track(postgres::ForceUnlock(session, user_id, even_alive, cleared));
}

}  // namespace

std::unique_ptr<Loader> MakePostgresLoader(const TargetSpec& spec) {
  return std::make_unique<PostgresLoader>(spec);
}

}  // namespace ferry
