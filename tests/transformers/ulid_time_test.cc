#include "transformers/ulid_time.h"

#include <catch2/catch.hpp>

namespace ferry::ulid_time_test {

namespace {

Result<int64_t> TimeOf(const std::string& json, const std::string& format = "iso8601") {
  static simdjson::dom::parser parser;
  simdjson::dom::element value = parser.parse(json).value_unsafe();
  return UlidTimeOf(value, "createdAt", format);
}

}  // namespace

TEST_CASE("UlidTimeOf: an RFC 3339 time from 1970 on is its milliseconds",
          "[transformers][ulid_time]") {
  CHECK(*TimeOf(R"("1970-01-01T00:00:00Z")") == 0);
  CHECK(*TimeOf(R"("2023-02-24T10:21:45.4541234567Z")") == 1677234105454);
}

TEST_CASE("UlidTimeOf: a time before 1970 is refused naming the Unix epoch",
          "[transformers][ulid_time]") {
  for (const char* json : {R"("1969-07-20T20:17:40Z")", R"("0001-01-01T00:00:00Z")"}) {
    Result<int64_t> time = TimeOf(json);
    REQUIRE_FALSE(time.ok());
    CHECK_THAT(time.status().message(),
               Catch::Contains("before 1970-01-01T00:00:00Z (the Unix epoch)") &&
                   Catch::Contains("a ULID cannot hold a creation time before 1970"));
  }
  CHECK_THAT(TimeOf(R"("1969-07-20T20:17:40Z")").status().message(),
             Catch::Contains("createdAt is 1969-07-20T20:17:40.000Z"));
  CHECK_THAT(TimeOf("-1", "epoch_ms").status().message(), Catch::Contains("the Unix epoch"));
}

TEST_CASE("UlidTimeOf: a time past the ULID's 48 bits is refused saying so",
          "[transformers][ulid_time]") {
  CHECK_THAT(TimeOf("281474976710656", "epoch_ms").status().message(),
             Catch::Contains("the last time a ULID can hold"));
  CHECK(*TimeOf("281474976710655", "epoch_ms") == 281474976710655);
}

TEST_CASE("UlidTimeOf: epoch milliseconds with a fraction are truncated as Date does",
          "[transformers][ulid_time]") {
  CHECK(*TimeOf("1677234105454.9", "epoch_ms") == 1677234105454);
  CHECK(*TimeOf("1677234105454.0", "epoch_ms") == 1677234105454);
  CHECK_FALSE(TimeOf(R"("1677234105454")", "epoch_ms").ok());
}

TEST_CASE("UlidTimeOf: what is not a time says which format it is not",
          "[transformers][ulid_time]") {
  CHECK_THAT(TimeOf(R"("yesterday")").status().message(),
             Catch::Contains("createdAt is not an RFC 3339 date-time"));
  CHECK_THAT(TimeOf("12").status().message(), Catch::Contains("not an RFC 3339 date-time"));
  CHECK_THAT(TimeOf("true", "epoch_ms").status().message(),
             Catch::Contains("not a time in epoch milliseconds"));
}

}  // namespace ferry::ulid_time_test
