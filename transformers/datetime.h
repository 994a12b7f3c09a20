// Date-time parsing and formatting, by hand: RFC 3339 is small, and std::regex (what
// valijson 1.0 uses for `format: date-time`) costs a regex construction per value.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry {

// Parses an RFC 3339 date-time ("2023-02-24T10:21:45.454Z", "...+02:00", 'T'/'t', 'Z'/'z',
// any number of fraction digits, as RFC 3339's time-secfrac allows) into milliseconds since the
// Unix epoch, UTC (fraction truncated to ms). Checks the calendar: month 1-12, day within the month
// (leap years), hour < 24, minute < 60, offset < 24:00 (-00:00 is UTC). A leap second (:60) is
// accepted, as in RFC 3339, only where the time is 23:59 in UTC, and maps to 23:59:59.999 UTC
// whatever its fraction (Unix time has no :60; .999 keeps it after the rest of second 59 and before
// midnight). nullopt for anything else (no zone, "2023-13-45", "2023-02-30", "not a date", "", a
// space for 'T', a '.' with no digit after it, trailing characters).
std::optional<int64_t> ParseRfc3339Millis(std::string_view text);

// True when ParseRfc3339Millis would succeed.
bool IsRfc3339DateTime(std::string_view text);

// True for an RFC 3339 full-date ("2023-02-28").
bool IsRfc3339Date(std::string_view text);

// Formats milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, always 3 digits).
// Years 0000-9999 only; REQUIRES: -62167219200000 <= ms <= 253402300799999 (outside it, the
// year is written with as many digits as it needs, or a sign: not RFC 3339).
std::string FormatTimestampMillis(int64_t ms);

}  // namespace ferry
