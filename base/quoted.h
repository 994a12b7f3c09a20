// Quoted("x") is "\"x\"": a name or value set off in a message, as is (not escaped).
//
// Pure function, thread-safe.
#pragma once

#include <string>

namespace ferry {

inline std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

}  // namespace ferry
