// Dotted field paths ("config.githubToken") over simdjson DOM records.
//
// A path is member names joined by '.'; in a name, "\." is a dot and "\\" a backslash, so
// "meta\.secret" names the top-level member "meta.secret" while "meta.secret" names the member
// "secret" of "meta" (a backslash before anything else is itself).
//
// Pure functions, thread-safe.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

// The member names of `path`, unescaped.
std::vector<std::string> FieldPathMembers(std::string_view path);

// The offset of the first '.' of `path` that separates members, or npos.
size_t FirstPathDot(std::string_view path);

// The value at `path` inside `record` (members separated by '.'), or nullopt when a member
// on the way is absent or not an object.
std::optional<simdjson::dom::element> FindField(simdjson::dom::element record,
                                                std::string_view path);

// "config.githubToken" -> "/config/githubToken" (RFC 6901 escaping of '~' and '/').
std::string DottedPathToPointer(std::string_view path);

// True when JSON pointer `pointer` names `path` or something inside it; used to keep
// sensitive values out of reject files.
bool PointerIsWithin(std::string_view pointer, std::string_view dotted_path);

}  // namespace ferry
