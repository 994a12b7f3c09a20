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

// The history, empty when ferry.schema_history does not exist.
Result<std::vector<HistoryRow>> ReadHistory(pqxx::transaction_base& txn) {
  std::vector<HistoryRow> rows;
  FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(txn, kBookkeepingSchema, "schema_history"));
  if (!exists) return rows;
  pqxx::result result = txn.exec(std::string("SELECT version, checksum, ") + kAppliedAtText +
                                 ", description FROM ferry.schema_history ORDER BY version");
  for (const auto& row : result) {
    rows.push_back({row[0].as<int64_t>(), row[1].c_str(), row[2].c_str(), row[3].c_str()});
  }
  return rows;
}

// The tables as the mapping wants them, each with its evolution plan against `history`.
Result<std::vector<WantedTable>> Wanted(pqxx::transaction_base& txn, const std::string& schema,
                                        const std::vector<const TableDef*>& tables,
                                        const std::vector<HistoryRow>& history) {
  auto checksum_of = [&schema](const TableDef& table) {
    return TableChecksum(CreateTableStatements(table, schema));
  };
  std::vector<WantedTable> wanted;
  for (const TableDef* table : tables) {
    if (table == nullptr) return Status::Internal("schema migrations: a null table");
    FERRY_RETURN_IF_ERROR(CheckTableDef(*table));
    WantedTable want;
    want.table = table;
    want.name = {schema, table->name};
    want.quoted_name = QualifiedName(schema, table->name);
    want.checksum = checksum_of(*table);
    FERRY_ASSIGN_OR_RETURN(want.exists, TableExists(txn, schema, table->name));
    ExistingTable existing;  // read only when a plan needs it: most runs find the checksum
    if (want.exists && NeedsPlan(history, want, SameName)) {
      FERRY_ASSIGN_OR_RETURN(existing, ReadExistingTable(txn, schema, table->name));
    }
    PlanTable(history, want.exists ? &existing : nullptr, SameName, SameColumn, checksum_of, &want);
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

// Bookkeeping 2 and 3 as pending migrations when the history does not hold them.
void AddPendingKeyed(std::vector<SchemaMigration>* migrations) {
  AddPendingBookkeeping(
      {{kKeyedDescription, KeyedChecksum()}, {kUnchangedDescription, UnchangedChecksum()}},
      migrations);
}

// Records `migration` as applied now, as `version`.
void Record(pqxx::transaction_base& txn, SchemaMigration* migration, int version) {
  migration->version = version;
  migration->recorded_checksum = migration->checksum;
  migration->state = SchemaMigration::State::kApplied;
  pqxx::row recorded = txn.exec_params1(
      std::string("INSERT INTO ferry.schema_history (version, checksum, applied_at, "
                  "description) VALUES ($1, $2, now(), $3) RETURNING ") +
          kAppliedAtText,
      version, migration->checksum, migration->description);
  migration->applied_at = recorded[0].c_str();
}

// Creates (or adopts) `want`'s table and records it as `version`; returns the migration.
Result<SchemaMigration> Apply(pqxx::transaction_base& txn, const std::string& schema,
                              const WantedTable& want, int version) {
  if (want.exists) {
    FERRY_RETURN_IF_ERROR(CheckAdoptable(txn, schema, *want.table, /*require_unique_keys=*/false));
  } else {
    for (const std::string& sql : CreateTableStatements(*want.table, schema)) txn.exec0(sql);
  }
  SchemaMigration migration = TableMigration(want, nullptr);
  Record(txn, &migration, version);
  return migration;
}

// Applies the first pending evolution step of `want` and records it as `version`.
Result<SchemaMigration> ApplyNextStep(pqxx::transaction_base& txn, const std::string& schema,
                                      const WantedTable& want, int version) {
  FERRY_RETURN_IF_ERROR(ApplyStep(txn, schema, want.table->name, want.plan.steps.front()));
  SchemaMigration migration = PendingSteps(want).front();
  Record(txn, &migration, version);
  return migration;
}

// The checks both targets share (schema_history.h), answered in `txn`.
TableChecks Checks(pqxx::transaction_base& txn, const std::string& schema) {
  TableChecks checks;
  checks.adoptable = [&txn, &schema](const TableDef& table, bool require_unique_keys) {
    return CheckAdoptable(txn, schema, table, require_unique_keys);
  };
  checks.duplicate_keys = [&txn, &schema](const TableDef& table,
                                          const std::vector<std::string>& key) {
    return DuplicateKeys(txn, schema, table.name, key);
  };
  return checks;
}

// CheckWantedTable on this target.
Status CheckOne(pqxx::transaction_base& txn, const std::string& schema,
                const std::vector<HistoryRow>& history, const WantedTable& want, bool evolving) {
  return CheckWantedTable(history, want, SameName, Checks(txn, schema), evolving);
}

// The checks of a migration, writing nothing, for every table.
Status CheckWanted(pqxx::transaction_base& txn, const std::string& schema,
                   const std::vector<WantedTable>& wanted, const std::vector<HistoryRow>& history,
                   bool evolving) {
  for (const WantedTable& want : wanted) {
    FERRY_RETURN_IF_ERROR(CheckOne(txn, schema, history, want, evolving));
  }
  return Status::OK();
}

// Applies the next migration of `table` (creating or adopting it, else its next evolution
// step) in a transaction of its own; *done when there is none left (another process may have
// applied it). Appends it to *applied.
Status ApplyOne(Session* session, const TableDef* table, std::vector<SchemaMigration>* applied,
                bool* done) {
  *done = true;
  return Guarded(
      "migrating table " + table->name + " in " + session->display_name(), session->secrets(),
      [&]() -> Status {
        const std::string& schema = session->schema();
        pqxx::work txn(session->connection());
        txn.exec(kDdlLockSql);
        FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(txn));
        FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted,
                               Wanted(txn, schema, {table}, history));
        const WantedTable& want = wanted[0];
        FERRY_RETURN_IF_ERROR(CheckOne(txn, schema, history, want, /*evolving=*/true));
        SchemaMigration migration;
        if (FindRecorded(history, want, SameName) == nullptr) {
          FERRY_ASSIGN_OR_RETURN(migration, Apply(txn, schema, want, NextVersion(history)));
        } else if (!want.plan.steps.empty()) {
          FERRY_ASSIGN_OR_RETURN(migration, ApplyNextStep(txn, schema, want, NextVersion(history)));
        } else {
          return Status::OK();
        }
        txn.commit();
        *done = false;
        applied->push_back(std::move(migration));
        return Status::OK();
      });
}

}  // namespace

