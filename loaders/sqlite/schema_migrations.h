// Schema migrations on the SQLite target (docs/schema-migrations.md): the mapping's tables
// created through versioned, checksummed migrations recorded in ferry_schema_history beside
// ferry's bookkeeping (version 1). What is shared with PostgreSQL is in
// loaders/schema_history.h; this is the SQLite side: reading and writing the history, and
// creating, adopting and dropping the tables, each write in one BEGIN IMMEDIATE transaction
// (which also serializes ferry's DDL between processes).
//
// Table names compare as SQLite compares identifiers (ignoring ASCII case). A table's checksum
// is over CreateTableStatements(table), the statements ferry runs.
//
// Thread safety: functions of one connection, used by its thread.
#pragma once

#include <sqlite3.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"

namespace ferry::sqlite {

// The migrations of the target (Loader::SchemaStatus). `db` may be null (a dry run of a file
// that does not exist): then everything is pending. Reads only.
Status ListMigrations(sqlite3* db, const std::vector<const TableDef*>& tables,
                      std::vector<SchemaMigration>* out);

// The checks of EnsureMappingTables and ApplyPendingMigrations, writing nothing: no recorded
// table of `tables` changed or is missing, and every existing one can be adopted
// (CheckAdoptable). `db` may be null (nothing exists yet).
Status CheckMappingTables(sqlite3* db, const std::vector<const TableDef*>& tables);

// EnsureSchema's path, in one transaction: a recorded table that changed or is missing is
// refused (RefuseDrift); an existing table must be adoptable (CheckAdoptable), and is
// recorded as adopted when it was not; a missing one is created and recorded. With `dry_run` only
// the checks run (`db` may then be null), and what would be created is logged, naming `target`.
// REQUIRES: not dry-run: the bookkeeping tables exist (EnsureBookkeeping).
Status EnsureMappingTables(sqlite3* db, const std::vector<const TableDef*>& tables, bool dry_run,
                           const std::string& target);

// Loader::SchemaUp: the bookkeeping when pending, then each pending table, one transaction
// each; refuses before writing anything when a recorded table changed or is missing, or an
// existing one cannot be adopted.
Status ApplyPendingMigrations(sqlite3* db, const std::vector<const TableDef*>& tables,
                              std::vector<SchemaMigration>* applied);

// Loader::SchemaDown: drops the table of the newest recorded migration of `tables`, deletes
// its history row and its entity's ferry_id_map and ferry_checkpoints rows; an adopted table
// is never dropped: only its history row goes.
Status RevertNewestMigration(sqlite3* db, const std::vector<const TableDef*>& tables, bool force,
                             SchemaMigration* reverted);

}  // namespace ferry::sqlite
