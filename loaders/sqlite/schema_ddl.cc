#include "loaders/sqlite/schema_ddl.h"

#include <vector>

#include "base/quoted.h"
#include "loaders/key_column.h"
#include "loaders/schema_evolution.h"
#include "loaders/sqlite/bound_statement.h"
#include "loaders/sqlite/sql_identifier.h"
#include "loaders/sqlite/sqlite_handle.h"

namespace ferry::sqlite {

namespace {

std::string ColumnList(const std::vector<std::string>& columns) {
  std::string list;
  for (const std::string& column : columns) {
    list += list.empty() ? "" : ", ";
    list += QuoteIdentifier(column);
  }
  return list;
}

// Checks a PRIMARY KEY or UNIQUE column list: non-empty, each a column, none twice.
Status CheckKey(const TableDef& table, const std::vector<std::string>& key, const char* what) {
  if (key.empty()) {
    return Status::InvalidArgument("table " + Quoted(table.name) + " has an empty " + what);
  }
  for (size_t i = 0; i < key.size(); ++i) {
    if (table.ColumnIndex(key[i]) < 0) {
      return Status::InvalidArgument("table " + Quoted(table.name) + ": " + what + " names " +
                                     Quoted(key[i]) + ", which is not one of its columns");
    }
    for (size_t j = 0; j < i; ++j) {
      if (key[j] == key[i]) {
        return Status::InvalidArgument("table " + Quoted(table.name) + ": " + what + " lists " +
                                       Quoted(key[i]) + " twice");
      }
    }
  }
  return Status::OK();
}

// True when `a` and `b` hold the same names (SQLite's case rules), in any order.
bool SameColumnSet(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (const std::string& name : a) {
    bool found = false;
    for (const std::string& other : b) {
      found = found || SameIdentifier(name, other);
    }
    if (!found) {
      return false;
    }
  }
  return true;
}

// The names produced by a one-parameter query (pragma_table_info and friends), first column;
// when `filter_column` >= 0 only rows whose value there is non-zero.
Result<std::vector<std::string>> QueryNames(sqlite3* db, const char* sql,
                                            const std::string& argument, int filter_column) {
  FERRY_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, sql));
  sqlite3_bind_text(stmt.get(), 1, argument.data(), static_cast<int>(argument.size()),
                    SQLITE_TRANSIENT);
  std::vector<std::string> names;
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool has_row,
                           Step(db, stmt.get(), "reading the schema of " + Quoted(argument)));
    if (!has_row) {
      break;
    }
    if (filter_column < 0 || sqlite3_column_int64(stmt.get(), filter_column) != 0) {
      names.push_back(ColumnText(stmt.get(), 0));
    }
  }
  return names;
}

}  // namespace

Result<bool> HasUniqueKey(sqlite3* db, const std::string& table,
                          const std::vector<std::string>& key) {
  FERRY_ASSIGN_OR_RETURN(std::vector<std::string> primary_key,
                         QueryNames(db, "SELECT name, pk FROM pragma_table_info(?1)", table, 1));
  if (SameColumnSet(primary_key, key)) {
    return true;
  }
  FERRY_ASSIGN_OR_RETURN(
      std::vector<std::string> indexes,
      QueryNames(db, "SELECT name, \"unique\" AND NOT partial FROM pragma_index_list(?1)", table,
                 1));
  for (const std::string& index : indexes) {
    FERRY_ASSIGN_OR_RETURN(std::vector<std::string> columns,
                           QueryNames(db, "SELECT name FROM pragma_index_info(?1)", index, -1));
    if (SameColumnSet(columns, key)) {
      return true;
    }
  }
  return false;
}

const char* SqliteTypeOf(ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
    case ColumnType::kBoolean:
      return "INTEGER";
    case ColumnType::kReal:
      return "REAL";
    case ColumnType::kText:
    case ColumnType::kJson:
    case ColumnType::kTimestamp:
    case ColumnType::kUlid:
      return "TEXT";
  }
  return "TEXT";
}

Status CheckTableDef(const TableDef& table) {
  FERRY_RETURN_IF_ERROR(CheckIdentifier(table.name, "a target table"));
  if (table.columns.empty()) {
    return Status::InvalidArgument("table " + Quoted(table.name) + " has no columns");
  }
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const std::string& name = table.columns[i].name;
    FERRY_RETURN_IF_ERROR(CheckIdentifier(name, "a column of table " + Quoted(table.name)));
    for (size_t j = 0; j < i; ++j) {
      if (SameIdentifier(table.columns[j].name, name)) {
        return Status::InvalidArgument("table " + Quoted(table.name) + ": column " + Quoted(name) +
                                       " is defined twice");
      }
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

std::string CreateTableSql(const TableDef& table, bool without_rowid) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + QuoteIdentifier(table.name) + " (\n";
  for (const ColumnDef& column : table.columns) {
    sql += "  " + QuoteIdentifier(column.name) + " " + SqliteTypeOf(column.type);
    if (!column.nullable || IsKeyColumn(table, column.name)) {
      sql += " NOT NULL";
    }
    sql += ",\n";
  }
  sql += "  PRIMARY KEY (" + ColumnList(table.primary_key) + ")";
  for (const std::vector<std::string>& unique : table.unique) {
    sql += ",\n  UNIQUE (" + ColumnList(unique) + ")";
  }
  sql += "\n)";
  if (without_rowid) {
    sql += " WITHOUT ROWID";
  }
  return sql;
}

std::string CreateIndexSql(const TableDef& table, const IndexDef& index) {
  return "CREATE INDEX " + QuoteIdentifier(IndexName(table, index)) + " ON " +
         QuoteIdentifier(table.name) + " (" + ColumnList(index.columns) + ")";
}

std::vector<std::string> CreateTableStatements(const TableDef& table) {
  std::vector<std::string> statements = {CreateTableSql(table, /*without_rowid=*/false)};
  for (const IndexDef& index : table.indexes) statements.push_back(CreateIndexSql(table, index));
  return statements;
}

Result<bool> TableExists(sqlite3* db, const std::string& name) {
  FERRY_ASSIGN_OR_RETURN(
      std::vector<std::string> types,
      QueryNames(db, "SELECT type FROM sqlite_master WHERE name = ?1 COLLATE NOCASE", name, -1));
  if (types.empty()) {
    return false;
  }
  if (types.front() != "table") {
    return Status::InvalidArgument("target table " + Quoted(name) + " exists as a " +
                                   types.front() + ", not a table");
  }
  return true;
}

Status CheckExistingTable(sqlite3* db, const TableDef& table) {
  FERRY_ASSIGN_OR_RETURN(std::vector<std::string> existing,
                         QueryNames(db, "SELECT name FROM pragma_table_info(?1)", table.name, -1));
  for (const ColumnDef& column : table.columns) {
    bool found = false;
    for (const std::string& name : existing) {
      found = found || SameIdentifier(name, column.name);
    }
    if (!found) {
      return Status::InvalidArgument("table " + Quoted(table.name) +
                                     " exists in the target without column " + Quoted(column.name) +
                                     ", which the mapping needs");
    }
  }
  FERRY_ASSIGN_OR_RETURN(bool has_key, HasUniqueKey(db, table.name, table.primary_key));
  if (!has_key) {
    return Status::InvalidArgument("table " + Quoted(table.name) +
                                   " exists in the target without a PRIMARY KEY or UNIQUE "
                                   "constraint on (" +
                                   ColumnList(table.primary_key) +
                                   "), which ferry needs to find rows it already wrote");
  }
  return Status::OK();
}

}  // namespace ferry::sqlite
