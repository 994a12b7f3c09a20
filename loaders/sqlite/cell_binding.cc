#include "loaders/sqlite/cell_binding.h"

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "loaders/cell_mismatch.h"
#include "loaders/sqlite/sqlite_handle.h"
#include "loaders/sqlite/statement_text.h"
#include "transformers/datetime.h"

namespace ferry::sqlite {

namespace {

// The range FormatTimestampMillis accepts: 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z.
constexpr TimestampRange kTimestamps{-62167219200000, 253402300799999, "0000-9999"};

Status Checked(int rc, sqlite3_stmt* stmt, const ColumnDef* column) {
  if (rc == SQLITE_OK) {
    return Status::OK();
  }
  std::string context = "binding ";
  context += column != nullptr ? "column \"" + column->name + "\"" : "a value";
  return SqliteError(rc, sqlite3_db_handle(stmt), context);
}

}  // namespace

Status CheckCell(const ColumnDef& column, const Cell& cell) {
  return CheckCellKind(column, cell, kTimestamps);  // a NaN real would be stored as NULL
}

Status BindCell(sqlite3_stmt* stmt, int index, const ColumnDef& column, const Cell& cell) {
  FERRY_RETURN_IF_ERROR(CheckCell(column, cell));
  if (IsNull(cell)) {
    return Checked(sqlite3_bind_null(stmt, index), stmt, &column);
  }
  const auto* text = std::get_if<std::string>(&cell);
  const auto* integer = std::get_if<int64_t>(&cell);
  const auto* real = std::get_if<double>(&cell);
  const auto* boolean = std::get_if<bool>(&cell);
  int rc = SQLITE_OK;
  switch (column.type) {
    case ColumnType::kText:
    case ColumnType::kJson:
    case ColumnType::kUlid:
      rc = BindText(stmt, index, *text);
      break;
    case ColumnType::kInteger:
      rc = sqlite3_bind_int64(stmt, index, integer != nullptr ? *integer : (*boolean ? 1 : 0));
      break;
    case ColumnType::kReal:
      rc =
          sqlite3_bind_double(stmt, index, real != nullptr ? *real : static_cast<double>(*integer));
      break;
    case ColumnType::kBoolean:
      rc = sqlite3_bind_int(stmt, index, boolean != nullptr ? (*boolean ? 1 : 0) : *integer);
      break;
    case ColumnType::kTimestamp: {
      std::string formatted = FormatTimestampMillis(*integer);
      rc = sqlite3_bind_text64(stmt, index, formatted.data(), formatted.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
      break;
    }
  }
  return Checked(rc, stmt, &column);
}

Status BindRow(sqlite3_stmt* stmt, const TableDef& table, const Row& row) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    FERRY_RETURN_IF_ERROR(BindCell(stmt, static_cast<int>(i + 1), table.columns[i], row.cells[i]));
  }
  return Status::OK();
}

Status BindValue(sqlite3_stmt* stmt, int index, const Cell& cell) {
  int rc = SQLITE_OK;
  if (const auto* text = std::get_if<std::string>(&cell)) {
    rc =
        sqlite3_bind_text64(stmt, index, text->data(), text->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  } else if (const auto* integer = std::get_if<int64_t>(&cell)) {
    rc = sqlite3_bind_int64(stmt, index, *integer);
  } else if (const auto* real = std::get_if<double>(&cell)) {
    rc = sqlite3_bind_double(stmt, index, *real);
  } else if (const auto* boolean = std::get_if<bool>(&cell)) {
    rc = sqlite3_bind_int(stmt, index, *boolean ? 1 : 0);
  } else {
    rc = sqlite3_bind_null(stmt, index);
  }
  return Checked(rc, stmt, nullptr);
}

}  // namespace ferry::sqlite
