#include "loaders/cell_mismatch.h"

#include <string>

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

}  // namespace ferry
