// Schema migrations on the PostgreSQL target (docs/schema-migrations.md): the mapping's tables
// created through versioned, checksummed migrations recorded in ferry.schema_history beside
// ferry's bookkeeping (version 1). What is shared with SQLite is in loaders/schema_history.h;
// this is the PostgreSQL side. Every transaction that creates, records or drops a table first
// takes the DDL advisory lock (kDdlLockSql), so that concurrent ferry processes apply each
// migration once and number them without gaps or clashes.
//
// A mapping table lives in the session's current schema and is recorded by its qualified name
// (`create table "public"."tasks" ...`), compared exactly; its checksum is over
// CreateTableStatements(table, schema), the statements ferry runs.
//
// Thread safety: functions of one session, used by its thread.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"
#include "loaders/postgresql/connection.h"

namespace ferry::postgres {

// The migrations of the target (Loader::SchemaStatus). Reads only.
Status ListMigrations(Session* session, const std::vector<const TableDef*>& tables,
                      std::vector<SchemaMigration>* out);

// The checks of EnsureMappingTables and ApplyPendingMigrations, writing nothing: no recorded
// table of `tables` changed or is missing, and every existing one can be adopted
// (CheckAdoptable).
Status CheckMappingTables(Session* session, const std::vector<const TableDef*>& tables);

// EnsureSchema's path, in one transaction: a recorded table that changed or is missing is
// refused (RefuseDrift); an existing table must be adoptable (CheckAdoptable), and is
// recorded as adopted when it was not; a missing one is created and recorded. With `dry_run` only
// the checks run (and what would be created is logged). *existing gets the names of the tables that
// exist afterwards. REQUIRES: not dry-run: the bookkeeping exists (EnsureBookkeeping).
Status EnsureMappingTables(Session* session, const std::vector<const TableDef*>& tables,
                           bool dry_run, std::set<std::string>* existing);

// Loader::SchemaUp: the bookkeeping when pending, then each pending table, one transaction
// each; refuses before writing anything when a recorded table changed or is missing, or an
// existing one cannot be adopted.
Status ApplyPendingMigrations(Session* session, const std::vector<const TableDef*>& tables,
                              std::vector<SchemaMigration>* applied);

// Loader::SchemaDown: drops the table of the newest recorded migration of `tables`, deletes
// its history row and its entity's ferry.id_map and ferry.checkpoints rows of this schema only
// (an older ferry's bookkeeping is upgraded first, so that the rows know their schema). An
// adopted table is never dropped: only its history row goes.
Status RevertNewestMigration(Session* session, const std::vector<const TableDef*>& tables,
                             bool force, SchemaMigration* reverted);

}  // namespace ferry::postgres
