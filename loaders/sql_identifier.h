// What both SQL targets do alike with identifiers: the standard double-quoted form, and the
// names no SQL target can hold. Each target's sql_identifier.h adds its own limits.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ferry {

// "name" with each embedded '"' doubled: x"y -> "x""y" (SQL's delimited identifier).
std::string QuoteSqlIdentifier(std::string_view name);

// ("a", "b"): each name quoted (QuoteSqlIdentifier), in parentheses, as key lists are written.
std::string QuotedColumnList(const std::vector<std::string>& names);

// Fails (InvalidArgument, naming `what`) for an empty name or one holding a NUL byte.
Status CheckSqlIdentifier(std::string_view name, std::string_view what);

}  // namespace ferry
