#include "loaders/cell_mismatch.h"

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "transformers/datetime.h"

namespace ferry {

const char* CellKindName(const Cell& cell) {
  switch (cell.index()) {
    case 0:
      return "null";
    case 1:
      return "text";
    case 2:
      return "integer";
    case 3:
      return "real";
    default:
      return "boolean";
  }
}

Status CellMismatch(const ColumnDef& column, const Cell& cell, const char* detail) {
  return Status::InvalidArgument("column \"" + column.name + "\" (" + ColumnTypeName(column.type) +
                                 ") cannot hold " +
                                 (detail != nullptr ? detail : CellKindName(cell)));
}

Status CheckCellKind(const ColumnDef& column, const Cell& cell, const TimestampRange& timestamps) {
  if (IsNull(cell)) return Status::OK();
  const bool text = std::holds_alternative<std::string>(cell);
  const auto* integer = std::get_if<int64_t>(&cell);
  const auto* real = std::get_if<double>(&cell);
  const bool boolean = std::holds_alternative<bool>(cell);
  switch (column.type) {
    case ColumnType::kText:
    case ColumnType::kJson:
    case ColumnType::kUlid:
      return text ? Status::OK() : CellMismatch(column, cell);
    case ColumnType::kInteger:
      return integer != nullptr || boolean ? Status::OK() : CellMismatch(column, cell);
    case ColumnType::kReal:
      if (real != nullptr && std::isnan(*real)) return CellMismatch(column, cell, "NaN");
      return real != nullptr || integer != nullptr ? Status::OK() : CellMismatch(column, cell);
    case ColumnType::kBoolean:
      if (integer != nullptr && *integer != 0 && *integer != 1) {
        return CellMismatch(column, cell, "an integer other than 0 or 1");
      }
      return boolean || integer != nullptr ? Status::OK() : CellMismatch(column, cell);
    case ColumnType::kTimestamp:
      if (integer == nullptr) return CellMismatch(column, cell);
      if (*integer < timestamps.min_ms || *integer > timestamps.max_ms) {
        const std::string detail = fmt::format("{}, a time outside the years {}",
                                               FormatTimestampMillis(*integer), timestamps.years);
        return CellMismatch(column, cell, detail.c_str());
      }
      return Status::OK();
  }
  return CellMismatch(column, cell);
}

}  // namespace ferry
