// The one SELECT that pages through a table's primary keys on both targets (Loader::ListKeys):
// keyset pagination, so that a table of any size is read a bounded page at a time.
//
// Pure function, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/row.h"

namespace ferry {

// Selects each primary-key column CAST AS TEXT of the first `limit` rows of `table` (as the
// target names it: LoaderBackend::QuotedTable) in key order, whose `column` equals `value`
// (every row when `column` is empty), and whose key comes after `after` (the key's cells as
// text, compared as the column's own type; from the first row when empty).
// REQUIRES: def has a primary key; `after` is empty or holds one value per key column.
std::string TableKeysSql(const TableDef& def, const std::string& table, const std::string& column,
                         const std::string& value, const std::vector<std::string>& after,
                         size_t limit);

}  // namespace ferry
