// Target tables from TableDefs: the CREATE TABLE statement ferry issues, and the checks that
// a table already in the target can take the rows of a mapping.
//
// Thread safety: pure functions, or functions of one connection used by its thread.
#pragma once

#include <sqlite3.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "base/row.h"
#include "base/status.h"

namespace ferry::sqlite {

// The column's storage type: TEXT (text, json, timestamp, ulid), INTEGER (integer, boolean),
// REAL (real).
const char* SqliteTypeOf(ColumnType type);

// Fails (InvalidArgument, naming table and column) for a definition that cannot be created
// faithfully: a bad or repeated name, no primary key, a key or index naming no column.
Status CheckTableDef(const TableDef& table);

// CREATE TABLE IF NOT EXISTS with quoted names, NOT NULL where !nullable and on every key
// column (SQLite would otherwise allow NULL keys), PRIMARY KEY(...) and UNIQUE(...).
// REQUIRES: CheckTableDef(table).ok()
std::string CreateTableSql(const TableDef& table, bool without_rowid);

// CREATE INDEX of one of the table's plain indexes, named IndexName (schema_evolution.h).
std::string CreateIndexSql(const TableDef& table, const IndexDef& index);

// What ferry runs to create a mapping table, in order: CreateTableSql (with a rowid), then
// CreateIndexSql of each index. Its checksum is the table's (schema_migrations.h).
std::vector<std::string> CreateTableStatements(const TableDef& table);

// True when a table named `name` (case-insensitively) exists; fails when the name belongs to
// a view, index or trigger.
Result<bool> TableExists(sqlite3* db, const std::string& name);

// Fails (InvalidArgument) naming the table and the column when the existing table lacks a
// column of `table`, or has no PRIMARY KEY / UNIQUE constraint on exactly its key columns
// (needed to find an existing row): enough for ferry's own tables; an application's table must
// pass CheckAdoptable (schema_adoption.h). REQUIRES: TableExists(db, table.name).
Status CheckExistingTable(sqlite3* db, const TableDef& table);

// True when the table has a primary key or a full unique index on exactly `key` (any order).
Result<bool> HasUniqueKey(sqlite3* db, const std::string& table,
                          const std::vector<std::string>& key);

}  // namespace ferry::sqlite
