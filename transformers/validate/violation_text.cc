#include "transformers/validate/violation_text.h"

#include <cstdio>

#include "transformers/big_number.h"
#include "transformers/scalar_text.h"
#include "transformers/validate/simdjson_adapter.h"

namespace ferry {
namespace {

// Longest string repeated in a reason, in bytes.
constexpr size_t kMaxShownString = 40;

// Separates the location from the reason; cannot occur in valijson's texts.
constexpr char kOwnMarker = '\x1e';

}  // namespace

std::string JsonQuote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string ShortScalarText(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view text = value.get_string().value_unsafe();
      if (std::optional<std::string_view> number = BigNumberTextOf(text)) {
        return number->size() <= kMaxShownString ? std::string(*number) : std::string();
      }
      return text.size() <= kMaxShownString ? JsonQuote(text) : std::string();
    }
    case simdjson::dom::element_type::ARRAY:
    case simdjson::dom::element_type::OBJECT:
      return std::string();
    default:
      return simdjson::minify(value);
  }
}

std::string ShortScalarText(const valijson::adapters::Adapter& value) {
  if (const auto* simdjson_value = dynamic_cast<const SimdjsonAdapter*>(&value)) {
    return ShortScalarText(simdjson_value->element());
  }
  std::string text;
  if (value.isString() && value.getString(text) && text.size() <= kMaxShownString) {
    return JsonQuote(text);
  }
  return std::string();
}

std::string_view JsonTypeName(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "array";
    case simdjson::dom::element_type::OBJECT:
      return "object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:  // draft-07: integers of any size
      return "integer";
    case simdjson::dom::element_type::DOUBLE:
      return IntegerOf(value) ? "integer" : "number";
    case simdjson::dom::element_type::STRING:
      if (std::optional<std::string_view> number = BigNumberText(value)) {
        return number->find_first_of(".eE") == std::string_view::npos ? "integer" : "number";
      }
      return "string";
    case simdjson::dom::element_type::BOOL:
      return "boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
  }
  return "value";
}

bool StringOf(const valijson::adapters::Adapter& value, std::string_view* text,
              std::string* storage) {
  if (const auto* simdjson_value = dynamic_cast<const SimdjsonAdapter*>(&value)) {
    return simdjson_value->element().get_string().get(*text) == simdjson::SUCCESS;
  }
  if (!value.isString() || !value.getString(*storage)) return false;
  *text = *storage;
  return true;
}

std::string EncodeOwnViolation(std::string_view schema_location, std::string_view reason) {
  std::string out;
  out.reserve(schema_location.size() + reason.size() + 2);
  out += kOwnMarker;
  out += schema_location;
  out += kOwnMarker;
  out += reason;
  return out;
}

bool DecodeOwnViolation(std::string_view description, std::string* schema_location,
                        std::string* reason) {
  if (description.empty() || description.front() != kOwnMarker) return false;
  const size_t second = description.find(kOwnMarker, 1);
  if (second == std::string_view::npos) return false;
  schema_location->assign(description.substr(1, second - 1));
  reason->assign(description.substr(second + 1));
  return true;
}

}  // namespace ferry
