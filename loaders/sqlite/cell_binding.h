// Binding row cells to statement parameters, in the storage form of the SQLite target:
// timestamps as "YYYY-MM-DDTHH:MM:SS.mmmZ" text (sorts as time, reads as a date), booleans as
// 0/1, JSON and ULIDs as text.
//
// Thread safety: functions of one statement, used by its connection's thread.
#pragma once

#include <sqlite3.h>

#include "base/row.h"
#include "base/status.h"

namespace ferry::sqlite {

// Binds `cell` as a value of `column` to parameter `index` (1-based). Text is bound without
// a copy: it must stay alive and unchanged until the statement is reset.
// Fails (InvalidArgument, naming the column) when the cell does not fit the column's type:
// text for text/json/ulid; integer or boolean for integer; real (not NaN) or integer for
// real; boolean or 0/1 for boolean; integer milliseconds in years 0000-9999 for timestamp.
Status BindCell(sqlite3_stmt* stmt, int index, const ColumnDef& column, const Cell& cell);

// BindCell's checks alone: OK when the column can hold `cell` (InvalidArgument naming the
// column otherwise). Pure.
Status CheckCell(const ColumnDef& column, const Cell& cell);

// Binds cell i of `row` to parameter i + 1. REQUIRES: row.cells.size() == table.columns.size().
Status BindRow(sqlite3_stmt* stmt, const TableDef& table, const Row& row);

// Binds a value of no particular column type (bookkeeping): text (copied), integer, real,
// 0/1, NULL.
Status BindValue(sqlite3_stmt* stmt, int index, const Cell& cell);

}  // namespace ferry::sqlite
