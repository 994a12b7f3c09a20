// The error both targets give for a cell their column cannot hold, worded the same way.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include "base/row.h"
#include "base/status.h"

namespace ferry {

// "null", "text", "integer", "real" or "boolean": what a Cell holds.
const char* CellKindName(const Cell& cell);

// InvalidArgument: column "NAME" (TYPE) cannot hold DETAIL (default: the cell's kind).
Status CellMismatch(const ColumnDef& column, const Cell& cell, const char* detail = nullptr);

}  // namespace ferry
