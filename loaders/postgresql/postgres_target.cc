#include "loaders/postgresql/postgres_target.h"

#include "base/ascii.h"

namespace ferry {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsKeywordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// "keyword = ..." at the start, as libpq's conninfo parser reads it.
bool StartsWithKeyword(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && IsSpace(text[i])) ++i;
  size_t start = i;
  while (i < text.size() && IsKeywordChar(text[i])) ++i;
  if (i == start) return false;
  while (i < text.size() && IsSpace(text[i])) ++i;
  return i < text.size() && text[i] == '=';
}

}  // namespace

bool IsPostgresqlTarget(std::string_view url) {
  return HasPrefixNoCase(url, "postgresql://") || HasPrefixNoCase(url, "postgres://") ||
         StartsWithKeyword(url);
}

}  // namespace ferry
