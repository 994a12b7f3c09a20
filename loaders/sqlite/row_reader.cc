#include "loaders/sqlite/row_reader.h"

#include <algorithm>
#include <string>

#include "loaders/sqlite/cell_binding.h"
#include "loaders/sqlite/sql_identifier.h"
#include "loaders/sqlite/sqlite_handle.h"
#include "transformers/datetime.h"

namespace ferry::sqlite {

namespace {

// The keys' CTE: a reserved name (tables may not start with ferry_), so no target table
// can be shadowed by it.
constexpr const char* kKeys = "\"ferry_keys\"";

// A batch's keys in one statement; a longer list takes several.
constexpr size_t kMaxKeysPerStatement = 4096;

const char* StorageName(int type) {
  switch (type) {
    case SQLITE_INTEGER:
      return "an integer";
    case SQLITE_FLOAT:
      return "a real";
    case SQLITE_TEXT:
      return "text";
    case SQLITE_BLOB:
      return "a blob";
    default:
      return "null";
  }
}

Status Unreadable(const ColumnDef& column, int type, const char* detail = nullptr) {
  return Status::InvalidArgument("column \"" + column.name + "\" (" + ColumnTypeName(column.type) +
                                 ") holds " + (detail != nullptr ? detail : StorageName(type)));
}

std::string TextAt(sqlite3_stmt* stmt, int index) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, index));
  int size = sqlite3_column_bytes(stmt, index);
  return text != nullptr ? std::string(text, static_cast<size_t>(size)) : std::string();
}

// WITH "ferry_keys"(n, k0, k1) AS (VALUES (0, ?1, ?2), (1, ?3, ?4))
// SELECT "ferry_keys".n, t.c0, t.c1, ... FROM "ferry_keys" JOIN "table" AS t
//   ON t.pk0 = "ferry_keys".k0 AND t.pk1 = "ferry_keys".k1
std::string FetchSql(const TableDef& table, size_t count) {
  size_t width = table.primary_key.size();
  std::string sql = std::string("WITH ") + kKeys + "(n";
  for (size_t k = 0; k < width; ++k) sql += ", k" + std::to_string(k);
  sql += ") AS (VALUES ";
  int parameter = 1;
  for (size_t i = 0; i < count; ++i) {
    sql += (i == 0 ? "(" : ", (") + std::to_string(i);
    for (size_t k = 0; k < width; ++k) sql += ", ?" + std::to_string(parameter++);
    sql += ")";
  }
  sql += ") SELECT " + std::string(kKeys) + ".n";
  for (const ColumnDef& column : table.columns) sql += ", t." + QuoteIdentifier(column.name);
  sql += std::string(" FROM ") + kKeys + " JOIN " + QuoteIdentifier(table.name) + " AS t ON ";
  for (size_t k = 0; k < width; ++k) {
    sql += (k == 0 ? "t." : " AND t.") + QuoteIdentifier(table.primary_key[k]) + " = " + kKeys +
           ".k" + std::to_string(k);
  }
  return sql;
}

// Reads the keys [first, first + count) with one statement.
Status FetchChunk(sqlite3* db, const TableDef& table, const std::vector<const ColumnDef*>& key_defs,
                  const std::vector<Row>& keys, size_t first, size_t count,
                  std::vector<std::optional<Row>>* out) {
  const std::string context = "reading rows of \"" + table.name + "\"";
  FERRY_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, FetchSql(table, count)));
  int parameter = 1;
  for (size_t i = first; i < first + count; ++i) {
    for (size_t k = 0; k < key_defs.size(); ++k) {
      FERRY_RETURN_IF_ERROR(BindCell(stmt.get(), parameter++, *key_defs[k], keys[i].cells[k]));
    }
  }
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), context));
    if (!has_row) break;
    int64_t n = sqlite3_column_int64(stmt.get(), 0);
    if (n < 0 || static_cast<size_t>(n) >= count) {
      return Status::Internal(context + ": a row of an unknown key");
    }
    Row row;
    row.cells.reserve(table.columns.size());
    for (size_t c = 0; c < table.columns.size(); ++c) {
      Result<Cell> cell = ReadCell(stmt.get(), static_cast<int>(c + 1), table.columns[c]);
      if (!cell.ok()) return cell.status().WithContext(context);
      row.cells.push_back(std::move(cell).value());
    }
    (*out)[first + static_cast<size_t>(n)] = std::move(row);
  }
  return Status::OK();
}

}  // namespace

