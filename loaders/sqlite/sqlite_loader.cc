#include "loaders/sqlite/sqlite_loader.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <set>
#include <utility>

#include "base/quoted.h"
#include "loaders/core/shared_loader.h"
#include "loaders/sqlite/batch_writer.h"
#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/cell_binding.h"
#include "loaders/sqlite/connection.h"
#include "loaders/sqlite/id_map.h"
#include "loaders/sqlite/rollback_writer.h"
#include "loaders/sqlite/row_reader.h"
#include "loaders/sqlite/run_history.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/schema_migrations.h"
#include "loaders/sqlite/sql_identifier.h"
#include "loaders/sqlite/sqlite_handle.h"
#include "loaders/sqlite/transaction.h"
#include "loaders/sqlite/unit_marks.h"
#include "loaders/sqlite/unit_rejects.h"
#include "loaders/sqlite/user_lock.h"

namespace ferry {

namespace {

using sqlite::Transaction;

// The SQLite half of the shared loader (loaders/core/shared_loader.h): one connection to the
// file, none in a dry run of a missing file (which then reads as an empty target).
class SqliteBackend final : public LoaderBackend {
 public:
  SqliteBackend(TargetSpec spec, SqliteLoaderOptions options)
      : spec_(std::move(spec)), options_(options) {}

  const char* name() const override { return "SQLite"; }
  Status Open(bool dry_run) override;
  Status CheckTableDef(const TableDef& table) const override;
  Status CheckCell(const ColumnDef& column, const Cell& cell) const override {
    return sqlite::CheckCell(column, cell);
  }
  Status BeginRun(const RunInfo& run, bool dry_run) override;
  Status RecordArchive(const std::string& run_id, const std::string& archive_id) override {
    return sqlite::RecordRunArchive(db_.get(), run_id, archive_id);
  }
  Status EnsureSchema(const std::vector<const TableDef*>& tables, bool dry_run) override;
  Status LookupIdentities(const std::string& entity, const std::string& user_id,
                          const std::vector<std::string>& legacy_ids,
                          std::vector<std::optional<KnownIdentity>>* out) override;
  Status ListRunIdentities(const std::string& run_id, const RunIdentity* after, size_t limit,
                           std::vector<RunIdentity>* out) override {
    return OnFile(
        [&](sqlite3* db) { return sqlite::ListRunIdentities(db, run_id, after, limit, out); });
  }
  Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override;
  Status HoldsNoRowWith(const TableDef& table, const std::string& column, const Cell& value,
                        bool* none) override;
  Status ProbeUser(const std::string& user_id, const std::vector<std::string>& entities,
                   const std::vector<UserColumn>& tables, bool* fresh) override;
  Result<BatchOutcome> Write(const WriteBatch& batch, const std::string& run_id) override;
  Status FinishRun(const std::string& run_id, const RunTotals& totals) override;

  Status LockUser(const std::string& user_id, const std::string& run_id, bool check_only) override;
  Status UnlockUser(const std::string& user_id, const std::string& run_id) override;
  void ReleaseLocks(const std::set<std::string>& user_ids, const std::string& run_id) override;

  Result<std::string> QuotedTable(const std::string& name) override {
    return sqlite::QuoteIdentifier(name);
  }
  Status SelectText(const std::string& sql,
                    std::vector<std::vector<std::optional<std::string>>>* rows) override;

