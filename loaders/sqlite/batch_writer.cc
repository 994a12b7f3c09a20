#include "loaders/sqlite/batch_writer.h"

#include "base/fault_point.h"
#include "base/quoted.h"
#include "loaders/core/write_batch_check.h"
#include "loaders/key_column.h"
#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/cell_binding.h"
#include "loaders/sqlite/foreign_key_reject.h"
#include "loaders/sqlite/sql_identifier.h"
#include "loaders/sqlite/transaction.h"
#include "loaders/sqlite/unit_rejects.h"
#include "loaders/sqlite/user_lock.h"

namespace ferry::sqlite {

namespace {

std::vector<std::string> ColumnNames(const TableDef& table) {
  std::vector<std::string> names;
  names.reserve(table.columns.size());
  for (const ColumnDef& column : table.columns) {
    names.push_back(column.name);
  }
  return names;
}

// Parameter ?N holds column N-1 in both statements, so one BindRow serves either.
std::string InsertSql(const TableDef& table) {
  std::string columns;
  std::string values;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    columns += (i == 0 ? "" : ", ") + QuoteIdentifier(table.columns[i].name);
    values += (i == 0 ? "?" : ", ?") + std::to_string(i + 1);
  }
  std::string key;
  for (const std::string& column : table.primary_key) {
    key += (key.empty() ? "" : ", ") + QuoteIdentifier(column);
  }
  return "INSERT INTO " + QuoteIdentifier(table.name) + " (" + columns + ") VALUES (" + values +
         ") ON CONFLICT (" + key + ") DO NOTHING";
}

// Empty when every column is part of the key (nothing to update).
std::string UpdateSql(const TableDef& table) {
  std::string set;
  std::string where;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const std::string& name = table.columns[i].name;
    std::string term = QuoteIdentifier(name) + " = ?" + std::to_string(i + 1);
    if (IsKeyColumn(table, name)) {
      where += (where.empty() ? "" : " AND ") + term;
    } else {
      set += (set.empty() ? "" : ", ") + term;
    }
  }
  if (set.empty()) {
    return "";
  }
  return "UPDATE " + QuoteIdentifier(table.name) + " SET " + set + " WHERE " + where;
}

// Steps a bound INSERT/UPDATE; true when it changed a row. A foreign key of the target's that
// the row breaks sets *broken_key (the statement alone is undone; the transaction goes on).
Result<bool> Execute(sqlite3* db, sqlite3_stmt* stmt, const char* what, bool* broken_key) {
  Result<bool> has_row = Step(db, stmt, what);
  if (!has_row.ok()) {
    *broken_key = sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_FOREIGNKEY;
    return has_row.status();
  }
  // INSERT and UPDATE without RETURNING give no row.
  return sqlite3_changes(db) > 0;
}

}  // namespace

Result<BatchWriter::TableStatements*> BatchWriter::StatementsFor(const TableDef& table) {
  auto found = tables_.find(table.name);
  std::vector<std::string> columns = ColumnNames(table);
  if (found != tables_.end() && found->second.columns == columns &&
      found->second.primary_key == table.primary_key) {
    return &found->second;
  }
  TableStatements statements;
  statements.columns = std::move(columns);
  statements.primary_key = table.primary_key;
  FERRY_ASSIGN_OR_RETURN(statements.insert, Prepare(db_, InsertSql(table), true));
  std::string update = UpdateSql(table);
  if (!update.empty()) {
    FERRY_ASSIGN_OR_RETURN(statements.update, Prepare(db_, update, true));
  }
  TableStatements& slot = tables_[table.name];
  slot = std::move(statements);
  return &slot;
}

Result<bool> BatchWriter::InsertRow(const WriteBatch& batch, size_t row,
                                    TableStatements& statements, bool* broken_key) {
  ResetOnExit reset(statements.insert.get(), ResetOnExit::Bindings::kKeep);
  FERRY_RETURN_IF_ERROR(BindRow(statements.insert.get(), *batch.table, batch.rows[row]));
  return Execute(db_, statements.insert.get(), "inserting the row", broken_key);
}

