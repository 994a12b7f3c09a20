// Whether a column is one of a table's primary-key columns, as both SQL targets' DDL and write
// statements ask.
//
// Pure function, thread-safe.
#pragma once

#include <algorithm>
#include <string>

#include "base/row.h"

namespace ferry {

inline bool IsKeyColumn(const TableDef& table, const std::string& column) {
  return std::find(table.primary_key.begin(), table.primary_key.end(), column) !=
         table.primary_key.end();
}

}  // namespace ferry
