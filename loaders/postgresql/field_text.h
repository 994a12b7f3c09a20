// A result field as text, NULL as "": how this folder's bookkeeping reads text columns.
//
// Pure function, thread-safe.
#pragma once

#include <pqxx/pqxx>
#include <string>

namespace ferry::postgres {

inline std::string FieldText(const pqxx::field& field) {
  return field.is_null() ? std::string() : std::string(field.c_str(), field.size());
}

}  // namespace ferry::postgres
