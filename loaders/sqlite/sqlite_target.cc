#include "loaders/sqlite/sqlite_target.h"

#include <array>

#include "base/ascii.h"

namespace ferry {

namespace {

bool HasSuffixNoCase(std::string_view text, std::string_view suffix) {
  return text.size() > suffix.size() &&
         HasPrefixNoCase(text.substr(text.size() - suffix.size()), suffix);
}

}  // namespace

bool IsSqliteTarget(std::string_view target) {
  if (HasPrefixNoCase(target, "sqlite:")) {
    return true;
  }
  // A bare path: anything with a scheme ("postgresql://x.db") is not one.
  if (target.find("://") != std::string_view::npos) {
    return false;
  }
  constexpr std::array<std::string_view, 3> kExtensions = {".db", ".sqlite", ".sqlite3"};
  for (std::string_view extension : kExtensions) {
    if (HasSuffixNoCase(target, extension)) {
      return true;
    }
  }
  return false;
}

std::string SqlitePathOf(std::string_view target) {
  if (HasPrefixNoCase(target, "sqlite://")) {
    return std::string(target.substr(9));
  }
  if (HasPrefixNoCase(target, "sqlite:")) {
    return std::string(target.substr(7));
  }
  return std::string(target);
}

}  // namespace ferry
