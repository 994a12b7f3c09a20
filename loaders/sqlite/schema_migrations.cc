#include "loaders/sqlite/schema_migrations.h"

#include <spdlog/spdlog.h>

#include <initializer_list>
#include <optional>

#include "loaders/schema_history.h"
#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/cell_binding.h"
#include "loaders/sqlite/schema_adoption.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/schema_evolution.h"
#include "loaders/sqlite/sql_identifier.h"
#include "loaders/sqlite/sqlite_handle.h"
#include "loaders/sqlite/transaction.h"
#include "loaders/sqlite/user_lock.h"

namespace ferry::sqlite {

namespace {

constexpr const char* kHistory = "ferry_schema_history";

bool SameName(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() == 1 && b.size() == 1 && SameIdentifier(a[0], b[0]);
}

bool SameColumn(const std::string& a, const std::string& b) { return SameIdentifier(a, b); }

std::string ChecksumOf(const TableDef& table) {
  return TableChecksum(CreateTableStatements(table));
}

std::string ColumnText(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

// Runs one statement with `values` bound to ?1, ?2, ...; the first column of its first row
// as an integer (0 when it returns none).
Result<int64_t> Run(sqlite3* db, const std::string& sql, std::initializer_list<Cell> values,
                    const std::string& context) {
  FERRY_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, sql));
  int index = 1;
  for (const Cell& value : values) {
    FERRY_RETURN_IF_ERROR(BindValue(stmt.get(), index++, value));
  }
  FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), context));
  return has_row ? sqlite3_column_int64(stmt.get(), 0) : int64_t{0};
}

// The history, empty when the table does not exist (or `db` is null).
Result<std::vector<HistoryRow>> ReadHistory(sqlite3* db) {
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

// The tables as the mapping wants them, each with its evolution plan against `history`.
Result<std::vector<WantedTable>> Wanted(sqlite3* db, const std::vector<const TableDef*>& tables,
                                        const std::vector<HistoryRow>& history) {
  std::vector<WantedTable> wanted;
  for (const TableDef* table : tables) {
    if (table == nullptr) return Status::Internal("schema migrations: a null table");
    FERRY_RETURN_IF_ERROR(CheckTableDef(*table));
    WantedTable want;
    want.table = table;
    want.name = {table->name};
    want.quoted_name = QuoteIdentifier(table->name);
    want.checksum = ChecksumOf(*table);
    if (db != nullptr) {
      FERRY_ASSIGN_OR_RETURN(want.exists, TableExists(db, table->name));
    }
    ExistingTable existing;  // read only when a plan needs it: most runs find the checksum
    if (want.exists && NeedsPlan(history, want, SameName)) {
      FERRY_ASSIGN_OR_RETURN(existing, ReadExistingTable(db, table->name));
    }
    PlanTable(history, want.exists ? &existing : nullptr, SameName, SameColumn, ChecksumOf, &want);
    wanted.push_back(std::move(want));
  }
  return wanted;
}

SchemaMigration BookkeepingMigration() {
  SchemaMigration own;
  own.version = kBookkeepingVersion;
  own.description = kBookkeepingDescription;
  own.checksum = BookkeepingChecksum();
  return own;
}

// Records `migration` as applied now, as `version`.
Status Record(sqlite3* db, SchemaMigration* migration, int version) {
  migration->version = version;
  migration->applied_at = NowText();
  migration->recorded_checksum = migration->checksum;
  migration->state = SchemaMigration::State::kApplied;
  FERRY_ASSIGN_OR_RETURN(
      int64_t ignored,
      Run(db,
          "INSERT INTO ferry_schema_history (version, checksum, applied_at, description) "
          "VALUES (?1, ?2, ?3, ?4)",
          {int64_t{version}, migration->checksum, migration->applied_at, migration->description},
          "recording the migration of " + migration->table));
  (void)ignored;
  return Status::OK();
}

// Creates (or adopts) `want`'s table and records it as `version`; returns the migration.
Result<SchemaMigration> Apply(sqlite3* db, const WantedTable& want, int version) {
  std::string context = "creating " + want.quoted_name;
  if (want.exists) {
    FERRY_RETURN_IF_ERROR(CheckAdoptable(db, *want.table, /*require_unique_keys=*/false));
  } else {
    for (const std::string& sql : CreateTableStatements(*want.table)) {
      FERRY_RETURN_IF_ERROR(Exec(db, sql.c_str(), context));
    }
  }
  SchemaMigration migration = TableMigration(want, nullptr);
  FERRY_RETURN_IF_ERROR(Record(db, &migration, version));
  return migration;
}

// Applies the first pending evolution step of `want` and records it as `version`.
Result<SchemaMigration> ApplyNextStep(sqlite3* db, const WantedTable& want, int version) {
  FERRY_RETURN_IF_ERROR(ApplyStep(db, want.table->name, want.plan.steps.front()));
  SchemaMigration migration = PendingSteps(want).front();
  FERRY_RETURN_IF_ERROR(Record(db, &migration, version));
  return migration;
}

// The checks both targets share (schema_history.h), answered from `db`.
TableChecks Checks(sqlite3* db) {
  TableChecks checks;
  checks.adoptable = [db](const TableDef& table, bool require_unique_keys) {
    return CheckAdoptable(db, table, require_unique_keys);
  };
  checks.duplicate_keys = [db](const TableDef& table, const std::vector<std::string>& key) {
    return DuplicateKeys(db, table.name, key);
  };
  return checks;
}

// CheckWantedTable on this target.
Status CheckWanted(sqlite3* db, const std::vector<HistoryRow>& history, const WantedTable& want,
                   bool evolving) {
  return CheckWantedTable(history, want, SameName, Checks(db), evolving);
}

Status CheckAll(sqlite3* db, const std::vector<HistoryRow>& history,
                const std::vector<WantedTable>& wanted, bool evolving) {
  for (const WantedTable& want : wanted) {
    FERRY_RETURN_IF_ERROR(CheckWanted(db, history, want, evolving));
  }
  return Status::OK();
}

}  // namespace

