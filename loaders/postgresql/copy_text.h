// Cells in PostgreSQL's text forms: the input text of a column type (timestamps as
// "YYYY-MM-DDTHH:MM:SS.mmmZ", booleans as t/f, JSON as its text), escaped for
// COPY ... FROM STDIN (text format) or for an array literal ('{"a","b"}').
//
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/row.h"
#include "base/status.h"

namespace ferry::postgres {

// The text PostgreSQL reads as `cell` in a column of `column`'s type; nullopt for a null.
// Fails (InvalidArgument, naming the column) when the cell does not fit the column (the same
// rules as the SQLite target: text for text/json/ulid, integer or boolean for integer, real
// (not NaN) or integer for real, boolean or 0/1 for boolean, integer milliseconds in the years
// 0001-9999 for timestamp, since PostgreSQL has no year 0), or when text holds a NUL byte
// (PostgreSQL text cannot hold one).
Result<std::optional<std::string>> CellText(const ColumnDef& column, const Cell& cell);

// CellText's checks alone: OK when PostgreSQL's column can hold `cell`. Also refuses, in a
// json column, a string holding NUL (the escape \u0000), which jsonb cannot store.
Status CheckCell(const ColumnDef& column, const Cell& cell);

// Appends `text` escaped as one field of a COPY text-format line: '\' '\t' '\n' '\r' become
// backslash escapes. REQUIRES: text holds no NUL byte (CellText guarantees it).
void AppendCopyEscaped(std::string_view text, std::string* line);

// Appends one field: "\N" for nullopt, else the escaped text.
void AppendCopyField(const std::optional<std::string>& text, std::string* line);

// An array literal of text elements ("{\"a\",NULL,\"b\\\\c\"}") for a text[] parameter.
std::string ArrayLiteral(const std::vector<std::optional<std::string>>& elements);

}  // namespace ferry::postgres
