// "a", "b": column names quoted and joined by ", ", as this folder's DDL and checks list a key.
//
// Pure function, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "loaders/postgresql/sql_identifier.h"

namespace ferry::postgres {

inline std::string ColumnList(const std::vector<std::string>& columns) {
  std::string list;
  for (const std::string& column : columns)
    list += (list.empty() ? "" : ", ") + QuoteIdentifier(column);
  return list;
}

}  // namespace ferry::postgres
