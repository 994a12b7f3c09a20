#include "loaders/postgresql/schema_migrations.h"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>

#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/schema_adoption.h"
#include "loaders/postgresql/schema_ddl.h"
#include "loaders/postgresql/schema_evolution.h"
#include "loaders/postgresql/sql_identifier.h"
#include "loaders/schema_history.h"
#include "loaders/schema_migrator.h"
#include "loaders/unit_mark.h"

namespace ferry::postgres {

namespace {

// The catalog and the schema history read in one snapshot: a table another process creates
// (with its history row, in one transaction) is seen with its row or not at all, never half.
using SnapshotRead = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// applied_at as RFC 3339 in UTC with milliseconds, as the SQLite target stores it.
constexpr const char* kAppliedAtText =
    "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

bool SameName(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a == b;
}

bool SameColumn(const std::string& a, const std::string& b) { return a == b; }

// The reads and writes of the shared flows (loaders/schema_migrator.h) in one transaction, on
// the mapping's tables in `schema`. pqxx's exceptions reach the caller's Guarded.
class PgSchemaTransaction : public SchemaTransaction {
 public:
  PgSchemaTransaction(pqxx::transaction_base& txn, const std::string& schema)
      : txn_(txn), schema_(schema) {}

  SameTableName same_name() const override { return SameName; }
  SameColumnName same_column() const override { return SameColumn; }
  std::vector<std::string> Name(const TableDef& table) const override {
    return {schema_, table.name};
  }
  std::string QuotedName(const TableDef& table) const override {
    return QualifiedName(schema_, table.name);
  }
  Status CheckTable(const TableDef& table) const override { return CheckTableDef(table); }
  std::string Checksum(const TableDef& table) const override {
    return TableChecksum(CreateTableStatements(table, schema_));
  }
  std::string NothingRecorded() const override {
    return "no table of the mapping in schema " + QuoteIdentifier(schema_) +
           " is recorded in ferry.schema_history: nothing to revert (ferry's bookkeeping, "
           "migration 1, is never reverted)";
  }

  Result<std::vector<HistoryRow>> ReadHistory() override {
    std::vector<HistoryRow> rows;
    FERRY_ASSIGN_OR_RETURN(bool exists,
                           postgres::TableExists(txn_, kBookkeepingSchema, "schema_history"));
    if (!exists) return rows;
    pqxx::result result = txn_.exec(std::string("SELECT version, checksum, ") + kAppliedAtText +
                                    ", description FROM ferry.schema_history ORDER BY version");
    for (const auto& row : result) {
      rows.push_back({row[0].as<int64_t>(), row[1].c_str(), row[2].c_str(), row[3].c_str()});
    }
    return rows;
  }
  Result<bool> TableExists(const TableDef& table) override {
    return postgres::TableExists(txn_, schema_, table.name);
  }
  Result<ExistingTable> ReadExistingTable(const TableDef& table) override {
    return postgres::ReadExistingTable(txn_, schema_, table.name);
  }
  Status CheckAdoptable(const TableDef& table, bool require_unique_keys) override {
    return postgres::CheckAdoptable(txn_, schema_, table, require_unique_keys);
  }
  Result<std::vector<std::string>> DuplicateKeys(const TableDef& table,
                                                 const std::vector<std::string>& key) override {
    return postgres::DuplicateKeys(txn_, schema_, table.name, key);
  }