  // The bookkeeping read back, and schema migrations: one call each on the file; a dry run of a
  // missing file has no bookkeeping and no schema history.
  Status ReadCheckpoint(const std::string& user_id, const std::string& entity,
                        const std::string& unit, std::optional<StoredCheckpoint>* out) override {
    return OnFile(
        [&](sqlite3* db) { return sqlite::ReadCheckpoint(db, user_id, entity, unit, out); });
  }
  Status ReadUnitRejects(const std::string& user_id, const std::string& unit,
                         std::optional<StoredUnitRejects>* out) override {
    return OnFile([&](sqlite3* db) { return sqlite::ReadUnitRejects(db, user_id, unit, out); });
  }
  Status ReadUnitMarks(const std::vector<std::string>& units, size_t max_kept_bytes,
                       std::vector<StoredUnitMark>* out, bool* complete) override {
    out->clear();
    *complete = units.size() <= sqlite::kMaxMarkUnits;
    if (!*complete) return Status::OK();  // read alone, as a target that cannot
    return OnFile(
        [&](sqlite3* db) { return sqlite::ReadUnitMarks(db, units, max_kept_bytes, out); });
  }
  Status ListCheckpoints(const std::string& run_id, std::vector<CheckpointRecord>* out) override {
    return OnFile([&](sqlite3* db) { return sqlite::ListCheckpoints(db, run_id, out); });
  }
  Status ListUserCheckpoints(const std::string& user_id, size_t limit,
                             std::vector<CheckpointRecord>* out, bool* complete) override {
    return OnFile([&](sqlite3* db) {
      return sqlite::ListUserCheckpoints(db, user_id, limit, out, complete);
    });
  }
  Status FindInterruptedRun(const std::string& arguments, std::optional<RunRecord>* out) override {
    return OnFile([&](sqlite3* db) { return sqlite::FindInterruptedRun(db, arguments, out); });
  }
  Status ListRuns(int limit, std::vector<RunRecord>* out) override {
    FERRY_RETURN_IF_ERROR(OnFile([&](sqlite3* db) { return sqlite::ListRuns(db, limit, out); }));
    return OnFile([&](sqlite3* db) { return sqlite::AddRunErrors(db, out); });
  }
  Status ListAuditDetails(const std::string& run_id, const std::string& action,
                          std::vector<std::string>* out) override {
    return OnFile([&](sqlite3* db) { return sqlite::ListAuditDetails(db, run_id, action, out); });
  }
  Status ListLocks(std::vector<LockHolder>* out) override {
    return OnFile([&](sqlite3* db) { return sqlite::ListLocks(db, out); });
  }
  Status ForceUnlock(const std::string& user_id, bool even_alive,
                     std::vector<LockHolder>* cleared) override {
    if (db_ == nullptr) {
      return Status::Internal("SQLite loader: ForceUnlock after a dry-run Check");
    }
    return sqlite::ForceUnlock(db_.get(), user_id, even_alive, cleared);
  }
  Status SchemaStatus(const std::vector<const TableDef*>& tables,
                      std::vector<SchemaMigration>* out) override {
    return sqlite::ListMigrations(db_.get(), tables, out);  // takes a null db: nothing recorded
  }
  Status SchemaUp(const std::vector<const TableDef*>& tables,
                  std::vector<SchemaMigration>* applied) override {
    FERRY_RETURN_IF_ERROR(RequireDatabase("SchemaUp"));
    return sqlite::ApplyPendingMigrations(db_.get(), tables, applied);
  }
  Status SchemaDown(const std::vector<const TableDef*>& tables, bool force,
                    SchemaMigration* reverted) override {
    FERRY_RETURN_IF_ERROR(RequireDatabase("SchemaDown"));
    return sqlite::RevertNewestMigration(db_.get(), tables, force, reverted);
  }
  Status ApplyRollback(const std::string& run_id, const std::vector<const TableDef*>& tables,
                       PreImageStream& images, const std::string& detail) override {
    FERRY_RETURN_IF_ERROR(RequireDatabase("ApplyRollback"));
    return sqlite::ApplyRollback(db_.get(), run_id, tables, images, detail);
  }

 private:
  // Creates the bookkeeping tables (once per connection) and prepares the id map.
  Status EnsureBookkeepingOnce();
  // The id map's statements, or null when the target has no ferry_id_map yet.
  Result<sqlite::IdMap*> IdMapIfAny();
  // Internal when there is no file to write to (a dry run of a missing one).
  Status RequireDatabase(const char* method) const;
  // Runs `step` on the file; OK without running it when there is none.
  template <typename Step>
  Status OnFile(const Step& step) {
    return db_ == nullptr ? Status::OK() : step(db_.get());
  }

