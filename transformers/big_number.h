// Numbers a double or a 64-bit integer cannot hold (JSON.stringify(2**64) writes
// 18446744073709552000; 1e400), kept as their text.
//
// simdjson refuses such a number, so ScanJsonRecords (json_records.h) rewrites it into a
// string that carries a marker and the number's text. Everything that reads a record knows
// the marker: AppendJson writes the number back as it was written (a JSON column keeps it),
// ScalarToText gives its digits, the schema adapter sees a number, and a column that needs
// the number itself (integer, real) rejects it with its path.
//
// Pure functions, thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry {

// The marker's JSON escape form, as ScanJsonRecords writes it: "\u0000" "\u0001" "ferry#".
inline constexpr std::string_view kBigNumberEscapedMarker = "\\u0000\\u0001ferry#";

// True when `token` (a JSON number's text) is one simdjson refuses: an integer outside
// [-2^63, 2^64-1], or a magnitude beyond the largest double. False for text that is not a
// JSON number at all.
bool IsBigNumberToken(std::string_view token);

// The number's text when `value` is a big number kept by ScanJsonRecords, else nullopt.
std::optional<std::string_view> BigNumberText(simdjson::dom::element value);

// The number's text when `text` is a decoded big-number string, else nullopt.
std::optional<std::string_view> BigNumberTextOf(std::string_view text);

// The power of ten of the number's first nonzero digit, plus one: its count of integer digits
// (12.5 gives 2, 1e400 gives 401, 0.05 gives -1), clamped to +-1,000,000; -1,000,000 for zero.
int64_t NumberDecimalOrder(std::string_view number_text);

// The value as a double: finite for a big integer, nullopt beyond the largest double.
std::optional<double> BigNumberDouble(std::string_view number_text);

}  // namespace ferry
