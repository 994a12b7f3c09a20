// ASCII-only text checks, for URL schemes and file suffixes that are ASCII by definition.
//
// Pure functions, thread-safe.
#pragma once

#include <cctype>
#include <string_view>

namespace ferry {

// Whether `text` starts with `lower_prefix` (given in lower case), ignoring ASCII case.
inline bool HasPrefixNoCase(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower_prefix[i]) return false;
  }
  return true;
}

}  // namespace ferry
