// Text for a YAML file that a person reads and ferry's mapping loader reads back exactly.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace ferry::propose {

// `text` as a YAML double-quoted scalar: '\' and '"' escaped, control characters, line and
// paragraph separators and bidirectional controls as escapes, other UTF-8 as it is.
std::string YamlQuote(std::string_view text);

// `text` on one line for a YAML comment: controls and bidirectional marks as '?', at most
// `limit` bytes (cut at a character boundary, "..." added).
std::string CommentText(std::string_view text, size_t limit = 80);

// A name fit for a table or column: `formData:` -> "form_data", `kanban:cards:` ->
// "kanban_cards", "createdAt" -> "created_at"; only [a-z0-9_], not empty ("x" then), not
// starting with a digit, at most 48 bytes.
std::string SnakeName(std::string_view text);

}  // namespace ferry::propose
