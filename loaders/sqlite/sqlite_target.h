// Which target addresses name an SQLite database file, and the file they name.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace ferry {

// True for "sqlite:PATH", "sqlite://PATH" (scheme case-insensitive) and for a bare path
// ending in .db, .sqlite or .sqlite3 (case-insensitive).
bool IsSqliteTarget(std::string_view target);

// The file a target names: "sqlite:a.db" -> "a.db", "sqlite:///srv/a.db" -> "/srv/a.db",
// "a.db" -> "a.db". Empty for "sqlite:" alone. REQUIRES: IsSqliteTarget(target).
std::string SqlitePathOf(std::string_view target);

}  // namespace ferry