Status CheckMappingTables(sqlite3* db, const std::vector<const TableDef*>& tables) {
  // The tables and the history in one snapshot: another process's table comes with its history
  // row (one transaction), never one without the other.
  Transaction read(db);
  if (db != nullptr) {
    FERRY_RETURN_IF_ERROR(read.Begin(Transaction::Mode::kDeferred, "checking the target tables"));
  }
  FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(db));
  FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted, Wanted(db, tables, history));
  return CheckAll(db, history, wanted, /*evolving=*/false);
}

Status ListMigrations(sqlite3* db, const std::vector<const TableDef*>& tables,
                      std::vector<SchemaMigration>* out) {
  out->clear();
  Transaction read(db);  // one snapshot, as in CheckMappingTables; no file yet: nothing to read
  if (db != nullptr) {
    FERRY_RETURN_IF_ERROR(read.Begin(Transaction::Mode::kDeferred, "reading the schema history"));
  }
  FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(db));
  FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted, Wanted(db, tables, history));
  *out = PlanMigrations(history, BookkeepingMigration(), wanted, SameName);
  AddPendingBookkeeping({{kUnchangedDescription, UnchangedChecksum()}}, out);
  return AddRefusals(history, wanted, SameName, Checks(db), out);
}

Status EnsureMappingTables(sqlite3* db, const std::vector<const TableDef*>& tables, bool dry_run,
                           const std::string& target) {
  Transaction txn(db);
  if (!dry_run) {
    FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate, "creating the target tables"));
  }
  FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(db));
  FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted, Wanted(db, tables, history));
  FERRY_RETURN_IF_ERROR(CheckAll(db, history, wanted, /*evolving=*/false));
  int version = NextVersion(history);
  for (const WantedTable& want : wanted) {
    bool recorded = FindRecorded(history, want, SameName) != nullptr;
    if (dry_run || recorded) {
      if (!want.exists) {
        spdlog::info("dry-run: table {} would be created in \"{}\"", want.quoted_name, target);
      }
      continue;
    }
    FERRY_ASSIGN_OR_RETURN(SchemaMigration applied, Apply(db, want, version++));
    spdlog::info("{} table {} in \"{}\" (schema migration {})",
                 want.exists ? "adopted the existing" : "created", want.quoted_name, target,
                 applied.version);
  }
  return dry_run ? Status::OK() : txn.Commit("creating the target tables");
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
      FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(db));
      FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted, Wanted(db, tables, history));
      FERRY_RETURN_IF_ERROR(CheckAll(db, history, wanted, /*evolving=*/true));
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
      Transaction txn(db);
      FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate, "applying schema migrations"));
      FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(db));
      FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted, Wanted(db, {table}, history));
      const WantedTable& want = wanted[0];
      FERRY_RETURN_IF_ERROR(CheckWanted(db, history, want, /*evolving=*/true));
      SchemaMigration migration;
      if (FindRecorded(history, want, SameName) == nullptr) {
        FERRY_ASSIGN_OR_RETURN(migration, Apply(db, want, NextVersion(history)));
      } else if (!want.plan.steps.empty()) {
        FERRY_ASSIGN_OR_RETURN(migration, ApplyNextStep(db, want, NextVersion(history)));
      } else {
        break;
      }
      FERRY_RETURN_IF_ERROR(
          txn.Commit("applying schema migration " + std::to_string(migration.version)));
      applied->push_back(std::move(migration));
    }
  }
  return Status::OK();
}

