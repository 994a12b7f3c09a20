#include "extractors/sqlite/row_json.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>

#include "transformers/json_writer.h"

namespace ferry::sqlite_source {

Status RowToJson(sqlite3_stmt* statement, std::string* json) {
  json->assign(1, '{');
  int columns = sqlite3_column_count(statement);
  for (int i = 0; i < columns; ++i) {
    if (i > 0) {
      json->push_back(',');
    }
    AppendJsonString(sqlite3_column_name(statement, i), json);
    json->push_back(':');
    switch (sqlite3_column_type(statement, i)) {
      case SQLITE_INTEGER:
        json->append(std::to_string(sqlite3_column_int64(statement, i)));
        break;
      case SQLITE_FLOAT: {
        double value = sqlite3_column_double(statement, i);
        json->append(std::isfinite(value) ? fmt::format("{}", value) : "null");
        break;
      }
      case SQLITE_TEXT: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
        auto size = static_cast<size_t>(sqlite3_column_bytes(statement, i));
        if (!simdjson::validate_utf8(text, size)) {
          return Status::Corruption(fmt::format("column {} holds text that is not UTF-8",
                                                sqlite3_column_name(statement, i)));
        }
        AppendJsonString(std::string_view(text, size), json);
        break;
      }
      case SQLITE_BLOB: {
        const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(statement, i));
        int size = sqlite3_column_bytes(statement, i);
        json->push_back('"');
        for (int b = 0; b < size; ++b) {
          json->append(fmt::format("{:02x}", bytes[b]));
        }
        json->push_back('"');
        break;
      }
      default:
        json->append("null");
    }
  }
  json->push_back('}');
  return Status::OK();
}

std::string ValueText(sqlite3_stmt* statement, int column) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
      return std::to_string(sqlite3_column_int64(statement, column));
    case SQLITE_FLOAT:
      return fmt::format("{}", sqlite3_column_double(statement, column));
    default:
      break;
  }
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, column));
  auto size = static_cast<size_t>(sqlite3_column_bytes(statement, column));
  if (sqlite3_column_type(statement, column) == SQLITE_TEXT &&
      simdjson::validate_utf8(bytes, size)) {
    return std::string(bytes, size);
  }
  std::string hex = "x'";
  for (size_t i = 0; i < size; ++i) {
    hex += fmt::format("{:02x}", static_cast<unsigned char>(bytes[i]));
  }
  return hex + "'";
}

}  // namespace ferry::sqlite_source
