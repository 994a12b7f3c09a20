// Schema migrations, the flows both targets share (docs/schema-migrations.md): the tables the
// mapping wants with their plans, the checks before anything is written, applying the next
// migration of a table (its creation or adoption, else one evolution step), and reverting one
// migration (undo a step, forget an adoption, drop a table ferry created). A target implements
// SchemaTransaction: the reads and writes of one of its transactions, in its SQL. The target
// keeps the transactions themselves (their kind, locks and error handling) and the bookkeeping.
//
// Thread safety: a SchemaTransaction is one connection's, used by its thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/row.h"
#include "base/status.h"
#include "loaders/loader.h"
#include "loaders/schema_evolution.h"
#include "loaders/schema_history.h"

namespace ferry {

// What one target reads and writes inside one transaction its caller opened (a read-only one
// for the reads alone). Failures are Status; a target may also throw its driver's exceptions,
// which its caller catches (PostgreSQL's Guarded).
class SchemaTransaction {
 public:
  SchemaTransaction() = default;
  SchemaTransaction(const SchemaTransaction&) = delete;
  SchemaTransaction& operator=(const SchemaTransaction&) = delete;
  virtual ~SchemaTransaction() = default;

  // How the target compares qualified table names and column names.
  virtual SameTableName same_name() const = 0;
  virtual SameColumnName same_column() const = 0;
  // The table's name as the history records it ({"tasks"}, {"public", "tasks"}), quoted.
  virtual std::vector<std::string> Name(const TableDef& table) const = 0;
  virtual std::string QuotedName(const TableDef& table) const = 0;
  // OK when `table` can be created faithfully in this target (its CheckTableDef).
  virtual Status CheckTable(const TableDef& table) const = 0;
  // TableChecksum of the statements that create `table` in this target.
  virtual std::string Checksum(const TableDef& table) const = 0;
  // The NotFound text of a `schema down` that finds no table of the mapping recorded.
  virtual std::string NothingRecorded() const = 0;

  // The schema history, oldest first; empty when it does not exist (yet).
  virtual Result<std::vector<HistoryRow>> ReadHistory() = 0;
  virtual Result<bool> TableExists(const TableDef& table) = 0;
  // The table's catalog shape. REQUIRES: it exists.
  virtual Result<ExistingTable> ReadExistingTable(const TableDef& table) = 0;
  // OK when the existing table can take the rows (schema_adoption.h of the target).
  virtual Status CheckAdoptable(const TableDef& table, bool require_unique_keys) = 0;
  // Up to five values of `key` more than one row holds.
  virtual Result<std::vector<std::string>> DuplicateKeys(const TableDef& table,
                                                         const std::vector<std::string>& key) = 0;

  // The writes. REQUIRES: a write transaction holding the target's DDL lock.
  virtual Status CreateTable(const TableDef& table) = 0;
  virtual Status ApplyStep(const TableDef& table, const EvolutionStep& step) = 0;
  virtual Status RevertStep(const TableDef& table, const EvolutionStep& step, int64_t version,
                            bool force) = 0;
  // Inserts the history row of `migration` as `version`, applied now (sets its applied_at).
  virtual Status InsertHistoryRow(int version, SchemaMigration* migration) = 0;
  virtual Status DeleteHistoryRow(int64_t version) = 0;
  virtual Result<int64_t> CountRows(const TableDef& table) = 0;
  virtual Status DropTable(const TableDef& table) = 0;
  // Deletes `entity`'s rows of ferry's id map and checkpoints (this target schema's only).
  virtual Status ForgetEntity(const std::string& entity) = 0;
  // Writes an audit-log entry of `ferry schema down` (no run) saying `detail`.
  virtual Status AuditSchemaDown(const std::string& detail) = 0;
};

// The tables as the mapping wants them, each with its plan against `history` (PlanTable); the
// catalog is read only for a table whose newest checksum is not the mapping's.
Result<std::vector<WantedTable>> ReadWantedTables(SchemaTransaction& txn,
                                                  const std::vector<const TableDef*>& tables,
                                                  const std::vector<HistoryRow>& history);

// The checks both targets share, answered by `txn`.
TableChecks ChecksOf(SchemaTransaction& txn);

// CheckWantedTable of each of `wanted`: nothing is written before all pass.
Status CheckWantedTables(SchemaTransaction& txn, const std::vector<HistoryRow>& history,
                         const std::vector<WantedTable>& wanted, bool evolving);

// The target's migrations for `schema status`: PlanMigrations, then `later` bookkeeping when
// pending, then the refusals `schema up` would give (AddRefusals).
Result<std::vector<SchemaMigration>> ListSchemaMigrations(
    SchemaTransaction& txn, const std::vector<const TableDef*>& tables,
    const SchemaMigration& bookkeeping, const std::vector<LaterBookkeeping>& later);

// Creates (or, when it exists, adopts, checked again) `want`'s table and records it as
// `version`. REQUIRES: CheckWantedTable passed in this transaction.
Result<SchemaMigration> CreateOrAdoptTable(SchemaTransaction& txn, const WantedTable& want,
                                           int version);

// One migration of `table` in the caller's write transaction: reads the history, checks the
// table (as `schema up` does) and applies its creation or adoption, else its next evolution
// step, recorded. nullopt when none is left (another process may have applied it).
Result<std::optional<SchemaMigration>> ApplyNextMigration(SchemaTransaction& txn,
                                                          const TableDef* table);

// `ferry schema down` in the caller's write transaction: the newest recorded migration among
// `tables` (NotFound, txn.NothingRecorded(), when none is): an evolution step is undone, an
// adoption forgotten, a table ferry created dropped (with rows only under `force`) with its
// entity's id map and checkpoints; its history row goes and an audit entry says what went.
Status RevertNewestMigration(SchemaTransaction& txn, const std::vector<const TableDef*>& tables,
                             bool force, SchemaMigration* reverted);

}  // namespace ferry
