#include "loaders/sqlite/schema_migrations.h"

#include <spdlog/spdlog.h>

#include <initializer_list>

#include "loaders/schema_history.h"
#include "loaders/schema_migrator.h"
#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/bound_statement.h"
#include "loaders/sqlite/cell_binding.h"
#include "loaders/sqlite/schema_adoption.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/schema_evolution.h"
#include "loaders/sqlite/sql_identifier.h"
#include "loaders/sqlite/sqlite_handle.h"
#include "loaders/sqlite/transaction.h"
#include "loaders/sqlite/user_lock.h"
#include "loaders/unit_mark.h"

namespace ferry::sqlite {

namespace {

constexpr const char* kHistory = "ferry_schema_history";

bool SameName(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() == 1 && b.size() == 1 && SameIdentifier(a[0], b[0]);
}

bool SameColumn(const std::string& a, const std::string& b) { return SameIdentifier(a, b); }

// Runs one statement with `values` bound to ?1, ?2, ...; the first column of its first row
// as an integer (0 when it returns none).
Result<int64_t> RunSql(sqlite3* db, const std::string& sql, std::initializer_list<Cell> values,
                       const std::string& context) {
  FERRY_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, sql));
  int index = 1;
  for (const Cell& value : values) {
    FERRY_RETURN_IF_ERROR(BindValue(stmt.get(), index++, value));
  }
  FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), context));
  return has_row ? sqlite3_column_int64(stmt.get(), 0) : int64_t{0};
}

Status RunStatus(sqlite3* db, const std::string& sql, std::initializer_list<Cell> values,
                 const std::string& context) {
  return RunSql(db, sql, values, context).status();
}

// The history, empty when the table does not exist (or `db` is null).
Result<std::vector<HistoryRow>> HistoryRows(sqlite3* db) {
  std::vector<HistoryRow> rows;
  if (db == nullptr) return rows;
  FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(db, kHistory));
  if (!exists) return rows;
  FERRY_ASSIGN_OR_RETURN(
      Statement stmt,
      Prepare(db,
              "SELECT version, checksum, applied_at, description FROM ferry_schema_history "
              "ORDER BY version"));
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), "reading ferry_schema_history"));
    if (!has_row) return rows;
    rows.push_back({sqlite3_column_int64(stmt.get(), 0), ColumnText(stmt.get(), 1),
                    ColumnText(stmt.get(), 2), ColumnText(stmt.get(), 3)});
  }
}

// The reads and writes of the shared flows (loaders/schema_migrator.h) on one connection, in
// the transaction its caller opened. `db` may be null for the reads (no file yet).
class SqliteSchemaTransaction : public SchemaTransaction {
 public:
  explicit SqliteSchemaTransaction(sqlite3* db) : db_(db) {}

  SameTableName same_name() const override { return SameName; }
  SameColumnName same_column() const override { return SameColumn; }
  std::vector<std::string> Name(const TableDef& table) const override { return {table.name}; }
  std::string QuotedName(const TableDef& table) const override {
    return QuoteIdentifier(table.name);
  }
  Status CheckTable(const TableDef& table) const override { return CheckTableDef(table); }
  std::string Checksum(const TableDef& table) const override {
    return TableChecksum(CreateTableStatements(table));
  }
  std::string NothingRecorded() const override {
    return "no table of the mapping is recorded in ferry_schema_history: nothing to revert "
           "(ferry's bookkeeping, migration 1, is never reverted)";
  }

  Result<std::vector<HistoryRow>> ReadHistory() override { return HistoryRows(db_); }
  Result<bool> TableExists(const TableDef& table) override {
    if (db_ == nullptr) return false;
    return sqlite::TableExists(db_, table.name);
  }
  Result<ExistingTable> ReadExistingTable(const TableDef& table) override {
    return sqlite::ReadExistingTable(db_, table.name);
  }
  Status CheckAdoptable(const TableDef& table, bool require_unique_keys) override {
    return sqlite::CheckAdoptable(db_, table, require_unique_keys);
  }
  Result<std::vector<std::string>> DuplicateKeys(const TableDef& table,
                                                 const std::vector<std::string>& key) override {
    return sqlite::DuplicateKeys(db_, table.name, key);
  }

