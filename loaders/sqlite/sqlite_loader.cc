#include "loaders/sqlite/sqlite_loader.h"

#include <spdlog/spdlog.h>

#include <set>
#include <utility>

#include "loaders/sqlite/batch_writer.h"
#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/connection.h"
#include "loaders/sqlite/id_map.h"
#include "loaders/sqlite/row_reader.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/sqlite_handle.h"
#include "loaders/sqlite/transaction.h"

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

  Status Check(bool dry_run) override;
  Status BeginRun(const RunInfo& run) override;
  Status EnsureSchema(const std::vector<const TableDef*>& tables) override;
  Status LookupIdentities(const std::string& entity, const std::string& user_id,
                          const std::vector<std::string>& legacy_ids,
                          std::vector<std::optional<KnownIdentity>>* out) override;
  Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override;
  Result<BatchOutcome> Write(const WriteBatch& batch) override;
  Status FinishRun(const RunTotals& totals) override;

 private:
  // Creates the bookkeeping tables (once per connection) and prepares the id map.
  Status EnsureBookkeepingOnce();
  // The id map's statements, or null when the target has no ferry_id_map yet.
  Result<sqlite::IdMap*> IdMapIfAny();
  void NoteWouldCreate(const TableDef& table) const;

  const TargetSpec spec_;
  const SqliteLoaderOptions options_;
  bool checked_ = false;
  bool dry_run_ = false;
  bool bookkeeping_ready_ = false;
  std::string run_id_;
  std::set<std::string> ensured_tables_;  // names EnsureSchema has seen
  // Declared before what uses it, so it is destroyed last.
  sqlite::Database db_;  // null before Check() and in a dry-run of a missing file
  std::unique_ptr<sqlite::IdMap> id_map_;
  std::unique_ptr<sqlite::BatchWriter> writer_;
};

Status SqliteLoader::Check(bool dry_run) {
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
  return sqlite::InsertRun(db_.get(), run);
}

void SqliteLoader::NoteWouldCreate(const TableDef& table) const {
  spdlog::info("dry-run: table {} would be created in {}", Quoted(table.name), Quoted(spec_.path));
}

Status SqliteLoader::EnsureSchema(const std::vector<const TableDef*>& tables) {
  if (!checked_) {
    return Status::Internal("SQLite loader: EnsureSchema before a successful Check");
  }
  FERRY_RETURN_IF_ERROR(CheckTables(tables));
  if (dry_run_) {
    for (const TableDef* table : tables) {
      bool exists = false;
      if (db_ != nullptr) {
        FERRY_ASSIGN_OR_RETURN(exists, sqlite::TableExists(db_.get(), table->name));
      }
      if (exists) {
        FERRY_RETURN_IF_ERROR(sqlite::CheckExistingTable(db_.get(), *table));
      } else {
        NoteWouldCreate(*table);
      }
      ensured_tables_.insert(table->name);
    }
    return Status::OK();
  }
  FERRY_RETURN_IF_ERROR(EnsureBookkeepingOnce());
  Transaction txn(db_.get());
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate, "creating the target tables"));
  for (const TableDef* table : tables) {
    FERRY_ASSIGN_OR_RETURN(bool exists, sqlite::TableExists(db_.get(), table->name));
    if (exists) {
      FERRY_RETURN_IF_ERROR(sqlite::CheckExistingTable(db_.get(), *table));
    } else {
      std::string sql = sqlite::CreateTableSql(*table, /*without_rowid=*/false);
      FERRY_RETURN_IF_ERROR(
          sqlite::Exec(db_.get(), sql.c_str(), "creating " + Quoted(table->name)));
    }
  }
  FERRY_RETURN_IF_ERROR(txn.Commit("creating the target tables"));
  for (const TableDef* table : tables) {
    ensured_tables_.insert(table->name);
  }
  return Status::OK();
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

}  // namespace

std::unique_ptr<Loader> MakeSqliteLoader(const TargetSpec& spec) {
  return MakeSqliteLoaderWithOptions(spec, SqliteLoaderOptions());
}

std::unique_ptr<Loader> MakeSqliteLoaderWithOptions(const TargetSpec& spec,
                                                    const SqliteLoaderOptions& options) {
  return std::make_unique<SqliteLoader>(spec, options);
}

}  // namespace ferry
