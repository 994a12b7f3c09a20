#include "loaders/sqlite/sqlite_loader.h"

#include <spdlog/spdlog.h>

#include <set>
#include <utility>

#include "loaders/sqlite/batch_writer.h"
#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/cell_binding.h"
#include "loaders/sqlite/connection.h"
#include "loaders/sqlite/id_map.h"
#include "loaders/sqlite/row_reader.h"
#include "loaders/sqlite/run_history.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/schema_migrations.h"
#include "loaders/sqlite/sqlite_handle.h"
#include "loaders/sqlite/transaction.h"
#include "loaders/sqlite/user_lock.h"

namespace ferry {

namespace {

using sqlite::Transaction;

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

// Checks what EnsureSchema is given before anything touches the target.
Status CheckTables(const std::vector<const TableDef*>& tables) {
  for (const TableDef* table : tables) {
    if (table == nullptr) {
      return Status::Internal("EnsureSchema was given a null table");
    }
    FERRY_RETURN_IF_ERROR(sqlite::CheckTableDef(*table));
    if (sqlite::IsReservedTableName(table->name)) {
      return Status::InvalidArgument("target table " + Quoted(table->name) +
                                     ": names starting with ferry_ or sqlite_ are reserved");
    }
  }
  return Status::OK();
}

class SqliteLoader final : public Loader {
 public:
  SqliteLoader(TargetSpec spec, SqliteLoaderOptions options)
      : spec_(std::move(spec)), options_(options) {}
  ~SqliteLoader() override { ReleaseLocks(); }

  Status Check(bool dry_run) override;
  Status BeginRun(const RunInfo& run) override;
  Status EnsureSchema(const std::vector<const TableDef*>& tables) override;
  Status LookupIdentities(const std::string& entity, const std::string& user_id,
                          const std::vector<std::string>& legacy_ids,
                          std::vector<std::optional<KnownIdentity>>* out) override;
  Status CheckCell(const ColumnDef& column, const Cell& cell) const override {
    return sqlite::CheckCell(column, cell);
  }
  Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override;
  Status HoldsNoRowWith(const TableDef& table, const std::string& column, const Cell& value,
                        bool* none) override;
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
  // Creates the bookkeeping tables (once per connection) and prepares the id map.
  Status EnsureBookkeepingOnce();
  // The id map's statements, or null when the target has no ferry_id_map yet.
  Result<sqlite::IdMap*> IdMapIfAny();
  // Internal unless Check() (for `writes`, a Check(false)) succeeded; then CheckTables.
  Status RequireSchemaTarget(const char* method, const std::vector<const TableDef*>& tables,
                             bool writes) const;
  // Best effort: deletes the rows of every lock LockUser took.
  void ReleaseLocks();
  // Internal unless Check() succeeded.
  Status RequireChecked(const char* method) const;

