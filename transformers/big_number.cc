#include "transformers/big_number.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace ferry {

namespace {

// The marker as decoded text: two control characters no app writes first in a string.
constexpr std::string_view kMarker{"\0\1ferry#", 8};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259's number grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
bool IsJsonNumber(std::string_view token, bool* integer) {
  size_t i = 0;
  if (i < token.size() && token[i] == '-') ++i;
  if (i >= token.size() || !IsDigit(token[i])) return false;
  if (token[i] == '0') {
    ++i;
  } else {
    while (i < token.size() && IsDigit(token[i])) ++i;
  }
  *integer = true;
  if (i < token.size() && token[i] == '.') {
    *integer = false;
    ++i;
    if (i >= token.size() || !IsDigit(token[i])) return false;
    while (i < token.size() && IsDigit(token[i])) ++i;
  }
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    *integer = false;
    ++i;
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
    if (i >= token.size() || !IsDigit(token[i])) return false;
    while (i < token.size() && IsDigit(token[i])) ++i;
  }
  return i == token.size();
}

// The power of ten of the number's first nonzero digit, plus one (12.5 gives 2, 0.05 gives -1),
// clamped so that an exponent of any length cannot overflow.
int64_t DecimalOrderOf(std::string_view number) {
  constexpr int64_t kClamp = 1'000'000;
  size_t i = number.empty() || number[0] != '-' ? 0 : 1;
  int64_t order = 0;
  bool seen_nonzero = false;
  bool after_point = false;
  for (; i < number.size() && number[i] != 'e' && number[i] != 'E'; ++i) {
    char c = number[i];
    if (c == '.') {
      after_point = true;
    } else if (!seen_nonzero && c == '0') {
      if (after_point) --order;
    } else {
      seen_nonzero = true;
      if (!after_point && order < kClamp) ++order;
    }
  }
  if (!seen_nonzero) return -kClamp;
  if (i < number.size()) {
    bool negative = i + 1 < number.size() && number[i + 1] == '-';
    int64_t exponent = 0;
    for (size_t k = i + 1; k < number.size(); ++k) {
      if (IsDigit(number[k]) && exponent < kClamp) exponent = exponent * 10 + (number[k] - '0');
    }
    order += negative ? -exponent : exponent;
  }
  return order;
}

}  // namespace

bool IsBigNumberToken(std::string_view token) {
  bool integer = false;
  if (!IsJsonNumber(token, &integer)) return false;
  const char* end = token.data() + token.size();
  if (integer) {
    if (token.front() == '-') {
      int64_t value;
      return std::from_chars(token.data(), end, value).ec != std::errc();
    }
    uint64_t value;
    return std::from_chars(token.data(), end, value).ec != std::errc();
  }
  return !BigNumberDouble(token).has_value();
}

std::optional<std::string_view> BigNumberTextOf(std::string_view text) {
  if (text.size() <= kMarker.size() || text.substr(0, kMarker.size()) != kMarker) {
    return std::nullopt;
  }
  return text.substr(kMarker.size());
}

std::optional<std::string_view> BigNumberText(simdjson::dom::element value) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
  return BigNumberTextOf(text);
}

int64_t NumberDecimalOrder(std::string_view number_text) { return DecimalOrderOf(number_text); }

std::optional<double> BigNumberDouble(std::string_view number_text) {
  double value = 0;
  auto [end, error] =
      std::from_chars(number_text.data(), number_text.data() + number_text.size(), value);
  if (error == std::errc::result_out_of_range) {
    // Out of range either way: overflow when the number's order of magnitude is positive,
    // else an underflow, which is 0 as JavaScript reads it.
    return DecimalOrderOf(number_text) > 0 ? std::nullopt : std::optional<double>(0.0);
  }
  if (error != std::errc() || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace ferry
