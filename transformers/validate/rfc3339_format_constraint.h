// Rfc3339FormatConstraint: JSON Schema `format` "date-time", "date" and "time", checked by
// ferry's hand-written RFC 3339 parser (transformers/datetime.h).
//
// valijson 1.0 checks these formats with a std::regex built anew for every value and does not
// check the calendar ("2023-02-30" passes). SchemaValidator moves such `format` keywords to
// kRfc3339FormatKeyword, whose value is {"format": "date-time", "at": "<schema location>"};
// the same parser later converts the value, so what validates also converts.
//
// Thread safety: a built constraint is immutable.
#pragma once

#include <memory>
#include <string_view>
#include <valijson/constraint_builder.hpp>

namespace ferry {

inline constexpr char kRfc3339FormatKeyword[] = "x-ferry-rfc3339-format";

// True for the `format` values this constraint takes over from valijson.
bool IsRfc3339Format(std::string_view format);

// True when `text` is a valid `format` ("date-time", "date" or "time") as the constraint
// checks it; false for any other format.
bool MatchesRfc3339Format(std::string_view format, std::string_view text);

// The builder for kRfc3339FormatKeyword; make() throws std::runtime_error on an unknown format.
std::unique_ptr<valijson::ConstraintBuilder> NewRfc3339FormatBuilder();

}  // namespace ferry