  const TargetSpec spec_;
  const SqliteLoaderOptions options_;
  bool checked_ = false;
  bool dry_run_ = false;
  bool bookkeeping_ready_ = false;
  std::string run_id_;
  std::set<std::string> ensured_tables_;  // names EnsureSchema has seen
  std::set<std::string> locked_users_;    // LockUser took these
  // Declared before what uses it, so it is destroyed last.
  sqlite::Database db_;  // null before Check() and in a dry-run of a missing file
  std::unique_ptr<sqlite::IdMap> id_map_;
  std::unique_ptr<sqlite::BatchWriter> writer_;
};

Status SqliteLoader::Check(bool dry_run) {
  ReleaseLocks();
  writer_.reset();
  id_map_.reset();
  db_.reset();
  ensured_tables_.clear();
  bookkeeping_ready_ = false;
  checked_ = false;
  dry_run_ = dry_run;
  Result<sqlite::Database> db = dry_run
                                    ? sqlite::OpenForDryRun(spec_.path, options_.busy_timeout_ms)
                                    : sqlite::OpenForWriting(spec_.path, options_.busy_timeout_ms);
  if (!db.ok()) {
    return db.status();
  }
  db_ = std::move(db).value();
  if (db_ != nullptr) {
    Status status = sqlite::CheckBookkeeping(db_.get());
    if (!status.ok()) {
      return status.WithContext("SQLite target " + Quoted(spec_.path));
    }
  }
  checked_ = true;
  return Status::OK();
}

Status SqliteLoader::EnsureBookkeepingOnce() {
  if (bookkeeping_ready_) {
    return Status::OK();
  }
  FERRY_RETURN_IF_ERROR(sqlite::EnsureBookkeeping(db_.get()));
  bookkeeping_ready_ = true;
  return Status::OK();
}

Status SqliteLoader::BeginRun(const RunInfo& run) {
  if (!checked_) {
    return Status::Internal("SQLite loader: BeginRun before a successful Check");
  }
  if (run.run_id.empty()) {
    return Status::Internal("SQLite loader: BeginRun without a run id");
  }
  run_id_ = run.run_id;
  dry_run_ = dry_run_ || run.dry_run;
  if (dry_run_) {
    return Status::OK();
  }
  FERRY_RETURN_IF_ERROR(EnsureBookkeepingOnce());
  if (run.attach) {
    return Status::OK();  // another loader of this run recorded it
  }
  return sqlite::InsertRun(db_.get(), run);
}

Status SqliteLoader::EnsureSchema(const std::vector<const TableDef*>& tables) {
  if (!checked_) {
    return Status::Internal("SQLite loader: EnsureSchema before a successful Check");
  }
  FERRY_RETURN_IF_ERROR(CheckTables(tables));
  if (!dry_run_) {
    // Everything is checked before the first write: a table that cannot be adopted leaves
    // the target without ferry's bookkeeping too.
    FERRY_RETURN_IF_ERROR(sqlite::CheckMappingTables(db_.get(), tables));
    FERRY_RETURN_IF_ERROR(EnsureBookkeepingOnce());
  }
  FERRY_RETURN_IF_ERROR(sqlite::EnsureMappingTables(db_.get(), tables, dry_run_, spec_.path));
  for (const TableDef* table : tables) {
    ensured_tables_.insert(table->name);
  }
  return Status::OK();
}

Status SqliteLoader::SchemaStatus(const std::vector<const TableDef*>& tables,
                                  std::vector<SchemaMigration>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireSchemaTarget("SchemaStatus", tables, /*writes=*/false));
  return sqlite::ListMigrations(db_.get(), tables, out);
}

Status SqliteLoader::SchemaUp(const std::vector<const TableDef*>& tables,
                              std::vector<SchemaMigration>* applied) {
  applied->clear();
  FERRY_RETURN_IF_ERROR(RequireSchemaTarget("SchemaUp", tables, /*writes=*/true));
  return sqlite::ApplyPendingMigrations(db_.get(), tables, applied);
}

Status SqliteLoader::SchemaDown(const std::vector<const TableDef*>& tables, bool force,
                                SchemaMigration* reverted) {
  *reverted = SchemaMigration();
  FERRY_RETURN_IF_ERROR(RequireSchemaTarget("SchemaDown", tables, /*writes=*/true));
  return sqlite::RevertNewestMigration(db_.get(), tables, force, reverted);
}

Status SqliteLoader::RequireSchemaTarget(const char* method,
                                         const std::vector<const TableDef*>& tables,
                                         bool writes) const {
  if (!checked_ || (writes && (dry_run_ || db_ == nullptr))) {
    return Status::Internal(
        std::string("SQLite loader: ") + method +
        (writes ? " without a successful Check(false)" : " before a successful Check"));
  }
  return CheckTables(tables);
}

Result<sqlite::IdMap*> SqliteLoader::IdMapIfAny() {
  if (id_map_ == nullptr && db_ != nullptr) {
    FERRY_ASSIGN_OR_RETURN(bool exists, sqlite::TableExists(db_.get(), "ferry_id_map"));
    if (exists) {
      FERRY_ASSIGN_OR_RETURN(id_map_, sqlite::IdMap::Prepare(db_.get()));
    }
  }
  return id_map_.get();
}

Status SqliteLoader::LookupIdentities(const std::string& entity, const std::string& user_id,
                                      const std::vector<std::string>& legacy_ids,
                                      std::vector<std::optional<KnownIdentity>>* out) {
  out->assign(legacy_ids.size(), std::nullopt);
  if (!checked_) {
    return Status::Internal("SQLite loader: LookupIdentities before a successful Check");
  }
  FERRY_ASSIGN_OR_RETURN(sqlite::IdMap * id_map, IdMapIfAny());
  if (id_map == nullptr || legacy_ids.empty()) {
    return Status::OK();  // nothing was ever written here
  }
  // One read transaction: one snapshot, and no lock taken and dropped per id.
  Transaction txn(db_.get());
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred, "reading ferry_id_map"));
  for (size_t i = 0; i < legacy_ids.size(); ++i) {
    FERRY_ASSIGN_OR_RETURN((*out)[i], id_map->Find(entity, user_id, legacy_ids[i]));
  }
  return txn.Commit("reading ferry_id_map");
}