Status BatchWriter::WriteRow(const WriteBatch& batch, size_t row, TableStatements& statements,
                             BatchOutcome* outcome) {
  const IdentityRecord& identity = batch.identities[row];
  if (identity.keep_row) {
    // An adopted row kept as it is: only the id map learns it.
    return id_map_->Record(identity).status();
  }
  // The row goes first: one the target's foreign keys refuse leaves no id-map entry either.
  bool broken_key = false;
  Result<bool> inserted = InsertRow(batch, row, statements, &broken_key);
  if (broken_key) return RejectRow(batch, row, outcome);
  FERRY_RETURN_IF_ERROR(inserted.status());
  if (*inserted) {
    ++outcome->inserted;
    return id_map_->Record(identity).status();
  }
  // A row is under the key: the client found it (or, under skip, it came since: kept).
  if (batch.policy == ConflictPolicy::kSkip || statements.update == nullptr) {
    ++outcome->skipped;
    return id_map_->Record(identity).status();
  }
  ResetOnExit reset(statements.update.get(), ResetOnExit::Bindings::kKeep);
  FERRY_RETURN_IF_ERROR(BindRow(statements.update.get(), *batch.table, batch.rows[row]));
  Result<bool> updated = Execute(db_, statements.update.get(), "updating the row", &broken_key);
  if (broken_key) return RejectRow(batch, row, outcome);
  FERRY_RETURN_IF_ERROR(updated.status());
  if (!*updated) {
    return Status::Internal("the row's key exists but no row was updated");
  }
  // A merge batch holds rows already merged with what the target has (agent/run).
  ++(batch.policy == ConflictPolicy::kMerge ? outcome->merged : outcome->updated);
  return id_map_->Record(identity).status();
}

Status BatchWriter::RejectRow(const WriteBatch& batch, size_t row, BatchOutcome* outcome) {
  FERRY_ASSIGN_OR_RETURN(std::string reason, BrokenForeignKey(db_, *batch.table, batch.rows[row]));
  if (!batch.reject_broken_keys) return Status::Rejected("the row " + reason);
  outcome->rejected.push_back({row, std::move(reason)});
  return Status::OK();
}

Result<BatchOutcome> BatchWriter::Write(const WriteBatch& batch, const std::string& run_id) {
  FERRY_RETURN_IF_ERROR(CheckWriteBatch(batch));
  const TableDef& table = *batch.table;
  std::string context = "writing a batch of " + Quoted(table.name);
  FERRY_ASSIGN_OR_RETURN(TableStatements * statements, StatementsFor(table));
  std::string now = NowText();
  Transaction txn(db_);
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate, context));
  // The statements point at the batch's strings until the batch ends, however it ends.
  struct ClearOnExit {
    IdMap* id_map;
    TableStatements* statements;
    ~ClearOnExit() {
      id_map->ClearBindings();
      sqlite3_clear_bindings(statements->insert.get());
      if (statements->update != nullptr) {
        sqlite3_clear_bindings(statements->update.get());
      }
    }
  } clear_on_exit{id_map_, statements};
  FERRY_RETURN_IF_ERROR(id_map_->BindBatch(batch.entity, batch.user_id, run_id, now));
  BatchOutcome outcome;
  for (size_t row = 0; row < batch.rows.size(); ++row) {
    if (row == batch.rows.size() / 2) FaultPoint("sqlite.mid_batch");
    Status status = WriteRow(batch, row, *statements, &outcome);
    if (!status.ok()) {
      return status.WithContext("table " + Quoted(table.name) + ", legacy id " +
                                Quoted(batch.identities[row].legacy_id));
    }
  }
  Checkpoint checkpoint = batch.checkpoint;
  if (checkpoint.entity.empty()) {
    checkpoint.entity = batch.entity;
  }
  FERRY_RETURN_IF_ERROR(SaveCheckpoint(db_, batch.user_id, checkpoint, run_id, now));
  if (!batch.unit_rejects.empty()) {  // with the mark they belong to, both or neither
    FERRY_RETURN_IF_ERROR(KeepUnitRejects(db_, batch.user_id, checkpoint.unit, checkpoint.position,
                                          batch.unit_rejects, run_id));
  }
  for (const AuditEntry& entry : batch.audit) {
    FERRY_RETURN_IF_ERROR(Audit(db_, run_id, entry.action, entry.detail));
  }
  FaultPoint("sqlite.before_commit");
  FERRY_RETURN_IF_ERROR(txn.Commit(context));
  FaultPoint("sqlite.after_commit");
  return outcome;
}

}  // namespace ferry::sqlite
