#include "loaders/postgresql/postgres_target.h"

#include <cctype>

namespace ferry {

namespace {

bool HasPrefixNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool IsPostgresqlTarget(std::string_view url) {
  return HasPrefixNoCase(url, "postgresql://") || HasPrefixNoCase(url, "postgres://");
}

}  // namespace ferry