Status SqliteLoader::FetchRows(const TableDef& table, const std::vector<Row>& keys,
                               std::vector<std::optional<Row>>* out) {
  out->assign(keys.size(), std::nullopt);
  if (!checked_) {
    return Status::Internal("SQLite loader: FetchRows before a successful Check");
  }
  if (db_ == nullptr || keys.empty()) {
    return Status::OK();  // a dry run of a missing file: no rows
  }
  // One read transaction: one snapshot for every chunk of keys.
  std::string context = "reading rows of " + Quoted(table.name);
  Transaction txn(db_.get());
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred, context));
  FERRY_ASSIGN_OR_RETURN(bool exists, sqlite::TableExists(db_.get(), table.name));
  if (!exists) {
    return txn.Commit(context);  // in a dry run, a table that would be created
  }
  FERRY_RETURN_IF_ERROR(sqlite::FetchRowsByKey(db_.get(), table, keys, out));
  return txn.Commit(context);
}

Status SqliteLoader::HoldsNoRowWith(const TableDef& table, const std::string& column,
                                    const Cell& value, bool* none) {
  *none = false;
  if (!checked_) {
    return Status::Internal("SQLite loader: HoldsNoRowWith before a successful Check");
  }
  if (db_ == nullptr) {
    *none = true;  // a dry run of a missing file: no rows
    return Status::OK();
  }
  FERRY_ASSIGN_OR_RETURN(bool exists, sqlite::TableExists(db_.get(), table.name));
  if (!exists) {
    *none = true;  // in a dry run, a table that would be created
    return Status::OK();
  }
  return sqlite::HoldsNoRowWith(db_.get(), table, column, value, none);
}

Result<BatchOutcome> SqliteLoader::Write(const WriteBatch& batch) {
  if (!checked_ || dry_run_ || db_ == nullptr) {
    return Status::Internal("SQLite loader: Write in a dry-run or before a successful Check");
  }
  if (run_id_.empty()) {
    return Status::Internal("SQLite loader: Write before BeginRun");
  }
  if (batch.table == nullptr || ensured_tables_.count(batch.table->name) == 0) {
    return Status::Internal("SQLite loader: Write to a table not passed to EnsureSchema");
  }
  if (writer_ == nullptr) {
    FERRY_RETURN_IF_ERROR(EnsureBookkeepingOnce());
    FERRY_ASSIGN_OR_RETURN(sqlite::IdMap * id_map, IdMapIfAny());
    if (id_map == nullptr) {
      return Status::Internal("SQLite loader: ferry_id_map missing after it was created");
    }
    writer_ = std::make_unique<sqlite::BatchWriter>(db_.get(), id_map);
  }
  return writer_->Write(batch, run_id_);
}

Status SqliteLoader::FinishRun(const RunTotals& totals) {
  if (dry_run_) {
    return Status::OK();
  }
  if (!checked_ || run_id_.empty()) {
    return Status::Internal("SQLite loader: FinishRun before BeginRun");
  }
  return sqlite::FinishRunRow(db_.get(), run_id_, totals);
}

