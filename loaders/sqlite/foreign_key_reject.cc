#include "loaders/sqlite/foreign_key_reject.h"

#include <vector>

#include "loaders/sqlite/cell_binding.h"
#include "loaders/sqlite/sql_identifier.h"
#include "loaders/sqlite/sqlite_handle.h"

namespace ferry::sqlite {

namespace {

struct ForeignKey {
  std::string parent;
  std::vector<std::string> from;
  std::vector<std::string> to;  // empty names: the parent's primary key
};

std::string NameList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + QuoteIdentifier(name);
  return "(" + out + ")";
}

Result<std::vector<std::string>> Column(sqlite3* db, const std::string& sql,
                                        const std::string& table) {
  FERRY_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, sql));
  sqlite3_bind_text(stmt.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::string> values;
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), "reading foreign keys"));
    if (!has_row) break;
    const unsigned char* text = sqlite3_column_text(stmt.get(), 0);
    values.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
  }
  return values;
}

Result<std::vector<ForeignKey>> ForeignKeys(sqlite3* db, const std::string& table) {
  FERRY_ASSIGN_OR_RETURN(
      Statement stmt,
      Prepare(db,
              "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) "
              "ORDER BY id, seq"));
  sqlite3_bind_text(stmt.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<ForeignKey> keys;
  int64_t current = -1;
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), "reading foreign keys"));
    if (!has_row) break;
    auto text = [&](int i) {
      const unsigned char* value = sqlite3_column_text(stmt.get(), i);
      return value != nullptr ? std::string(reinterpret_cast<const char*>(value)) : "";
    };
    if (sqlite3_column_int64(stmt.get(), 0) != current) {
      current = sqlite3_column_int64(stmt.get(), 0);
      keys.push_back({text(1), {}, {}});
    }
    keys.back().from.push_back(text(2));
    keys.back().to.push_back(text(3));
  }
  for (ForeignKey& key : keys) {
    if (key.to.empty() || !key.to.front().empty()) continue;
    FERRY_ASSIGN_OR_RETURN(
        key.to,
        Column(db, "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk", key.parent));
  }
  return keys;
}

int ColumnIndex(const TableDef& table, const std::string& name) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (SameIdentifier(table.columns[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

// True when the parent holds no row for the row's values of `key` (false when a value is null,
// when ferry does not write a column of it, or when the key cannot be read).
Result<bool> Broken(sqlite3* db, const TableDef& table, const Row& row, const ForeignKey& key) {
  if (key.to.size() != key.from.size()) return false;
  std::string where;
  std::vector<int> columns;
  for (size_t i = 0; i < key.from.size(); ++i) {
    int column = ColumnIndex(table, key.from[i]);
    if (column < 0 || IsNull(row.cells[column])) return false;
    columns.push_back(column);
    where += (i == 0 ? "" : " AND ") + QuoteIdentifier(key.to[i]) + " = ?" + std::to_string(i + 1);
  }
  FERRY_ASSIGN_OR_RETURN(
      Statement stmt,
      Prepare(db, "SELECT 1 FROM " + QuoteIdentifier(key.parent) + " WHERE " + where + " LIMIT 1"));
  for (size_t i = 0; i < columns.size(); ++i) {
    FERRY_RETURN_IF_ERROR(BindCell(stmt.get(), static_cast<int>(i + 1), table.columns[columns[i]],
                                   row.cells[columns[i]]));
  }
  FERRY_ASSIGN_OR_RETURN(bool found, Step(db, stmt.get(), "reading a foreign key's parent"));
  return !found;
}

}  // namespace

Result<std::string> BrokenForeignKey(sqlite3* db, const TableDef& table, const Row& row) {
  FERRY_ASSIGN_OR_RETURN(std::vector<ForeignKey> keys, ForeignKeys(db, table.name));
  std::string all;
  for (const ForeignKey& key : keys) {
    std::string text = "foreign key " + NameList(key.from) + " REFERENCES " +
                       QuoteIdentifier(key.parent) + " " + NameList(key.to);
    FERRY_ASSIGN_OR_RETURN(bool broken, Broken(db, table, row, key));
    if (broken) {
      return "breaks the target's " + text + ": " + QuoteIdentifier(key.parent) +
             " holds no row with the record's values (the application deleted it, or never "
             "had it); nothing of the record was written";
    }
    all += (all.empty() ? "" : "; ") + text;
  }
  return "breaks a foreign key of table " + QuoteIdentifier(table.name) + " (" + all +
         "); nothing of the record was written";
}

}  // namespace ferry::sqlite
