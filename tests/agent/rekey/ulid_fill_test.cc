#include "agent/rekey/ulid_fill.h"

#include <catch2/catch.hpp>

namespace ferry::ulid_fill_test {
namespace {

TEST_CASE("CreationMillis reads SQLite's and PostgreSQL's spellings of a creation time",
          "[rekey]") {
  CHECK(CreationMillis("2022-01-01T00:00:00.123Z", "iso8601") == 1640995200123);
  // PostgreSQL's timestamptz as text under TimeZone UTC, DateStyle ISO.
  CHECK(CreationMillis("2022-01-01 00:00:00.123+00", "iso8601") == 1640995200123);
  CHECK(CreationMillis("2022-01-01 02:00:00+02", "iso8601") == 1640995200000);
  CHECK(CreationMillis("2022-01-01 00:00:00.123456+00", "iso8601") == 1640995200123);
  CHECK(CreationMillis("1640995200123", "epoch_ms") == 1640995200123);
  CHECK_FALSE(CreationMillis("yesterday", "iso8601"));
  CHECK_FALSE(CreationMillis("12x", "epoch_ms"));
}

}  // namespace
}  // namespace ferry::ulid_fill_test
