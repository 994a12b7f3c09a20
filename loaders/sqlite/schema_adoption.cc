#include "loaders/sqlite/schema_adoption.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "base/quoted.h"
#include "loaders/schema_evolution.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/sql_identifier.h"
#include "loaders/sqlite/sqlite_handle.h"

namespace ferry::sqlite {

namespace {

// A column as pragma_table_info describes it.
struct PragmaColumn {
  std::string name;
  std::string declared_type;
  bool not_null = false;
  bool has_default = false;
  int key_position = 0;  // 1-based position in the primary key, 0 when not in it
};

std::string MessageColumnList(const std::vector<std::string>& columns) {
  std::string list;
  for (const std::string& column : columns) list += (list.empty() ? "" : ", ") + Quoted(column);
  return list;
}

std::string UpperCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// The column affinity SQLite gives a declared type (https://sqlite.org/datatype3.html, 3.1).
std::string AffinityOf(const std::string& declared_type) {
  std::string type = UpperCase(declared_type);
  auto has = [&](const char* part) { return type.find(part) != std::string::npos; };
  if (has("INT")) return "INTEGER";
  if (has("CHAR") || has("CLOB") || has("TEXT")) return "TEXT";
  if (has("BLOB") || type.empty()) return "BLOB";
  if (has("REAL") || has("FLOA") || has("DOUB")) return "REAL";
  return "NUMERIC";
}

// A value ferry writes as `wanted` that a column of `affinity` stores otherwise.
std::string ExampleChange(const std::string& wanted, const std::string& affinity) {
  if (wanted == "TEXT") return "the text \"007\" would be stored as the number 7";
  if (wanted == "INTEGER") {
    return affinity == "TEXT" ? "the integer 7 would be stored as the text \"7\""
                              : "the integer 7 would be stored as the real 7.0";
  }
  return affinity == "TEXT" ? "the real 0.5 would be stored as the text \"0.5\""
                            : "the real 7.0 would be stored as the integer 7";
}

// True when every value ferry writes as `wanted` reads back exactly from a column of
// `affinity`.
bool RoundTrips(const std::string& wanted, const std::string& affinity) {
  if (affinity == "BLOB" || affinity == wanted) return true;
  return wanted == "INTEGER" && affinity == "NUMERIC";
}

Result<std::vector<PragmaColumn>> ReadColumns(sqlite3* db, const std::string& table) {
  FERRY_ASSIGN_OR_RETURN(Statement stmt,
                         Prepare(db,
                                 "SELECT name, type, \"notnull\", dflt_value IS NOT NULL, pk "
                                 "FROM pragma_table_info(?1)"));
  sqlite3_bind_text(stmt.get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
  std::vector<PragmaColumn> columns;
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool has_row,
                           Step(db, stmt.get(), "reading the schema of " + Quoted(table)));
    if (!has_row) return columns;
    auto text = [&](int i) {
      const unsigned char* value = sqlite3_column_text(stmt.get(), i);
      return value != nullptr ? std::string(reinterpret_cast<const char*>(value)) : "";
    };
    columns.push_back({text(0), text(1), sqlite3_column_int64(stmt.get(), 2) != 0,
                       sqlite3_column_int64(stmt.get(), 3) != 0,
                       static_cast<int>(sqlite3_column_int64(stmt.get(), 4))});
  }
}

const PragmaColumn* Find(const std::vector<PragmaColumn>& columns, const std::string& name) {
  for (const PragmaColumn& column : columns) {
    if (SameIdentifier(column.name, name)) return &column;
  }
  return nullptr;
}

// An INTEGER PRIMARY KEY column alone in its key: an alias of the rowid, which SQLite fills.
bool IsRowidAlias(const std::vector<PragmaColumn>& columns, const PragmaColumn& column) {
  if (column.key_position == 0 || UpperCase(column.declared_type) != "INTEGER") return false;
  return std::count_if(columns.begin(), columns.end(),
                       [](const PragmaColumn& c) { return c.key_position != 0; }) == 1;
}

Status RequireKey(sqlite3* db, const TableDef& table, const std::vector<std::string>& key,
                  const std::string& why) {
  FERRY_ASSIGN_OR_RETURN(bool has_key, HasUniqueKey(db, table.name, key));
  if (has_key) return Status::OK();
  return Status::InvalidArgument(
      "table " + Quoted(table.name) +
      " exists in the target without a PRIMARY KEY or UNIQUE "
      "constraint on (" +
      MessageColumnList(key) + "), " + why +
      ". ferry adopts only a table whose constraints enforce the mapping's keys: `ferry schema "
      "up` adopts it and adds the key as a recorded migration when no two rows share it (or "
      "add it yourself: CREATE UNIQUE INDEX ... ON " +
      Quoted(table.name) + " (" + MessageColumnList(key) +
      ")), or map the entity to a table of its own");
}

}  // namespace

unsigned TypesKeptBy(const std::string& declared_type) {
  unsigned kept = 0;
  for (ColumnType type :
       {ColumnType::kText, ColumnType::kInteger, ColumnType::kReal, ColumnType::kBoolean,
        ColumnType::kJson, ColumnType::kTimestamp, ColumnType::kUlid}) {
    if (RoundTrips(SqliteTypeOf(type), AffinityOf(declared_type))) kept |= TypeBit(type);
  }
  return kept;
}

Status CheckAdoptable(sqlite3* db, const TableDef& table, bool require_unique_keys) {
  FERRY_RETURN_IF_ERROR(CheckExistingTable(db, table));
  FERRY_ASSIGN_OR_RETURN(std::vector<PragmaColumn> columns, ReadColumns(db, table.name));
  for (const ColumnDef& wanted : table.columns) {
    const PragmaColumn* column = Find(columns, wanted.name);
    if (column == nullptr) continue;  // CheckExistingTable refuses that
    std::string want = SqliteTypeOf(wanted.type);
    std::string affinity = AffinityOf(column->declared_type);
    if (!RoundTrips(want, affinity)) {
      return Status::InvalidArgument(
          "table " + Quoted(table.name) + " exists in the target with column " +
          Quoted(wanted.name) + " declared " +
          (column->declared_type.empty() ? "without a type" : column->declared_type) + " (" +
          affinity + " affinity), but the mapping writes " + ColumnTypeName(wanted.type) + " as " +
          want + ": " + ExampleChange(want, affinity) +
          ". ferry adopts a table only where every value reads back as written: give the "
          "column the type " +
          want + " (or none), or map the entity to a table of its own");
    }
  }
  for (const PragmaColumn& column : columns) {
    bool written = false;
    for (const ColumnDef& wanted : table.columns) {
      written = written || SameIdentifier(wanted.name, column.name);
    }
    if (written || !column.not_null || column.has_default || IsRowidAlias(columns, column)) {
      continue;
    }
    return Status::InvalidArgument(
        "table " + Quoted(table.name) + " exists in the target with column " + Quoted(column.name) +
        " NOT NULL and without a default, which the mapping does not "
        "write: every row ferry inserts would fail. Give the column a default, or map it");
  }
  for (const std::vector<std::string>& unique : table.unique) {
    if (!require_unique_keys) break;
    FERRY_RETURN_IF_ERROR(RequireKey(
        db, table, unique,
        "a unique key the mapping declares: without it a row already there under that key "
        "would be written a second time"));
  }
  return Status::OK();
}

}  // namespace ferry::sqlite
