#include "loaders/postgresql/sql_identifier.h"

#include "loaders/sql_identifier.h"

namespace ferry::postgres {

std::string QuoteIdentifier(std::string_view name) { return QuoteSqlIdentifier(name); }

std::string QualifiedName(std::string_view schema, std::string_view name) {
  return QuoteIdentifier(schema) + "." + QuoteIdentifier(name);
}

std::string QuoteLiteral(std::string_view text) {
  std::string literal = "E'";
  for (char c : text) {
    if (c == '\'' || c == '\\') literal += c;
    literal += c;
  }
  return literal + "'";
}

Status CheckIdentifier(std::string_view name, std::string_view what) {
  FERRY_RETURN_IF_ERROR(CheckSqlIdentifier(name, what));
  if (name.size() > kMaxIdentifierBytes) {
    return Status::InvalidArgument(std::string(what) + " name \"" + std::string(name) + "\" is " +
                                   std::to_string(name.size()) +
                                   " bytes long; PostgreSQL keeps only 63");
  }
  return Status::OK();
}

}  // namespace ferry::postgres
