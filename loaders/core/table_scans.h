// The read-only scans of mapping tables that `validate` and `rekey` make through any target
// (Loader::FindDanglingReferences, Loader::ListKeys): one SELECT each, written once in the SQL
// both targets speak (dangling_references_sql.h, table_keys_sql.h), read back as text.
//
// Thread safety: as the backend (one thread at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/row.h"
#include "base/status.h"
#include "loaders/core/loader_backend.h"
#include "loaders/run_records.h"

namespace ferry {

// The first `limit` rows of `child` (by primary key) whose `column` names no row of `parent`
// by `parent_column` into *found, and how many there are in all into *total.
// REQUIRES: the backend is open. Internal when a name is no column of its table.
Status ScanDanglingReferences(LoaderBackend& backend, const TableDef& child,
                              const std::string& column, const TableDef& parent,
                              const std::string& parent_column, size_t limit,
                              std::vector<DanglingReference>* found, int64_t* total);

// A page of `table`'s primary keys after `after` (empty: from the start), of the rows whose
// `column` is `value` (empty column: every row), at most `limit`, into *keys.
// REQUIRES: the backend is open. Internal for a table without a primary key or such a column.
Status ScanTableKeys(LoaderBackend& backend, const TableDef& table, const std::string& column,
                     const std::string& value, const std::vector<std::string>& after, size_t limit,
                     std::vector<std::vector<std::string>>* keys);

}  // namespace ferry
