#include "loaders/sql_identifier.h"

namespace ferry {

std::string QuoteSqlIdentifier(std::string_view name) {
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

Status CheckSqlIdentifier(std::string_view name, std::string_view what) {
  if (name.empty()) {
    return Status::InvalidArgument(std::string(what) + " has an empty name");
  }
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " name holds a NUL byte");
  }
  return Status::OK();
}

std::string QuotedColumnList(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names)
    text += (text.empty() ? "" : ", ") + QuoteSqlIdentifier(name);
  return "(" + text + ")";
}

}  // namespace ferry
