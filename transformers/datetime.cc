#include "transformers/datetime.h"

namespace ferry {

namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` decimal digits at text[pos...]; false if any is not a digit or the text
// is too short.
bool ReadDigits(std::string_view text, size_t pos, size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!IsAsciiDigit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

bool IsLeapYear(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant, "days_from_civil").
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

// The inverse of DaysFromCivil (Howard Hinnant, "civil_from_days").
CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2), month, day};
}

// Parses "YYYY-MM-DD" at the start of `text` and checks the calendar.
bool ParseFullDate(std::string_view text, int* year, int* month, int* day) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return false;
  if (!ReadDigits(text, 0, 4, year) || !ReadDigits(text, 5, 2, month) ||
      !ReadDigits(text, 8, 2, day)) {
    return false;
  }
  return *month >= 1 && *month <= 12 && *day >= 1 && *day <= DaysInMonth(*year, *month);
}

// Writes `value` as exactly `width` digits (zero-padded) at out[pos...].
void WriteDigits(std::string& out, size_t pos, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[pos + i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::optional<int64_t> ParseRfc3339Millis(std::string_view text) {
  // date-time = full-date ("T" / "t") partial-time time-offset; partial-time is
  // HH:MM:SS [.fraction]; time-offset is "Z" / "z" / ("+" / "-") HH:MM.
  int year, month, day, hour, minute, second;
  if (!ParseFullDate(text, &year, &month, &day)) return std::nullopt;
  if (text.size() < 20 || (text[10] != 'T' && text[10] != 't')) return std::nullopt;
  if (text[13] != ':' || text[16] != ':' || !ReadDigits(text, 11, 2, &hour) ||
      !ReadDigits(text, 14, 2, &minute) || !ReadDigits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;

  size_t pos = 19;
  int millis = 0;
  if (text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && IsAsciiDigit(text[pos])) {
      if (++digits <= 3) millis = millis * 10 + (text[pos] - '0');
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) millis *= 10;  // ".5" is 500 ms
  }

  int offset_minutes = 0;                       // local time minus UTC
  if (pos >= text.size()) return std::nullopt;  // RFC 3339 requires a zone
  const char zone = text[pos];
  if (zone == 'Z' || zone == 'z') {
    ++pos;
  } else if (zone == '+' || zone == '-') {
    int offset_hour, offset_minute;
    if (pos + 6 > text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 1, 2, &offset_hour) ||
        !ReadDigits(text, pos + 4, 2, &offset_minute) || offset_hour > 23 || offset_minute > 59) {
      return std::nullopt;
    }
    offset_minutes = (offset_hour * 60 + offset_minute) * (zone == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;  // trailing characters (an embedded NUL too)

  if (second == 60) {
    // A leap second is only ever inserted as 23:59:60 UTC. It maps to 23:59:59.999 so that it
    // orders after the whole of second 59 and before the next day (Unix time has no :60).
    const int utc_minute_of_day = ((hour * 60 + minute - offset_minutes) % 1440 + 1440) % 1440;
    if (utc_minute_of_day != 23 * 60 + 59) return std::nullopt;
    second = 59;
    millis = 999;
  }
  const int64_t local_ms = DaysFromCivil(year, month, day) * kMillisPerDay +
                           ((int64_t{hour} * 60 + minute) * 60 + second) * 1000 + millis;
  return local_ms - int64_t{offset_minutes} * 60'000;
}

bool IsRfc3339DateTime(std::string_view text) { return ParseRfc3339Millis(text).has_value(); }

bool IsRfc3339Date(std::string_view text) {
  int year, month, day;
  return text.size() == 10 && ParseFullDate(text, &year, &month, &day);
}

std::string FormatTimestampMillis(int64_t ms) {
  // Floor division, so that times before 1970 land on the previous day.
  int64_t days = ms / kMillisPerDay;
  int64_t ms_of_day = ms % kMillisPerDay;
  if (ms_of_day < 0) {
    ms_of_day += kMillisPerDay;
    --days;
  }
  const CivilDate date = CivilFromDays(days);
  std::string out = "0000-00-00T00:00:00.000Z";
  WriteDigits(out, 0, date.year, 4);
  WriteDigits(out, 5, date.month, 2);
  WriteDigits(out, 8, date.day, 2);
  WriteDigits(out, 11, ms_of_day / 3'600'000, 2);
  WriteDigits(out, 14, ms_of_day / 60'000 % 60, 2);
  WriteDigits(out, 17, ms_of_day / 1000 % 60, 2);
  WriteDigits(out, 20, ms_of_day % 1000, 3);
  if (date.year < 0 || date.year > 9999) {
    // Outside the REQUIRES range: not RFC 3339, but the true year rather than a wrong one.
    out.replace(0, 4, std::to_string(date.year));
  }
  return out;
}

}  // namespace ferry
