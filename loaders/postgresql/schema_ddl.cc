#include "loaders/postgresql/schema_ddl.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <set>
#include <vector>

#include "base/quoted.h"
#include "loaders/key_column.h"
#include "loaders/postgresql/column_list.h"
#include "loaders/postgresql/copy_text.h"
#include "loaders/postgresql/sql_identifier.h"
#include "loaders/schema_evolution.h"

namespace ferry::postgres {

namespace {

// A ULID column holds 26 characters of Crockford base32, upper case, as ferry writes them.
// Checked as "26 long and no character outside the alphabet": the same rule as the pattern
// ^[0-9A-HJKMNP-TV-Z]{26}$, but the server checks it for about a fifth of a COPY's cost less
// (measured on the peers' tasks: docs/benchmarks.md).
constexpr const char* kNotUlidCharacter = "[^0-9A-HJKMNP-TV-Z]";

Status CheckKey(const TableDef& table, const std::vector<std::string>& key, const char* what) {
  if (key.empty()) {
    return Status::InvalidArgument("table " + Quoted(table.name) + " has an empty " + what);
  }
  for (size_t i = 0; i < key.size(); ++i) {
    if (table.ColumnIndex(key[i]) < 0) {
      return Status::InvalidArgument("table " + Quoted(table.name) + ": " + what + " names " +
                                     Quoted(key[i]) + ", which is not one of its columns");
    }
    if (std::find(key.begin(), key.begin() + i, key[i]) != key.begin() + i) {
      return Status::InvalidArgument("table " + Quoted(table.name) + ": " + what + " lists " +
                                     Quoted(key[i]) + " twice");
    }
  }
  return Status::OK();
}

bool HasReservedPrefix(std::string_view name) {
  static constexpr std::string_view kPrefix = "ferry_";
  if (name.size() < kPrefix.size()) {
    return false;
  }
  for (size_t i = 0; i < kPrefix.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != kPrefix[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string UlidCheckSql(const std::string& quoted_column) {
  return "CHECK (length(" + quoted_column + ") = 26 AND " + quoted_column + " !~ '" +
         kNotUlidCharacter + "')";
}

const char* PgTypeOf(ColumnType type) {
  switch (type) {
    case ColumnType::kText:
    case ColumnType::kUlid:
      return "text";
    case ColumnType::kInteger:
      return "bigint";
    case ColumnType::kReal:
      return "double precision";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kJson:
      return "jsonb";
    case ColumnType::kTimestamp:
      return "timestamptz";
  }
  return "text";
}

Status CheckTableDef(const TableDef& table) {
  FERRY_RETURN_IF_ERROR(CheckIdentifier(table.name, "a target table"));
  if (HasReservedPrefix(table.name)) {
    return Status::InvalidArgument("target table " + Quoted(table.name) +
                                   ": names starting with ferry_ are reserved");
  }
  if (table.columns.empty()) {
    return Status::InvalidArgument("table " + Quoted(table.name) + " has no columns");
  }
  std::set<std::string> seen;
  for (const ColumnDef& column : table.columns) {
    FERRY_RETURN_IF_ERROR(CheckIdentifier(column.name, "a column of table " + Quoted(table.name)));
    if (!seen.insert(column.name).second) {
      return Status::InvalidArgument("table " + Quoted(table.name) + ": column " +
                                     Quoted(column.name) + " is defined twice");
    }
  }
  FERRY_RETURN_IF_ERROR(CheckKey(table, table.primary_key, "primary key"));
  for (const std::vector<std::string>& unique : table.unique) {
    FERRY_RETURN_IF_ERROR(CheckKey(table, unique, "unique constraint"));
  }
  for (const IndexDef& index : table.indexes) {
    FERRY_RETURN_IF_ERROR(CheckIdentifier(IndexName(table, index), "an index name"));
    FERRY_RETURN_IF_ERROR(CheckKey(table, index.columns, "index"));
  }
  return Status::OK();
}

std::string CreateTableSql(const TableDef& table, std::string_view schema) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + QualifiedName(schema, table.name) + " (\n";
  for (const ColumnDef& column : table.columns) {
    std::string name = QuoteIdentifier(column.name);
    sql += "  " + name + " " + PgTypeOf(column.type);
    if (!column.nullable || IsKeyColumn(table, column.name)) {
      sql += " NOT NULL";
    }
    if (column.type == ColumnType::kUlid) {
      sql += " " + UlidCheckSql(name);
    }
    sql += ",\n";
  }
  sql += "  PRIMARY KEY (" + ColumnList(table.primary_key) + ")";
  for (const std::vector<std::string>& unique : table.unique) {
    sql += ",\n  UNIQUE (" + ColumnList(unique) + ")";
  }
  sql += "\n)";
  return sql;
}

std::string CreateIndexSql(const TableDef& table, const IndexDef& index, std::string_view schema) {
  return "CREATE INDEX " + QuoteIdentifier(IndexName(table, index)) + " ON " +
         QualifiedName(schema, table.name) + " (" + ColumnList(index.columns) + ")";
}

std::vector<std::string> CreateTableStatements(const TableDef& table, std::string_view schema) {
  std::vector<std::string> statements = {CreateTableSql(table, schema)};
  for (const IndexDef& index : table.indexes) {
    statements.push_back(CreateIndexSql(table, index, schema));
  }
  return statements;
}

Result<bool> TableExists(pqxx::transaction_base& txn, const std::string& schema,
                         const std::string& name) {
  pqxx::result rows = txn.exec_params(
      "SELECT c.relkind FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2",
      schema, name);
  if (rows.empty()) {
    return false;
  }
  std::string kind = rows[0][0].c_str();
  if (kind != "r" && kind != "p") {
    return Status::InvalidArgument("target table " + QualifiedName(schema, name) +
                                   " exists but is not a table (relkind " + kind + ")");
  }
  return true;
}

Result<bool> HasUniqueKey(pqxx::transaction_base& txn, const std::string& qualified,
                          const std::vector<std::string>& key) {
  // A full (non-partial, column-only) unique index on exactly the key columns, compared as
  // sorted name lists (byte order on both sides).
  std::vector<std::string> sorted = key;
  std::sort(sorted.begin(), sorted.end());
  pqxx::result matching = txn.exec_params(
      "SELECT 1 FROM pg_catalog.pg_index i "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
      "WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indpred IS NULL "
      "AND i.indexprs IS NULL GROUP BY i.indexrelid "
      "HAVING array_agg(a.attname::text ORDER BY a.attname::text COLLATE \"C\") = $2::text[]",
      qualified,
      ArrayLiteral(std::vector<std::optional<std::string>>(sorted.begin(), sorted.end())));
  return !matching.empty();
}

Status CheckExistingTable(pqxx::transaction_base& txn, const std::string& schema,
                          const TableDef& table) {
  std::string qualified = QualifiedName(schema, table.name);
  pqxx::result columns = txn.exec_params(
      "SELECT attname FROM pg_catalog.pg_attribute "
      "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
      qualified);
  std::set<std::string> existing;
  for (const auto& row : columns) {
    existing.insert(row[0].c_str());
  }
  for (const ColumnDef& column : table.columns) {
    if (existing.count(column.name) == 0) {
      return Status::InvalidArgument("table " + qualified +
                                     " exists in the target without column " + Quoted(column.name) +
                                     ", which the mapping needs");
    }
  }
  FERRY_ASSIGN_OR_RETURN(bool has_key, HasUniqueKey(txn, qualified, table.primary_key));
  if (has_key) {
    return Status::OK();
  }
  return Status::InvalidArgument("table " + qualified +
                                 " exists in the target without a PRIMARY KEY or UNIQUE "
                                 "constraint on (" +
                                 ColumnList(table.primary_key) +
                                 "), which ferry needs to find rows it already wrote");
}

}  // namespace ferry::postgres
