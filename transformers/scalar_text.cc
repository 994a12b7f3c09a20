#include "transformers/scalar_text.h"

#include <fmt/format.h>

#include <cmath>

#include "transformers/big_number.h"
#include "transformers/json_writer.h"

namespace ferry {

std::optional<std::string> ScalarToText(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      if (std::optional<std::string_view> number = BigNumberText(value)) {
        return std::string(*number);
      }
      return std::string(std::string_view(value));
    case simdjson::dom::element_type::INT64:
      return fmt::format("{}", int64_t(value));
    case simdjson::dom::element_type::UINT64:
      return fmt::format("{}", uint64_t(value));
    case simdjson::dom::element_type::BOOL:
      return std::string(bool(value) ? "true" : "false");
    case simdjson::dom::element_type::DOUBLE:
      if (std::optional<int64_t> integer = IntegerOf(value)) return fmt::format("{}", *integer);
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> IntegerOf(simdjson::dom::element value) {
  // 2^63 as a double: the first double past int64's range.
  constexpr double kTwoTo63 = 9223372036854775808.0;
  switch (value.type()) {
    case simdjson::dom::element_type::INT64:
      return int64_t(value);
    case simdjson::dom::element_type::DOUBLE: {
      double number = double(value);
      if (std::trunc(number) != number || number < -kTwoTo63 || number >= kTwoTo63) {
        return std::nullopt;
      }
      return static_cast<int64_t>(number);
    }
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> EpochMillisOf(simdjson::dom::element value) {
  if (value.type() != simdjson::dom::element_type::DOUBLE) return IntegerOf(value);
  double number = double(value);
  if (!std::isfinite(number) || std::abs(number) >= 9223372036854775808.0) return std::nullopt;
  return static_cast<int64_t>(std::trunc(number));
}

std::optional<std::string> ShortJsonForReject(simdjson::dom::element value, size_t limit) {
  if (value.is_object() || value.is_array()) {
    return std::nullopt;
  }
  std::string out;
  if (value.is_string()) {
    std::string_view text(value);
    if (text.size() > limit) {
      // Cut on a UTF-8 boundary so the reject file stays valid UTF-8.
      size_t cut = limit;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      AppendJsonString(std::string(text.substr(0, cut)) + "…", &out);
      return out;
    }
  }
  AppendJson(value, {}, &out);
  return out;
}

}  // namespace ferry
