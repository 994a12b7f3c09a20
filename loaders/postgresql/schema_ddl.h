// Target tables from TableDefs on PostgreSQL: the CREATE TABLE statement ferry issues (pure,
// testable without a server), and the checks that a table already in the target can take the
// rows of a mapping.
//
// Types: text -> text, integer -> bigint, real -> double precision, boolean -> boolean,
// json -> jsonb, timestamp -> timestamptz, ulid -> text with a CHECK that it is 26 Crockford
// base32 characters.
//
// Thread safety: pure functions, or functions of one transaction used by its thread.
#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/row.h"
#include "base/status.h"

namespace ferry::postgres {

// The column's PostgreSQL type ("bigint", "jsonb", ...).
const char* PgTypeOf(ColumnType type);

// The CHECK a ulid column gets: `CHECK (length(c) = 26 AND c !~ '[^...]')`, `quoted_column`
// quoted.
std::string UlidCheckSql(const std::string& quoted_column);

// Fails (InvalidArgument, naming table and column) for a definition that cannot be created
// faithfully: a bad, too long or repeated name, no primary key, a key or index naming no
// column, a table name
// starting with "ferry_" (kept for ferry, as in the SQLite target).
Status CheckTableDef(const TableDef& table);

// CREATE TABLE IF NOT EXISTS "schema"."table" with quoted names, NOT NULL where !nullable and
// on key columns, the ULID CHECKs, PRIMARY KEY (...) and UNIQUE (...).
// REQUIRES: CheckTableDef(table).ok()
std::string CreateTableSql(const TableDef& table, std::string_view schema);

// CREATE INDEX of one of the table's plain indexes, named IndexName (schema_evolution.h); an
// index lives in its table's schema.
std::string CreateIndexSql(const TableDef& table, const IndexDef& index, std::string_view schema);

// What ferry runs to create a mapping table, in order: CreateTableSql, then CreateIndexSql of
// each index. Its checksum is the table's (schema_migrations.h).
std::vector<std::string> CreateTableStatements(const TableDef& table, std::string_view schema);

// True when schema.name exists as a table; fails (InvalidArgument) when it is a view or another
// kind of relation.
Result<bool> TableExists(pqxx::transaction_base& txn, const std::string& schema,
                         const std::string& name);

// Fails (InvalidArgument) naming the table and the column when the existing table lacks a
// column of `table`, or has no primary key or unique index on exactly its key columns (ON
// CONFLICT needs one): enough for ferry's own tables; an application's table must pass
// CheckAdoptable (schema_adoption.h). REQUIRES: TableExists(...).
Status CheckExistingTable(pqxx::transaction_base& txn, const std::string& schema,
                          const TableDef& table);

// True when `qualified` (a quoted, qualified table name) has a primary key or a full unique
// index on exactly `key` (any order).
Result<bool> HasUniqueKey(pqxx::transaction_base& txn, const std::string& qualified,
                          const std::vector<std::string>& key);

}  // namespace ferry::postgres