  Status CreateTable(const TableDef& table) override {
    for (const std::string& sql : CreateTableStatements(table)) {
      FERRY_RETURN_IF_ERROR(Exec(db_, sql.c_str(), "creating " + QuotedName(table)));
    }
    return Status::OK();
  }
  Status ApplyStep(const TableDef& table, const EvolutionStep& step) override {
    return sqlite::ApplyStep(db_, table.name, step);
  }
  Status RevertStep(const TableDef& table, const EvolutionStep& step, int64_t version,
                    bool force) override {
    return sqlite::RevertStep(db_, table.name, step, version, force);
  }
  Status InsertHistoryRow(int version, SchemaMigration* migration) override {
    migration->version = version;
    migration->applied_at = NowText();
    migration->recorded_checksum = migration->checksum;
    migration->state = SchemaMigration::State::kApplied;
    return RunStatus(
        db_,
        "INSERT INTO ferry_schema_history (version, checksum, applied_at, "
        "description) VALUES (?1, ?2, ?3, ?4)",
        {int64_t{version}, migration->checksum, migration->applied_at, migration->description},
        "recording the migration of " + migration->table);
  }
  Status DeleteHistoryRow(int64_t version) override {
    return RunStatus(db_, "DELETE FROM ferry_schema_history WHERE version = ?1", {version},
                     Context(version));
  }
  Result<int64_t> CountRows(const TableDef& table) override {
    return RunSql(db_, "SELECT count(*) FROM " + QuotedName(table), {}, "counting rows");
  }
  Status DropTable(const TableDef& table) override {
    std::string drop = "DROP TABLE " + QuotedName(table);
    return Exec(db_, drop.c_str(), "dropping " + QuotedName(table));
  }
  Status ForgetEntity(const std::string& entity) override {
    FERRY_RETURN_IF_ERROR(RunStatus(db_, "DELETE FROM ferry_id_map WHERE entity = ?1", {entity},
                                    "clearing the id map"));
    // With the marks of units loaded whole: a rerun must load those units again.
    return RunStatus(db_, "DELETE FROM ferry_checkpoints WHERE entity IN (?1, ?2)",
                     {entity, std::string(kUnitDoneEntity)}, "clearing the checkpoints");
  }
  Status AuditSchemaDown(const std::string& detail) override {
    return Audit(db_, "", "schema down", detail);
  }

 private:
  static std::string Context(int64_t version) {
    return "reverting schema migration " + std::to_string(version);
  }

  sqlite3* db_;
};

SchemaMigration BookkeepingMigration() {
  SchemaMigration own;
  own.version = kBookkeepingVersion;
  own.description = kBookkeepingDescription;
  own.checksum = BookkeepingChecksum();
  return own;
}

}  // namespace

Status CheckMappingTables(sqlite3* db, const std::vector<const TableDef*>& tables) {
  // The tables and the history in one snapshot: another process's table comes with its history
  // row (one transaction), never one without the other.
  Transaction read(db);
  if (db != nullptr) {
    FERRY_RETURN_IF_ERROR(read.Begin(Transaction::Mode::kDeferred, "checking the target tables"));
  }
  SqliteSchemaTransaction txn(db);
  FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, txn.ReadHistory());
  FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted, ReadWantedTables(txn, tables, history));
  return CheckWantedTables(txn, history, wanted, /*evolving=*/false);
}

Status ListMigrations(sqlite3* db, const std::vector<const TableDef*>& tables,
                      std::vector<SchemaMigration>* out) {
  out->clear();
  Transaction read(db);  // one snapshot, as in CheckMappingTables; no file yet: nothing to read
  if (db != nullptr) {
    FERRY_RETURN_IF_ERROR(read.Begin(Transaction::Mode::kDeferred, "reading the schema history"));
  }
  SqliteSchemaTransaction txn(db);
  FERRY_ASSIGN_OR_RETURN(*out,
                         ListSchemaMigrations(txn, tables, BookkeepingMigration(),
                                              {{kUnchangedDescription, UnchangedChecksum()},
                                               {kArchiveDescription, ArchiveChecksum()},
                                               {kUnitRejectsDescription, UnitRejectsChecksum()}}));
  return Status::OK();
}

