#include "loaders/schema_migrator.h"

namespace ferry {

Result<std::vector<WantedTable>> ReadWantedTables(SchemaTransaction& txn,
                                                  const std::vector<const TableDef*>& tables,
                                                  const std::vector<HistoryRow>& history) {
  std::vector<WantedTable> wanted;
  for (const TableDef* table : tables) {
    if (table == nullptr) return Status::Internal("schema migrations: a null table");
    FERRY_RETURN_IF_ERROR(txn.CheckTable(*table));
    WantedTable want;
    want.table = table;
    want.name = txn.Name(*table);
    want.quoted_name = txn.QuotedName(*table);
    want.checksum = txn.Checksum(*table);
    FERRY_ASSIGN_OR_RETURN(want.exists, txn.TableExists(*table));
    ExistingTable existing;  // read only when a plan needs it: most runs find the checksum
    if (want.exists && NeedsPlan(history, want, txn.same_name())) {
      FERRY_ASSIGN_OR_RETURN(existing, txn.ReadExistingTable(*table));
    }
    PlanTable(
        history, want.exists ? &existing : nullptr, txn.same_name(), txn.same_column(),
        [&txn](const TableDef& t) { return txn.Checksum(t); }, &want);
    wanted.push_back(std::move(want));
  }
  return wanted;
}

TableChecks ChecksOf(SchemaTransaction& txn) {
  TableChecks checks;
  checks.adoptable = [&txn](const TableDef& table, bool require_unique_keys) {
    return txn.CheckAdoptable(table, require_unique_keys);
  };
  checks.duplicate_keys = [&txn](const TableDef& table, const std::vector<std::string>& key) {
    return txn.DuplicateKeys(table, key);
  };
  return checks;
}

Status CheckWantedTables(SchemaTransaction& txn, const std::vector<HistoryRow>& history,
                         const std::vector<WantedTable>& wanted, bool evolving) {
  for (const WantedTable& want : wanted) {
    FERRY_RETURN_IF_ERROR(
        CheckWantedTable(history, want, txn.same_name(), ChecksOf(txn), evolving));
  }
  return Status::OK();
}

Result<std::vector<SchemaMigration>> ListSchemaMigrations(
    SchemaTransaction& txn, const std::vector<const TableDef*>& tables,
    const SchemaMigration& bookkeeping, const std::vector<LaterBookkeeping>& later) {
  FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, txn.ReadHistory());
  FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted, ReadWantedTables(txn, tables, history));
  std::vector<SchemaMigration> migrations =
      PlanMigrations(history, bookkeeping, wanted, txn.same_name());
  AddPendingBookkeeping(later, &migrations);
  FERRY_RETURN_IF_ERROR(AddRefusals(history, wanted, txn.same_name(), ChecksOf(txn), &migrations));
  return migrations;
}

Result<SchemaMigration> CreateOrAdoptTable(SchemaTransaction& txn, const WantedTable& want,
                                           int version) {
  if (want.exists) {
    FERRY_RETURN_IF_ERROR(txn.CheckAdoptable(*want.table, /*require_unique_keys=*/false));
  } else {
    FERRY_RETURN_IF_ERROR(txn.CreateTable(*want.table));
  }
  SchemaMigration migration = TableMigration(want, nullptr);
  FERRY_RETURN_IF_ERROR(txn.InsertHistoryRow(version, &migration));
  return migration;
}

Result<std::optional<SchemaMigration>> ApplyNextMigration(SchemaTransaction& txn,
                                                          const TableDef* table) {
  FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, txn.ReadHistory());
  FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted, ReadWantedTables(txn, {table}, history));
  const WantedTable& want = wanted[0];
  FERRY_RETURN_IF_ERROR(CheckWantedTables(txn, history, wanted, /*evolving=*/true));
  if (FindRecorded(history, want, txn.same_name()) == nullptr) {
    FERRY_ASSIGN_OR_RETURN(SchemaMigration created,
                           CreateOrAdoptTable(txn, want, NextVersion(history)));
    return std::optional<SchemaMigration>(std::move(created));
  }
  if (want.plan.steps.empty()) return std::optional<SchemaMigration>();
  FERRY_RETURN_IF_ERROR(txn.ApplyStep(*table, want.plan.steps.front()));
  SchemaMigration migration = PendingSteps(want).front();
  FERRY_RETURN_IF_ERROR(txn.InsertHistoryRow(NextVersion(history), &migration));
  return std::optional<SchemaMigration>(std::move(migration));
}

Status RevertNewestMigration(SchemaTransaction& txn, const std::vector<const TableDef*>& tables,
                             bool force, SchemaMigration* reverted) {
  *reverted = SchemaMigration();
  FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, txn.ReadHistory());
  FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted, ReadWantedTables(txn, tables, history));
  auto [want, newest] = FindNewestRecorded(history, wanted, txn.same_name());
  if (newest == nullptr) return Status::NotFound(txn.NothingRecorded());
  *reverted = TableMigration(*want, newest);
  const TableDef& table = *want->table;
  if (IsEvolution(newest->description)) {
    // One step: undone, and its record goes; the table and its rows stay.
    std::optional<EvolutionStep> step = ParseStep(newest->description);
    if (!step) {
      return Status::Corruption("the schema history's migration " +
                                std::to_string(newest->version) +
                                " names no step ferry knows: " + newest->description);
    }
    if (want->exists) {
      FERRY_RETURN_IF_ERROR(txn.RevertStep(table, *step, newest->version, force));
    }
    FERRY_RETURN_IF_ERROR(txn.DeleteHistoryRow(newest->version));
    return txn.AuditSchemaDown(RevertStepAuditDetail(newest->version, want->quoted_name, *step));
  }
  if (reverted->adopted) {
    // The application's table: only ferry's record of it goes. The id map still describes the
    // rows ferry wrote, which stay in the table.
    FERRY_RETURN_IF_ERROR(txn.DeleteHistoryRow(newest->version));
    return txn.AuditSchemaDown(ForgetAdoptionAuditDetail(newest->version, want->quoted_name));
  }
  int64_t rows = 0;
  if (want->exists) {
    FERRY_ASSIGN_OR_RETURN(rows, txn.CountRows(table));
    FERRY_RETURN_IF_ERROR(RefuseDropOfRows(want->quoted_name, rows, newest->version, force));
    FERRY_RETURN_IF_ERROR(txn.DropTable(table));
  }
  FERRY_RETURN_IF_ERROR(txn.DeleteHistoryRow(newest->version));
  if (!table.entity.empty()) FERRY_RETURN_IF_ERROR(txn.ForgetEntity(table.entity));
  return txn.AuditSchemaDown(
      RevertAuditDetail(newest->version, want->quoted_name, want->exists, rows, table.entity));
}

}  // namespace ferry