Result<Cell> ReadCell(sqlite3_stmt* stmt, int index, const ColumnDef& column) {
  int type = sqlite3_column_type(stmt, index);
  if (type == SQLITE_NULL) return Cell();
  switch (column.type) {
    case ColumnType::kText:
    case ColumnType::kJson:
    case ColumnType::kUlid:
      if (type == SQLITE_BLOB) return Unreadable(column, type);
      return Cell(TextAt(stmt, index));
    case ColumnType::kInteger:
      if (type == SQLITE_INTEGER) return Cell(int64_t{sqlite3_column_int64(stmt, index)});
      return Unreadable(column, type);
    case ColumnType::kReal:
      if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
        return Cell(sqlite3_column_double(stmt, index));
      }
      return Unreadable(column, type);
    case ColumnType::kBoolean: {
      if (type != SQLITE_INTEGER) return Unreadable(column, type);
      int64_t value = sqlite3_column_int64(stmt, index);
      if (value != 0 && value != 1) return Unreadable(column, type, "an integer other than 0 or 1");
      return Cell(value == 1);
    }
    case ColumnType::kTimestamp:
      if (type == SQLITE_INTEGER) return Cell(int64_t{sqlite3_column_int64(stmt, index)});
      if (type == SQLITE_TEXT) {
        if (std::optional<int64_t> ms = ParseRfc3339Millis(TextAt(stmt, index))) return Cell(*ms);
        return Unreadable(column, type, "text that is not an RFC 3339 date-time");
      }
      return Unreadable(column, type);
  }
  return Unreadable(column, type);
}

Status FetchRowsByKey(sqlite3* db, const TableDef& table, const std::vector<Row>& keys,
                      std::vector<std::optional<Row>>* out) {
  out->assign(keys.size(), std::nullopt);
  std::vector<const ColumnDef*> key_defs;
  for (const std::string& name : table.primary_key) {
    int index = table.ColumnIndex(name);
    if (index < 0) {
      return Status::InvalidArgument("table \"" + table.name + "\": primary key column \"" + name +
                                     "\" is not one of its columns");
    }
    key_defs.push_back(&table.columns[static_cast<size_t>(index)]);
  }
  if (key_defs.empty()) {
    return Status::InvalidArgument("table \"" + table.name + "\" has no primary key");
  }
  for (const Row& key : keys) {
    if (key.cells.size() != key_defs.size()) {
      return Status::InvalidArgument(
          "table \"" + table.name + "\": a key of " + std::to_string(key.cells.size()) +
          " cells for a primary key of " + std::to_string(key_defs.size()) + " columns");
    }
  }
  size_t limit = static_cast<size_t>(sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, -1));
  // Bounded too so that the statement stays far below SQLite's SQL length limit (1 MB).
  size_t chunk = std::clamp<size_t>(limit / key_defs.size(), 1, kMaxKeysPerStatement);
  for (size_t first = 0; first < keys.size(); first += chunk) {
    size_t count = std::min(chunk, keys.size() - first);
    FERRY_RETURN_IF_ERROR(FetchChunk(db, table, key_defs, keys, first, count, out));
  }
  return Status::OK();
}

Status HoldsNoRowWith(sqlite3* db, const TableDef& table, const std::string& column,
                      const Cell& value, bool* none) {
  *none = false;
  int index = table.ColumnIndex(column);
  if (index < 0) {
    return Status::InvalidArgument("table \"" + table.name + "\": column \"" + column +
                                   "\" is not one of its columns");
  }
  const std::string context = "reading rows of \"" + table.name + "\"";
  FERRY_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, "SELECT NOT EXISTS (SELECT 1 FROM " +
                                                         QuoteIdentifier(table.name) + " WHERE " +
                                                         QuoteIdentifier(column) + " = ?1)"));
  FERRY_RETURN_IF_ERROR(BindCell(stmt.get(), 1, table.columns[static_cast<size_t>(index)], value));
  FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), context));
  *none = has_row && sqlite3_column_int64(stmt.get(), 0) == 1;
  return Status::OK();
}

}  // namespace ferry::sqlite
