// SQL identifiers for the PostgreSQL target: every schema, table and column name ferry puts in
// a statement goes through QuoteIdentifier, so a name from a mapping is only ever a name.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace ferry::postgres {

// PostgreSQL keeps at most 63 bytes of a name (NAMEDATALEN - 1) and silently cuts the rest.
constexpr size_t kMaxIdentifierBytes = 63;

// "name" with each embedded '"' doubled: x"y -> "x""y". The same text as libpq's
// PQescapeIdentifier (and pqxx's quote_name) for UTF-8 names, without needing a connection,
// so that DDL can be generated and tested without a server.
std::string QuoteIdentifier(std::string_view name);

// "schema"."name".
std::string QualifiedName(std::string_view schema, std::string_view name);

// A text literal of `text`: E'...' with every quote and backslash doubled, read the same
// whatever standard_conforming_strings says. For names ferry puts in a prepared statement's
// text (the target schema), never for record data (that goes through COPY or parameters).
std::string QuoteLiteral(std::string_view text);

// Fails (InvalidArgument, naming `what`) for a name PostgreSQL cannot hold faithfully: empty,
// holding a NUL byte, or longer than 63 bytes (it would be cut, and two names could become one).
Status CheckIdentifier(std::string_view name, std::string_view what);

}  // namespace ferry::postgres
