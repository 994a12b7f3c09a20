#include "loaders/sqlite/sql_identifier.h"

namespace ferry::sqlite {

namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string QuoteIdentifier(std::string_view name) {
  std::string quoted;
  quoted.reserve(name.size() + 2);
  quoted += '"';
  for (char c : name) {
    if (c == '"') {
      quoted += '"';
    }
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

Status CheckIdentifier(std::string_view name, std::string_view what) {
  if (name.empty()) {
    return Status::InvalidArgument(std::string(what) + " has an empty name");
  }
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " name holds a NUL byte");
  }
  return Status::OK();
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