Status RevertNewestMigration(sqlite3* db, const std::vector<const TableDef*>& tables, bool force,
                             SchemaMigration* reverted) {
  *reverted = SchemaMigration();
  Transaction txn(db);
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate, "reverting a schema migration"));
  FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(db));
  FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted, Wanted(db, tables, history));
  auto [want, newest] = FindNewestRecorded(history, wanted, SameName);
  if (newest == nullptr) {
    return Status::NotFound(
        "no table of the mapping is recorded in ferry_schema_history: nothing to revert "
        "(ferry's bookkeeping, migration 1, is never reverted)");
  }
  *reverted = TableMigration(*want, newest);
  std::string context = "reverting schema migration " + std::to_string(newest->version);
  if (IsEvolution(newest->description)) {
    // One step: undone, and its record goes; the table and its rows stay.
    std::optional<EvolutionStep> step = ParseStep(newest->description);
    if (!step) {
      return Status::Corruption("ferry_schema_history: migration " +
                                std::to_string(newest->version) +
                                " names no step ferry knows: " + newest->description);
    }
    if (want->exists) {
      FERRY_RETURN_IF_ERROR(RevertStep(db, want->table->name, *step, newest->version, force));
    }
    FERRY_ASSIGN_OR_RETURN(
        int64_t ignored,
        Run(db, "DELETE FROM ferry_schema_history WHERE version = ?1", {newest->version}, context));
    (void)ignored;
    FERRY_RETURN_IF_ERROR(Audit(db, "", "schema down",
                                RevertStepAuditDetail(newest->version, want->quoted_name, *step)));
    return txn.Commit(context);
  }
  if (reverted->adopted) {
    // The application's table: only ferry's record of it goes. The id map still describes the
    // rows ferry wrote, which stay in the table.
    FERRY_ASSIGN_OR_RETURN(
        int64_t ignored,
        Run(db, "DELETE FROM ferry_schema_history WHERE version = ?1", {newest->version}, context));
    (void)ignored;
    FERRY_RETURN_IF_ERROR(Audit(db, "", "schema down",
                                ForgetAdoptionAuditDetail(newest->version, want->quoted_name)));
    return txn.Commit(context);
  }
  int64_t rows = 0;
  if (want->exists) {
    FERRY_ASSIGN_OR_RETURN(rows, Run(db, "SELECT count(*) FROM " + want->quoted_name, {}, context));
    FERRY_RETURN_IF_ERROR(RefuseDropOfRows(want->quoted_name, rows, newest->version, force));
    std::string drop = "DROP TABLE " + want->quoted_name;
    FERRY_RETURN_IF_ERROR(Exec(db, drop.c_str(), context));
  }
  const std::string& entity = want->table->entity;
  FERRY_ASSIGN_OR_RETURN(
      int64_t ignored,
      Run(db, "DELETE FROM ferry_schema_history WHERE version = ?1", {newest->version}, context));
  if (!entity.empty()) {
    FERRY_ASSIGN_OR_RETURN(
        ignored, Run(db, "DELETE FROM ferry_id_map WHERE entity = ?1", {entity}, context));
    FERRY_ASSIGN_OR_RETURN(
        ignored, Run(db, "DELETE FROM ferry_checkpoints WHERE entity = ?1", {entity}, context));
  }
  (void)ignored;
  FERRY_RETURN_IF_ERROR(
      Audit(db, "", "schema down",
            RevertAuditDetail(newest->version, want->quoted_name, want->exists, rows, entity)));
  return txn.Commit(context);
}

}  // namespace ferry::sqlite
