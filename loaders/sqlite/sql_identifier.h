// SQL identifiers: every table and column name ferry puts in a statement goes through
// QuoteIdentifier, so a name from a mapping is only ever a name, whatever it holds.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace ferry::sqlite {

// "name" with each embedded '"' doubled: x"y -> "x""y".
std::string QuoteIdentifier(std::string_view name);

// Fails (InvalidArgument, naming `what`) for a name SQLite cannot hold faithfully: empty, or
// holding a NUL byte (SQL text ends at the first NUL).
Status CheckIdentifier(std::string_view name, std::string_view what);

// SQLite compares identifiers ignoring ASCII case ("Tasks" is "tasks").
bool SameIdentifier(std::string_view a, std::string_view b);

}  // namespace ferry::sqlite
