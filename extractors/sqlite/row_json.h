// One row of an SQLite result as a JSON object, for the pipeline's kRecord entries: column
// names as members in column order, INTEGER as a JSON integer, REAL as a number (NaN and
// infinities, which JSON lacks, as null), TEXT as a string, BLOB as a string of lowercase
// hex digits, NULL as null.
//
// Pure function over a stepped statement; thread-safe for distinct statements.
#pragma once

#include <sqlite3.h>

#include <string>

#include "base/status.h"

namespace ferry::sqlite_source {

// Writes the current row of `statement` (REQUIRES: sqlite3_step returned SQLITE_ROW) to
// *json. Fails Corruption naming the column when a TEXT value is not well-formed UTF-8
// (the caller reports the row as damage rather than guess its text).
Status RowToJson(sqlite3_stmt* statement, std::string* json);

// One value of the current row as text for a person (inspect's examples): an integer or real
// in decimal, UTF-8 text as it is, other text and a BLOB as x'hex', NULL as NULL.
std::string ValueText(sqlite3_stmt* statement, int column);

}  // namespace ferry::sqlite_source
