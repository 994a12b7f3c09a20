// Name hygiene for mapping files: table, column and entity names, and dotted field paths.
//
// Loaders quote every identifier, so a name may hold quotes, spaces or SQL ("tasks\"; DROP
// TABLE x; --" is a legal, quoted table name). What is refused is what no target can hold or
// what would be cut silently: an empty name, more than 63 bytes (PostgreSQL truncates), NUL,
// control characters and text that is not UTF-8.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace ferry {

constexpr size_t kMaxIdentifierBytes = 63;  // PostgreSQL's NAMEDATALEN - 1

// Empty when `name` can be a table or column name; else why not ("is empty", ...).
std::string IdentifierProblem(std::string_view name);

// Empty when `name` can be an entity name (an identifier without ',', which separates
// entities in --include / --exclude); else why not.
std::string EntityNameProblem(std::string_view name);

// Empty when `path` is a dotted field path ("config.region": non-empty segments, UTF-8, no
// control characters); else why not.
std::string FieldPathProblem(std::string_view path);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view text);

// `text` with ASCII letters lowered (SQLite compares identifiers this way).
std::string AsciiLower(std::string_view text);

}  // namespace ferry
