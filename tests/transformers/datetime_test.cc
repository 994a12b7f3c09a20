#include "transformers/datetime.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::datetime_test {
namespace {

constexpr int64_t kYear0000Start = -62167219200000;  // 0000-01-01T00:00:00.000Z
constexpr int64_t kYear9999End = 253402300799999;    // 9999-12-31T23:59:59.999Z

TEST_CASE("ParseRfc3339Millis: UTC with milliseconds", "[transformers][datetime]") {
  CHECK(ParseRfc3339Millis("2023-02-24T10:21:45.454Z") == 1677234105454);
  CHECK(ParseRfc3339Millis("1970-01-01T00:00:00Z") == 0);
  CHECK(ParseRfc3339Millis("2016-07-30T23:54:10.259Z") == 1469922850259);
}

TEST_CASE("ParseRfc3339Millis: lowercase t and z", "[transformers][datetime]") {
  CHECK(ParseRfc3339Millis("2023-02-24t10:21:45.454z") == 1677234105454);
}

TEST_CASE("ParseRfc3339Millis: offsets shift to UTC", "[transformers][datetime]") {
  CHECK(ParseRfc3339Millis("2023-02-24T12:21:45.454+02:00") == 1677234105454);
  CHECK(ParseRfc3339Millis("2023-02-24T05:51:45.454-04:30") == 1677234105454);
  CHECK(ParseRfc3339Millis("2023-02-24T10:21:45.454-00:00") == 1677234105454);
  CHECK(ParseRfc3339Millis("2023-02-24T10:21:45.454+00:00") == 1677234105454);
  // The offset may cross a day, month and year boundary.
  CHECK(ParseRfc3339Millis("2024-01-01T00:30:00+01:00") ==
        ParseRfc3339Millis("2023-12-31T23:30:00Z"));
  CHECK(ParseRfc3339Millis("2000-01-01T00:00:00+23:59") == 946684800000 - 86340000);
}

TEST_CASE("ParseRfc3339Millis: a fraction of any number of digits is truncated to ms",
          "[transformers][datetime]") {
  CHECK(ParseRfc3339Millis("1970-01-01T00:00:00.5Z") == 500);
  CHECK(ParseRfc3339Millis("1970-01-01T00:00:00.05Z") == 50);
  CHECK(ParseRfc3339Millis("1970-01-01T00:00:00.123Z") == 123);
  CHECK(ParseRfc3339Millis("1970-01-01T00:00:00.1239Z") == 123);
  CHECK(ParseRfc3339Millis("1970-01-01T00:00:00.999999999Z") == 999);
  CHECK(ParseRfc3339Millis("1970-01-01T00:00:00.000000001Z") == 0);
  // RFC 3339's time-secfrac is "." 1*DIGIT: 10 to 13 digits (and more) are as valid.
  CHECK(ParseRfc3339Millis("1970-01-01T00:00:00.1234567890Z") == 123);
  CHECK(ParseRfc3339Millis("1970-01-01T00:00:00.9876543210123Z") == 987);
  CHECK(ParseRfc3339Millis("1970-01-01T00:00:00." + std::string(100, '7') + "Z") == 777);
}

TEST_CASE("ParseRfc3339Millis: a fraction with no digits is rejected", "[transformers][datetime]") {
  CHECK_FALSE(ParseRfc3339Millis("1970-01-01T00:00:00.Z"));
  CHECK_FALSE(ParseRfc3339Millis("1970-01-01T00:00:00,123Z"));
  CHECK_FALSE(ParseRfc3339Millis("1970-01-01T00:00:00.12a3Z"));
}

TEST_CASE("ParseRfc3339Millis: leap years and days per month", "[transformers][datetime]") {
  CHECK(ParseRfc3339Millis("2000-02-29T12:00:00Z") == 951825600000);  // divisible by 400
  CHECK(ParseRfc3339Millis("2024-02-29T00:00:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("1900-02-29T00:00:00Z"));  // divisible by 100, not 400
  CHECK_FALSE(ParseRfc3339Millis("2023-02-29T00:00:00Z"));
  CHECK(ParseRfc3339Millis("1900-03-01T00:00:00Z") == -2203891200000);
  CHECK(ParseRfc3339Millis("2023-04-30T00:00:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("2023-04-31T00:00:00Z"));
  CHECK(ParseRfc3339Millis("2023-12-31T00:00:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("2023-12-32T00:00:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("2023-06-00T00:00:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("2023-00-10T00:00:00Z"));
}

TEST_CASE("ParseRfc3339Millis: years 0000 and 9999", "[transformers][datetime]") {
  CHECK(ParseRfc3339Millis("0000-01-01T00:00:00Z") == kYear0000Start);
  CHECK(ParseRfc3339Millis("0000-02-29T00:00:00Z"));  // year 0 is a leap year
  CHECK(ParseRfc3339Millis("9999-12-31T23:59:59.999Z") == kYear9999End);
  CHECK_FALSE(ParseRfc3339Millis("10000-01-01T00:00:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("-0001-01-01T00:00:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("+2023-01-01T00:00:00Z"));
}

TEST_CASE("ParseRfc3339Millis: before 1970 is negative", "[transformers][datetime]") {
  CHECK(ParseRfc3339Millis("1969-12-31T23:59:59.999Z") == -1);
  CHECK(ParseRfc3339Millis("1969-12-31T23:00:00-01:00") == 0);
}

TEST_CASE("ParseRfc3339Millis: leap second maps to 59.999 and only at 23:59 UTC",
          "[transformers][datetime]") {
  const int64_t last_ms_of_1998 = 915148799999;
  CHECK(ParseRfc3339Millis("1998-12-31T23:59:60Z") == last_ms_of_1998);
  CHECK(ParseRfc3339Millis("1998-12-31T23:59:60.5Z") == last_ms_of_1998);
  CHECK(ParseRfc3339Millis("1998-12-31T15:59:60.123-08:00") == last_ms_of_1998);
  CHECK(ParseRfc3339Millis("1999-01-01T00:59:60+01:00") == last_ms_of_1998);
  // It orders after second 59 and before the next day.
  CHECK(*ParseRfc3339Millis("1998-12-31T23:59:59.998Z") < last_ms_of_1998);
  CHECK(last_ms_of_1998 < *ParseRfc3339Millis("1999-01-01T00:00:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("1998-12-31T23:59:61Z"));
  CHECK_FALSE(ParseRfc3339Millis("1998-12-31T23:58:60Z"));
  CHECK_FALSE(ParseRfc3339Millis("1998-12-31T22:59:60Z"));
  CHECK_FALSE(ParseRfc3339Millis("1998-12-31T23:59:60+01:00"));
}

TEST_CASE("ParseRfc3339Millis: out-of-range fields are rejected", "[transformers][datetime]") {
  CHECK_FALSE(ParseRfc3339Millis("2024-13-45T00:00:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("2023-02-30T25:61:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("2023-02-28T24:00:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("2023-02-28T23:60:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("2023-02-28T23:00:99Z"));
  CHECK_FALSE(ParseRfc3339Millis("2023-02-28T23:00:00+24:00"));
  CHECK_FALSE(ParseRfc3339Millis("2023-02-28T23:00:00+01:60"));
}

TEST_CASE("ParseRfc3339Millis: missing zone is rejected", "[transformers][datetime]") {
  CHECK_FALSE(ParseRfc3339Millis("2023-05-01T10:00:00"));
  CHECK_FALSE(ParseRfc3339Millis("2023-05-01T10:00:00.000"));
  CHECK_FALSE(ParseRfc3339Millis("2023-05-01"));
  CHECK_FALSE(ParseRfc3339Millis("2023-05-01T10:00"));
}

TEST_CASE("ParseRfc3339Millis: other formats are rejected", "[transformers][datetime]") {
  for (std::string_view text :
       {"", "not a date", "1682935200000", "2023/05/01 10:00:00", "2023-05-01 10:00:00Z",
        "2023-5-1T10:00:00Z", "2023-05-01T1:00:00Z", "2023-05-01T10:0:00Z", "2023-05-01T10:00Z",
        "20230501T100000Z", "2023-05-01T10:00:00+0200", "2023-05-01T10:00:00+02",
        "2023-05-01T10:00:00 +02:00", "2023-05-01T10:00:00UTC", "2023-05-01T10:00:00GMT",
        "Mon, 01 May 2023 10:00:00 GMT", "２０２３-05-01T10:00:00Z", "2023-05-01X10:00:00Z"}) {
    INFO(text);
    CHECK_FALSE(ParseRfc3339Millis(text));
  }
}

TEST_CASE("ParseRfc3339Millis: trailing characters and embedded NUL are rejected",
          "[transformers][datetime]") {
  CHECK_FALSE(ParseRfc3339Millis("2023-05-01T10:00:00Zjunk"));
  CHECK_FALSE(ParseRfc3339Millis("2023-05-01T10:00:00Z "));
  CHECK_FALSE(ParseRfc3339Millis(" 2023-05-01T10:00:00Z"));
  CHECK_FALSE(ParseRfc3339Millis("2023-05-01T10:00:00+02:00:00"));
  CHECK_FALSE(ParseRfc3339Millis(std::string_view("2023-05-01T10:00:00Z\0", 21)));
  CHECK_FALSE(ParseRfc3339Millis(std::string_view("2023-05-01T10:00\0:00Z", 21)));
  CHECK_FALSE(ParseRfc3339Millis(std::string_view("2023-05-01T10:00:00.1\0Z", 23)));
  // The view's end is respected: a valid prefix of a longer buffer is judged alone.
  const std::string buffer = "2023-05-01T10:00:00Z";
  CHECK_FALSE(ParseRfc3339Millis(std::string_view(buffer).substr(0, 19)));
}

TEST_CASE("IsRfc3339DateTime: agrees with the parser", "[transformers][datetime]") {
  CHECK(IsRfc3339DateTime("2023-02-24T10:21:45.454Z"));
  CHECK_FALSE(IsRfc3339DateTime("2023-02-24"));
  CHECK_FALSE(IsRfc3339DateTime("2023-02-30T10:00:00Z"));
}

TEST_CASE("IsRfc3339Date: full-date with the calendar checked", "[transformers][datetime]") {
  CHECK(IsRfc3339Date("2023-02-28"));
  CHECK(IsRfc3339Date("2024-02-29"));
  CHECK(IsRfc3339Date("0000-01-01"));
  CHECK(IsRfc3339Date("9999-12-31"));
  CHECK_FALSE(IsRfc3339Date("2023-02-29"));
  CHECK_FALSE(IsRfc3339Date("2024-13-45"));
  CHECK_FALSE(IsRfc3339Date("2023-5-1"));
  CHECK_FALSE(IsRfc3339Date("2023/05/01"));
  CHECK_FALSE(IsRfc3339Date("2023-05-01T10:00:00Z"));
  CHECK_FALSE(IsRfc3339Date("2023-05-01 "));
  CHECK_FALSE(IsRfc3339Date(""));
  CHECK_FALSE(IsRfc3339Date(std::string_view("2023-05\0-1", 10)));
}

TEST_CASE("FormatTimestampMillis: UTC with 3 fraction digits", "[transformers][datetime]") {
  CHECK(FormatTimestampMillis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatTimestampMillis(1677234105454) == "2023-02-24T10:21:45.454Z");
  CHECK(FormatTimestampMillis(951825600000) == "2000-02-29T12:00:00.000Z");
}

TEST_CASE("FormatTimestampMillis: before 1970 and the range ends", "[transformers][datetime]") {
  CHECK(FormatTimestampMillis(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(FormatTimestampMillis(-86400000) == "1969-12-31T00:00:00.000Z");
  CHECK(FormatTimestampMillis(-2203891200000) == "1900-03-01T00:00:00.000Z");
  CHECK(FormatTimestampMillis(kYear0000Start) == "0000-01-01T00:00:00.000Z");
  CHECK(FormatTimestampMillis(kYear9999End) == "9999-12-31T23:59:59.999Z");
}

TEST_CASE("FormatTimestampMillis: outside its range it still writes the true year",
          "[transformers][datetime]") {
  CHECK(FormatTimestampMillis(kYear9999End + 1) == "10000-01-01T00:00:00.000Z");
  CHECK(FormatTimestampMillis(kYear0000Start - 1) == "-1-12-31T23:59:59.999Z");
}

TEST_CASE("FormatTimestampMillis: round trips with the parser every 1000 days",
          "[transformers][datetime]") {
  // Steps of 1000 days and 12345.678 s visit every month, both sides of 1970 and leap days.
  for (int64_t ms = kYear0000Start; ms <= kYear9999End; ms += 86400000LL * 1000 + 12345678) {
    const std::string text = FormatTimestampMillis(ms);
    INFO(text);
    REQUIRE(ParseRfc3339Millis(text) == ms);
  }
}

TEST_CASE("FormatTimestampMillis: every day of 2000 through 2003 round trips",
          "[transformers][datetime]") {
  const int64_t start = *ParseRfc3339Millis("2000-01-01T00:00:00Z");
  int leap_days = 0;
  for (int64_t day = 0; day < 4 * 366; ++day) {
    const int64_t ms = start + day * 86400000 + 43200123;
    const std::string text = FormatTimestampMillis(ms);
    REQUIRE(ParseRfc3339Millis(text) == ms);
    if (text.substr(5, 5) == "02-29") ++leap_days;
  }
  CHECK(leap_days == 1);
}

}  // namespace
}  // namespace ferry::datetime_test