Status CheckMappingTables(Session* session, const std::vector<const TableDef*>& tables) {
  return Guarded("checking the target tables in " + session->display_name(), session->secrets(),
                 [&]() -> Status {
                   SnapshotRead txn(session->connection());
                   FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(txn));
                   FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted,
                                          Wanted(txn, session->schema(), tables, history));
                   return CheckWanted(txn, session->schema(), wanted, history,
                                      /*evolving=*/false);
                 });
}

Status ListMigrations(Session* session, const std::vector<const TableDef*>& tables,
                      std::vector<SchemaMigration>* out) {
  out->clear();
  return Guarded("reading the schema history of " + session->display_name(), session->secrets(),
                 [&]() -> Status {
                   SnapshotRead txn(session->connection());
                   FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(txn));
                   FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted,
                                          Wanted(txn, session->schema(), tables, history));
                   *out = PlanMigrations(history, BookkeepingMigration(), wanted, SameName);
                   AddPendingKeyed(out);
                   return AddRefusals(history, wanted, SameName, Checks(txn, session->schema()),
                                      out);
                 });
}

Status EnsureMappingTables(Session* session, const std::vector<const TableDef*>& tables,
                           bool dry_run, std::set<std::string>* existing) {
  const std::string& schema = session->schema();
  return Guarded(
      "creating the target tables in " + session->display_name(), session->secrets(),
      [&]() -> Status {
        pqxx::work txn(session->connection());
        if (!dry_run) {
          txn.exec(kDdlLockSql);
        }
        FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(txn));
        FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted,
                               Wanted(txn, schema, tables, history));
        FERRY_RETURN_IF_ERROR(CheckWanted(txn, schema, wanted, history, /*evolving=*/false));
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
          FERRY_ASSIGN_OR_RETURN(SchemaMigration applied, Apply(txn, schema, want, version++));
          existing->insert(want.table->name);
          spdlog::info("{} table {} in {} (schema migration {})",
                       want.exists ? "adopted the existing" : "created", want.quoted_name,
                       session->display_name(), applied.version);
        }
        if (dry_run) {
          txn.abort();
        } else {
          txn.commit();
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
                SnapshotRead txn(session->connection());
                FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(txn));
                FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted,
                                       Wanted(txn, session->schema(), tables, history));
                // Every table before the first write: a refusal leaves the target as it was.
                FERRY_RETURN_IF_ERROR(
                    CheckWanted(txn, session->schema(), wanted, history, /*evolving=*/true));
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
  const std::string& schema = session->schema();
  // An older ferry's id map is keyed by schema first, so that only this schema's rows go (a
  // target without ferry's tables has nothing to revert, and gets none).
  bool has_history = false;
  FERRY_RETURN_IF_ERROR(Guarded(
      "reading the schema history of " + session->display_name(), session->secrets(),
      [&]() -> Status {
        SnapshotRead txn(session->connection());
        FERRY_ASSIGN_OR_RETURN(has_history, TableExists(txn, kBookkeepingSchema, "schema_history"));
        return Status::OK();
      }));
  if (has_history) FERRY_RETURN_IF_ERROR(EnsureBookkeeping(session));
  return Guarded(
      "reverting a schema migration in " + session->display_name(), session->secrets(),
      [&]() -> Status {
        pqxx::work txn(session->connection());
        txn.exec(kDdlLockSql);
        FERRY_ASSIGN_OR_RETURN(std::vector<HistoryRow> history, ReadHistory(txn));
        FERRY_ASSIGN_OR_RETURN(std::vector<WantedTable> wanted,
                               Wanted(txn, schema, tables, history));
        auto [want, newest] = FindNewestRecorded(history, wanted, SameName);
        if (newest == nullptr) {
          return Status::NotFound(
              "no table of the mapping in schema " + QuoteIdentifier(schema) +
              " is recorded in ferry.schema_history: nothing to revert (ferry's bookkeeping, "
              "migration 1, is never reverted)");
        }
        *reverted = TableMigration(*want, newest);
        if (IsEvolution(newest->description)) {
          // One step: undone, and its record goes; the table and its rows stay.
          std::optional<EvolutionStep> step = ParseStep(newest->description);
          if (!step) {
            return Status::Corruption("ferry.schema_history: migration " +
                                      std::to_string(newest->version) +
                                      " names no step ferry knows: " + newest->description);
          }
          if (want->exists) {
            FERRY_RETURN_IF_ERROR(
                RevertStep(txn, schema, want->table->name, *step, newest->version, force));
          }
          txn.exec_params0("DELETE FROM ferry.schema_history WHERE version = $1", newest->version);
          Audit(txn, "", "schema down",
                RevertStepAuditDetail(newest->version, want->quoted_name, *step));
          txn.commit();
          return Status::OK();
        }
        if (reverted->adopted) {
          // The application's table: only ferry's record of it goes. The id map still
          // describes the rows ferry wrote, which stay in the table.
          txn.exec_params0("DELETE FROM ferry.schema_history WHERE version = $1", newest->version);
          Audit(txn, "", "schema down",
                ForgetAdoptionAuditDetail(newest->version, want->quoted_name));
          txn.commit();
          return Status::OK();
        }
        int64_t rows = 0;
        if (want->exists) {
          rows = txn.exec1("SELECT count(*) FROM " + want->quoted_name)[0].as<int64_t>();
          FERRY_RETURN_IF_ERROR(RefuseDropOfRows(want->quoted_name, rows, newest->version, force));
          txn.exec0("DROP TABLE " + want->quoted_name);
        }
        txn.exec_params0("DELETE FROM ferry.schema_history WHERE version = $1", newest->version);
        const std::string& entity = want->table->entity;
        if (!entity.empty()) {
          // Only this schema's: the same entity loaded into another schema keeps its own.
          txn.exec_params0("DELETE FROM ferry.id_map WHERE target_schema = $2 AND entity = $1",
                           entity, schema);
          txn.exec_params0("DELETE FROM ferry.checkpoints WHERE target_schema = $2 AND entity = $1",
                           entity, schema);
        }
        Audit(txn, "", "schema down",
              RevertAuditDetail(newest->version, want->quoted_name, want->exists, rows, entity));
        txn.commit();
        return Status::OK();
      });
}

}  // namespace ferry::postgres
