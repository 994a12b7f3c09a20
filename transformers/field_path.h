// Dotted field paths ("config.githubToken") over simdjson DOM records.
//
// Pure functions, thread-safe.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

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
