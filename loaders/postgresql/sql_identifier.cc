#include "loaders/postgresql/sql_identifier.h"

namespace ferry::postgres {

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

std::string QualifiedName(std::string_view schema, std::string_view name) {
  return QuoteIdentifier(schema) + "." + QuoteIdentifier(name);
}

Status CheckIdentifier(std::string_view name, std::string_view what) {
  if (name.empty()) {
    return Status::InvalidArgument(std::string(what) + " has an empty name");
  }
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " name holds a NUL byte");
  }
  if (name.size() > kMaxIdentifierBytes) {
    return Status::InvalidArgument(std::string(what) + " name \"" + std::string(name) + "\" is " +
                                   std::to_string(name.size()) +
                                   " bytes long; PostgreSQL keeps only 63");
  }
  return Status::OK();
}

}  // namespace ferry::postgres
