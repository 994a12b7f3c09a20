// Reading rows of a target table back by primary key, in the forms the loader wrote them
// (cell_binding.h): for the merge policy, which merges on the client and needs the rows there.
//
// Thread safety: functions of one connection, used by its thread.
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/row.h"
#include "base/status.h"

namespace ferry::sqlite {

// Fills `out` (resized to keys.size()) with the row of `table` whose primary key equals
// keys[i] (its cells in primary_key order), or nullopt. One statement per chunk of keys (all
// of a batch unless SQLite's parameter limit is smaller): the keys, numbered, joined with the
// table. Keys are bound as the loader binds them, so they match what it wrote.
// Fails naming the table (and the column) when a key has the wrong width or a stored value
// cannot be read as its column's type.
Status FetchRowsByKey(sqlite3* db, const TableDef& table, const std::vector<Row>& keys,
                      std::vector<std::optional<Row>>* out);

// Sets *none when `table` holds no row whose `column` equals `value`, bound as the loader
// binds it (one index probe when an index leads with the column). REQUIRES: the table exists.
Status HoldsNoRowWith(sqlite3* db, const TableDef& table, const std::string& column,
                      const Cell& value, bool* none);

// Column `index` of the current result row of `stmt` as a cell of `column`'s type: text for
// text/json/ulid, integer, real, boolean from 0/1, timestamp from its RFC 3339 text (or
// integer milliseconds); NULL as null. Fails (InvalidArgument, naming the column) for a value
// of another kind, such as text in a boolean column.
Result<Cell> ReadCell(sqlite3_stmt* stmt, int index, const ColumnDef& column);

}  // namespace ferry::sqlite
