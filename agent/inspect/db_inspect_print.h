// The two forms of a database inspection (db_inspect.h): a table for a person, or one JSON
// document (`--json`). Text from the database goes out as written; the standard streams
// escape it for the terminal (base/terminal_text.h), and JSON strings are escaped as JSON.
//
// Pure functions, thread-safe.
#pragma once

#include <ostream>
#include <string>

#include "agent/inspect/db_inspect.h"

namespace ferry {

void PrintDatabaseTable(const DbInspectReport& report, std::ostream& out);

// The report as one JSON object: {"source", "tables": [...], "foreign_keys": [...],
// "in_cycles", "without_creation_column", "skipped"}.
std::string DatabaseJson(const DbInspectReport& report);

}  // namespace ferry
