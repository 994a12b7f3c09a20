#include "loaders/sqlite/sql_identifier.h"

#include "loaders/sql_identifier.h"

namespace ferry::sqlite {

namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string QuoteIdentifier(std::string_view name) { return QuoteSqlIdentifier(name); }

Status CheckIdentifier(std::string_view name, std::string_view what) {
  return CheckSqlIdentifier(name, what);
}

bool SameIdentifier(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace ferry::sqlite