  Status CreateTable(const TableDef& table) override {
    for (const std::string& sql : CreateTableStatements(table, schema_)) txn_.exec0(sql);
    return Status::OK();
  }
  Status ApplyStep(const TableDef& table, const EvolutionStep& step) override {
    return postgres::ApplyStep(txn_, schema_, table.name, step);
  }
  Status RevertStep(const TableDef& table, const EvolutionStep& step, int64_t version,
                    bool force) override {
    return postgres::RevertStep(txn_, schema_, table.name, step, version, force);
  }
  Status InsertHistoryRow(int version, SchemaMigration* migration) override {
    migration->version = version;
    migration->recorded_checksum = migration->checksum;
    migration->state = SchemaMigration::State::kApplied;
    pqxx::row recorded = txn_.exec_params1(
        std::string("INSERT INTO ferry.schema_history (version, checksum, applied_at, "
                    "description) VALUES ($1, $2, now(), $3) RETURNING ") +
            kAppliedAtText,
        version, migration->checksum, migration->description);
    migration->applied_at = recorded[0].c_str();
    return Status::OK();
  }
  Status DeleteHistoryRow(int64_t version) override {
    txn_.exec_params0("DELETE FROM ferry.schema_history WHERE version = $1", version);
    return Status::OK();
  }
  Result<int64_t> CountRows(const TableDef& table) override {
    return txn_.exec1("SELECT count(*) FROM " + QuotedName(table))[0].as<int64_t>();
  }
  Status DropTable(const TableDef& table) override {
    txn_.exec0("DROP TABLE " + QuotedName(table));
    return Status::OK();
  }
  Status ForgetEntity(const std::string& entity) override {
    // Only this schema's: the same entity loaded into another schema keeps its own.
    txn_.exec_params0("DELETE FROM ferry.id_map WHERE target_schema = $2 AND entity = $1", entity,
                      schema_);
    // With the marks of units loaded whole: a rerun must load those units again.
    txn_.exec_params0(
        "DELETE FROM ferry.checkpoints WHERE target_schema = $2 AND entity IN ($1, $3)", entity,
        schema_, kUnitDoneEntity);
    return Status::OK();
  }
  Status AuditSchemaDown(const std::string& detail) override {
    Audit(txn_, "", "schema down", detail);
    return Status::OK();
  }

 private:
  pqxx::transaction_base& txn_;
  std::string schema_;
};

SchemaMigration BookkeepingMigration() {
  SchemaMigration own;
  own.version = kBookkeepingVersion;
  own.description = kBookkeepingDescription;
  own.checksum = BookkeepingChecksum();
  return own;
}

// Bookkeeping 2 to 5, pending when the history does not hold them.
std::vector<LaterBookkeeping> LaterMigrations() {
  return {{kKeyedDescription, KeyedChecksum()},
          {kUnchangedDescription, UnchangedChecksum()},
          {kArchiveDescription, ArchiveChecksum()},
          {kUnitRejectsDescription, UnitRejectsChecksum()}};
}

// Applies the next migration of `table` (creating or adopting it, else its next evolution
// step) in a transaction of its own; *done when there is none left (another process may have
// applied it). Appends it to *applied.
Status ApplyOne(Session* session, const TableDef* table, std::vector<SchemaMigration>* applied,
                bool* done) {
  *done = true;
  return Guarded("migrating table " + table->name + " in " + session->display_name(),
                 session->secrets(), [&]() -> Status {
                   pqxx::work work(session->connection());
                   work.exec(kDdlLockSql);
                   PgSchemaTransaction txn(work, session->schema());
                   FERRY_ASSIGN_OR_RETURN(std::optional<SchemaMigration> migration,
                                          ApplyNextMigration(txn, table));
                   if (!migration) return Status::OK();
                   work.commit();
                   *done = false;
                   applied->push_back(std::move(*migration));
                   return Status::OK();
                 });
}

}  // namespace

Status CheckMappingTables(Session* session, const std::vector<const TableDef*>& tables) {
  return Guarded("checking the target tables in " + session->display_name(), session->secrets(),
                 [&]() -> Status {
                   SnapshotRead read(session->connection());
                   PgSchemaTransaction txn(read, session->schema());
                   FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, txn.ReadHistory());
                   FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted,
                                          ReadWantedTables(txn, tables, history));
                   return CheckWantedTables(txn, history, wanted, /*evolving=*/false);
                 });
}

Status ListMigrations(Session* session, const std::vector<const TableDef*>& tables,
                      std::vector<SchemaMigration>* out) {
  out->clear();
  return Guarded(
      "reading the schema history of " + session->display_name(), session->secrets(),
      [&]() -> Status {
        SnapshotRead read(session->connection());
        PgSchemaTransaction txn(read, session->schema());
        FERRY_ASSIGN_OR_RETURN(
            *out, ListSchemaMigrations(txn, tables, BookkeepingMigration(), LaterMigrations()));
        return Status::OK();
      });
}

