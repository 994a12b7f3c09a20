#include "transformers/validate/rfc3339_format_constraint.h"

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "transformers/validate/schema_validator.h"

namespace ferry::rfc3339_format_constraint_test {
namespace {

std::vector<SchemaViolation> ValidateWithFormat(const std::string& format,
                                                const nlohmann::json& value) {
  const nlohmann::json schema = {{"format", format}};
  auto compiled = SchemaValidator::Compile(schema.dump(), "format.schema.json");
  INFO(compiled.status().ToString());
  REQUIRE(compiled.ok());
  simdjson::dom::parser parser;
  simdjson::dom::element record;
  REQUIRE(parser.parse(value.dump()).get(record) == simdjson::SUCCESS);
  return (*compiled)->Validate(record);
}

TEST_CASE("Rfc3339Format: date-time accepts RFC 3339 forms", "[transformers][validate]") {
  for (const char* value :
       {"2023-05-01T10:00:00Z", "2023-05-01t10:00:00.5z", "2016-12-31T23:59:60Z",
        "2024-02-29T23:59:59.999+14:00", "0001-01-01T00:00:00-00:00"}) {
    INFO(value);
    CHECK(ValidateWithFormat("date-time", value).empty());
  }
}

TEST_CASE("Rfc3339Format: date-time rejects calendar and syntax errors",
          "[transformers][validate]") {
  const std::string value =
      GENERATE(as<std::string>{}, "2023-02-29T10:00:00Z", "2023-04-31T10:00:00Z",
               "2023-05-01T24:00:00Z", "2023-05-01 10:00:00Z", "2023-05-01T10:00:00", "05/01/2023",
               "2023-5-1T10:00:00Z", "", " 2023-05-01T10:00:00Z");
  INFO(value);
  const auto violations = ValidateWithFormat("date-time", value);
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].schema_location == "#/format");
  CHECK(violations[0].reason == nlohmann::json(value).dump() + " is not an RFC 3339 date-time");
}

TEST_CASE("Rfc3339Format: date is a full-date only", "[transformers][validate]") {
  CHECK(ValidateWithFormat("date", "2024-02-29").empty());
  CHECK(ValidateWithFormat("date", "2023-02-29").size() == 1);
  CHECK(ValidateWithFormat("date", "2023-02-28T00:00:00Z").size() == 1);
  CHECK(ValidateWithFormat("date", "20230228").size() == 1);
}

TEST_CASE("Rfc3339Format: time needs an offset", "[transformers][validate]") {
  CHECK(ValidateWithFormat("time", "10:21:45Z").empty());
  CHECK(ValidateWithFormat("time", "10:21:45.123+02:00").empty());
  CHECK(ValidateWithFormat("time", "10:21:45").size() == 1);
  CHECK(ValidateWithFormat("time", "25:00:00Z").size() == 1);
  CHECK(ValidateWithFormat("time", std::string(1000, '1')).size() == 1);
}

TEST_CASE("Rfc3339Format: non-strings and other formats pass", "[transformers][validate]") {
  CHECK(ValidateWithFormat("date-time", 1682935200000).empty());
  CHECK(ValidateWithFormat("date-time", nullptr).empty());
  CHECK(ValidateWithFormat("date-time", nlohmann::json::array()).empty());
  CHECK(ValidateWithFormat("email", "not an email").empty());
  CHECK(ValidateWithFormat("x-unknown", "").empty());
}

TEST_CASE("Rfc3339Format: a long bad value is not repeated in the reason",
          "[transformers][validate]") {
  const auto violations = ValidateWithFormat("date-time", std::string(500, '9'));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].reason == "string is not an RFC 3339 date-time");
}

}  // namespace
}  // namespace ferry::rfc3339_format_constraint_test
