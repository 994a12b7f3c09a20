// Helpers for violation reasons: how a value is shown, what its JSON type is called, and how
// ferry's own constraints pass a schema location through valijson's plain-text error queue.
//
// Thread safety: pure functions.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <valijson/internal/adapter.hpp>

namespace ferry {

// `text` as a JSON string literal (quoted, escaped), so a reason stays on one line.
std::string JsonQuote(std::string_view text);

// The value as JSON text when it is a short scalar ("\"2024-13-45\"", "42", "true", "null");
// "" for long strings, arrays and objects, which reasons do not repeat.
std::string ShortScalarText(simdjson::dom::element value);

// Same, for whatever adapter valijson hands a constraint.
std::string ShortScalarText(const valijson::adapters::Adapter& value);

// The JSON Schema name of the value's type: "string", "integer", "number", "boolean", "null",
// "array" or "object".
std::string_view JsonTypeName(simdjson::dom::element value);

// The string held by `value`, without a copy when it is a SimdjsonAdapter (`storage` holds
// the copy otherwise). False when the value is not a string.
bool StringOf(const valijson::adapters::Adapter& value, std::string_view* text,
              std::string* storage);

// An error description for ValidationResults that carries a schema location, as ferry's own
// constraints push it; DecodeOwnViolation() splits it again (false for valijson's own texts).
std::string EncodeOwnViolation(std::string_view schema_location, std::string_view reason);
bool DecodeOwnViolation(std::string_view description, std::string* schema_location,
                        std::string* reason);

}  // namespace ferry