Status EnsureMappingTables(sqlite3* db, const std::vector<const TableDef*>& tables, bool dry_run,
                           const std::string& target) {
  Transaction write(db);
  if (!dry_run) {
    FERRY_RETURN_IF_ERROR(write.Begin(Transaction::Mode::kImmediate, "creating the target tables"));
  }
  SqliteSchemaTransaction txn(db);
  FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, txn.ReadHistory());
  FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted, ReadWantedTables(txn, tables, history));
  FERRY_RETURN_IF_ERROR(CheckWantedTables(txn, history, wanted, /*evolving=*/false));
  int version = NextVersion(history);
  for (const WantedTable& want : wanted) {
    bool recorded = FindRecorded(history, want, SameName) != nullptr;
    if (dry_run || recorded) {
      if (!want.exists) {
        spdlog::info("dry-run: table {} would be created in \"{}\"", want.quoted_name, target);
      }
      continue;
    }
    FERRY_ASSIGN_OR_RETURN(SchemaMigration applied, CreateOrAdoptTable(txn, want, version++));
    spdlog::info("{} table {} in \"{}\" (schema migration {})",
                 want.exists ? "adopted the existing" : "created", want.quoted_name, target,
                 applied.version);
  }
  return dry_run ? Status::OK() : write.Commit("creating the target tables");
}

Status ApplyPendingMigrations(sqlite3* db, const std::vector<const TableDef*>& tables,
                              std::vector<SchemaMigration>* applied) {
  applied->clear();
  {
    // Every table is checked before the first write: a table that cannot be adopted or evolved
    // leaves the target as it was, bookkeeping included.
    std::vector<SchemaMigration> all;
    {
      Transaction read(db);
      FERRY_RETURN_IF_ERROR(read.Begin(Transaction::Mode::kDeferred, "checking the target tables"));
      SqliteSchemaTransaction txn(db);
      FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, txn.ReadHistory());
      FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted,
                             ReadWantedTables(txn, tables, history));
      FERRY_RETURN_IF_ERROR(CheckWantedTables(txn, history, wanted, /*evolving=*/true));
      all = PlanMigrations(history, BookkeepingMigration(), wanted, SameName);
    }
    FERRY_RETURN_IF_ERROR(RefuseDrift(all.front()));
    bool recorded = false;  // by this call, not by another process meanwhile
    // Also when version 1 is there: bookkeeping 2 may not be (bookkeeping.h).
    FERRY_RETURN_IF_ERROR(EnsureBookkeeping(db, &recorded));
    if (recorded) {
      std::vector<SchemaMigration> now;
      FERRY_RETURN_IF_ERROR(ListMigrations(db, {}, &now));
      *applied = NewlyAppliedBookkeeping(all, now);
    }
  }
  for (const TableDef* table : tables) {
    // One migration per transaction (the table, then each evolution step), each checked again
    // inside it: another process may have got here first.
    while (true) {
      Transaction write(db);
      FERRY_RETURN_IF_ERROR(
          write.Begin(Transaction::Mode::kImmediate, "applying schema migrations"));
      SqliteSchemaTransaction txn(db);
      FERRY_ASSIGN_OR_RETURN(std::optional<SchemaMigration> migration,
                             ApplyNextMigration(txn, table));
      if (!migration) break;
      FERRY_RETURN_IF_ERROR(
          write.Commit("applying schema migration " + std::to_string(migration->version)));
      applied->push_back(std::move(*migration));
    }
  }
  return Status::OK();
}

Status RevertNewestMigration(sqlite3* db, const std::vector<const TableDef*>& tables, bool force,
                             SchemaMigration* reverted) {
  *reverted = SchemaMigration();
  Transaction write(db);
  FERRY_RETURN_IF_ERROR(write.Begin(Transaction::Mode::kImmediate, "reverting a schema migration"));
  SqliteSchemaTransaction txn(db);
  FERRY_RETURN_IF_ERROR(ferry::RevertNewestMigration(txn, tables, force, reverted));
  return write.Commit("reverting schema migration " + std::to_string(reverted->version));
}

}  // namespace ferry::sqlite