  const TargetSpec spec_;
  const SqliteLoaderOptions options_;
  bool bookkeeping_ready_ = false;
  // Declared before what uses it, so it is destroyed last.
  sqlite::Database db_;  // null before Open() and in a dry-run of a missing file
  std::unique_ptr<sqlite::IdMap> id_map_;
  std::unique_ptr<sqlite::BatchWriter> writer_;
};

Status SqliteBackend::CheckTableDef(const TableDef& table) const {
  FERRY_RETURN_IF_ERROR(sqlite::CheckTableDef(table));
  if (sqlite::IsReservedTableName(table.name)) {
    return Status::InvalidArgument("target table " + Quoted(table.name) +
                                   ": names starting with ferry_ or sqlite_ are reserved");
  }
  return Status::OK();
}

Status SqliteBackend::RequireDatabase(const char* method) const {
  return db_ != nullptr ? Status::OK()
                        : Status::Internal(std::string("SQLite loader: ") + method +
                                           " without a successful Check(false)");
}

Status SqliteBackend::Open(bool dry_run) {
  writer_.reset();
  id_map_.reset();
  db_.reset();
  bookkeeping_ready_ = false;
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
  return Status::OK();
}

Status SqliteBackend::EnsureBookkeepingOnce() {
  if (bookkeeping_ready_) {
    return Status::OK();
  }
  FERRY_RETURN_IF_ERROR(sqlite::EnsureBookkeeping(db_.get()));
  bookkeeping_ready_ = true;
  return Status::OK();
}

Status SqliteBackend::BeginRun(const RunInfo& run, bool dry_run) {
  if (dry_run) {
    return Status::OK();
  }
  FERRY_RETURN_IF_ERROR(EnsureBookkeepingOnce());
  if (!run.attach) {  // else another loader of this run recorded it
    FERRY_RETURN_IF_ERROR(sqlite::InsertRun(db_.get(), run));
  }
  // Recorded with a synced commit; the batches need not be, on a WAL file: FinishRun's commit
  // syncs them all (connection.h).
  return sqlite::SetRunDurability(db_.get(), true);
}

Status SqliteBackend::EnsureSchema(const std::vector<const TableDef*>& tables, bool dry_run) {
  if (!dry_run) {
    // Everything is checked before the first write: a table that cannot be adopted leaves
    // the target without ferry's bookkeeping too.
    FERRY_RETURN_IF_ERROR(sqlite::CheckMappingTables(db_.get(), tables));
    FERRY_RETURN_IF_ERROR(EnsureBookkeepingOnce());
  }
  return sqlite::EnsureMappingTables(db_.get(), tables, dry_run, spec_.path);
}

Result<sqlite::IdMap*> SqliteBackend::IdMapIfAny() {
  if (id_map_ == nullptr && db_ != nullptr) {
    FERRY_ASSIGN_OR_RETURN(bool exists, sqlite::TableExists(db_.get(), "ferry_id_map"));
    if (exists) {
      FERRY_ASSIGN_OR_RETURN(id_map_, sqlite::IdMap::Prepare(db_.get()));
    }
  }
  return id_map_.get();
}

Status SqliteBackend::LookupIdentities(const std::string& entity, const std::string& user_id,
                                       const std::vector<std::string>& legacy_ids,
                                       std::vector<std::optional<KnownIdentity>>* out) {
  FERRY_ASSIGN_OR_RETURN(sqlite::IdMap * id_map, IdMapIfAny());
  if (id_map == nullptr) {
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

Status SqliteBackend::FetchRows(const TableDef& table, const std::vector<Row>& keys,
                                std::vector<std::optional<Row>>* out) {
  if (db_ == nullptr) {
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

Status SqliteBackend::HoldsNoRowWith(const TableDef& table, const std::string& column,
                                     const Cell& value, bool* none) {
  *none = false;
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

Status SqliteBackend::ProbeUser(const std::string& user_id,
                                const std::vector<std::string>& entities,
                                const std::vector<UserColumn>& tables, bool* fresh) {
  *fresh = false;
  if (db_ == nullptr) {
    *fresh = true;  // a dry run of a missing file: nothing held
    return Status::OK();
  }
  // One read transaction: one snapshot for the id map and every table.
  const char* context = "reading what the target holds of a user";
  Transaction txn(db_.get());
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred, context));
  FERRY_ASSIGN_OR_RETURN(bool id_map, sqlite::TableExists(db_.get(), "ferry_id_map"));
  if (id_map && !entities.empty()) {
    // The id map's key leads with the entity: one probe per entity.
    FERRY_ASSIGN_OR_RETURN(sqlite::Statement probe,
                           sqlite::Prepare(db_.get(),
                                           "SELECT EXISTS (SELECT 1 FROM ferry_id_map WHERE "
                                           "entity = ?1 AND user_id = ?2)"));
    for (const std::string& entity : entities) {
      sqlite3_reset(probe.get());
      sqlite3_bind_text(probe.get(), 1, entity.data(), static_cast<int>(entity.size()),
                        SQLITE_STATIC);
      sqlite3_bind_text(probe.get(), 2, user_id.data(), static_cast<int>(user_id.size()),
                        SQLITE_STATIC);
      FERRY_ASSIGN_OR_RETURN(bool row, sqlite::Step(db_.get(), probe.get(), context));
      if (!row || sqlite3_column_int64(probe.get(), 0) != 0) return txn.Commit(context);
    }
  }
  for (const UserColumn& user : tables) {
    FERRY_ASSIGN_OR_RETURN(bool exists, sqlite::TableExists(db_.get(), user.table->name));
    if (!exists) continue;  // in a dry run, a table that would be created
    bool none = false;
    Status probed =
        sqlite::HoldsNoRowWith(db_.get(), *user.table, user.column, Cell(user_id), &none);
    if (!probed.ok() || !none) return txn.Commit(context);  // held, or cannot tell
  }
  *fresh = true;
  return txn.Commit(context);
}

Result<BatchOutcome> SqliteBackend::Write(const WriteBatch& batch, const std::string& run_id) {
  if (db_ == nullptr) {
    return Status::Internal("SQLite loader: Write in a dry-run or before a successful Check");
  }
  if (writer_ == nullptr) {
    FERRY_RETURN_IF_ERROR(EnsureBookkeepingOnce());
    FERRY_ASSIGN_OR_RETURN(sqlite::IdMap * id_map, IdMapIfAny());
    if (id_map == nullptr) {
      return Status::Internal("SQLite loader: ferry_id_map missing after it was created");
    }
    writer_ = std::make_unique<sqlite::BatchWriter>(db_.get(), id_map);
  }
  return writer_->Write(batch, run_id);
}

Status SqliteBackend::FinishRun(const std::string& run_id, const RunTotals& totals) {
  // synchronous=FULL first: the run's end syncs the WAL, and with it every batch before it.
  FERRY_RETURN_IF_ERROR(sqlite::SetRunDurability(db_.get(), false));
  return sqlite::FinishRunRow(db_.get(), run_id, totals);
}

void SqliteBackend::ReleaseLocks(const std::set<std::string>& user_ids, const std::string& run_id) {
  if (db_ != nullptr) {
    for (const std::string& user_id : user_ids) {
      sqlite::UnlockUser(db_.get(), user_id, run_id);  // errors: the row stays, stale
    }
  }
}

Status SqliteBackend::LockUser(const std::string& user_id, const std::string& run_id,
                               bool check_only) {
  if (db_ == nullptr) {
    return Status::OK();  // a dry run of a missing file
  }
  return sqlite::LockUser(db_.get(), Quoted(spec_.path), user_id, run_id, check_only);
}

Status SqliteBackend::UnlockUser(const std::string& user_id, const std::string& run_id) {
  return db_ == nullptr ? Status::OK() : sqlite::UnlockUser(db_.get(), user_id, run_id);
}

Status SqliteBackend::SelectText(const std::string& sql,
                                 std::vector<std::vector<std::optional<std::string>>>* rows) {
  rows->clear();
  return OnFile([&](sqlite3* db) -> Status {
    FERRY_ASSIGN_OR_RETURN(sqlite::Statement stmt, sqlite::Prepare(db, sql.c_str()));
    while (true) {
      FERRY_ASSIGN_OR_RETURN(bool has_row, sqlite::Step(db, stmt.get(), "reading the target"));
      if (!has_row) return Status::OK();
      std::vector<std::optional<std::string>> values;
      for (int i = 0; i < sqlite3_column_count(stmt.get()); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt.get(), i);
        values.push_back(text == nullptr
                             ? std::nullopt
                             : std::optional<std::string>(reinterpret_cast<const char*>(text)));
      }
      rows->push_back(std::move(values));
    }
  });
}

// --busy-timeout; atomic because --jobs workers make their loaders on their own threads.
std::atomic<int> busy_timeout_ms{SqliteLoaderOptions().busy_timeout_ms};

}  // namespace

void SetSqliteBusyTimeout(int ms) { busy_timeout_ms = ms; }

std::unique_ptr<Loader> MakeSqliteLoader(const TargetSpec& spec) {
  SqliteLoaderOptions options;
  options.busy_timeout_ms = busy_timeout_ms;
  return MakeSqliteLoaderWithOptions(spec, options);
}

std::unique_ptr<Loader> MakeSqliteLoaderWithOptions(const TargetSpec& spec,
                                                    const SqliteLoaderOptions& options) {
  return MakeSharedLoader(std::make_unique<SqliteBackend>(spec, options));
}

}  // namespace ferry