void SqliteLoader::ReleaseLocks() {
  if (db_ != nullptr) {
    for (const std::string& user_id : locked_users_) {
      sqlite::UnlockUser(db_.get(), user_id, run_id_);  // errors: the row stays, stale
    }
  }
  locked_users_.clear();
}

Status SqliteLoader::RequireChecked(const char* method) const {
  return checked_ ? Status::OK()
                  : Status::Internal(std::string("SQLite loader: ") + method +
                                     " before a successful Check");
}

Status SqliteLoader::LockUser(const std::string& user_id) {
  if (!checked_ || run_id_.empty()) {
    return Status::Internal("SQLite loader: LockUser before BeginRun");
  }
  if (locked_users_.count(user_id) != 0 || db_ == nullptr) {
    return Status::OK();  // held already, or a dry run of a missing file
  }
  FERRY_RETURN_IF_ERROR(
      sqlite::LockUser(db_.get(), Quoted(spec_.path), user_id, run_id_, dry_run_));
  if (!dry_run_) {
    locked_users_.insert(user_id);
  }
  return Status::OK();
}

Status SqliteLoader::UnlockUser(const std::string& user_id) {
  if (locked_users_.count(user_id) == 0 || db_ == nullptr) {
    return Status::OK();
  }
  // Still ours until the row is gone: a DELETE that fails (a busy file) is retried, and the
  // retry must delete it, not find the user already forgotten and leave the row naming this
  // (live) process.
  FERRY_RETURN_IF_ERROR(sqlite::UnlockUser(db_.get(), user_id, run_id_));
  locked_users_.erase(user_id);
  return Status::OK();
}

Status SqliteLoader::ReadCheckpoint(const std::string& user_id, const std::string& entity,
                                    const std::string& unit, std::optional<StoredCheckpoint>* out) {
  out->reset();
  FERRY_RETURN_IF_ERROR(RequireChecked("ReadCheckpoint"));
  return db_ == nullptr ? Status::OK()
                        : sqlite::ReadCheckpoint(db_.get(), user_id, entity, unit, out);
}

Status SqliteLoader::ListCheckpoints(const std::string& run_id,
                                     std::vector<CheckpointRecord>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ListCheckpoints"));
  return db_ == nullptr ? Status::OK() : sqlite::ListCheckpoints(db_.get(), run_id, out);
}

Status SqliteLoader::FindInterruptedRun(const std::string& arguments,
                                        std::optional<RunRecord>* out) {
  out->reset();
  FERRY_RETURN_IF_ERROR(RequireChecked("FindInterruptedRun"));
  return db_ == nullptr ? Status::OK() : sqlite::FindInterruptedRun(db_.get(), arguments, out);
}

Status SqliteLoader::ListRuns(int limit, std::vector<RunRecord>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ListRuns"));
  if (db_ == nullptr) return Status::OK();
  FERRY_RETURN_IF_ERROR(sqlite::ListRuns(db_.get(), limit, out));
  return sqlite::AddRunErrors(db_.get(), out);
}

Status SqliteLoader::ListLocks(std::vector<LockHolder>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ListLocks"));
  return db_ == nullptr ? Status::OK() : sqlite::ListLocks(db_.get(), out);
}

Status SqliteLoader::ForceUnlock(const std::string& user_id, bool even_alive,
                                 std::vector<LockHolder>* cleared) {
  cleared->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ForceUnlock"));
  if (dry_run_ || db_ == nullptr) {
    return Status::Internal("SQLite loader: ForceUnlock after a dry-run Check");
  }
  return sqlite::ForceUnlock(db_.get(), user_id, even_alive, cleared);
}

}  // namespace

std::unique_ptr<Loader> MakeSqliteLoader(const TargetSpec& spec) {
  return MakeSqliteLoaderWithOptions(spec, SqliteLoaderOptions());
}

std::unique_ptr<Loader> MakeSqliteLoaderWithOptions(const TargetSpec& spec,
                                                    const SqliteLoaderOptions& options) {
  return std::make_unique<SqliteLoader>(spec, options);
}

}  // namespace ferry
