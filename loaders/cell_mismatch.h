// The error both targets give for a cell their column cannot hold, worded the same way, and the
// checks of a cell that both targets make alike.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstdint>

#include "base/row.h"
#include "base/status.h"

namespace ferry {

// "null", "text", "integer", "real" or "boolean": what a Cell holds.
const char* CellKindName(const Cell& cell);

// InvalidArgument: column "NAME" (TYPE) cannot hold DETAIL (default: the cell's kind).
Status CellMismatch(const ColumnDef& column, const Cell& cell, const char* detail = nullptr);

// The times a target's timestamp column holds, in Unix milliseconds, and how a message names them.
struct TimestampRange {
  int64_t min_ms;
  int64_t max_ms;
  const char* years;  // "0001-9999"
};

// OK when `cell` is null or of a kind `column` takes: text for text, JSON and ULID columns; an
// integer (or boolean) for integers; a real or integer, not NaN, for reals; a boolean, or 0 or
// 1, for booleans; milliseconds within `timestamps` for timestamps. Else CellMismatch.
Status CheckCellKind(const ColumnDef& column, const Cell& cell, const TimestampRange& timestamps);

}  // namespace ferry
