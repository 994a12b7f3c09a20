// The one SELECT that finds dangling references on both targets (Loader::FindDanglingReferences):
// the rows of a child table whose reference names no row of its parent table.
//
// Pure function, thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "base/row.h"

namespace ferry {

// Selects, for the first `limit` such rows of `child` by primary key: each key column, the
// reference, and the count of all such rows, every value CAST AS TEXT. `child_table` and
// `parent_table` are the tables as the target names them (LoaderBackend::QuotedTable).
// REQUIRES: `column` is a column of child; child has a primary key.
std::string DanglingReferencesSql(const TableDef& child, const std::string& column,
                                  const std::string& child_table, const std::string& parent_column,
                                  const std::string& parent_table, size_t limit);

}  // namespace ferry