Status EnsureMappingTables(Session* session, const std::vector<const TableDef*>& tables,
                           bool dry_run, std::set<std::string>* existing) {
  return Guarded(
      "creating the target tables in " + session->display_name(), session->secrets(),
      [&]() -> Status {
        pqxx::work work(session->connection());
        if (!dry_run) {
          work.exec(kDdlLockSql);
        }
        PgSchemaTransaction txn(work, session->schema());
        FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, txn.ReadHistory());
        FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted,
                               ReadWantedTables(txn, tables, history));
        FERRY_RETURN_IF_ERROR(CheckWantedTables(txn, history, wanted, /*evolving=*/false));
        int version = NextVersion(history);
        for (const WantedTable& want : wanted) {
          bool recorded = FindRecorded(history, want, SameName) != nullptr;
          if (dry_run || recorded) {
            if (want.exists) {
              existing->insert(want.table->name);
            } else {
              spdlog::info("dry-run: table {} would be created in {}", want.quoted_name,
                           session->display_name());
            }
            continue;
          }
          FERRY_ASSIGN_OR_RETURN(SchemaMigration applied, CreateOrAdoptTable(txn, want, version++));
          existing->insert(want.table->name);
          spdlog::info("{} table {} in {} (schema migration {})",
                       want.exists ? "adopted the existing" : "created", want.quoted_name,
                       session->display_name(), applied.version);
        }
        if (dry_run) {
          work.abort();
        } else {
          work.commit();
        }
        return Status::OK();
      });
}

Status ApplyPendingMigrations(Session* session, const std::vector<const TableDef*>& tables,
                              std::vector<SchemaMigration>* applied) {
  applied->clear();
  std::vector<SchemaMigration> all;
  FERRY_RETURN_IF_ERROR(
      Guarded("reading the schema history of " + session->display_name(), session->secrets(),
              [&]() -> Status {
                SnapshotRead read(session->connection());
                PgSchemaTransaction txn(read, session->schema());
                FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, txn.ReadHistory());
                FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted,
                                       ReadWantedTables(txn, tables, history));
                // Every table before the first write: a refusal leaves the target as it was.
                FERRY_RETURN_IF_ERROR(CheckWantedTables(txn, history, wanted, /*evolving=*/true));
                all = PlanMigrations(history, BookkeepingMigration(), wanted, SameName);
                return Status::OK();
              }));
  FERRY_RETURN_IF_ERROR(RefuseDrift(all.front()));
  bool recorded = false;  // by this call, not by another process meanwhile
  // Also when version 1 is there: bookkeeping 2 may not be (bookkeeping.h).
  FERRY_RETURN_IF_ERROR(EnsureBookkeeping(session, &recorded));
  if (recorded) {
    std::vector<SchemaMigration> now;
    FERRY_RETURN_IF_ERROR(ListMigrations(session, {}, &now));
    *applied = NewlyAppliedBookkeeping(all, now);
  }
  for (const TableDef* table : tables) {
    // The table, then each evolution step, one transaction each.
    for (bool done = false; !done;) {
      FERRY_RETURN_IF_ERROR(ApplyOne(session, table, applied, &done));
    }
  }
  return Status::OK();
}

Status RevertNewestMigration(Session* session, const std::vector<const TableDef*>& tables,
                             bool force, SchemaMigration* reverted) {
  *reverted = SchemaMigration();
  // An older ferry's id map is keyed by schema first, so that only this schema's rows go (a
  // target without ferry's tables has nothing to revert, and gets none).
  bool has_history = false;
  FERRY_RETURN_IF_ERROR(Guarded("reading the schema history of " + session->display_name(),
                                session->secrets(), [&]() -> Status {
                                  SnapshotRead read(session->connection());
                                  FERRY_ASSIGN_OR_RETURN(
                                      has_history,
                                      TableExists(read, kBookkeepingSchema, "schema_history"));
                                  return Status::OK();
                                }));
  if (has_history) FERRY_RETURN_IF_ERROR(EnsureBookkeeping(session));
  return Guarded(
      "reverting a schema migration in " + session->display_name(), session->secrets(),
      [&]() -> Status {
        pqxx::work work(session->connection());
        work.exec(kDdlLockSql);
        PgSchemaTransaction txn(work, session->schema());
        FERRY_RETURN_IF_ERROR(ferry::RevertNewestMigration(txn, tables, force, reverted));
        work.commit();
        return Status::OK();
      });
}

}  // namespace ferry::postgres
